import { AppError, conflict, unavailable } from '@boxoffice/errors';

describe('AppError', () => {
  it('when a client error (4xx) is made, then no stack is captured: it is an answer, not a bug', () => {
    const error = conflict('SEAT_TAKEN', 'This seat is taken.');
    expect(error.status).toBe(409);
    expect(error.stack).toBe('AppError: This seat is taken.');
  });

  it('when a server error (5xx) is made, then its stack says where, and later errors still get theirs', () => {
    const error = unavailable('The ticket service is unavailable.');
    expect(error.stack).toMatch(/\n\s+at /);
    new AppError(404, 'NOT_FOUND', 'gone');
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });
});
