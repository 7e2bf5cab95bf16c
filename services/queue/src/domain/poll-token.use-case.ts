import { unauthorized } from '@boxoffice/errors';
import type { QueueLine, TokenView } from './queue-token';
import type { TokenSigner } from './token-signer';

const INVALID = 'The queue token is invalid or has expired; join the queue again with POST /tokens.';

/** Where a token stands; polling is also how a WAITING user shows they are still there. */
export async function pollToken(
  deps: { line: QueueLine; signer: TokenSigner },
  jwt: string | undefined,
  nowMs = Date.now(),
): Promise<TokenView> {
  if (!jwt) throw unauthorized('A queue token is required (Authorization: Bearer <jwt> or QUEUE-TOKEN).');
  const claims = await deps.signer.verifier.verify(jwt, nowMs);
  if (!claims) throw unauthorized(INVALID);
  const view = await deps.line.poll(claims.tokenId, nowMs);
  if (!view) throw unauthorized(INVALID);
  return view;
}
