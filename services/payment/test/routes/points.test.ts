import { suiteKit } from '@boxoffice/testing';
import { PaymentKit, type TestUser } from '../support/payment-kit';

describe('point wallet (a ledger; the balance never goes negative)', () => {
  const kit = suiteKit(new PaymentKit());
  let users: TestUser[];

  beforeAll(async () => void (users = await kit.users(6)));

  const ledgerSum = (history: { amount: number; pointType: string }[]) =>
    history.reduce((sum, row) => sum + (row.pointType === 'USE' ? -row.amount : row.amount), 0);

  it('when a user charges and uses points, then the balance follows and every move is a history row', async () => {
    const user = users[0]!;
    expect((await kit.call('GET', '/points', { user })).body).toEqual({ balance: 0 });
    const charged = await kit.charge(user, 1_000);
    expect(charged.status).toBe(200);
    expect(charged.body).toEqual({ balance: 1_000 });
    const used = await kit.call('POST', '/points', { user, body: { point: 300, pointType: 'USE' } });
    expect(used.body).toEqual({ balance: 700 });
    const history = await kit.call('GET', '/point_history', { user });
    expect(history.status).toBe(200);
    expect(history.body).toHaveLength(2);
    expect(history.body[0]).toEqual({
      transactionId: expect.any(String),
      userId: user.id,
      amount: 300,
      pointType: 'USE',
      createdAt: expect.stringMatching(/\+00:00$/),
    });
    expect(ledgerSum(history.body)).toBe(700);
  });

  it('when a user uses more than the balance, then 400 and nothing changes', async () => {
    const user = users[1]!;
    await kit.charge(user, 50);
    const refused = await kit.call('POST', '/points', { user, body: { point: 51, pointType: 'USE' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.code).toBe('NOT_ENOUGH_POINTS');
    expect((await kit.call('GET', '/points', { user })).body).toEqual({ balance: 50 });
    expect((await kit.call('GET', '/point_history', { user })).body).toHaveLength(1);
  });

  it('when 100 USE of 10 race on a balance of 500, then exactly 50 succeed, the balance is 0 and the history sums to it', async () => {
    const user = users[2]!;
    await kit.charge(user, 500);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => kit.call('POST', '/points', { user, body: { point: 10, pointType: 'USE' } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 400)).toHaveLength(50);
    expect((await kit.call('GET', '/points', { user })).body).toEqual({ balance: 0 });
    const history = (await kit.call('GET', '/point_history', { user })).body;
    expect(history.filter((row: { pointType: string }) => row.pointType === 'USE')).toHaveLength(50);
    expect(ledgerSum(history)).toBe(0);
    const { rows } = await kit.app.pg.query(
      `SELECT w.balance, (SELECT COALESCE(sum(CASE WHEN point_type = 'USE' THEN -amount ELSE amount END), 0)::bigint
         FROM point_transactions WHERE user_id = w.user_id) AS ledger FROM wallets w WHERE user_id = $1`,
      [user.id],
    );
    expect(rows[0]).toEqual({ balance: 0, ledger: 0 });
  });

  it('when the same Idempotency-Key is sent again, then the first answer is replayed; with another body, then 422', async () => {
    const user = users[3]!;
    const headers = { 'idempotency-key': 'charge-once' };
    const first = await kit.call('POST', '/points', { user, headers, body: { point: 100, pointType: 'CHARGE' } });
    const again = await Promise.all(
      Array.from({ length: 5 }, () =>
        kit.call('POST', '/points', { user, headers, body: { pointType: 'CHARGE', point: 100 } }),
      ),
    );
    expect(first.body).toEqual({ balance: 100 });
    for (const answer of again) {
      expect([200, 409]).toContain(answer.status); // 409 only while the first is still running
      if (answer.status === 200) expect(answer.body).toEqual({ balance: 100 });
    }
    expect((await kit.call('GET', '/points', { user })).body).toEqual({ balance: 100 });
    const other = await kit.call('POST', '/points', { user, headers, body: { point: 5, pointType: 'CHARGE' } });
    expect(other.status).toBe(422);
    // keys are per user: another user may use the same key
    const someoneElse = await kit.call('POST', '/points', {
      user: users[4],
      headers,
      body: { point: 7, pointType: 'CHARGE' },
    });
    expect(someoneElse.body).toEqual({ balance: 7 });
  });

  it('when the body is bad or the token missing, then 422 listing every field, or 401', async () => {
    const user = users[5]!;
    const bad = await kit.call('POST', '/points', { user, body: { point: -3, pointType: 'STEAL', extra: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.detail.map((d: { param: string }) => d.param).sort()).toEqual([
      'extra',
      'point',
      'pointType',
    ]);
    expect((await kit.call('GET', '/points')).status).toBe(401);
  });
});
