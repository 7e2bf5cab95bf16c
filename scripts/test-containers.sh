#!/usr/bin/env bash
# `npm run test:containers`: the tests that need a Docker engine. Starts the engine if none runs (installing Debian's
# docker.io when it is missing, as scripts/infra.sh installs PostgreSQL), builds the images (`npm run images`), then
# runs with TEST_INFRA=containers, so PostgreSQL, Redis and Kafka are containers started by testcontainers:
#   - the kernel packages' suites and the item service's suite,
#   - test/compose: docker-compose.yaml up for real, containers stopped one at a time, `down -v`.
# Extra arguments go to jest (CI passes --json --outputFile).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/bootstrap.sh
bash scripts/images.sh
log() { printf '[test] %s\n' "$*"; }
die() { printf '[test] ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/apt-install.sh
. scripts/apt-install.sh
# One kernel suite starts a private redis-server of its own (to pause it): that binary stays native.
command -v redis-server >/dev/null || apt_install redis-server
echo "[test] tsc -b (type-check and build)"
npx tsc -b tsconfig.build.json
TEST_INFRA=containers exec npx jest packages services/item test/compose/stack.containers.test.ts "$@"
