-- Cancellation of sold tickets (issue 14 item 3). A SOLD ticket becomes CANCELLED: its seat goes back on sale and
-- the payment service refunds the price on the ticket.changed that says so. RELEASED (a hold its holder let go)
-- is listed too, so this constraint is right whichever of 004 and 005 a database got first. A CANCELLED ticket
-- keeps its payment_id: the refund is keyed by (payment, ticket).
ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_status_check;
ALTER TABLE tickets
  ADD CONSTRAINT tickets_status_check CHECK (status IN ('HELD', 'SOLD', 'EXPIRED', 'RELEASED', 'CANCELLED'));
ALTER TABLE tickets ADD COLUMN cancelled_at timestamptz;

-- An admin cancels a whole showtime: it is no longer listed or holdable, and each of its sold tickets is cancelled
-- (and so refunded). Set once; never cleared.
ALTER TABLE showtimes ADD COLUMN cancelled_at timestamptz;
-- the admin cancel walks a showtime's live tickets in batches
CREATE INDEX tickets_showtime_live_idx ON tickets (showtime_id) WHERE status IN ('HELD', 'SOLD');
