import type { Pool, Transact } from '@boxoffice/db';
import { assertBodyNamesCaller, badRequest } from '@boxoffice/errors';
import { balanceOf, credit, debit, historyOf, type PointTransaction } from '../db/ledger.repo';

export type PointMove = {
  point: number;
  pointType: 'CHARGE' | 'USE';
  /** Seed 000's `user_id` (or `userId`): the wallet named must be the caller's own. */
  user_id?: number | string;
  userId?: number | string;
};

export const notEnoughPoints = (balance: number, wanted: number) =>
  badRequest('NOT_ENOUGH_POINTS', `Not enough points: the balance is ${balance}, ${wanted} are needed.`, [
    { location: 'state', param: 'balance', value: balance, error: 'NotAvailable', msg: `${wanted} points needed.` },
  ]);

/**
 * CHARGE or USE on the caller's wallet; one ledger row each. USE beyond the balance is refused (400), nothing kept.
 * Returns the new balance. A body naming another user's wallet is refused (403) before anything moves.
 */
export function movePoints(userId: number, move: PointMove, transact: Transact): Promise<number> {
  assertBodyNamesCaller(userId, move.user_id, 'user_id');
  assertBodyNamesCaller(userId, move.userId, 'userId');
  return transact(async (tx) => {
    if (move.pointType === 'CHARGE') return (await credit(tx, userId, move.point, 'CHARGE')).balance;
    const taken = await debit(tx, userId, move.point);
    if (!taken) throw notEnoughPoints(await balanceOf(tx, userId), move.point);
    return taken.balance;
  });
}

export const walletBalance = (pool: Pool, userId: number): Promise<number> => balanceOf(pool, userId);
export const pointHistory = (pool: Pool, userId: number): Promise<PointTransaction[]> => historyOf(pool, userId);
