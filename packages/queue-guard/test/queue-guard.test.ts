import { generateKeyPair, SignJWT } from 'jose';
import type { App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { createPluginHost, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { QueueKit, type TestUser } from '../../../services/queue/test/support/queue-kit';

async function buildGuarded(env: Record<string, string>, queueServiceUrl: string): Promise<App> {
  const app = await createPluginHost('guarded', env, [QUEUE_GUARD_MIGRATIONS]);
  await app.register(queueGuardPlugin, { queueServiceUrl, consumerGroup: 'guarded' });
  app.get('/concerts', { preHandler: app.requireActiveQueueToken }, async (request) => request.queueToken);
  app.get('/tickets', { preHandler: app.identifyQueueTokenHolder }, async (request) => request.queueToken);
  await app.ready();
  return app;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('queue-guard: queue tokens verified offline, ACTIVE from a replica with the queue service as fallback', () => {
  const kit = new QueueKit({ QUEUE_MAX_ACTIVE: '1' });
  let guarded: App;
  let guardedEnv: Record<string, string>;
  let active: { token: string; uuid: string; user: TestUser };
  let waiting: { token: string; uuid: string; waitingNo: number; user: TestUser };

  const concerts = (headers: Record<string, string>) => guarded.inject({ method: 'GET', url: '/concerts', headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    await kit.start();
    await kit.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(kit.app.server.address() as { port: number }).port}`;
    guardedEnv = testEnv('guarded', { KAFKA_TOPIC_PREFIX: kit.env.KAFKA_TOPIC_PREFIX! });
    guarded = await buildGuarded(guardedEnv, url);
    const [first, second] = await kit.users(2);
    const firstToken = await kit.joined(first!);
    await waitFor('first user admitted', async () => (await kit.status(firstToken.token)).status === 'ACTIVE');
    active = { ...firstToken, user: first! };
    waiting = { ...(await kit.joined(second!)), user: second! };
  });
  /** What the guarded routes answer for a token holder: who they are, as the guard resolved them. */
  const holderSeen = (holder: { uuid: string; user: TestUser }, status: string) => ({
    tokenId: holder.uuid,
    userId: holder.user.id,
    status,
    roomId: 'default',
    concertId: null,
  });
  afterAll(async () => {
    await guarded.close();
    await kit.close();
    await dropDatabase(guardedEnv.DATABASE_URL!);
  });

  it('when the token is ACTIVE, then the guarded route runs and knows the holder', async () => {
    const response = await concerts(bearer(active.token));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(holderSeen(active, 'ACTIVE'));
    const viaHeader = await concerts({ 'queue-token': active.token });
    expect(viaHeader.statusCode).toBe(200);
  });

  it('when the replica has the ACTIVE token, then it is answered without the queue service', async () => {
    await waitFor(
      'the replica to show the token ACTIVE',
      async () =>
        (
          await guarded.pg.query("SELECT 1 FROM queue_tokens_replica WHERE token_id = $1 AND status = 'ACTIVE'", [
            active.uuid,
          ])
        ).rowCount,
    );
  });

  it('when the token is WAITING, then 403 with the waitingNo in the detail; identify still lets it through', async () => {
    const response = await concerts(bearer(waiting.token));
    expect(response.statusCode).toBe(403);
    const body = response.json();
    expect(body.errors.code).toBe('FORBIDDEN');
    expect(body.errors.detail).toEqual([expect.objectContaining({ error: 'WaitingInQueue', waitingNo: 0 })]);
    const tickets = await guarded.inject({ method: 'GET', url: '/tickets', headers: bearer(waiting.token) });
    expect(tickets.statusCode).toBe(200);
    expect(tickets.json()).toEqual(holderSeen(waiting, 'WAITING'));
  });

  it('when the token is missing, malformed or alg none, then 401', async () => {
    expect((await concerts({})).statusCode).toBe(401);
    expect((await concerts(bearer('garbage'))).statusCode).toBe(401);
    expect((await concerts(bearer('a.b.c'))).statusCode).toBe(401);
    const [, payload] = active.token.split('.');
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: kit.app.queue.signer.kid })}.${payload}.`;
    const response = await concerts(bearer(none));
    expect(response.statusCode).toBe(401);
    expect(response.json().errors.code).toBe('UNAUTHORIZED');
  });

  it('when the signature is forged or made by another key, then 401', async () => {
    const [header, payload, signature] = active.token.split('.');
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    expect((await concerts(bearer(`${header}.${payload}.${flipped}`))).statusCode).toBe(401);
    // the claims of a real ACTIVE token, signed by someone else's Ed25519 key, with the real kid and with its own
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forge = (kid: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setIssuer('boxoffice-queue')
        .setSubject(String(active.user.id))
        .setJti(active.uuid)
        .setExpirationTime('1h')
        .sign(privateKey);
    expect((await concerts(bearer(await forge(kit.app.queue.signer.kid)))).statusCode).toBe(401);
    expect((await concerts(bearer(await forge('someone-elses-key')))).statusCode).toBe(401);
    // HS256 keyed with the public key: the classic algorithm confusion
    const jwk = kit.app.queue.signer.jwks.keys[0]!;
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: kit.app.queue.signer.kid })
      .setIssuer('boxoffice-queue')
      .setSubject(String(active.user.id))
      .setJti(active.uuid)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await concerts(bearer(confused))).statusCode).toBe(401);
  });

  it('when the token is past its exp, then 401', async () => {
    const now = Date.now();
    const expired = await kit.app.queue.signer.sign({
      tokenId: active.uuid,
      userId: active.user.id,
      roomId: 'default',
      concertId: null,
      issuedAtMs: now - 120_000,
      expiresAtMs: now - 60_000,
    });
    expect((await concerts(bearer(expired))).statusCode).toBe(401);
    expect((await guarded.inject({ method: 'GET', url: '/tickets', headers: bearer(expired) })).statusCode).toBe(401);
  });

  it('when the ACTIVE user finishes buying, then their token is refused and the next in line gets through', async () => {
    await kit.purchaseFinished(active.user.id);
    await waitFor('the paid token refused', async () => (await concerts(bearer(active.token))).statusCode === 401, {
      timeoutMs: 20_000,
    });
    await waitFor('the waiting user admitted', async () => (await concerts(bearer(waiting.token))).statusCode === 200, {
      timeoutMs: 20_000,
    });
  });
});
