-- When each consumer first read everything that was on its topics. A replica whose consumer has never caught
-- up (a fresh database: cold start) cannot tell "absent" from "not arrived yet", so readers ask the owner.
CREATE TABLE consumer_sync (
  consumer text PRIMARY KEY,
  caught_up_at timestamptz NOT NULL DEFAULT now()
);
