import { decodeJwt, decodeProtectedHeader } from 'jose';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../support/queue-kit';

describe('POST /tokens and GET /tokens', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_MAX_ACTIVE: '1' }));

  it('when a user joins an empty line, then a signed EdDSA token is issued and is ACTIVE within a moment', async () => {
    const [alice] = await kit.users(1);
    const response = await kit.join(alice!);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe('/tokens');
    const issued = response.json();
    expect(issued).toEqual({
      token: expect.any(String),
      uuid: expect.any(String),
      waitingNo: 0,
      status: 'WAITING',
      expiresAt: expect.stringMatching(/\+00:00$/),
      roomId: 'default',
    });
    const header = decodeProtectedHeader(issued.token);
    expect(header.alg).toBe('EdDSA');
    expect(header.kid).toBe(kit.app.queue.signer.kid);
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({
      sub: String(alice!.id),
      jti: issued.uuid,
      iss: 'boxoffice-queue',
      exp: expect.any(Number),
      room: 'default',
    });
    expect(claims.concert).toBeUndefined(); // the default room guards no one concert

    const active = await waitFor('alice admitted', async () => {
      const status = await kit.status(issued.token);
      return status.status === 'ACTIVE' && status;
    });
    expect(active).toMatchObject({ uuid: issued.uuid, waitingNo: 0, estimatedWaitSeconds: 0, waitEstimate: 'NO_WAIT' });
  });

  it('when a user calls POST /tokens twice, then they hold one place with the same token', async () => {
    const [bob, carol] = await kit.users(2);
    const [first, second] = await Promise.all([kit.joined(bob!), kit.joined(bob!)]);
    expect(second.uuid).toBe(first.uuid);
    expect(second.token).toBe(first.token);
    const carolToken = await kit.joined(carol!);
    const again = await kit.joined(bob!);
    expect(again.uuid).toBe(first.uuid);
    expect(carolToken.waitingNo).toBe(again.waitingNo + 1); // bob is once in the line, right ahead of carol
    expect((await kit.app.queue.line.counts()).waiting).toBe(2);
  });

  it('when the body names another user, then 403; when USER-TOKEN is missing, then 401; unknown fields, then 422', async () => {
    const [dave, erin] = await kit.users(2);
    const other = await kit.join(dave!, erin!.id);
    expect(other.statusCode).toBe(403);
    expect(other.json().errors.code).toBe('FORBIDDEN');
    const anonymous = await kit.app.inject({ method: 'POST', url: '/tokens', payload: { userId: dave!.id } });
    expect(anonymous.statusCode).toBe(401);
    const unknown = await kit.app.inject({
      method: 'POST',
      url: '/tokens',
      headers: { 'user-token': dave!.accessToken },
      payload: { userId: dave!.id, vip: true },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors.detail).toEqual([expect.objectContaining({ param: 'vip', error: 'UnknownField' })]);
  });

  it('when a waiting user polls a line that has not moved yet, then GET /tokens tells how many are ahead and that the wait is not known yet, also with the QUEUE-TOKEN header', async () => {
    const [frank] = await kit.users(1);
    const issued = await kit.joined(frank!);
    const viaHeader = await kit.app.inject({ method: 'GET', url: '/tokens', headers: { 'queue-token': issued.token } });
    expect(viaHeader.statusCode).toBe(200);
    const status = viaHeader.json();
    expect(status).toEqual({
      uuid: issued.uuid,
      waitingNo: expect.any(Number),
      status: 'WAITING',
      // one user is ACTIVE for 10 minutes and nobody else was admitted since: no pace to estimate from
      estimatedWaitSeconds: null,
      waitEstimate: 'NOT_KNOWN_YET',
      expiresAt: issued.expiresAt,
      roomId: 'default',
      roomStatus: 'OPEN',
      concertId: null,
      saleStartsAt: null,
    });
    expect(status.waitingNo).toBe(issued.waitingNo);
    expect(status.waitingNo).toBeGreaterThan(0);
  });

  it('when GET /tokens has no token or a bad one, then 401', async () => {
    expect((await kit.app.inject({ method: 'GET', url: '/tokens' })).statusCode).toBe(401);
    expect((await kit.poll('not.a.jwt')).statusCode).toBe(401);
  });

  it('when the JWKS is fetched, then it holds the public key only', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const [key] = response.json().keys;
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: kit.app.queue.signer.kid, use: 'sig' });
    expect(key.d).toBeUndefined();
  });

  it('when tokens change, then each state is recorded in PostgreSQL with its history and published', async () => {
    const [gina] = await kit.users(1);
    const issued = await kit.joined(gina!);
    await kit.recorded();
    const { rows } = await kit.app.pg.query('SELECT user_id, status, revision FROM queue_tokens WHERE id = $1', [
      issued.uuid,
    ]);
    expect(rows).toEqual([{ user_id: gina!.id, status: 'WAITING', revision: 1 }]);
    const outbox = await kit.app.pg.query('SELECT type FROM outbox WHERE aggregate_id = $1', [issued.uuid]);
    expect(outbox.rows).toEqual([{ type: 'queue.token.changed' }]);
  });
});
