import { ApiProblem, offline, problemFrom } from './problem';
import { session } from './session';

/** Which credential a call presents: none, the user's USER-TOKEN, or the waiting-room JWT. */
export type Credential = 'none' | 'user' | 'queue';

export interface Answer<T> {
  status: number;
  body: T;
  /** The service answered from a replica or cache while an owner was unreachable (X-Data-Stale). */
  stale: boolean;
  location: string | null;
}

export interface CallOptions {
  credential?: Credential;
  body?: unknown;
  idempotencyKey?: string;
  query?: Record<string, string | number | undefined>;
}

function headersFor(credential: Credential, options: CallOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (credential === 'user') {
    const user = session.user();
    if (!user) throw new ApiProblem('signed-out', 401, 'Please sign in first.');
    headers['user-token'] = user.token;
  }
  if (credential === 'queue') {
    const token = session.queueToken();
    if (!token) throw new ApiProblem('queue-ended', 401, 'Join the waiting line first.');
    headers.authorization = `Bearer ${token}`;
  }
  return headers;
}

/** One call to the API (same origin: the gateway serves both the pages and the API). */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const credential = options.credential ?? 'user';
  const query = Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined);
  const url = query.length ? `${path}?${new URLSearchParams(query.map(([k, v]) => [k, String(v)]))}` : path;
  const headers = headersFor(credential, options); // a missing credential is a problem of its own, not "offline"
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw offline();
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw problemFrom(response.status, response.headers, text, credential);
  let body: T;
  try {
    body = (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw problemFrom(502, response.headers, '', credential);
  }
  return {
    status: response.status,
    body,
    stale: response.headers.get('x-data-stale') === 'true',
    location: response.headers.get('location'),
  };
}

/**
 * A fresh Idempotency-Key (a v4 UUID): the same key is reused when the same write is retried. Built from
 * getRandomValues because randomUUID exists only on https or localhost pages.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
