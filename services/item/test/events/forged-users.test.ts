import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UserChanged, type UserChangedPayload } from '@boxoffice/contracts';
import { developmentEventKey } from '@boxoffice/config';
import { waitFor } from '@boxoffice/testing';
import { ItemKit } from '../support/item-kit';

/** The item service's kit, able to put on the users topic what an attacker with access to the broker could. */
class ForgingKit extends ItemKit {
  /** A user.changed claiming `source`, signed with `signingKey`. Returns nothing: the test looks at the tables. */
  userChanged(payload: UserChangedPayload, revision: number, source: string, signingKey: string) {
    return this.peers.publish(
      UserChanged,
      [{ aggregateId: payload.id, aggregateVersion: revision, payload }],
      source,
      signingKey,
    );
  }
}

/**
 * Issue 19 item 6: a forged user.changed (an admin made up by whoever can produce to the users topic) is
 * dead-lettered with its reason and never reaches the users replica, so its token opens nothing; genuine user.changed
 * events (signed with the user service's key) still apply. The item service in-process, real PostgreSQL and Kafka.
 */
describe('forged user.changed events', () => {
  const kit = new ForgingKit();
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const replicaRow = async (id: number) =>
    (await kit.app.pg.query('SELECT role FROM users_replica WHERE id = $1', [id])).rows[0] as
      { role: string } | undefined;
  const letters = async () =>
    (
      await kit.app.pg.query<{ reason: string; aggregate: number }>(
        `SELECT reason, (raw::jsonb ->> 'aggregateId')::int AS aggregate FROM dead_letters
          WHERE event_type = 'user.changed' ORDER BY reason`,
      )
    ).rows;
  const createItem = (token: string) =>
    kit.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'user-token': token },
      payload: { name: `item ${randomUUID()}`, broadcaster: 'cjmall', category: 'test', price: 1_000, stock: 1 },
    });

  beforeAll(async () => {
    await kit.start(); // its admin is announced by genuine, signed user.changed events
  }, 60_000);
  afterAll(async () => {
    await kit.stop();
  });

  it('when an admin is forged with the wrong key, and a real user is promoted by another service signing as itself, then neither applies, both are dead-lettered with their reason, and genuine events still apply', async () => {
    const [victim] = await kit.users(1);
    const forgedId = victim!.id + 100_000;
    const forgedToken = randomUUID();
    // 1. the user service's name, any other key: an admin the user service never made
    await kit.userChanged(
      { id: forgedId, name: 'mallory', role: 'admin', accessTokenSha256: sha256(forgedToken), deleted: false },
      1,
      'user',
      randomBytes(32).toString('hex'),
    );
    // 2. the ticket service's real key, signing as itself, promoting a real user (a newer revision)
    await kit.userChanged(
      { id: victim!.id, name: 'promoted', role: 'admin', accessTokenSha256: sha256(victim!.token), deleted: false },
      2,
      'ticket',
      developmentEventKey('ticket'),
    );
    await waitFor('both forged events dead-lettered', async () => (await letters()).length === 2, {
      timeoutMs: 30_000,
    });
    expect(await letters()).toEqual([
      { reason: 'forged', aggregate: forgedId },
      { reason: 'not-owner', aggregate: victim!.id },
    ]);
    expect(await replicaRow(forgedId)).toBeUndefined();
    expect(await replicaRow(victim!.id)).toEqual({ role: 'user' });

    // what each would have opened stays shut: the forged admin's token is unknown, the victim is still no admin
    // unknown to the replica, the forged token is asked of the user service (not running here: 503; it would say 401)
    expect((await createItem(forgedToken)).statusCode).toBe(503);
    expect((await createItem(victim!.token)).statusCode).toBe(403);
    expect((await createItem(kit.admin.token)).statusCode).toBe(201);

    // genuine events after them still apply
    const [later] = await kit.users(1, 'admin');
    expect(await replicaRow(later!.id)).toEqual({ role: 'admin' });
  });
});
