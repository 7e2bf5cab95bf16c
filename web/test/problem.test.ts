import { problemFrom, retryAfterSeconds } from '../src/api/problem';
import { formatDateTime } from '../src/domain/format';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });
const body = (code: string, message: string, detail: unknown[] = []) =>
  JSON.stringify({ errors: { code, message, detail } });

describe('what the pages say about a refused or failed call', () => {
  it('when a service is down (503), then it is "try again shortly" with the Retry-After time, never the body', () => {
    const problem = problemFrom(
      503,
      headers({ 'retry-after': '2' }),
      body('DEPENDENCY_UNAVAILABLE', 'The payment service is not answering; try again shortly.'),
      'user',
    );
    expect(problem.kind).toBe('unavailable');
    expect(problem.message).toBe('A service is not answering right now. Try again shortly.');
    expect(problem.retryAfterSeconds).toBe(2);
  });

  it('when rate limited (429), then it says to wait, for the Retry-After time (the page counts it down)', () => {
    const problem = problemFrom(429, headers({ 'retry-after': '7' }), body('RATE_LIMITED', 'x'), 'user');
    expect(problem.kind).toBe('rate-limited');
    expect(problem.message).toBe('Too many requests from you just now. Please wait.');
    expect(problem.retryAfterSeconds).toBe(7);
  });

  it('when a 500 carries a stack or internals, then none of it is shown, only the request id to quote', () => {
    const problem = problemFrom(
      500,
      headers({ 'x-request-id': 'req-42' }),
      'Error: boom\n    at Object.<anonymous> (/srv/app.js:1:1)',
      'user',
    );
    expect(problem.kind).toBe('server');
    expect(problem.message).not.toContain('boom');
    expect(problem.message).not.toContain('/srv/app.js');
    expect(problem.message).toContain('req-42');
  });

  it('when a 401 comes back, then it depends on the credential: sign in again, or join the line again', () => {
    expect(problemFrom(401, headers({}), body('UNAUTHORIZED', 'x'), 'user').kind).toBe('signed-out');
    expect(problemFrom(401, headers({}), body('UNAUTHORIZED', 'x'), 'queue').kind).toBe('queue-ended');
  });

  it('when a 403 says WaitingInQueue, then it is "still waiting" with the number ahead', () => {
    const problem = problemFrom(
      403,
      headers({}),
      body('FORBIDDEN', 'You are still in the waiting line: 3 ahead of you.', [
        { location: 'header', param: 'authorization', error: 'WaitingInQueue', waitingNo: 3 },
      ]),
      'queue',
    );
    expect(problem.kind).toBe('waiting');
    expect(problem.options.waitingNo).toBe(3);
  });

  it("when a refusal (4xx) has the API's sentence, then that sentence and every field's message are shown", () => {
    const problem = problemFrom(
      422,
      headers({}),
      body('VALIDATION_FAILED', 'The request is not valid.', [
        { param: 'login_id', msg: 'Missing data for required field.' },
        { param: 'password', msg: 'Too short.' },
      ]),
      'none',
    );
    expect(problem.kind).toBe('invalid');
    expect(problem.message).toBe('The request is not valid.');
    expect(problem.options.fields).toEqual([
      { param: 'login_id', msg: 'Missing data for required field.' },
      { param: 'password', msg: 'Too short.' },
    ]);
    expect(problemFrom(409, headers({}), 'not json', 'queue').message).toBe('Someone or something got there first.');
  });

  it('when a refund is refused as past the cut-off (409 CANCELLATION_CLOSED), then the cut-off reads in local time and the ticket is said to be kept', () => {
    const problem = problemFrom(
      409,
      headers({}),
      body('CANCELLATION_CLOSED', 'Cancellations closed at 2047-10-20T10:00:00Z, 24 h before the show.'),
      'user',
    );
    expect(problem.kind).toBe('conflict');
    expect(problem.options.code).toBe('CANCELLATION_CLOSED');
    expect(problem.message).toBe(
      `Refunds for this show closed on ${formatDateTime('2047-10-20T10:00:00Z')}: tickets can be cancelled until 24 hours before the show. Your ticket is still yours.`,
    );
    expect(problem.message).not.toContain('T10:00:00Z');
  });

  it('when Retry-After is a date, then it counts the seconds until then', () => {
    const now = Date.parse('2047-10-21T09:00:00Z');
    expect(retryAfterSeconds('Mon, 21 Oct 2047 09:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});
