#!/usr/bin/env bash
# Writes .env for docker-compose.yaml from .env.example, each `generate` replaced by 64 random hex characters
# (/dev/urandom), then EVENT_VERIFY_KEYS derived from the event signing keys (needs node). Refuses to overwrite an existing .env: its secrets are in the stack's volumes.
#   scripts/compose-env.sh [file]   (default .env)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$ROOT/.env}"
if [ -e "$target" ]; then
  echo "[env] $target exists: kept (delete it, and the stack's volumes with \`docker compose down -v\`, to start afresh)"
  exit 0
fi
umask 077
while IFS= read -r line; do
  if [[ "$line" =~ ^([A-Z_]+)=generate$ ]]; then
    printf '%s=%s\n' "${BASH_REMATCH[1]}" "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  else
    printf '%s\n' "$line"
  fi
done <"$ROOT/.env.example" >"$target"
# the public halves of the event signing keys just generated
node "$ROOT/scripts/event-keys.mjs" "$target" >>"$target"
echo "[env] wrote $target with fresh random secrets"
