import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { QueueTokenVerifier } from '@boxoffice/queue-guard';

describe('queue token claims: the room a token is for', () => {
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  let verifier: QueueTokenVerifier;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
    verifier = new QueueTokenVerifier(createLocalJWKSet({ keys: [jwk] }));
    sign = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setIssuer('boxoffice-queue')
        .setSubject('7')
        .setJti(randomUUID())
        .setExpirationTime('1h')
        .sign(privateKey);
  });

  it('when a token names a room and its concert, then both are in its claims; a token naming none is the default room', async () => {
    const room = randomUUID();
    expect(await verifier.verify(await sign({ room, concert: 41 }))).toMatchObject({ roomId: room, concertId: 41 });
    expect(await verifier.verify(await sign({}))).toMatchObject({ roomId: 'default', concertId: null });
  });

  it('when the room or concert claim is malformed, then the token is refused', async () => {
    for (const claims of [
      { room: 'other room' },
      { room: 42 },
      { room: 'default', concert: '41' },
      { concert: 0 },
      { concert: 1.5 },
    ])
      expect(await verifier.verify(await sign(claims))).toBeUndefined();
  });
});
