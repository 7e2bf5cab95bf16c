CREATE TABLE concerts (
  id serial PRIMARY KEY,
  name text NOT NULL,
  performer text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE showtimes (
  id serial PRIMARY KEY,
  concert_id integer NOT NULL REFERENCES concerts (id),
  starts_at timestamptz NOT NULL,
  venue text NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX showtimes_concert_idx ON showtimes (concert_id, starts_at);

-- A seat's status is the hold's only arbiter: a hold is the conditional UPDATE ... WHERE status = 'AVAILABLE'.
-- ticket_id names the hold or sale that occupies the seat.
CREATE TABLE seats (
  id serial PRIMARY KEY,
  showtime_id integer NOT NULL REFERENCES showtimes (id),
  seat_no text NOT NULL,
  price integer NOT NULL CHECK (price >= 0),
  status text NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'HELD', 'SOLD')),
  ticket_id uuid,
  revision integer NOT NULL DEFAULT 1,
  UNIQUE (showtime_id, seat_no),
  CHECK ((status = 'AVAILABLE') = (ticket_id IS NULL))
);
CREATE INDEX seats_showtime_idx ON seats (showtime_id, id);

CREATE TABLE tickets (
  id uuid PRIMARY KEY,
  user_id integer NOT NULL,
  showtime_id integer NOT NULL REFERENCES showtimes (id),
  seat_id integer NOT NULL REFERENCES seats (id),
  seat_no text NOT NULL,
  price integer NOT NULL,
  status text NOT NULL CHECK (status IN ('HELD', 'SOLD', 'EXPIRED')),
  held_until timestamptz NOT NULL,
  reserved_at timestamptz NOT NULL DEFAULT now(),
  payment_id uuid UNIQUE,
  sold_at timestamptz,
  revision integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Second line of defence against a double hold: at most one live ticket per seat, whatever the code does.
CREATE UNIQUE INDEX tickets_one_live_per_seat ON tickets (seat_id) WHERE status IN ('HELD', 'SOLD');
-- The sweeper's scan: only live holds, ordered by deadline.
CREATE INDEX tickets_held_until_idx ON tickets (held_until) WHERE status = 'HELD';
CREATE INDEX tickets_user_idx ON tickets (user_id, reserved_at DESC);
