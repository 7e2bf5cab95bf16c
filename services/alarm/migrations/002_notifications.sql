-- Notifications sent to users (SPEC §3). Delivery is simulated: a row here plus one log line is the "sent" mail/SMS.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  -- insertion order, to break ties between notifications created in the same instant (newest first)
  seq bigserial UNIQUE,
  user_id integer NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  subject text NOT NULL,
  message text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent')),
  -- what raised it: 'api', or one step of one aggregate ('order.changed:<orderId>:paid'); unique for events, so
  -- the same step announced twice (redelivered, or republished under a new event id) notifies once
  trigger text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX notifications_event_trigger_idx ON notifications (trigger) WHERE trigger <> 'api';
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, seq DESC);
