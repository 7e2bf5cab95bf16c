import { Type, type TObject, type TSchema, type TString } from '@sinclair/typebox';

/**
 * The JSON-schema keyword that marks a setting whose shipped default must never reach production:
 * - 'secret': a shared secret. In production it must be set, must not be a shipped value (its default, or a
 *   placeholder carrying "change-me"), and must be at least 32 characters long.
 * - 'explicit': a setting whose default only suits a developer's machine (e.g. a database URL without a password).
 *   In production it must be set, to something other than the default.
 */
export const PRODUCTION_RULE = 'x-production';
type ProductionRule = 'secret' | 'explicit';

/** The JSON-schema keyword listing shipped values (keys derived from public names) that production refuses inside a setting. */
export const PRODUCTION_REFUSES = 'x-production-refuses';

const SECRET_MIN_LENGTH_IN_PRODUCTION = 32;
const PLACEHOLDER = /change-?me/i;

/**
 * A shared secret with a development default, so `npm start` works unconfigured; NODE_ENV=production refuses the
 * default. Generate a real one with `openssl rand -hex 32`.
 */
export const Secret = (developmentDefault: string, description: string): TString =>
  Type.String({ minLength: 16, default: developmentDefault, description, [PRODUCTION_RULE]: 'secret' });

/** Marks a setting that production must set explicitly (its default points at a developer's local servers). */
export const explicitInProduction = <T extends TSchema>(schema: T): T => ({ ...schema, [PRODUCTION_RULE]: 'explicit' });

/**
 * What NODE_ENV=production refuses, one line per offending variable: a secret or a developer-only setting left at
 * its default, a placeholder or too short a secret, and demo data (users whose passwords and tokens are printed in
 * the README) without the explicit opt-in. Nothing else in the code branches on NODE_ENV.
 */
export function productionProblems(
  schema: TObject,
  raw: Record<string, unknown>,
  config: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const rule = (property as Record<string, unknown>)[PRODUCTION_RULE] as ProductionRule | undefined;
    if (!rule) continue;
    const given = raw[name];
    const shippedDefault = (property as { default?: unknown }).default;
    if (given === undefined) {
      problems.push(`${name}: must be set in production (the shipped default is for development only)`);
    } else if (given === shippedDefault) {
      problems.push(`${name}: must not be the shipped development default in production`);
    } else if (rule === 'secret' && PLACEHOLDER.test(String(given))) {
      problems.push(`${name}: is a placeholder ("change-me"); set a real secret in production`);
    } else if (rule === 'secret' && String(given).length < SECRET_MIN_LENGTH_IN_PRODUCTION) {
      problems.push(
        `${name}: must be at least ${SECRET_MIN_LENGTH_IN_PRODUCTION} characters in production (got ${String(given).length}); e.g. openssl rand -hex 32`,
      );
    } else if (refusedIn(property, String(given))) {
      problems.push(
        `${name}: holds a development key, whose private half is public; generate real ones (node scripts/event-keys.mjs)`,
      );
    }
  }
  if (config.DEMO_DATA === true && config.ALLOW_DEMO_DATA_IN_PRODUCTION !== true) {
    problems.push(
      'DEMO_DATA: demo data (users with publicly known passwords and tokens) is on in production; set DEMO_DATA=false, or ALLOW_DEMO_DATA_IN_PRODUCTION=true to load it anyway',
    );
  }
  return problems;
}

function refusedIn(property: unknown, given: string): boolean {
  const refused = (property as Record<string, unknown>)[PRODUCTION_REFUSES] as string[] | undefined;
  const value = given.toLowerCase();
  return refused?.some((shipped) => value.includes(shipped.toLowerCase())) ?? false;
}
