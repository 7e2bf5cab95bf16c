-- Paying at checkout (issue 15): a payment may be asked for while the order is still pending. The money is held
-- (points debited, card authorized) and becomes the order's payment only once the stock is locked; a lock that
-- fails gives it back. payment_status tells the shopper where the money is.
ALTER TABLE orders
  ADD COLUMN payment_status text CHECK (payment_status IN ('processing', 'completed', 'failed', 'refunded', 'voided'));

-- a paid order cancelled before shipping has its card charge refunded
ALTER TABLE card_charges DROP CONSTRAINT card_charges_status_check;
ALTER TABLE card_charges
  ADD CONSTRAINT card_charges_status_check CHECK (status IN ('processing', 'approved', 'declined', 'voided', 'refunded'));
-- the settlement deadline (issue 19 item 7) looks for charges still processing, oldest first
CREATE INDEX card_charges_processing_idx ON card_charges (created_at) WHERE status = 'processing';

-- at most one points refund per order, whatever path (failed lock, cancel, expiry) asks for it
CREATE UNIQUE INDEX point_transactions_one_order_refund_idx ON point_transactions (order_id)
  WHERE point_type = 'REFUND' AND order_id IS NOT NULL;

-- a voided authorization is never settled: the simulated gateway stops delivering it
ALTER TABLE gateway_authorizations ADD COLUMN voided_at timestamptz;
