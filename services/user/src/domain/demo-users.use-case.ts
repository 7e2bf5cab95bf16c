import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { countUsers, insertUser, syncIdSequence } from '../db/users.repo';
import { publishUserChanged } from '../events/user-events';
import { hashPassword } from './passwords';
import type { Role } from './user';

/** Every demo user's password; documented in the README. */
export const DEMO_PASSWORD = 'boxoffice-demo';

const DEMO_USERS: { id: number; name: string; loginId: string; role: Role; accessToken: string }[] = [
  { id: 1, name: '관리자', loginId: 'admin', role: 'admin', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001' },
  { id: 2, name: '김민준', loginId: 'minjun', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0002' },
  { id: 3, name: '이서연', loginId: 'seoyeon', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0003' },
  { id: 4, name: '박지호', loginId: 'jiho', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0004' },
  { id: 5, name: '최수아', loginId: 'sua', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0005' },
  { id: 6, name: '정도윤', loginId: 'doyun', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0006' },
  { id: 7, name: '강하은', loginId: 'haeun', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0007' },
  { id: 8, name: '조예준', loginId: 'yejun', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0008' },
  { id: 9, name: '윤지우', loginId: 'jiwoo', role: 'user', accessToken: '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0009' },
  // The token from the original home-shopping brief, so its curl examples work as written.
  { id: 10, name: '박규경', loginId: 'gyugyeong', role: 'user', accessToken: '4a49145e-45a8-4845-af45-1af2a59bb044' },
];

/** Loads the ten demo users (one admin) on first start only: an empty table is the sign of a first start. */
export async function loadDemoUsers(pool: Pool): Promise<number> {
  if ((await countUsers(pool)) > 0) return 0;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE users IN EXCLUSIVE MODE'); // two instances starting together load it once
    if ((await countUsers(tx)) > 0) return 0;
    for (const demo of DEMO_USERS) {
      const user = await insertUser(tx, { ...demo, passwordHash });
      if (user) await publishUserChanged(tx, user);
    }
    await syncIdSequence(tx);
    return DEMO_USERS.length;
  });
}
