-- Ticket payments. PENDING: points debited, the ticket service's confirm not yet definitely answered.
-- COMPLETED: the seat is SOLD to this payment. FAILED: the ticket service refused (hold expired, sold to another
-- payment): the points were given back by a REFUND row.
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  user_id integer NOT NULL,
  ticket_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
  failure_code text,
  failure_message text,
  -- reconciler bookkeeping: confirm attempts so far and when the next one may run (also a lease)
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz,
  resolved_at timestamptz
);
-- one live payment per ticket: a second concurrent payment of the same ticket fails here, before any charge
CREATE UNIQUE INDEX payments_one_live_per_ticket_idx ON payments (ticket_id) WHERE status IN ('PENDING', 'COMPLETED');
CREATE INDEX payments_pending_due_idx ON payments (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);
