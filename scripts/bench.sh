#!/usr/bin/env bash
# `npm run bench [-- <scenario>...]`: the same set-up as the tests (dependencies, infrastructure, build), then the
# benchmark runner. Scenarios start their own service processes on free ports.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
bash scripts/infra.sh up --fast
npx tsc -b tsconfig.build.json
exec node bench/run.mjs "$@"
