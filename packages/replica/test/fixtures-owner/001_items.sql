-- The owner's side of the rebuild test: the item service's state as its item.changed events carry it.
CREATE TABLE items (
  id integer PRIMARY KEY,
  name text NOT NULL,
  broadcaster text NOT NULL,
  category text NOT NULL,
  price integer NOT NULL,
  stock integer NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  revision integer NOT NULL
);
