CREATE TABLE items (
  id serial PRIMARY KEY,
  name text NOT NULL,
  broadcaster text NOT NULL,
  category text NOT NULL,
  price integer NOT NULL CHECK (price >= 0),
  stock integer NOT NULL CHECK (stock >= 0),
  -- a deleted item stays as a row so its revision keeps increasing and replicas learn of the deletion
  deleted boolean NOT NULL DEFAULT false,
  -- increases with every change; events carry it so replicas apply changes in order
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The alarm service's alarms, as far as alarm.changed events have told us: answers is_alarm_set locally.
CREATE TABLE alarms_replica (
  user_id integer NOT NULL,
  item_id integer NOT NULL,
  active boolean NOT NULL,
  revision integer NOT NULL,
  PRIMARY KEY (user_id, item_id)
);
