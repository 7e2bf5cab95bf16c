-- A peer's replica of the owner's items (as the user service keeps it).
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
