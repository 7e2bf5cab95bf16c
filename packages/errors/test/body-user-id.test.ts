import { AppError, assertBodyNamesCaller } from '@boxoffice/errors';

describe('assertBodyNamesCaller', () => {
  it("when the body's id is absent or the caller's own (number or decimal string), then it passes", () => {
    expect(() => assertBodyNamesCaller(42, undefined, 'user_id')).not.toThrow();
    expect(() => assertBodyNamesCaller(42, 42, 'user_id')).not.toThrow();
    expect(() => assertBodyNamesCaller(42, '42', 'userId')).not.toThrow();
  });

  it('when the body names someone else, then 403 NOT_YOUR_ACCOUNT naming the field and the value', () => {
    for (const other of [43, '43', '042x']) {
      let thrown: unknown;
      try {
        assertBodyNamesCaller(42, other, 'user_id');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({
        status: 403,
        code: 'NOT_YOUR_ACCOUNT',
        message: "The body's user_id names another user than your credentials do.",
        detail: [{ location: 'body', param: 'user_id', value: other, error: 'NotYourAccount' }],
      });
    }
  });
});
