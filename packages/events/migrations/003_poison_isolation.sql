-- Poison isolation. A consumer dead-letters a message its contract rejects, or whose handler failed N times for a
-- reason other than an outage, and moves on; an operator replays it (state 'replay': the consumer puts it back
-- through its handler) once the cause is fixed. `reason` becomes a category; the text moves to `error`.
ALTER TABLE dead_letters
  ADD COLUMN event_id uuid,
  ADD COLUMN event_type text,
  ADD COLUMN error text,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN state text NOT NULL DEFAULT 'dead' CHECK (state IN ('dead', 'replay', 'replayed')),
  ADD COLUMN replayed_at timestamptz;
UPDATE dead_letters SET error = reason, reason = 'unreadable';
CREATE INDEX dead_letters_waiting_idx ON dead_letters (consumer, id) WHERE state <> 'replayed';

-- The relay gives up on a row the broker refuses for good (too large, invalid topic) after N tries: state 'dead',
-- so the rows behind it are published. `failed_attempts` counts only those refusals, never an outage.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'published', 'dead'));
ALTER TABLE outbox ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0, ADD COLUMN dead_at timestamptz;
CREATE INDEX outbox_dead_idx ON outbox (seq) WHERE state = 'dead';
