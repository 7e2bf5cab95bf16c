#!/usr/bin/env bash
# Schemathesis (an OpenAPI fuzzer from PyPI), pinned, in a private virtualenv: installed on first use, then run with
# the given arguments. `bash scripts/schemathesis.sh install` only installs. Needs python3 (with venv); the
# venv lives in .infra/schemathesis-venv (SCHEMATHESIS_VENV to put it elsewhere).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="4.32.5"
VENV="${SCHEMATHESIS_VENV:-$ROOT/.infra/schemathesis-venv}"

installed() { [ -x "$VENV/bin/schemathesis" ] && "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; }

if ! installed; then
  command -v python3 >/dev/null || { echo "[schemathesis] ERROR: python3 is required" >&2; exit 2; }
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || { echo "[schemathesis] ERROR: python3-venv is missing" >&2; exit 2; }
    echo "[schemathesis] apt-get install python3-venv" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  echo "[schemathesis] installing schemathesis==$VERSION into $VENV" >&2
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
fi
[ "${1:-}" = install ] && exit 0
exec "$VENV/bin/schemathesis" "$@"
