#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the real PostgreSQL, Redis and Kafka (test profile: no fsync),
# installs the browser the web tests drive, type-checks and builds (services and the web front), type-checks the
# tests (jest's SWC only strips their types), then runs every jest test. Extra arguments go to jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/bootstrap.sh
# helm, the Kubernetes schemas and the operators' CRDs for test/helm: built once per machine, then cached. On a new
# machine the build takes minutes, so it runs while the infrastructure starts (mostly waiting on downloads).
bash scripts/helm-tools.sh >/dev/null &
helm_tools=$!
bash scripts/infra.sh up --fast
# the pinned OpenAPI fuzzer that test/schemathesis runs (skipped there when python3 is absent)
if command -v python3 >/dev/null; then bash scripts/schemathesis.sh install; fi
bash scripts/browser.sh
echo "[test] build (tsc -b type-check and build, then the web front)"
npm run --silent build
echo "[test] type-check the tests (tsc -p tsconfig.tests.json and test/web, no emit)"
npm run --silent typecheck:tests
wait "$helm_tools"
exec npx jest "$@"
