import { waitFor } from './wait';

/**
 * A waiting-room token from a real queue service (POST /tokens with the user's USER-TOKEN; in the default room, or
 * in the room `where` names), returned once GET /tokens shows it in the wanted status.
 */
export async function queueTokenOf(
  queueUrl: string,
  user: { id: number; token: string },
  status: 'ACTIVE' | 'WAITING' = 'ACTIVE',
  where: { roomId?: string; concertId?: number } = {},
): Promise<string> {
  const joined = await fetch(`${queueUrl}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-token': user.token },
    body: JSON.stringify({ userId: user.id, ...where }),
  });
  if (joined.status !== 201) throw new Error(`queue join: ${joined.status} ${await joined.text()}`);
  const { token } = (await joined.json()) as { token: string };
  await waitFor(`a ${status} queue token`, async () => {
    const polled = await fetch(`${queueUrl}/tokens`, { headers: { authorization: `Bearer ${token}` } });
    return polled.ok && ((await polled.json()) as { status: string }).status === status;
  });
  return token;
}

/** The token id (`jti`) of a waiting-room JWT, as the replicas key it. */
export const tokenIdOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti.toLowerCase();

/**
 * Waits until a guard's replica (`queue_tokens_replica` in the database `db` reads) shows these tokens ACTIVE.
 * Requests judged by a guard whose replica has not heard of a token yet go to the queue-service fallback and its
 * short timeout: on a loaded machine that is a 503, which is not what a suite about holds or payments tests.
 */
export async function waitForActiveInReplica(
  db: { query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }> },
  tokens: string[],
): Promise<void> {
  const ids = tokens.map(tokenIdOf);
  await waitFor(
    'the tokens ACTIVE in the replica',
    async () =>
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM queue_tokens_replica WHERE token_id = ANY($1) AND status = 'ACTIVE'",
          [ids],
        )
      ).rows[0]!.n === new Set(ids).size,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/**
 * A waiting-room token from a real queue service (as `queueTokenOf`); an ACTIVE one only once the guard's replica
 * in `db` shows it ACTIVE too, so the guarded service lets it in at once.
 */
export async function guardedQueueTokenOf(
  queueUrl: string,
  db: Parameters<typeof waitForActiveInReplica>[0],
  user: { id: number; token: string },
  status: 'ACTIVE' | 'WAITING' = 'ACTIVE',
  where: { roomId?: string; concertId?: number } = {},
): Promise<string> {
  const token = await queueTokenOf(queueUrl, user, status, where);
  if (status === 'ACTIVE') await waitForActiveInReplica(db, [token]);
  return token;
}

/** A waiting room for a concert, OPEN at once, created on a real queue service by an admin; returns its id. */
export async function queueRoomOf(
  queueUrl: string,
  admin: { token: string },
  settings: { concertId: number; maxActive?: number; name?: string } & Record<string, unknown>,
): Promise<string> {
  const created = await fetch(`${queueUrl}/admin/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-token': admin.token },
    body: JSON.stringify({ name: `sale of concert ${settings.concertId}`, maxActive: 10, state: 'OPEN', ...settings }),
  });
  if (created.status !== 201) throw new Error(`queue room: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { id: string }).id;
}
