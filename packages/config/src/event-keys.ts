import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { PRODUCTION_REFUSES, Secret, explicitInProduction } from './production';

/**
 * Ed25519 keys of the events each service signs (docs/security.md, decision 28): a private key per producing
 * service, and every producer's public key in each consumer. Keys are written as hex: a private key is its 32-byte
 * seed, a public key its 32 raw bytes.
 */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The development key of a service: derived from its name, so it is public. NODE_ENV=production refuses it. */
export const developmentEventKey = (service: string): string =>
  createHash('sha256').update(`boxoffice development event signing key: ${service}`).digest('hex');

/** The public half (hex) of a private key given as its seed (hex). */
export function eventPublicKey(seedHex: string): string {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(-32).toString('hex');
}

/** `owner:publicKey,…` of the development keys of every service: what a development consumer trusts. */
export const developmentVerifyKeys = (services: readonly string[]): string =>
  services.map((service) => `${service}:${eventPublicKey(developmentEventKey(service))}`).join(',');

const HEX_KEY = '[0-9a-fA-F]{64}';
const OWNER_KEY = `[a-z][a-z0-9-]*:${HEX_KEY}`;

/**
 * The event keys of `service`, whose peers are `services` (every service but the gateway, which produces and
 * consumes nothing). In production both must be set, and neither may hold a development key: their private halves
 * are derived from public names.
 */
export function eventKeysEnv(service: string, services: readonly string[]) {
  const developmentPublicKeys = services.map((name) => eventPublicKey(developmentEventKey(name)));
  return {
    EVENT_SIGNING_KEY: Type.String({
      ...Secret(
        developmentEventKey(service),
        'Ed25519 private key (its 32-byte seed, 64 hex) this service signs its events with',
      ),
      pattern: `^${HEX_KEY}$`,
      [PRODUCTION_REFUSES]: services.map(developmentEventKey),
    }),
    EVENT_VERIFY_KEYS: explicitInProduction(
      Type.String({
        pattern: `^\\s*${OWNER_KEY}(\\s*,\\s*${OWNER_KEY})*\\s*$`,
        default: developmentVerifyKeys(services),
        description: 'owner:publicKey,… of every service whose events this one consumes (topic x.* belongs to x)',
        [PRODUCTION_REFUSES]: developmentPublicKeys,
      }),
    ),
  };
}
