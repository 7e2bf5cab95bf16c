#!/usr/bin/env bash
# Installs the project's npm dependencies when they are missing or older than package-lock.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v node >/dev/null; then
  echo "[bootstrap] ERROR: Node.js 20.18 or newer is required (https://nodejs.org); it is not installed." >&2
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)' || {
  echo "[bootstrap] ERROR: Node.js 20.18 or newer is required; this is $(node -v)." >&2
  exit 1
}
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: some registry mirrors lack other platforms' optional binaries (swc, turbo),
  # which `npm ci` refuses to skip; npm install still honours the lock's versions.
  echo "[bootstrap] npm install (dependencies missing or out of date)"
  npm install --no-audit --no-fund --loglevel=error
fi
