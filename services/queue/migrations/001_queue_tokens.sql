-- The record of every waiting-room token. The line itself lives in Redis (fast, atomic admission); each change
-- there is journalled and recorded here, with its event in the outbox, so the history is durable and published.
CREATE TABLE queue_tokens (
  id uuid PRIMARY KEY,
  user_id integer NOT NULL,
  status text NOT NULL CHECK (status IN ('WAITING', 'ACTIVE', 'EXPIRED')),
  reason text CHECK (reason IN ('ttl', 'paid', 'abandoned')),
  -- arrival order in the line, and admission order (null until admitted)
  join_seq bigint NOT NULL,
  admission_no bigint,
  issued_at timestamptz NOT NULL,
  activated_at timestamptz,
  active_expires_at timestamptz,
  expired_at timestamptz,
  token_expires_at timestamptz NOT NULL,
  revision integer NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_tokens_user_idx ON queue_tokens (user_id, issued_at DESC);
CREATE INDEX queue_tokens_live_idx ON queue_tokens (status) WHERE status <> 'EXPIRED';

-- Every transition of every token (issued, activated, expired), one row per revision.
CREATE TABLE queue_token_history (
  token_id uuid NOT NULL,
  revision integer NOT NULL,
  status text NOT NULL,
  reason text,
  at timestamptz NOT NULL,
  PRIMARY KEY (token_id, revision)
);

-- The key pair that signs queue JWTs: made on the first start, shared by every instance. The private half never
-- leaves this table except into the signing process's memory.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
