-- When each item is on air (issue 15): a home-shopping channel broadcasts it from starts_at to ends_at. Alarms
-- fire a while before a slot starts; the item's views show its next broadcast.
CREATE TABLE broadcast_slots (
  id serial PRIMARY KEY,
  item_id integer NOT NULL REFERENCES items (id),
  channel text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX broadcast_slots_item_idx ON broadcast_slots (item_id, ends_at);
