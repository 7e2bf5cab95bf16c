import type { Queryable } from '@boxoffice/db';
import type { TokenState } from '../domain/queue-token';

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

const COLUMNS = [
  ['id', 'uuid'],
  ['user_id', 'int'],
  ['room_id', 'text'],
  ['status', 'text'],
  ['reason', 'text'],
  ['join_seq', 'bigint'],
  ['admission_no', 'bigint'],
  ['issued_at', 'timestamptz'],
  ['activated_at', 'timestamptz'],
  ['active_expires_at', 'timestamptz'],
  ['expired_at', 'timestamptz'],
  ['token_expires_at', 'timestamptz'],
  ['revision', 'int'],
] as const;

const rowOf = (state: TokenState) => [
  state.tokenId,
  state.userId,
  state.roomId,
  state.status,
  state.reason,
  state.joinSeq,
  state.admissionNo,
  at(state.issuedAtMs),
  at(state.activatedAtMs),
  at(state.activeExpiresAtMs),
  at(state.expiredAtMs),
  at(state.tokenExpiresAtMs),
  state.revision,
];

/** The stored revision of each of these tokens (absent: not stored yet). */
export async function storedRevisions(db: Queryable, tokenIds: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; revision: number }>(
    'SELECT id, revision FROM queue_tokens WHERE id = ANY($1::uuid[])',
    [tokenIds],
  );
  return new Map(rows.map((row) => [row.id, row.revision]));
}

/**
 * Stores each token's state in one statement, unless a newer one is already there. Give at most one state per
 * token (the newest): one statement cannot update a row twice.
 */
export async function upsertTokenStates(db: Queryable, states: TokenState[]): Promise<void> {
  if (states.length === 0) return;
  const rows = states.map(rowOf);
  const columns = COLUMNS.map(([name]) => name).join(', ');
  const arrays = COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  await db.query(
    `INSERT INTO queue_tokens (${columns})
     SELECT * FROM unnest(${arrays})
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, admission_no = EXCLUDED.admission_no,
       activated_at = EXCLUDED.activated_at, active_expires_at = EXCLUDED.active_expires_at, expired_at = EXCLUDED.expired_at,
       revision = EXCLUDED.revision, recorded_at = now()
     WHERE queue_tokens.revision < EXCLUDED.revision`,
    COLUMNS.map((_, index) => rows.map((row) => row[index])),
  );
}

/** One row per transition; a redelivered journal entry changes nothing. */
export async function insertHistory(db: Queryable, states: TokenState[]): Promise<void> {
  if (states.length === 0) return;
  const when = (state: TokenState) =>
    at(
      state.status === 'EXPIRED'
        ? state.expiredAtMs
        : state.status === 'ACTIVE'
          ? state.activatedAtMs
          : state.issuedAtMs,
    );
  await db.query(
    `INSERT INTO queue_token_history (token_id, revision, status, reason, at)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[])
     ON CONFLICT DO NOTHING`,
    [
      states.map((s) => s.tokenId),
      states.map((s) => s.revision),
      states.map((s) => s.status),
      states.map((s) => s.reason),
      states.map(when),
    ],
  );
}
