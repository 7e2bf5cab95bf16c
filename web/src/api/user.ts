import { call } from './http';
import type { ItemView } from './item';

/** The user service (SPEC §1), through the gateway's /api/users. */
export interface Credentials {
  id: number;
  name: string;
  access_token: string;
}

export const userApi = {
  signIn: (loginId: string, password: string) =>
    call<Credentials>('POST', '/api/users/login', {
      credential: 'none',
      body: { login_id: loginId, password },
    }),
  signUp: (name: string, loginId: string, password: string) =>
    call<Credentials>('POST', '/api/users/users', {
      credential: 'none',
      body: { name, login_id: loginId, password },
    }),
  /** Who a token belongs to, with the role the pages need (login does not say it). */
  me: (token: string) => fetch('/api/users/users/me', { headers: { 'user-token': token, accept: 'application/json' } }),
  recentlyViewed: () => call<{ count: number; payload: ItemView[] }>('GET', '/api/users/visit'),
};
