import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { conflict } from '@boxoffice/errors';
import { insertUser } from '../db/users.repo';
import { publishUserChanged } from '../events/user-events';
import { hashPassword } from './passwords';
import type { User } from './user';

export interface Registration {
  name: string;
  login_id: string;
  password: string;
}

/** A new user gets an access token at once; the `user.changed` event commits with the row. */
export async function registerUser(pool: Pool, input: Registration): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return withTransaction(pool, async (tx) => {
    const user = await insertUser(tx, { name: input.name, loginId: input.login_id, passwordHash });
    if (!user) {
      throw conflict('DUPLICATE_LOGIN_ID', `The login id "${input.login_id}" is already taken.`, [
        { location: 'body', param: 'login_id', value: input.login_id, error: 'Duplicate', msg: 'Already taken.' },
      ]);
    }
    await publishUserChanged(tx, user);
    return user;
  });
}
