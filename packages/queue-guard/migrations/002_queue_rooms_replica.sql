-- A local read replica of the queue service's waiting rooms, fed by queue.room.changed events: which concert has a
-- room of its own (a room not CLOSED guards its concert; the default room guards the rest), so a token of one
-- room is refused on another concert's routes without calling the queue service per request.
CREATE TABLE queue_rooms_replica (
  room_id text PRIMARY KEY,
  concert_id integer,
  state text NOT NULL CHECK (state IN ('CREATED', 'OPEN', 'SUSPENDED', 'CLOSED')),
  revision integer NOT NULL
);
CREATE INDEX queue_rooms_replica_live_concert_idx ON queue_rooms_replica (concert_id) WHERE state <> 'CLOSED';
