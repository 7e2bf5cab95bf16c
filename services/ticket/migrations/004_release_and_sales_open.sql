-- A holder may give a hold back before its deadline (DELETE /tickets/{id}): HELD → RELEASED, the seat AVAILABLE.
-- RELEASED is not live, so tickets_one_live_per_seat (HELD, SOLD) and the per-user hold cap (HELD) leave it out.
ALTER TABLE tickets DROP CONSTRAINT tickets_status_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_status_check CHECK (status IN ('HELD', 'SOLD', 'EXPIRED', 'RELEASED'));

-- When holds open for a showtime, set by the admin; NULL: open as soon as the showtime exists.
ALTER TABLE showtimes ADD COLUMN sales_open_at timestamptz;
