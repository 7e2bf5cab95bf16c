CREATE TABLE pairs_replica (
  left_id integer NOT NULL,
  right_id integer NOT NULL,
  label text NOT NULL,
  revision integer NOT NULL,
  PRIMARY KEY (left_id, right_id)
);
