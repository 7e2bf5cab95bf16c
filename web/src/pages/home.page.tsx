import type { PageProps } from '../app';
import { PageTitle } from '../components/page-title';
import { href } from '../routes';

export function HomePage({ user }: PageProps) {
  return (
    <section>
      <PageTitle>{user ? `Hello, ${user.name}` : 'Tickets and shopping, fairly'}</PageTitle>
      <p class="lead">
        Concert seats behind a fair waiting room, and home-shopping items with alarms before they go on air.
      </p>
      <div class="cards">
        <article class="card">
          <h2>Concerts</h2>
          <p>Join the line, pick your seats on the map and pay with points.</p>
          <a class="button" href={user ? href('concerts') : href('signIn', {}, { next: href('concerts') })}>
            Find concerts
          </a>
        </article>
        <article class="card">
          <h2>Shop</h2>
          <p>Browse the items on air, set alarms and order with points.</p>
          <a class="button" href={user ? href('shop') : href('signIn', {}, { next: href('shop') })}>
            Go shopping
          </a>
        </article>
        {!user && (
          <article class="card">
            <h2>New here?</h2>
            <p>An account takes a name, a login id and a password.</p>
            <a class="button secondary" href={href('signUp')}>
              Create an account
            </a>
          </article>
        )}
      </div>
    </section>
  );
}

export function NotFoundPage() {
  return (
    <section>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at this address. <a href={href('home')}>Go to the start page</a>.
      </p>
    </section>
  );
}
