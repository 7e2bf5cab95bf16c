-- A local read replica of the queue service's tokens, fed by queue.token.changed events: enough to tell an
-- ACTIVE waiting-room token from a WAITING or EXPIRED one without calling the queue service per request.
CREATE TABLE queue_tokens_replica (
  token_id uuid PRIMARY KEY,
  user_id integer NOT NULL,
  status text NOT NULL CHECK (status IN ('WAITING', 'ACTIVE', 'EXPIRED')),
  active_expires_at timestamptz,
  revision integer NOT NULL
);
