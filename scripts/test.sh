#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the real PostgreSQL, Redis and Kafka (test profile: no fsync),
# type-checks and builds, then runs every jest test. Extra arguments go to jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/bootstrap.sh
bash scripts/infra.sh up --fast
# helm, the Kubernetes schemas and the operators' CRDs for test/helm (built once per machine, then cached)
bash scripts/helm-tools.sh >/dev/null
echo "[test] tsc -b (type-check and build)"
npx tsc -b tsconfig.build.json
exec npx jest "$@"
