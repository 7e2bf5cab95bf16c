-- Seed 003 orders name products by a public code ("P001"); item.changed carries it, so orders can be resolved here.
ALTER TABLE items_replica ADD COLUMN code text;
CREATE INDEX items_replica_code_idx ON items_replica (code) WHERE code IS NOT NULL;
