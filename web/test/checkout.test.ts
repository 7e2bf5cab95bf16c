import type { Answer } from '../src/api/http';
import type { Payment } from '../src/api/payment';
import { ApiProblem } from '../src/api/problem';
import type { IssuedToken } from '../src/api/queue';
import { payHolds, type CheckoutDeps } from '../src/domain/checkout';

/**
 * A stand-in for the payment and queue services with today's rule: a completed payment ends the payer's
 * ACTIVE place, so a later payment with that place is refused until the buyer joins again. `paymentsPerPlace`
 * is how many payments sent together get through before the end of the place is noticed (1: the worst case).
 */
function fakeServices({ admitOnRejoin = true, paymentsPerPlace = 1 } = {}) {
  let place = 1;
  let placeActive = true;
  let usesOfPlace = 0;
  const paid = new Map<string, string>(); // ticket → idempotency key
  const calls: string[] = [];
  const deps: CheckoutDeps = {
    async pay(ticketId, key) {
      calls.push(`pay ${ticketId} place ${place}`);
      const activeAtArrival = placeActive && usesOfPlace < paymentsPerPlace;
      if (activeAtArrival) usesOfPlace++;
      await Promise.resolve();
      if (paid.has(ticketId) && paid.get(ticketId) !== key) throw new Error('paid twice with different keys');
      if (!activeAtArrival) throw new ApiProblem('queue-ended', 401, 'ended');
      paid.set(ticketId, key);
      return {
        status: 201,
        body: { id: `p-${ticketId}`, ticketId } as Payment,
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
      usesOfPlace = 0;
      placeActive = admitOnRejoin;
      return {
        token: `t${place}`,
        status: admitOnRejoin ? 'ACTIVE' : 'WAITING',
        waitingNo: admitOnRejoin ? 0 : 4,
      } as IssuedToken;
    },
    keyFor: (ticketId) => `key-${ticketId}`,
    sleep: async () => undefined,
  };
  return { deps, paid, calls };
}

describe('paying several held seats, one payment each', () => {
  it('when the first payment ends the place, then the others are paid after re-joining, each exactly once', async () => {
    const { deps, paid, calls } = fakeServices();
    const result = await payHolds(['a', 'b', 'c'], deps);
    expect(result.outcomes.map((o) => o.state)).toEqual(['paid', 'paid', 'paid']);
    expect(result.waiting).toBeUndefined();
    expect([...paid.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(calls.filter((c) => c === 'rejoin')).toHaveLength(2);
  });

  it('when all payments arrive while the place is still ACTIVE, then no rejoin is needed', async () => {
    const { deps, calls } = fakeServices({ paymentsPerPlace: 2 });
    const result = await payHolds(['a', 'b'], deps);
    expect(result.outcomes.map((o) => o.state)).toEqual(['paid', 'paid']);
    expect(calls).not.toContain('rejoin');
  });

  it('when re-joining puts the buyer back in line, then checkout stops with the rest unpaid and the new place', async () => {
    const { deps } = fakeServices({ admitOnRejoin: false });
    const result = await payHolds(['a', 'b'], deps);
    expect(result.outcomes.map((o) => o.state)).toEqual(['paid', 'needs-place']);
    expect(result.waiting).toMatchObject({ status: 'WAITING', waitingNo: 4 });
  });

  it('when a payment is refused for another reason (not enough points), then it is reported and not retried', async () => {
    const { deps, calls } = fakeServices();
    const refusing: CheckoutDeps = {
      ...deps,
      pay: async (ticketId, key) => {
        if (ticketId === 'b') throw new ApiProblem('refused', 400, 'Not enough points.');
        return deps.pay(ticketId, key);
      },
    };
    const result = await payHolds(['a', 'b'], refusing);
    expect(result.outcomes.map((o) => o.state)).toEqual(['paid', 'failed']);
    expect(calls).not.toContain('rejoin');
  });

  it('when even a fresh ACTIVE place is refused, then checkout stops instead of looping', async () => {
    const { deps } = fakeServices();
    const stuck: CheckoutDeps = {
      ...deps,
      pay: async () => Promise.reject(new ApiProblem('queue-ended', 401, 'ended')),
    };
    const result = await payHolds(['a'], stuck);
    expect(result.outcomes).toEqual([{ ticketId: 'a', state: 'needs-place' }]);
  });
});
