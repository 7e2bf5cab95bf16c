#!/usr/bin/env node
// Ed25519 keys for signed events (docs/security.md#signed-events): each service signs with its own private key
// (EVENT_SIGNING_KEY: a 32-byte seed, hex) and every service checks with the public keys (EVENT_VERIFY_KEYS).
//   node scripts/event-keys.mjs            fresh keys: EVENT_SIGNING_KEY_<SERVICE>=… for each service, EVENT_VERIFY_KEYS=…
//   node scripts/event-keys.mjs <env-file> EVENT_VERIFY_KEYS=… for the EVENT_SIGNING_KEY_<SERVICE> lines of that file
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const SERVICES = ['user', 'item', 'alarm', 'queue', 'ticket', 'payment'];
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

const publicKey = (seedHex) =>
  createPublicKey(
    createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, 'hex')]),
      format: 'der',
      type: 'pkcs8',
    }),
  )
    .export({ format: 'der', type: 'spki' })
    .subarray(-32)
    .toString('hex');

const file = process.argv[2];
const seeds = new Map();
if (file) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^EVENT_SIGNING_KEY_([A-Z]+)=([0-9a-fA-F]{64})$/.exec(line.trim());
    if (match) seeds.set(match[1].toLowerCase(), match[2]);
  }
  const missing = SERVICES.filter((service) => !seeds.has(service));
  if (missing.length > 0) {
    console.error(`[event-keys] ${file} has no EVENT_SIGNING_KEY_ of ${missing.join(', ')} (64 hex characters each)`);
    process.exit(1);
  }
} else {
  for (const service of SERVICES) {
    seeds.set(service, randomBytes(32).toString('hex'));
    console.log(`EVENT_SIGNING_KEY_${service.toUpperCase()}=${seeds.get(service)}`);
  }
}
console.log(`EVENT_VERIFY_KEYS=${SERVICES.map((service) => `${service}:${publicKey(seeds.get(service))}`).join(',')}`);
