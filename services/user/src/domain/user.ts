import { createHash } from 'node:crypto';

export type Role = 'user' | 'admin';

export interface User {
  id: number;
  name: string;
  loginId: string;
  accessToken: string;
  role: Role;
  revision: number;
}

/**
 * Who is calling, as `request.user`. The same shape as @boxoffice/user-auth's AuthenticatedUser: both augment the
 * one FastifyRequest, and a program holding both (the cross-service tests) needs the two declarations identical.
 */
export type Caller = Pick<User, 'id' | 'name' | 'role'>;

export interface UserView {
  id: number;
  name: string;
  access_token?: string;
}

/** A user's access token is shown to that user and to admins only (SPEC §1). */
export function viewOf(user: User, viewer: Pick<User, 'id' | 'role'>): UserView {
  const visible = viewer.role === 'admin' || viewer.id === user.id;
  return visible ? { id: user.id, name: user.name, access_token: user.accessToken } : { id: user.id, name: user.name };
}

/** What other services learn of a token: its SHA-256, enough to recognise it, useless to present it. */
export const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A user's state as user.changed carries it (the token only as its SHA-256); also each row of the snapshot. */
export const userChangedPayload = (user: User) => ({
  id: user.id,
  name: user.name,
  role: user.role,
  accessTokenSha256: tokenSha256(user.accessToken),
  deleted: false,
});
