import type { Answer } from '../src/api/http';
import type { Payment } from '../src/api/payment';
import { ApiProblem } from '../src/api/problem';
import type { IssuedToken } from '../src/api/queue';
import { payHolds, type CheckoutDeps } from '../src/domain/checkout';

/**
 * A stand-in for the payment and queue services: a payment is refused with 401 while the place has ended
 * (`placeActive` false), and paying the same tickets again must carry the same Idempotency-Key.
 */
function fakeServices({ placeActive = true, admitOnRejoin = true } = {}) {
  let place = 1;
  let active = placeActive;
  const payments: { ticketIds: string[]; key: string }[] = [];
  const calls: string[] = [];
  const deps: CheckoutDeps = {
    async pay(ticketIds, key) {
      calls.push(`pay ${ticketIds.join('+')} place ${place}`);
      await Promise.resolve();
      if (!active) throw new ApiProblem('queue-ended', 401, 'ended');
      payments.push({ ticketIds, key });
      return {
        status: 201,
        body: { id: `p-${ticketIds.join('')}`, ticketId: ticketIds[0], ticketIds } as Payment,
        stale: false,
        location: null,
      } as Answer<Payment>;
    },
    paymentStatus: async () => {
      throw new Error('not used');
    },
    async rejoin() {
      calls.push('rejoin');
      place++;
      active = admitOnRejoin;
      return {
        token: `t${place}`,
        status: admitOnRejoin ? 'ACTIVE' : 'WAITING',
        waitingNo: admitOnRejoin ? 0 : 4,
      } as IssuedToken;
    },
    keyFor: (ticketIds) => `key-${ticketIds.join('+')}`,
    sleep: async () => undefined,
  };
  return { deps, payments, calls };
}

describe('paying several held seats in one payment', () => {
  it('when the place is ACTIVE, then every seat is paid by one payment and nobody rejoins', async () => {
    const { deps, payments, calls } = fakeServices();
    const result = await payHolds(['a', 'b', 'c'], deps);
    expect(result).toMatchObject({ state: 'paid', payment: { ticketIds: ['a', 'b', 'c'] } });
    expect(payments).toEqual([{ ticketIds: ['a', 'b', 'c'], key: 'key-a+b+c' }]);
    expect(calls).toEqual(['pay a+b+c place 1']);
  });

  it('when the place has ended, then the buyer rejoins and the same payment is sent again with the same key', async () => {
    const { deps, payments, calls } = fakeServices({ placeActive: false });
    const result = await payHolds(['a', 'b'], deps);
    expect(result.state).toBe('paid');
    expect(calls).toEqual(['pay a+b place 1', 'rejoin', 'pay a+b place 2']);
    expect(payments).toEqual([{ ticketIds: ['a', 'b'], key: 'key-a+b' }]);
  });

  it('when re-joining puts the buyer back in line, then checkout stops unpaid with the new place', async () => {
    const { deps, payments } = fakeServices({ placeActive: false, admitOnRejoin: false });
    const result = await payHolds(['a', 'b'], deps);
    expect(result).toMatchObject({ state: 'waiting', place: { status: 'WAITING', waitingNo: 4 } });
    expect(payments).toEqual([]);
  });

  it('when the payment is refused for another reason (not enough points), then it is reported and not retried', async () => {
    const { deps, calls } = fakeServices();
    const refusing: CheckoutDeps = {
      ...deps,
      pay: async () => Promise.reject(new ApiProblem('refused', 400, 'Not enough points.')),
    };
    const result = await payHolds(['a', 'b'], refusing);
    expect(result).toMatchObject({ state: 'failed', problem: { message: 'Not enough points.' } });
    expect(calls).not.toContain('rejoin');
  });

  it('when even a fresh ACTIVE place is refused, then checkout stops instead of looping', async () => {
    const { deps, calls } = fakeServices();
    const stuck: CheckoutDeps = {
      ...deps,
      pay: async (ticketIds) => {
        calls.push(`pay ${ticketIds.join('+')}`);
        return Promise.reject(new ApiProblem('queue-ended', 401, 'ended'));
      },
    };
    const result = await payHolds(['a'], stuck);
    expect(result).toMatchObject({ state: 'failed', problem: { kind: 'queue-ended' } });
    expect(calls).toEqual(['pay a', 'rejoin', 'pay a']);
  });

  it('when the payment is accepted but not confirmed yet (202), then it is looked up until COMPLETED', async () => {
    const { deps } = fakeServices();
    const looks: string[] = [];
    const slow: CheckoutDeps = {
      ...deps,
      pay: async (ticketIds) =>
        ({ status: 202, body: { id: 'p1', ticketIds } as Payment, stale: false, location: null }) as Answer<Payment>,
      paymentStatus: async (id) => {
        looks.push(id);
        const status = looks.length < 2 ? 'PENDING' : 'COMPLETED';
        return { status: 200, body: { id, status } as Payment, stale: false, location: null } as Answer<Payment>;
      },
    };
    const result = await payHolds(['a', 'b'], slow);
    expect(result).toMatchObject({ state: 'paid', payment: { id: 'p1', status: 'COMPLETED' } });
    expect(looks).toEqual(['p1', 'p1']);
  });
});
