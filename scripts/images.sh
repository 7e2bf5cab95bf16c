#!/usr/bin/env bash
# `npm run images`: every image docker-compose.yaml and TEST_INFRA=containers need, under stable local names:
#   boxoffice/services       the one image of every service (Dockerfile; SERVICE picks the service)
#   boxoffice/postgres       PostgreSQL 17          boxoffice/redis   Redis
#   boxoffice/kafka          Kafka 3.9.1, KRaft     boxoffice/kafka-cp:7.9.1  the same role for @testcontainers/kafka
# Where an image registry answers they are the official images (postgres, redis, apache/kafka, confluentinc/cp-kafka,
# node), pulled and tagged; where none does, the same roles are built on a local Debian 13 base made with
# debootstrap (infra/images/*). BOXOFFICE_IMAGES=official|local forces one. Docker's layer cache makes a second run
# fast. Also writes .env with fresh random secrets when there is none (scripts/compose-env.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
INFRA_DIR="${INFRA_DIR:-$ROOT/.infra}" # where scripts/infra.sh keeps the Kafka jars
LOG_DIR="$ROOT/.infra/images"
DEBIAN_SUITE=trixie
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE=boxoffice/debian:13
OFFICIAL_NODE=node:20-bookworm-slim
NPM_VERSION=10.9.2 # the npm of Node.js 20, for the local node role
declare -A OFFICIAL=(
  [postgres]=postgres:17-bookworm
  [redis]=redis:7-bookworm
  [kafka]=apache/kafka:3.9.1
  [kafka-cp:7.9.1]=confluentinc/cp-kafka:7.9.1
)

log() { printf '[images] %s\n' "$*"; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/apt-install.sh
. "$ROOT/scripts/apt-install.sh"

# Runs a build quietly into its log; on failure shows the log's end.
build() { # name args...
  local name="$1"
  shift
  local started=$SECONDS
  if ! docker build "$@" >"$LOG_DIR/$name.log" 2>&1; then
    tail -n 30 "$LOG_DIR/$name.log" >&2
    die "building $name failed, see $LOG_DIR/$name.log"
  fi
  log "$name: built in $((SECONDS - started)) s"
}

base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return; fi
  command -v debootstrap >/dev/null || apt_install debootstrap
  local started=$SECONDS dir
  dir="$(mktemp -d /var/tmp/boxoffice-debootstrap.XXXXXX)"
  log "$BASE_IMAGE: debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" "$DEBIAN_MIRROR" >"$LOG_DIR/debootstrap.log" 2>&1 || {
    tail -n 20 "$LOG_DIR/debootstrap.log" >&2
    rm -rf "$dir"
    die "debootstrap failed, see $LOG_DIR/debootstrap.log"
  }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$dir"
  log "$BASE_IMAGE: made in $((SECONDS - started)) s"
}

# Starts the four role builds at once (mostly downloads and unpacking, which overlap well on two cores) and
# returns when `node` is there, so the services image can build while the others finish (wait_for_roles).
role_pids=()
local_images() {
  base_image
  bash scripts/infra.sh jars
  local kafka_context="$LOG_DIR/kafka-context" node_context="$LOG_DIR/node-context"
  rm -rf "$kafka_context" "$node_context"
  cp -r infra/images/kafka "$kafka_context"
  cp infra/kafka/log4j.properties "$kafka_context/"
  cp -r "$INFRA_DIR/kafka/lib" "$kafka_context/libs"
  cp -r infra/images/node "$node_context"
  (cd "$node_context" && npm pack --silent "npm@$NPM_VERSION" >/dev/null && mv "npm-$NPM_VERSION.tgz" npm.tgz)
  build node --build-arg BASE_IMAGE="$BASE_IMAGE" -t boxoffice/node "$node_context" &
  local node_pid=$!
  local role
  for role in postgres redis; do
    build "$role" --build-arg BASE_IMAGE="$BASE_IMAGE" -t "boxoffice/$role" "infra/images/$role" &
    role_pids+=($!)
  done
  build kafka --build-arg BASE_IMAGE="$BASE_IMAGE" -t boxoffice/kafka -t boxoffice/kafka-cp:7.9.1 "$kafka_context" &
  role_pids+=($!)
  wait "$node_pid" || die "the node image did not build (see above)"
  NODE_IMAGE=boxoffice/node
}

wait_for_roles() {
  local failed=0 pid
  for pid in "${role_pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "an image did not build (see above)"
}

official_images() {
  local role
  for role in "${!OFFICIAL[@]}"; do
    docker pull -q "${OFFICIAL[$role]}" >/dev/null
    docker tag "${OFFICIAL[$role]}" "boxoffice/$role"
  done
  docker pull -q "$OFFICIAL_NODE" >/dev/null
  NODE_IMAGE="$OFFICIAL_NODE"
}

# npm inside the build must trust what the host's npm trusts (a TLS-inspecting proxy's CA, say).
build_ca() {
  local bundle="${NODE_EXTRA_CA_CERTS:-}"
  if [ -z "$bundle" ]; then bundle="$(npm config get cafile 2>/dev/null || true)"; fi
  if [ -n "$bundle" ] && [ "$bundle" != null ] && [ -f "$bundle" ]; then
    cmp -s "$bundle" .docker-build-ca.pem 2>/dev/null || cp "$bundle" .docker-build-ca.pem
  else
    rm -f .docker-build-ca.pem
  fi
}

main() {
  local started=$SECONDS
  bash scripts/docker-engine.sh
  mkdir -p "$LOG_DIR"
  docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
  local source="${BOXOFFICE_IMAGES:-auto}"
  if [ "$source" = auto ]; then
    if docker pull -q "${OFFICIAL[postgres]}" >"$LOG_DIR/pull.log" 2>&1; then
      source=official
    else
      source=local
      log "no image registry answers ($(tail -n 1 "$LOG_DIR/pull.log" | cut -c1-90)): building postgres, redis, kafka and node on a local Debian 13 base (debootstrap)"
    fi
  fi
  case "$source" in
    official) official_images ;;
    local) local_images ;;
    *) die "BOXOFFICE_IMAGES must be auto, official or local (got $source)" ;;
  esac
  build_ca
  build services --build-arg NODE_IMAGE="$NODE_IMAGE" --label boxoffice.base="$NODE_IMAGE" -t boxoffice/services .
  wait_for_roles
  [ -f .env ] || bash scripts/compose-env.sh
  log "all images ready in $((SECONDS - started)) s ($source bases)"
}

main "$@"
