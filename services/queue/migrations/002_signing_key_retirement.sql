-- When a key stopped signing (a rotation retired it). It leaves the JWKS once every token it may have signed has
-- expired: retired_at + the longest token lifetime (+ one key refresh, while instances still sign with it).
ALTER TABLE signing_keys ADD COLUMN retired_at timestamptz;
