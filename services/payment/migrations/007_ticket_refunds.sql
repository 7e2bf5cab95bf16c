-- Refunds of single tickets (issue 14 item 3): a cancelled ticket, or a completed payment whose sale was refused,
-- gives back that ticket's price. One payment may buy several tickets, so the refund is keyed by (payment, ticket):
-- whichever path asks (ticket.changed CANCELLED, ticket.sale-refused), redelivered or after a crash, it is credited
-- once. A whole-payment refund (a FAILED payment: the ticket service refused the confirm) has no ticket_id and stays
-- at most one per payment.
ALTER TABLE point_transactions ADD COLUMN ticket_id uuid;
DROP INDEX point_transactions_one_refund_idx;
CREATE UNIQUE INDEX point_transactions_one_refund_idx ON point_transactions (payment_id)
  WHERE point_type = 'REFUND' AND ticket_id IS NULL;
CREATE UNIQUE INDEX point_transactions_one_ticket_refund_idx ON point_transactions (payment_id, ticket_id)
  WHERE point_type = 'REFUND' AND ticket_id IS NOT NULL;
