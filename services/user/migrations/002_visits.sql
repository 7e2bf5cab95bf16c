-- The item service's item.viewed events: one row per view, kept once per event id.
CREATE TABLE item_views (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  user_id integer NOT NULL,
  item_id integer NOT NULL,
  viewed_at timestamptz NOT NULL
);
CREATE INDEX item_views_user_idx ON item_views (user_id, viewed_at DESC, id DESC);

-- The item service's items, as far as item.changed events (or a fallback call) have told us.
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

-- The alarm service's alarms, as far as alarm.changed events have told us: is_alarm_set on /visit.
CREATE TABLE alarms_replica (
  user_id integer NOT NULL,
  item_id integer NOT NULL,
  active boolean NOT NULL,
  revision integer NOT NULL,
  PRIMARY KEY (user_id, item_id)
);
