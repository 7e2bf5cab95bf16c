#!/usr/bin/env bash
# Makes sure a Docker engine answers, as scripts/infra.sh does for PostgreSQL: uses the one that runs, else installs
# Debian's docker.io and docker-compose when they are missing and starts dockerd in the background (no systemd
# needed). An engine started here publishes ports on 127.0.0.1 unless a mapping names another address.
#
#   scripts/docker-engine.sh          up (idempotent)
#   scripts/docker-engine.sh status   one line
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/boxoffice-dockerd.log}"

log() { printf '[docker] %s\n' "$*"; }
die() { printf '[docker] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

engine_answers() { docker info >/dev/null 2>&1; }

# shellcheck source=scripts/apt-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

install_missing() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install $(printf '%s\n' "${missing[@]}" | sort -u); fi
}

up() {
  if command -v docker >/dev/null && engine_answers; then
    log "engine: already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    install_missing
    return
  fi
  install_missing
  engine_answers && return
  is_root || die "no Docker engine answers and only root can start one here"
  log "engine: starting dockerd (log $DOCKERD_LOG)"
  # --ip: a published port without an address binds to loopback only.
  nohup dockerd --ip 127.0.0.1 >>"$DOCKERD_LOG" 2>&1 &
  local deadline=$((SECONDS + 60))
  until engine_answers; do
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not answer within 60 s"; }
    sleep 0.5
  done
  log "engine: ready ($(docker version --format '{{.Server.Version}}'))"
}

case "${1:-up}" in
  up) up ;;
  status)
    if engine_answers; then echo "docker    up ($(docker version --format '{{.Server.Version}}'))"; else echo "docker    down"; exit 1; fi
    ;;
  *) die "usage: scripts/docker-engine.sh [up|status]" ;;
esac
