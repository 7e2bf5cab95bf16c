import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { session, type SignedInUser } from './api/session';
import { href, type PageName } from './routes';
import { navigate, useLocation } from './router';
import { HomePage, NotFoundPage } from './pages/home.page';
import { SignInPage, SignUpPage } from './pages/sign-in.page';
import { WaitingRoomPage } from './pages/waiting-room.page';
import { ConcertsPage, ShowtimesPage } from './pages/concerts.page';
import { SeatMapPage } from './pages/seat-map.page';
import { CheckoutPage } from './pages/checkout.page';
import { MyTicketsPage } from './pages/my-tickets.page';
import { PointsPage } from './pages/points.page';
import { ShopPage } from './pages/shop.page';
import { ItemPage } from './pages/item.page';
import { RecentPage } from './pages/recent.page';
import { OrderPage } from './pages/order.page';
import { OrdersPage } from './pages/orders.page';
import { NotificationsPage } from './pages/notifications.page';
import { OpsConcertsPage } from './pages/ops-concerts.page';
import { OpsDashboardPage } from './pages/ops-dashboard.page';
import { OpsRoomsPage } from './pages/ops-rooms.page';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
  user: SignedInUser | undefined;
}

interface PageEntry {
  title: string;
  component: ComponentType<PageProps>;
  access: 'anyone' | 'user' | 'admin';
}

const PAGE_TABLE: Record<PageName | 'notFound', PageEntry> = {
  home: { title: 'Boxoffice', component: HomePage, access: 'anyone' },
  signIn: { title: 'Sign in', component: SignInPage, access: 'anyone' },
  signUp: { title: 'Create an account', component: SignUpPage, access: 'anyone' },
  line: { title: 'Waiting room', component: WaitingRoomPage, access: 'user' },
  concerts: { title: 'Concerts', component: ConcertsPage, access: 'user' },
  showtimes: { title: 'Showtimes', component: ShowtimesPage, access: 'user' },
  seatMap: { title: 'Choose seats', component: SeatMapPage, access: 'user' },
  checkout: { title: 'Checkout', component: CheckoutPage, access: 'user' },
  tickets: { title: 'My tickets', component: MyTicketsPage, access: 'user' },
  points: { title: 'Points', component: PointsPage, access: 'user' },
  notifications: { title: 'Notifications', component: NotificationsPage, access: 'user' },
  shop: { title: 'Shop', component: ShopPage, access: 'user' },
  item: { title: 'Item', component: ItemPage, access: 'user' },
  recent: { title: 'Recently viewed', component: RecentPage, access: 'user' },
  orders: { title: 'My orders', component: OrdersPage, access: 'user' },
  order: { title: 'Order', component: OrderPage, access: 'user' },
  opsConcerts: { title: 'Operator: concerts', component: OpsConcertsPage, access: 'admin' },
  opsDashboard: { title: 'Operator: live dashboard', component: OpsDashboardPage, access: 'admin' },
  opsRooms: { title: 'Operator: waiting rooms', component: OpsRoomsPage, access: 'admin' },
  notFound: { title: 'Page not found', component: NotFoundPage, access: 'anyone' },
};

function useSignedInUser(): SignedInUser | undefined {
  const [user, setUser] = useState(session.user);
  useEffect(() => session.subscribe(() => setUser(session.user())), []);
  return user;
}

function Header({ user, page }: { user: SignedInUser | undefined; page: string }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [page]);
  const links: [string, string][] = user
    ? [
        [href('concerts'), 'Concerts'],
        [href('tickets'), 'My tickets'],
        [href('shop'), 'Shop'],
        [href('points'), 'Points'],
        [href('notifications'), 'Notifications'],
        ...(user.role === 'admin'
          ? ([
              [href('opsConcerts'), 'Operate'],
              [href('opsRooms'), 'Rooms'],
              [href('opsDashboard'), 'Dashboard'],
            ] as [string, string][])
          : []),
      ]
    : [
        [href('signIn'), 'Sign in'],
        [href('signUp'), 'Create an account'],
      ];
  return (
    <header class="site-header">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <a class="brand" href={href('home')}>
        Boxoffice
      </a>
      <button
        type="button"
        class="menu-toggle"
        aria-expanded={open}
        aria-controls="site-nav"
        onClick={() => setOpen(!open)}
      >
        Menu
      </button>
      <nav id="site-nav" class={open ? 'open' : ''} aria-label="Main">
        <ul>
          {links.map(([to, label]) => (
            <li key={to}>
              <a href={to} aria-current={location.pathname === to ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
          {user && (
            <li>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  session.signOut();
                  navigate(href('home'));
                }}
              >
                Sign out ({user.name})
              </button>
            </li>
          )}
        </ul>
      </nav>
    </header>
  );
}

export function App() {
  const where = useLocation();
  const user = useSignedInUser();
  const entry = PAGE_TABLE[where.route.page];
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  const needsSignIn = entry.access !== 'anyone' && !user;
  useEffect(() => {
    if (needsSignIn) navigate(href('signIn', {}, { next: where.path + location.search }), { replace: true });
  }, [needsSignIn, where.path]);

  useEffect(() => {
    document.title = entry.title === 'Boxoffice' ? 'Boxoffice' : `${entry.title} · Boxoffice`;
    // after an in-app navigation, a screen reader starts on the new page's heading, not the old link
    if (first.current) first.current = false;
    else main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [where.path]);

  const Page = entry.component;
  return (
    <>
      <Header user={user} page={where.path} />
      <main id="main" ref={main} tabIndex={-1}>
        {needsSignIn ? null : entry.access === 'admin' && user?.role !== 'admin' ? (
          <section>
            <h1 tabIndex={-1}>Operators only</h1>
            <p>This page is for operators. Sign in with an admin account to use it.</p>
          </section>
        ) : (
          <Page params={where.route.params} query={where.query} user={user} />
        )}
      </main>
      <footer class="site-footer">
        <p>
          Boxoffice ·{' '}
          <a href="/docs" data-external>
            API documentation
          </a>
        </p>
      </footer>
    </>
  );
}
