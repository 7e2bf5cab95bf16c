import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { EventEnvelope } from '@boxoffice/contracts';

/**
 * Events are signed by the service that owns their topic (topic `x.*` belongs to service `x`) with its own Ed25519
 * key, and consumers check the signature with that owner's public key (docs/security.md, decision 28). Whoever can
 * produce to a topic without the owner's private key (another service, a test, a leaked broker credential) cannot
 * make a consumer apply an event: it is dead-lettered with its reason. Ed25519 rather than an HMAC: a consumer
 * holds only public keys, so a compromised consumer cannot forge its producers' events.
 */
export interface EventKeys {
  /** The service's private key: its 32-byte Ed25519 seed, hex. */
  signingKey: string;
  /** Public keys (32 raw bytes, hex) of each producing service; several for one service during a rotation. */
  verifyKeys: Record<string, string[]>;
}

/** Signed envelopes carry this field; the signature covers everything else in the envelope. */
export type SignedEnvelope = EventEnvelope & { signature: string };

/** Why a consumer refuses an event before looking at its payload. */
export type SignatureProblem = { reason: 'unsigned' | 'not-owner' | 'forged'; error: string };

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const DOMAIN = 'boxoffice.event.v1\n';

/** Parses `owner:publicKey,…` (EVENT_VERIFY_KEYS; an owner listed more than once during a key rotation). */
export function parseVerifyKeys(text: string): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [owner = '', key = ''] = entry.split(':');
    (keys[owner] ??= []).push(key.toLowerCase());
  }
  return keys;
}

/** The service that owns a topic (and alone may publish on it): `user.users` → `user`. */
export const topicOwner = (topic: string): string => topic.split('.')[0]!;

/**
 * The bytes a signature covers: the envelope without its signature, as JSON with every object's keys sorted, so the
 * same envelope gives the same bytes whatever order its keys took (jsonb in the outbox reorders them).
 */
export function signedBytes(envelope: object): Buffer {
  const { signature: _signature, ...rest } = envelope as { signature?: unknown };
  return Buffer.from(DOMAIN + canonicalJson(rest));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class EventSigner {
  private readonly key: KeyObject;

  constructor(seedHex: string) {
    this.key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, 'hex')]),
      format: 'der',
      type: 'pkcs8',
    });
  }

  /** Its public key (hex), for the consumers' EVENT_VERIFY_KEYS. */
  get publicKey(): string {
    return createPublicKey(this.key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  }

  /** The envelope with its signature (a new object; `signature` replaced if it had one). */
  sign(envelope: EventEnvelope): SignedEnvelope {
    const { signature: _old, ...unsigned } = envelope as SignedEnvelope;
    return { ...unsigned, signature: sign(null, signedBytes(unsigned), this.key).toString('base64') };
  }
}

export class EventVerifier {
  private readonly keys = new Map<string, KeyObject[]>();

  constructor(verifyKeys: Record<string, string[]>) {
    for (const [owner, hexKeys] of Object.entries(verifyKeys))
      this.keys.set(
        owner,
        hexKeys.map((hex) =>
          createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' }),
        ),
      );
  }

  /** Whether events of this topic can be checked at all: a consumer refuses to start without its owner's key. */
  knows(topic: string): boolean {
    return (this.keys.get(topicOwner(topic))?.length ?? 0) > 0;
  }

  /** Undefined when `envelope`, found on a topic of `topic`'s owner, was signed by that owner; else why not. */
  problem(envelope: EventEnvelope, topic: string): SignatureProblem | undefined {
    const owner = topicOwner(topic);
    const { signature } = envelope as Partial<SignedEnvelope>;
    if (typeof signature !== 'string' || signature.length === 0)
      return {
        reason: 'unsigned',
        error: `a ${envelope.type} event without a signature (only ${owner} may publish it)`,
      };
    if (envelope.source !== owner)
      return {
        reason: 'not-owner',
        error: `a ${envelope.type} event from ${JSON.stringify(envelope.source)}: only ${owner} publishes on ${topic}`,
      };
    const bytes = signedBytes(envelope);
    const raw = Buffer.from(signature, 'base64');
    const valid = (this.keys.get(owner) ?? []).some((key) => {
      try {
        return verify(null, bytes, key, raw);
      } catch {
        return false;
      }
    });
    return valid
      ? undefined
      : { reason: 'forged', error: `a ${envelope.type} event whose signature is not ${owner}'s key` };
  }
}
