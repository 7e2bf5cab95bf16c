import { createHash } from 'node:crypto';
import { BoundedCache } from './bounded-cache';
import { readRequestPath } from './request-path';

// A caller sends the same credential with every request: its hash is worked out once while it stays in use.
const hashedCredentials = new BoundedCache<string>(10_000);
const CACHED_CREDENTIAL_LENGTH = 2_048;
const hashOf = (credential: string) => `cred:${createHash('sha256').update(credential).digest('hex').slice(0, 32)}`;

/**
 * Whom a request counts against: its credential (USER-TOKEN, or the waiting-room token), hashed so the limiter's
 * keys never hold a usable secret; requests without one (page loads, sign-ins) count against their IP address as
 * an anonymous caller: `anon:`, not the `ip:` ceiling every request of that address counts against, or one busy
 * signed-in user would use up the page loads and sign-ins of everyone behind the same address.
 */
export function rateLimitKey(headers: Record<string, string | string[] | undefined>, ip: string): string {
  const userToken = headers['user-token'];
  const authorization = headers.authorization;
  const queueToken = headers['queue-token'];
  const credential =
    (typeof userToken === 'string' && userToken) ||
    (typeof authorization === 'string' && authorization.replace(/^Bearer\s+/i, '')) ||
    (typeof queueToken === 'string' && queueToken) ||
    undefined;
  if (!credential) return `anon:${ip}`;
  return credential.length <= CACHED_CREDENTIAL_LENGTH ? hashedCredentials.get(credential, hashOf) : hashOf(credential);
}

/** Registering a user (the user service's POST /users), however the path is spelled: sign-ups have their own limit. */
export function isSignUp(method: string, url: string): boolean {
  if (method !== 'POST') return false;
  const path = readRequestPath(url);
  return !('refused' in path) && path.segments.join('/') === 'api/users/users';
}
