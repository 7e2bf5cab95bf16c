-- Multi-seat checkout (issue 14): one payment may buy several of the buyer's held tickets in one ledger debit.
-- payments.ticket_id stays the first of them (what the seed's single-ticket form sent); payment_tickets names all,
-- each with the price it was paid at. A ticket has at most one live line (its payment PENDING or COMPLETED): a
-- second payment naming it fails on this index, before any charge. A FAILED payment's lines stop being live.
CREATE TABLE payment_tickets (
  payment_id uuid NOT NULL REFERENCES payments (id),
  ticket_id uuid NOT NULL,
  price bigint NOT NULL CHECK (price >= 0),
  live boolean NOT NULL DEFAULT true,
  PRIMARY KEY (payment_id, ticket_id)
);
CREATE UNIQUE INDEX payment_tickets_one_live_per_ticket_idx ON payment_tickets (ticket_id) WHERE live;

INSERT INTO payment_tickets (payment_id, ticket_id, price, live)
SELECT id, ticket_id, amount, status IN ('PENDING', 'COMPLETED') FROM payments;
