-- General-admission events: counted stock. availability never goes below zero (the CHECK backs the conditional
-- UPDATE); stock is what the event was created with, kept to check the invariant
-- availability + sum(live reserved) = stock.
CREATE TABLE events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text NOT NULL,
  date timestamptz NOT NULL,
  availability integer NOT NULL CHECK (availability >= 0),
  stock integer NOT NULL CHECK (stock >= 0),
  deleted boolean NOT NULL DEFAULT false,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid NOT NULL REFERENCES events (id),
  user_id integer NOT NULL,
  no_of_tickets integer NOT NULL CHECK (no_of_tickets > 0),
  cancelled boolean NOT NULL DEFAULT false,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_user_idx ON reservations (user_id, created_at DESC);
CREATE INDEX reservations_event_live_idx ON reservations (event_id) WHERE NOT cancelled;

-- Idempotency-Key (SPEC §0): the first response to a key, stored in the transaction that made the change, so
-- a retry replays it and a concurrent duplicate waits on the primary key and then replays it too.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  user_id integer NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL,
  body jsonb NOT NULL,
  location text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, user_id, key)
);
