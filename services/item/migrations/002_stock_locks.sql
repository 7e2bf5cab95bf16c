-- One row per order whose stock was asked for (order.changed pending or POST /api/inventory/lock). The primary key
-- is what makes locking idempotent per order: a second attempt, concurrent or late, finds this row and answers
-- from it instead of taking stock again.
CREATE TABLE stock_locks (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('locked', 'rejected', 'committed', 'released')),
  -- the lines as first asked for, duplicates summed: what was taken, and what a release gives back
  items jsonb NOT NULL,
  -- true when this lock took stock; false for a rejection or a release that came before any lock (a tombstone)
  took_stock boolean NOT NULL,
  reason text,
  -- why a lock was rejected, line by line: repeated to a client that asks again
  shortfalls jsonb NOT NULL DEFAULT '[]',
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
