import { type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { productionProblems } from './production';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment through a TypeBox schema: defaults filled in, strings converted to the declared
 * types, and every bad variable named in one error so start-up fails with a message an operator can act on.
 * NODE_ENV=production (the Node convention) adds the production rules (`productionProblems`): no shipped secret,
 * no developer-only default, no demo data without its opt-in. It changes nothing else.
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(schema, { ...raw });
  const converted = Value.Convert(schema, withDefaults);
  const problems = [...Value.Errors(schema, converted)].map((error) => {
    const name = error.path.replace(/^\//, '') || '(root)';
    const given = raw[name];
    const got = given === undefined ? 'not set' : `got ${JSON.stringify(given)}`;
    return `${name}: ${error.message} (${got})`;
  });
  if (env.NODE_ENV === 'production') {
    const named = new Set(problems.map((problem) => problem.split(':')[0]));
    const stricter = productionProblems(schema, raw, converted as Record<string, unknown>);
    problems.push(...stricter.filter((problem) => !named.has(problem.split(':')[0])));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Static<T>;
}
