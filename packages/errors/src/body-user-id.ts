import { AppError } from './app-error';

/**
 * Seed clients name the caller in the body (`user_id`, `userId`; SPEC §0). The credentials decide who the caller
 * is; the body may only agree: its id is accepted when it is the caller's (as a number or a decimal string), and
 * refused with 403 NOT_YOUR_ACCOUNT when it names anyone else. Absent: nothing to check.
 */
export function assertBodyNamesCaller(callerId: number, bodyUserId: number | string | undefined, param: string): void {
  if (bodyUserId === undefined || Number(bodyUserId) === callerId) return;
  throw new AppError(403, 'NOT_YOUR_ACCOUNT', `The body's ${param} names another user than your credentials do.`, [
    {
      location: 'body',
      param,
      value: bodyUserId,
      error: 'NotYourAccount',
      msg: 'Must be your own id, or left out (the token says who you are).',
    },
  ]);
}
