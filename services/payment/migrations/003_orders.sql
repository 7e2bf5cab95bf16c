-- Shopping items as the item service announces them (item.changed): prices and existence for new orders.
CREATE TABLE items_replica (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price bigint NOT NULL,
  stock integer NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  revision integer NOT NULL
);

-- Shopping orders: the payment service's side of the order saga (order.changed / stock-lock.changed).
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id integer NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'stock_locked', 'rejected', 'paid', 'payment_failed', 'cancelled')),
  items jsonb NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  payment_method text CHECK (payment_method IN ('points', 'card')),
  reason text,
  -- the item service's lock as last reported: locked, rejected, committed, released
  stock_status text,
  revision integer NOT NULL DEFAULT 1,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_open_expiry_idx ON orders (expires_at) WHERE status IN ('pending', 'stock_locked');
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);

CREATE TABLE order_history (
  id bigserial PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  status text NOT NULL,
  reason text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_history_order_idx ON order_history (order_id, id);

-- Card payments of orders. Only the last 4 digits of a card are ever kept, here or anywhere.
CREATE TABLE card_charges (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  user_id integer NOT NULL,
  amount bigint NOT NULL,
  card_last4 char(4) NOT NULL,
  status text NOT NULL CHECK (status IN ('processing', 'approved', 'declined', 'voided')),
  decline_code text,
  gateway_authorization_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz
);
-- one charge in flight or approved per order
CREATE UNIQUE INDEX card_charges_one_live_idx ON card_charges (order_id) WHERE status IN ('processing', 'approved');

-- The simulated card gateway's own book (it stands for an external processor): decided at authorization, settled
-- later by a signed callback. It never keeps a card number either.
CREATE TABLE gateway_authorizations (
  id uuid PRIMARY KEY,
  merchant_reference uuid NOT NULL UNIQUE,
  amount bigint NOT NULL,
  card_last4 char(4) NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('approved', 'declined')),
  decline_code text,
  settle_at timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  delivered_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_authorizations_due_idx ON gateway_authorizations (next_attempt_at) WHERE delivered_at IS NULL;
