-- A public product code per item (seed 003 orders name products as "P001"), optional and unique when set.
ALTER TABLE items ADD COLUMN code text UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$');
