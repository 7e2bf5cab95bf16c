#!/usr/bin/env bash
# The browser the web tests drive (test/web): Debian's chromium package, never a downloaded browser build, plus a
# font with Hangul so the demo data's Korean names are readable in the screenshots. Installed with apt-get when
# missing, as scripts/infra.sh does for PostgreSQL. CHROMIUM_PATH points the tests at another Chromium.
set -euo pipefail

log() { printf '[browser] %s\n' "$*"; }

need=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then need+=(chromium); fi
if command -v dpkg >/dev/null && ! dpkg -s fonts-nanum >/dev/null 2>&1; then need+=(fonts-nanum); fi
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "ERROR: missing ${need[*]}; install them (apt-get install ${need[*]}) or set CHROMIUM_PATH" >&2
  exit 1
fi
log "apt-get install ${need[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
command -v chromium >/dev/null || [ -n "${CHROMIUM_PATH:-}" ] || { log "ERROR: chromium still missing" >&2; exit 1; }
