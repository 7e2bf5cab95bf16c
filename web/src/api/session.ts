/**
 * Who is signed in and their waiting-room token, kept in localStorage so a reload (or a new tab) keeps both:
 * the queue token is the buyer's place in line. Tokens are per user, so signing in as someone else never
 * presents another user's place.
 */
export interface SignedInUser {
  id: number;
  name: string;
  token: string;
  role: 'user' | 'admin';
}

export interface QueuePlace {
  token: string;
  /** The concert whose waiting room issued it (null: joined without naming one, the default room). */
  concertId: number | null;
  activeUntil?: string;
}

const USER_KEY = 'boxoffice.user';
const queueKey = (userId: number) => `boxoffice.queue.${userId}`;

type Listener = () => void;
const listeners = new Set<Listener>();

function read<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  if (value === undefined) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
  listeners.forEach((listener) => listener());
}

export const session = {
  user: (): SignedInUser | undefined => read<SignedInUser>(USER_KEY),
  signIn(user: SignedInUser): void {
    write(USER_KEY, user);
  },
  signOut(): void {
    write(USER_KEY, undefined);
  },
  queueToken(): string | undefined {
    return session.place()?.token;
  },
  /** The place in line: the token, and until when it is ACTIVE once admitted. */
  place(): QueuePlace | undefined {
    const user = session.user();
    return user ? read<QueuePlace>(queueKey(user.id)) : undefined;
  },
  /** One place at a time: joining a concert's room replaces the place in another room's line. */
  setQueueToken(token: string | undefined, concertId: number | null = null): void {
    const user = session.user();
    if (user) write(queueKey(user.id), token ? { token, concertId } : undefined);
  },
  setActiveUntil(activeUntil: string): void {
    const user = session.user();
    const place = session.place();
    if (user && place) write(queueKey(user.id), { ...place, activeUntil });
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    // another tab signing in or out
    const onStorage = (event: StorageEvent) => event.key?.startsWith('boxoffice.') && listener();
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
};
