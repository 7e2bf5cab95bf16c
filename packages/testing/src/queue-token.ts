import { waitFor } from './wait';

/**
 * A waiting-room token from a real queue service (POST /tokens with the user's USER-TOKEN), returned once
 * GET /tokens shows it in the wanted status.
 */
export async function queueTokenOf(
  queueUrl: string,
  user: { id: number; token: string },
  status: 'ACTIVE' | 'WAITING' = 'ACTIVE',
): Promise<string> {
  const joined = await fetch(`${queueUrl}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-token': user.token },
    body: JSON.stringify({ userId: user.id }),
  });
  if (joined.status !== 201) throw new Error(`queue join: ${joined.status} ${await joined.text()}`);
  const { token } = (await joined.json()) as { token: string };
  await waitFor(`a ${status} queue token`, async () => {
    const polled = await fetch(`${queueUrl}/tokens`, { headers: { authorization: `Bearer ${token}` } });
    return polled.ok && ((await polled.json()) as { status: string }).status === status;
  });
  return token;
}
