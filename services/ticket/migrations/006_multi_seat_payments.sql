-- Multi-seat checkout (issue 14): one payment may buy several of the buyer's holds at once, so a payment id no
-- longer names one ticket. The sale stays one conditional UPDATE per ticket, all in one transaction.
ALTER TABLE tickets DROP CONSTRAINT tickets_payment_id_key;
CREATE INDEX tickets_payment_idx ON tickets (payment_id) WHERE payment_id IS NOT NULL;
-- the buyer's tickets on one concert, for "has this buyer any live hold left"
CREATE INDEX tickets_user_showtime_live_idx ON tickets (user_id, showtime_id) WHERE status = 'HELD';
