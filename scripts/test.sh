#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the real PostgreSQL, Redis and Kafka (test profile: no fsync),
# type-checks and builds, then runs every jest test. Extra arguments go to jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/bootstrap.sh
bash scripts/infra.sh up --fast
# the pinned OpenAPI fuzzer that test/schemathesis runs (skipped there when python3 is absent)
if command -v python3 >/dev/null; then bash scripts/schemathesis.sh install; fi
echo "[test] tsc -b (type-check and build)"
npx tsc -b tsconfig.build.json
exec npx jest "$@"
