-- The point wallet is a ledger: every CHARGE, USE and REFUND is a row of point_transactions. wallets.balance is
-- a cache of Σ ledger, changed only in the transaction that writes the ledger row, by a conditional UPDATE that
-- takes the wallet's row lock: concurrent USEs serialise on it and the CHECK makes a negative balance impossible.
CREATE TABLE wallets (
  user_id integer PRIMARY KEY,
  balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE point_transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id integer NOT NULL,
  point_type text NOT NULL CHECK (point_type IN ('CHARGE', 'USE', 'REFUND')),
  -- always positive; point_type gives the direction (USE takes away, CHARGE and REFUND add)
  amount bigint NOT NULL CHECK (amount > 0),
  payment_id uuid,
  order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX point_transactions_user_idx ON point_transactions (user_id, created_at DESC);
-- at most one refund per payment, whatever retries or reconcilers do
CREATE UNIQUE INDEX point_transactions_one_refund_idx ON point_transactions (payment_id) WHERE point_type = 'REFUND';

-- Idempotency-Key (SPEC §0), scoped by operation and user. status 0 = claimed by a request still running;
-- resource_id names what it created (a payment), so a retry can answer from that resource's current state.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  user_id integer NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL,
  body jsonb NOT NULL,
  location text,
  resource_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, user_id, key)
);
