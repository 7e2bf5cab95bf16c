import { validationFailed, type ErrorDetail } from '@boxoffice/errors';

/**
 * Test cards of the simulated gateway (docs/payments.md). Any other number that passes Luhn is approved.
 */
export const TEST_CARDS = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;

export interface Card {
  number: string;
  expiryMonth: number;
  expiryYear: number;
  cvv: string;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export const last4 = (card: Card) => card.number.slice(-4);

/**
 * Reads paymentDetails into a card, or 422 naming the bad fields. The values are never echoed back (the usual
 * `value` of a validation detail is left out), so a card number cannot leak through an error body or its log.
 */
export function readCard(details: Record<string, unknown> | undefined, now = new Date()): Card {
  const problems: ErrorDetail[] = [];
  const problem = (param: string, error: string, msg: string) =>
    problems.push({ location: 'body', param: `paymentDetails.${param}`, error, msg });
  const rawNumber = details?.cardNumber;
  const number = typeof rawNumber === 'string' ? rawNumber.replace(/[\s-]/g, '') : '';
  if (rawNumber === undefined) problem('cardNumber', 'MissingField', 'Missing data for required field.');
  else if (!/^\d{12,19}$/.test(number)) problem('cardNumber', 'FormatError', 'A card number is 12 to 19 digits.');
  else if (!luhnValid(number))
    problem('cardNumber', 'FormatError', 'This is not a valid card number (Luhn check failed).');

  const expiry = details?.expiryDate;
  const match = typeof expiry === 'string' ? /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry) : null;
  let expiryMonth = 0;
  let expiryYear = 0;
  if (expiry === undefined) problem('expiryDate', 'MissingField', 'Missing data for required field.');
  else if (!match) problem('expiryDate', 'FormatError', 'Expected MM/YY.');
  else {
    expiryMonth = Number(match[1]);
    expiryYear = 2000 + Number(match[2]);
    const endOfMonth = new Date(Date.UTC(expiryYear, expiryMonth, 1));
    if (endOfMonth <= now) problem('expiryDate', 'RangeError', 'The card has expired.');
  }

  const cvv = details?.cvv;
  if (cvv === undefined) problem('cvv', 'MissingField', 'Missing data for required field.');
  else if (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv)) problem('cvv', 'FormatError', 'A CVV is 3 or 4 digits.');

  const known = new Set(['cardNumber', 'expiryDate', 'cvv', 'cardholderName']);
  for (const key of Object.keys(details ?? {})) if (!known.has(key)) problem(key, 'UnknownField', 'Unknown field.');

  if (problems.length > 0)
    throw validationFailed(
      problems.length === 1
        ? `${problems[0]!.param}: ${problems[0]!.msg}`
        : `${problems.length} problems in the card details; see detail.`,
      problems,
    );
  return { number, expiryMonth, expiryYear, cvv: cvv as string };
}
