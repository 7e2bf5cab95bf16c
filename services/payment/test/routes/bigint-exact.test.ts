import { PaymentKit, type TestUser } from '../support/payment-kit';

// bigint columns (wallet balances, amounts) are read exactly: past 2^53 parseInt used to round them
describe('bigint columns are answered exactly', () => {
  const kit = new PaymentKit();
  let user: TestUser;
  const beyondDoubles = '9007199254740993'; // 2^53 + 1: the first integer a JS number cannot hold

  beforeAll(async () => {
    await kit.start();
    [user] = (await kit.users(1)) as [TestUser];
  });
  afterAll(() => kit.stop());

  const raw = async (method: 'GET' | 'POST', url: string, payload?: object) =>
    (await kit.app.inject({ method, url, headers: { 'user-token': user.token }, ...(payload ? { payload } : {}) }))
      .body;

  it('when a wallet holds more than 2^53 points, then the balance and the ledger are answered digit for digit', async () => {
    await raw('POST', '/points', { point: 1_000, pointType: 'CHARGE' });
    await kit.app.pg.query('UPDATE wallets SET balance = $2::bigint WHERE user_id = $1', [user.id, beyondDoubles]);
    await kit.app.pg.query('UPDATE point_transactions SET amount = $2::bigint WHERE user_id = $1', [
      user.id,
      beyondDoubles,
    ]);
    expect(await raw('GET', '/points')).toBe(`{"balance":${beyondDoubles}}`);
    expect(await raw('GET', '/point_history')).toContain(`"amount":${beyondDoubles}`);
    // and it keeps counting exactly: 2^53 + 1 + 2 = 2^53 + 3
    expect(await raw('POST', '/points', { point: 2, pointType: 'CHARGE' })).toBe('{"balance":9007199254740995}');
  });

  it('when a bigint is within the safe range, then it is a plain JS number (what the domain code adds and compares)', async () => {
    const { rows } = await kit.app.pg.query('SELECT 42::bigint AS small, $1::bigint AS large', [beyondDoubles]);
    expect(rows[0]).toEqual({ small: 42, large: BigInt(beyondDoubles) });
  });
});
