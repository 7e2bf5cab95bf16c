import type { Pool } from '@boxoffice/db';
import { unauthorized } from '@boxoffice/errors';
import { findByLoginId } from '../db/users.repo';
import { hashPassword, verifyPassword } from './passwords';
import type { User } from './user';

// Hashing a password for an unknown login id too keeps both failures equally slow: timing tells nothing.
const decoy = hashPassword('decoy password that never matches');

export async function login(pool: Pool, loginId: string, password: string): Promise<User> {
  const found = await findByLoginId(pool, loginId);
  const ok = await verifyPassword(password, found?.passwordHash ?? (await decoy));
  if (!found || !ok) throw unauthorized('The login id or the password is wrong.');
  return found;
}
