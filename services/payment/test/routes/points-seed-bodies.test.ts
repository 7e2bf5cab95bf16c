import { suiteKit } from '@boxoffice/testing';
import { PaymentKit, type TestUser } from '../support/payment-kit';

describe("seed 000's point bodies: user_id (or userId) in POST /points", () => {
  const kit = suiteKit(new PaymentKit());
  let users: TestUser[];

  beforeAll(async () => void (users = await kit.users(3)));

  const balance = async (user: TestUser) => (await kit.call('GET', '/points', { user })).body.balance as number;

  it("when user_id or userId is the caller's own (number or string), then the points move as without it", async () => {
    const user = users[0]!;
    const charged = await kit.call('POST', '/points', {
      user,
      body: { user_id: user.id, point: 1_000, pointType: 'CHARGE' },
    });
    expect(charged.status).toBe(200);
    expect(charged.body).toEqual({ balance: 1_000 });
    const used = await kit.call('POST', '/points', {
      user,
      body: { userId: String(user.id), point: 400, pointType: 'USE' },
    });
    expect(used.status).toBe(200);
    expect(used.body).toEqual({ balance: 600 });
    const both = await kit.call('POST', '/points', {
      user,
      body: { user_id: user.id, userId: user.id, point: 1, pointType: 'CHARGE' },
    });
    expect(both.body).toEqual({ balance: 601 });
  });

  it("when the body names another user's wallet, then 403 NOT_YOUR_ACCOUNT and neither wallet moves", async () => {
    const [user, other] = [users[1]!, users[2]!];
    await kit.call('POST', '/points', { user: other, body: { point: 500, pointType: 'CHARGE' } });
    for (const [param, value] of [
      ['user_id', other.id],
      ['userId', String(other.id)],
    ] as const) {
      const refused = await kit.call('POST', '/points', {
        user,
        body: { [param]: value, point: 100, pointType: 'CHARGE' },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.errors).toMatchObject({
        code: 'NOT_YOUR_ACCOUNT',
        message: `The body's ${param} names another user than your credentials do.`,
        detail: [{ location: 'body', param, value }],
      });
    }
    // one right, one wrong: still refused
    const mixed = await kit.call('POST', '/points', {
      user,
      body: { user_id: user.id, userId: other.id, point: 100, pointType: 'CHARGE' },
    });
    expect(mixed.status).toBe(403);
    expect(await balance(user)).toBe(0);
    expect(await balance(other)).toBe(500);
    expect((await kit.call('GET', '/point_history', { user })).body).toEqual([]);
  });

  it('when the body carries an unknown field, or a user_id that is no id, then 422 and nothing moves', async () => {
    const user = users[1]!;
    const unknown = await kit.call('POST', '/points', { user, body: { point: 5, pointType: 'CHARGE', price: 5 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.detail).toEqual([expect.objectContaining({ param: 'price', error: 'UnknownField' })]);
    const malformed = await kit.call('POST', '/points', {
      user,
      body: { user_id: -1, point: 5, pointType: 'CHARGE' },
    });
    expect(malformed.status).toBe(422);
    expect(await balance(user)).toBe(0);
  });
});
