-- Waiting rooms: one per concert sale, plus the default room. Rooms live in Redis beside their lines (admission
-- reads a room's settings in the same atomic step); every change is journalled and recorded here, with its
-- queue.room.changed event in the outbox. One live room per concert is enforced where rooms are changed (Redis).
CREATE TABLE rooms (
  id text PRIMARY KEY,
  name text NOT NULL,
  concert_id integer,
  state text NOT NULL CHECK (state IN ('CREATED', 'OPEN', 'SUSPENDED', 'CLOSED')),
  max_active integer NOT NULL,
  admission_rate_per_minute integer,
  session_seconds integer NOT NULL,
  queueing_method text NOT NULL CHECK (queueing_method IN ('fifo', 'random')),
  sale_starts_at timestamptz,
  max_waiting integer,
  abandon_seconds integer NOT NULL,
  revision integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rooms_concert_idx ON rooms (concert_id);

-- Every token belongs to a room; tokens recorded before rooms were in the one line that became the default room.
ALTER TABLE queue_tokens ADD COLUMN room_id text NOT NULL DEFAULT 'default';
CREATE INDEX queue_tokens_room_idx ON queue_tokens (room_id, join_seq);
-- a closed room sends its waiting users away
ALTER TABLE queue_tokens DROP CONSTRAINT queue_tokens_reason_check;
ALTER TABLE queue_tokens ADD CONSTRAINT queue_tokens_reason_check
  CHECK (reason IN ('ttl', 'paid', 'abandoned', 'closed'));
