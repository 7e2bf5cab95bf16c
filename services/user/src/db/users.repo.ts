import type { Queryable } from '@boxoffice/db';
import type { Role, User } from '../domain/user';

interface UserRow {
  id: number;
  name: string;
  login_id: string;
  access_token: string;
  role: Role;
  revision: number;
  password_hash: string;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  loginId: row.login_id,
  accessToken: row.access_token,
  role: row.role,
  revision: row.revision,
});

const COLUMNS = 'id, name, login_id, access_token, role, revision, password_hash';

export async function insertUser(
  db: Queryable,
  user: { name: string; loginId: string; passwordHash: string; role?: Role; id?: number; accessToken?: string },
): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, name, login_id, password_hash, role, access_token)
     VALUES (COALESCE($1, nextval('users_id_seq')), $2, $3, $4, $5, COALESCE($6::uuid, gen_random_uuid()))
     ON CONFLICT (login_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [user.id ?? null, user.name, user.loginId, user.passwordHash, user.role ?? 'user', user.accessToken ?? null],
  );
  return rows[0] && toUser(rows[0]);
}

/** Every user after `afterId`, id ascending: a page of the snapshot peers rebuild their users replicas from. */
export async function findUsersAfter(db: Queryable, afterId: number, limit: number): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2`, [
    afterId,
    limit,
  ]);
  return rows.map(toUser);
}

export async function findByLoginId(
  db: Queryable,
  loginId: string,
): Promise<(User & { passwordHash: string }) | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE login_id = $1`, [loginId]);
  return rows[0] && { ...toUser(rows[0]), passwordHash: rows[0].password_hash };
}

export async function findByAccessToken(db: Queryable, token: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE access_token = $1`, [token]);
  return rows[0] && toUser(rows[0]);
}

export async function findById(db: Queryable, id: number): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id DESC`);
  return rows.map(toUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
  return rows[0]!.count;
}

/** After inserting rows with explicit ids (demo data), move the sequence past them. */
export async function syncIdSequence(db: Queryable): Promise<void> {
  await db.query(`SELECT setval('users_id_seq', GREATEST((SELECT max(id) FROM users), 1))`);
}
