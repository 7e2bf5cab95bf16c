import { luhnValid, readCard, TEST_CARDS } from '../../src/domain/card';
import { signatureValid, signPayload } from '../../src/domain/gateway-signature';
import { canMove } from '../../src/domain/order';

describe('card rules', () => {
  it('when numbers are checked by Luhn, then the test cards pass and a changed digit fails', () => {
    for (const number of Object.values(TEST_CARDS)) expect(luhnValid(number)).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });

  it('when card details are wrong, then every bad field is named and no value is echoed', () => {
    expect(() =>
      readCard({ cardNumber: '4242424242424241', expiryDate: '01/20', cvv: 'abc', pin: '1' }, new Date('2030-01-01')),
    ).toThrow(
      expect.objectContaining({
        status: 422,
        detail: expect.arrayContaining([expect.not.objectContaining({ value: expect.anything() })]),
      }),
    );
    try {
      readCard({ cardNumber: '4242424242424241', expiryDate: '01/20', cvv: 'abc', pin: '1' }, new Date('2030-01-01'));
    } catch (error) {
      const detail = (error as { detail: { param: string; value?: unknown }[] }).detail;
      expect(detail.map((d) => d.param)).toEqual([
        'paymentDetails.cardNumber',
        'paymentDetails.expiryDate',
        'paymentDetails.cvv',
        'paymentDetails.pin',
      ]);
      expect(detail.every((d) => d.value === undefined)).toBe(true);
    }
    expect(readCard({ cardNumber: '4242 4242-4242 4242', expiryDate: '12/45', cvv: '123' })).toMatchObject({
      number: '4242424242424242',
      expiryMonth: 12,
      expiryYear: 2045,
    });
  });

  it('when a payload is signed, then only the same secret, body and a recent time verify it', () => {
    const now = 1_900_000_000;
    const header = signPayload('s3cret-s3cret-s3cret', '{"a":1}', now);
    expect(signatureValid('s3cret-s3cret-s3cret', '{"a":1}', header, now + 10)).toBe(true);
    expect(signatureValid('s3cret-s3cret-s3cret', '{"a":2}', header, now)).toBe(false);
    expect(signatureValid('other-other-other', '{"a":1}', header, now)).toBe(false);
    expect(signatureValid('s3cret-s3cret-s3cret', '{"a":1}', header, now + 3_600)).toBe(false);
  });

  it('when an order moves, then only the saga transitions are allowed', () => {
    expect(canMove('pending', 'stock_locked')).toBe(true);
    expect(canMove('stock_locked', 'paid')).toBe(true);
    expect(canMove('pending', 'paid')).toBe(false);
    expect(canMove('cancelled', 'paid')).toBe(false);
    // a paid order may be cancelled by its shopper (refunded, issue 15); nothing else leaves paid
    expect(canMove('paid', 'cancelled')).toBe(true);
    expect(canMove('paid', 'payment_failed')).toBe(false);
    expect(canMove('rejected', 'cancelled')).toBe(false);
    expect(canMove('pending', 'payment_failed')).toBe(true);
  });
});
