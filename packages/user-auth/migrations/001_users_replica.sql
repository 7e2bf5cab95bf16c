-- A local read replica of the user service's users, fed by user.changed events: enough to resolve a
-- USER-TOKEN (by its SHA-256) without calling the user service on every request.
CREATE TABLE users_replica (
  id integer PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL,
  access_token_sha256 text NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  revision integer NOT NULL
);
CREATE UNIQUE INDEX users_replica_token_idx ON users_replica (access_token_sha256);
