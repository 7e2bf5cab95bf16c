#!/usr/bin/env bash
# `npm start`: installs what is missing, starts PostgreSQL, Redis and Kafka (durable profile), builds, then runs
# every service as a child process (scripts/stack.mjs). Arguments go to the stack: --instances N, --only a,b.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/bootstrap.sh
bash scripts/infra.sh up
echo "[start] building (tsc -b, then the web front)"
npm run --silent build
exec node scripts/stack.mjs start "$@"
