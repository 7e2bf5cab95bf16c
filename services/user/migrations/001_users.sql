CREATE TABLE users (
  id serial PRIMARY KEY,
  name text NOT NULL,
  login_id text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  access_token uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  -- increases with every change; events carry it so replicas apply changes in order
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
