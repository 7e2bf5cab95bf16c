import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { ErrorDetail } from '@boxoffice/errors';

/**
 * Two validators: request bodies are checked as sent (a "5" is not a number), while path, query and headers,
 * which are always strings on the wire, are converted to the declared type first. Both report every problem,
 * and neither removes unknown fields: an unknown field is an error the client must hear about.
 */
function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const stringPartsAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : stringPartsAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

const LOCATIONS: Record<string, ErrorDetail['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

function pointerToParam(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function valueAt(data: unknown, pointer: string): unknown {
  let current: unknown = data;
  for (const part of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function describe(error: ErrorObject): Pick<ErrorDetail, 'error' | 'msg'> {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { error: 'MissingField', msg: 'Missing data for required field.' };
    case 'additionalProperties':
      return { error: 'UnknownField', msg: 'Unknown field.' };
    case 'type':
      return {
        error: 'TypeError',
        msg: `Must be ${String(params.type)
          .split(',')
          .map((t) => TYPE_NAMES[t] ?? t)
          .join(' or ')}.`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { error: 'RangeError', msg: `Must be ${String(params.comparison)} ${String(params.limit)}.` };
    case 'minLength':
      return { error: 'RangeError', msg: `Must be at least ${String(params.limit)} characters long.` };
    case 'maxLength':
      return { error: 'RangeError', msg: `Must be at most ${String(params.limit)} characters long.` };
    case 'minItems':
      return { error: 'RangeError', msg: `Must have at least ${String(params.limit)} entries.` };
    case 'maxItems':
      return { error: 'RangeError', msg: `Must have at most ${String(params.limit)} entries.` };
    case 'minProperties':
      return { error: 'MissingField', msg: 'At least one field is required.' };
    case 'format':
      return { error: 'FormatError', msg: `Not a valid ${String(params.format)}.` };
    case 'pattern':
      return { error: 'FormatError', msg: 'Has an invalid format.' };
    case 'enum':
      return {
        error: 'InvalidChoice',
        msg: `Must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`,
      };
    case 'const':
      return { error: 'InvalidChoice', msg: `Must be ${JSON.stringify(params.allowedValue)}.` };
    default:
      return {
        error: 'ValidationError',
        msg: error.message ? `${error.message[0]!.toUpperCase()}${error.message.slice(1)}.` : 'Invalid.',
      };
  }
}

/** Turns the validator's errors into SPEC §0 detail entries: one per offending field, with its value. */
export function toErrorDetails(errors: ErrorObject[], context: string, data: unknown): ErrorDetail[] {
  const location = LOCATIONS[context] ?? 'body';
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const params = error.params as Record<string, unknown>;
    let pointer = error.instancePath;
    if (error.keyword === 'required') pointer += `/${String(params.missingProperty)}`;
    if (error.keyword === 'additionalProperties') pointer += `/${String(params.additionalProperty)}`;
    const { error: kind, msg } = describe(error);
    const key = `${pointer}|${kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const detail: ErrorDetail = { location, param: pointerToParam(pointer) || location, error: kind, msg };
    if (error.keyword !== 'required') detail.value = valueAt(data, pointer);
    details.push(detail);
  }
  return details;
}
