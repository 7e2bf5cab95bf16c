#!/usr/bin/env bash
# Real infrastructure without Docker: PostgreSQL, Redis and a single-node Apache Kafka (KRaft) broker,
# run as project-local processes. Idempotent: `up` reuses whatever is already running.
#
#   scripts/infra.sh up [--fast]   install what is missing, start, wait until ready
#   scripts/infra.sh down          stop what this script started
#   scripts/infra.sh status        one line per component
#   scripts/infra.sh reset         down, then delete all local data
#   scripts/infra.sh jars          only fetch the Kafka broker's jars (scripts/images.sh copies them into an image)
#
# --fast (or INFRA_PROFILE=test) runs PostgreSQL without fsync: for tests only, never for `npm start`.
# DATABASE_URL, REDIS_URL, KAFKA_BROKERS point at servers you already run: those are checked, never started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$ROOT/.infra}"
PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_VERSION_DIR="$INFRA_DIR/kafka/lib"
KAFKA_CLUSTER_ID="Ym94b2ZmaWNlLWthZmthMQ" # fixed: one local single-node cluster per checkout
# PostgreSQL runs as the `postgres` user, which cannot enter /root (mode 700) where a clone may live.
PG_DATA="${PG_DATA:-/var/tmp/boxoffice-pg-$PG_PORT}"
PROFILE="${INFRA_PROFILE:-default}"

log() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# shellcheck source=scripts/apt-install.sh
. "$ROOT/scripts/apt-install.sh"

pg_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$dir" ] || [ ! -x "$dir/postgres" ]; then
    apt_install postgresql >&2
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
  [ -x "$dir/postgres" ] || die "PostgreSQL server binaries not found after install"
  echo "$dir"
}

# Runs a PostgreSQL tool as the user that owns the cluster: `postgres` when we are root.
as_pg_user() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_until() { # seconds description command...
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
  log "$what ready"
}

# ---------- PostgreSQL ----------
postgres_up() {
  if [ -n "${DATABASE_URL:-}" ]; then
    command -v psql >/dev/null || apt_install postgresql-client
    psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1 || die "DATABASE_URL is set but its server does not answer: $DATABASE_URL"
    log "postgres: using DATABASE_URL (not started by this script)"
    return
  fi
  local bin
  bin="$(pg_bin_dir)"
  if as_pg_user "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
    log "postgres: already running on 127.0.0.1:$PG_PORT"
    return
  fi
  if port_open "$PG_PORT"; then
    die "port $PG_PORT is taken by something that is not PostgreSQL: set PG_PORT or DATABASE_URL"
  fi
  mkdir -p "$PG_DATA"
  is_root && chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "postgres: initdb in $PG_DATA"
    as_pg_user "$bin/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$INFRA_DIR/postgres-initdb.log" 2>&1 ||
      die "initdb failed, see $INFRA_DIR/postgres-initdb.log"
  fi
  local opts="-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB"
  if [ "$PROFILE" = test ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  log "postgres: starting on 127.0.0.1:$PG_PORT (profile $PROFILE)"
  as_pg_user "$bin/pg_ctl" -D "$PG_DATA" -o "$opts" -l "$PG_DATA/server.log" -w -t 60 start >/dev/null ||
    die "postgres did not start, see $PG_DATA/server.log"
  ln -sfn "$PG_DATA/server.log" "$INFRA_DIR/postgres.log"
  wait_until 30 "postgres" as_pg_user "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "postgres is not answering"
}

postgres_down() {
  [ -n "${DATABASE_URL:-}" ] && return
  [ -f "$PG_DATA/postmaster.pid" ] || { log "postgres: not running"; return; }
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  log "postgres: stopping"
  as_pg_user "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}

# ---------- Redis ----------
redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

redis_up() {
  if [ -n "${REDIS_URL:-}" ]; then
    command -v redis-cli >/dev/null || apt_install redis-tools
    [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = PONG ] || die "REDIS_URL is set but does not answer PING: $REDIS_URL"
    log "redis: using REDIS_URL (not started by this script)"
    return
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  if [ "$(redis_cli ping 2>/dev/null)" = PONG ]; then
    log "redis: already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis: set REDIS_PORT or REDIS_URL"
  mkdir -p "$INFRA_DIR/redis"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  # Append-only persistence: a Redis restart must not forget who is waiting in line.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$INFRA_DIR/redis" \
    --logfile "$INFRA_DIR/redis.log" --pidfile "$INFRA_DIR/redis/redis.pid" \
    --save "" --appendonly yes --appendfsync everysec --maxclients 10000 >/dev/null ||
    die "redis did not start, see $INFRA_DIR/redis.log"
  wait_until 20 "redis" bash -c "[ \"\$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping)\" = PONG ]" ||
    die "redis is not answering, see $INFRA_DIR/redis.log"
}

redis_down() {
  [ -n "${REDIS_URL:-}" ] && return
  if [ "$(redis_cli ping 2>/dev/null)" = PONG ]; then
    log "redis: stopping"
    redis_cli shutdown >/dev/null 2>&1 || true
  else
    log "redis: not running"
  fi
}

# ---------- Kafka ----------
kafka_pid() {
  local f="$INFRA_DIR/kafka/kafka.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

kafka_fetch_jars() {
  if [ -f "$KAFKA_VERSION_DIR/.complete" ]; then return; fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  log "kafka: resolving broker jars from Maven Central (infra/kafka/pom.xml), once"
  rm -rf "$KAFKA_VERSION_DIR"
  mkdir -p "$KAFKA_VERSION_DIR"
  mvn -B -q -f "$ROOT/infra/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_VERSION_DIR" >"$INFRA_DIR/kafka-mvn.log" 2>&1 ||
    die "could not resolve the Kafka jars, see $INFRA_DIR/kafka-mvn.log"
  touch "$KAFKA_VERSION_DIR/.complete"
}

kafka_up() {
  if [ -n "${KAFKA_BROKERS:-}" ] && [ "${KAFKA_BROKERS}" != "127.0.0.1:$KAFKA_PORT" ]; then
    local hostport="${KAFKA_BROKERS%%,*}"
    (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null || die "KAFKA_BROKERS is set but $hostport does not answer"
    log "kafka: using KAFKA_BROKERS (not started by this script)"
    return
  fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  if [ -n "$(kafka_pid || true)" ] && port_open "$KAFKA_PORT"; then
    log "kafka: already running on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process: stop it or set KAFKA_BROKERS"
  kafka_fetch_jars
  local dir="$INFRA_DIR/kafka"
  mkdir -p "$dir/data"
  sed -e "s#@DATA_DIR@#$dir/data#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$ROOT/infra/kafka/server.properties" >"$dir/server.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    log "kafka: formatting storage (KRaft, cluster $KAFKA_CLUSTER_ID)"
    java -Xmx256m -cp "$KAFKA_VERSION_DIR/*" kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" \
      -c "$dir/server.properties" -g >"$dir/format.log" 2>&1 || die "kafka storage format failed, see $dir/format.log"
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT"
  : >"$dir/server.log"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$ROOT/infra/kafka/log4j.properties" -Dkafka.logs.dir="$dir" \
    -cp "$KAFKA_VERSION_DIR/*" kafka.Kafka "$dir/server.properties" >>"$dir/server.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
  ln -sfn "$dir/server.log" "$INFRA_DIR/kafka.log"
  local deadline=$((SECONDS + 120))
  until grep -q 'Kafka Server started' "$dir/server.log" 2>/dev/null; do
    if ! kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
      tail -n 20 "$dir/server.log" >&2
      die "kafka exited during start-up, see $dir/server.log"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "kafka did not report 'Kafka Server started' within 120 s, see $dir/server.log"
    sleep 0.5
  done
  log "kafka ready"
}

kafka_down() {
  local pid
  pid="$(kafka_pid || true)"
  if [ -z "$pid" ]; then log "kafka: not running"; return; fi
  log "kafka: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$INFRA_DIR/kafka/kafka.pid"
}

status() {
  local pg redis kafka
  if [ -n "${DATABASE_URL:-}" ]; then pg="external ($DATABASE_URL)";
  elif port_open "$PG_PORT"; then pg="up 127.0.0.1:$PG_PORT (data $PG_DATA)"; else pg="down"; fi
  if [ -n "${REDIS_URL:-}" ]; then redis="external ($REDIS_URL)";
  elif [ "$(redis_cli ping 2>/dev/null || true)" = PONG ]; then redis="up 127.0.0.1:$REDIS_PORT"; else redis="down"; fi
  if [ -n "$(kafka_pid || true)" ] && port_open "$KAFKA_PORT"; then kafka="up 127.0.0.1:$KAFKA_PORT";
  elif port_open "$KAFKA_PORT"; then kafka="port $KAFKA_PORT answers (not started by this script)"; else kafka="down"; fi
  printf '%-9s %s\n' postgres "$pg" redis "$redis" kafka "$kafka"
  [ "${pg%% *}" != down ] && [ "${redis%% *}" != down ] && [ "${kafka%% *}" != down ]
}

cmd="${1:-status}"
shift || true
for arg in "$@"; do
  case "$arg" in
    --fast) PROFILE=test ;;
    *) die "unknown option $arg" ;;
  esac
done
mkdir -p "$INFRA_DIR"

case "$cmd" in
  up)
    start=$SECONDS
    postgres_up
    redis_up
    kafka_up
    log "all up in $((SECONDS - start)) s"
    ;;
  down)
    kafka_down
    redis_down
    postgres_down
    ;;
  status) status ;;
  reset)
    kafka_down
    redis_down
    postgres_down
    log "deleting $INFRA_DIR/kafka/data, $INFRA_DIR/redis and $PG_DATA"
    rm -rf "$INFRA_DIR/kafka/data" "$INFRA_DIR/redis" "$PG_DATA"
    ;;
  jars) kafka_fetch_jars ;;
  *) die "usage: scripts/infra.sh up [--fast] | down | status | reset | jars" ;;
esac
