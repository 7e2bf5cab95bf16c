import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { literals } from './literals';
import { TOPICS } from './topics';

/**
 * The state of a user after a change. The access token itself never travels: readers get its SHA-256 and
 * resolve a USER-TOKEN header by hashing it.
 */
export const UserChangedPayload = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.Union(literals('user', 'admin')),
  accessTokenSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  deleted: Type.Boolean(),
});
export type UserChangedPayload = Static<typeof UserChangedPayload>;

export const UserChanged = defineEvent('user.changed', TOPICS.users, 'user', UserChangedPayload);
