-- One row per user and item ever alarmed: clearing an alarm flips `active` and bumps the revision, so the
-- events that replicas apply stay ordered however often an alarm is set and cleared.
CREATE TABLE alarms (
  id serial PRIMARY KEY,
  item_id integer NOT NULL,
  user_id integer NOT NULL,
  active boolean NOT NULL DEFAULT true,
  revision integer NOT NULL DEFAULT 1,
  created timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, item_id)
);

-- The item service's items, as far as item.changed events (or a fallback call) have told us: lists alarmed
-- items with their details and refuses alarms on unknown items without calling the item service.
CREATE TABLE items_replica (
  id integer PRIMARY KEY,
  name text NOT NULL,
  broadcaster text NOT NULL,
  category text NOT NULL,
  price integer NOT NULL,
  stock integer NOT NULL,
  deleted boolean NOT NULL,
  revision integer NOT NULL
);
