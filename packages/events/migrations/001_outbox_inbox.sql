-- Transactional outbox: a change and the event describing it commit together, and a relay publishes the
-- event to Kafka afterwards (at least once). seq gives the publishing order.
CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  topic text NOT NULL,
  type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'published')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (seq) WHERE state = 'pending';
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE state = 'published';

-- Inbox: ids of the events a consumer has applied. Kafka delivers at least once; this makes it exactly once
-- in effect, because the id is recorded in the same transaction as the change it caused.
CREATE TABLE inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

-- Messages that could not be read at all (not JSON, no envelope): kept for an operator instead of blocking
-- the partition or vanishing.
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  consumer text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" text NOT NULL,
  raw text NOT NULL,
  reason text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
