import { decodeProtectedHeader } from 'jose';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { rotateSigningKey } from '../../src/domain/rotate-signing-key.use-case';
import { QueueKit } from '../support/queue-kit';

describe('a rotated signing key leaves the JWKS after the longest token lifetime', () => {
  const kit = suiteKit(new QueueKit({ QUEUE_TOKEN_LIFETIME_SECONDS: '3600', QUEUE_SIGNING_KEY_REFRESH_MS: '100' }));

  const publishedKids = async () =>
    ((await kit.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys as { kid: string }[]).map(
      (key) => key.kid,
    );

  it('when the key is rotated, then new tokens use the new key without a restart, old ones verify until the old key retires for good', async () => {
    const [first, second] = await kit.users(2);
    const old = await kit.joined(first!);
    const oldKid = decodeProtectedHeader(old.token).kid!;

    const { kid: newKid } = await rotateSigningKey(kit.app.pg);
    await waitFor('the running instance to take the rotation in', async () => kit.app.queue.signer.kid === newKid);
    const fresh = await kit.joined(second!);
    expect(decodeProtectedHeader(fresh.token).kid).toBe(newKid);
    expect((await publishedKids()).sort()).toEqual([oldKid, newKid].sort());
    expect((await kit.poll(old.token)).statusCode).toBe(200);

    // an hour later (the token lifetime) plus one refresh, as far as the key's record says
    await kit.app.pg.query(
      "UPDATE signing_keys SET retired_at = now() - interval '3600 seconds' - interval '1 second' WHERE kid = $1",
      [oldKid],
    );
    await waitFor('the retired key to leave the JWKS', async () => !(await publishedKids()).includes(oldKid));
    expect(await publishedKids()).toEqual([newKid]);
    expect((await kit.poll(old.token)).statusCode).toBe(401);
    expect((await kit.poll(fresh.token)).statusCode).toBe(200);
  });

  it('when a key was retired less than a token lifetime ago, then it is still published', async () => {
    const before = await publishedKids();
    const { kid } = await rotateSigningKey(kit.app.pg);
    await waitFor('the rotation to be taken in', async () => kit.app.queue.signer.kid === kid);
    expect((await publishedKids()).sort()).toEqual([...before, kid].sort());
  });
});
