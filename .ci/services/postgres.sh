#!/usr/bin/env bash
# PostgreSQL for the storage-adapters tests and benches.
#
#   bash .ci/services/postgres.sh start|stop|status
#
# Runs a dedicated cluster (its own data directory, not Debian's "main" cluster) on 127.0.0.1:${CONCORD_PG_PORT:-54320},
# so it never clashes with a PostgreSQL already on 5432. Tests read POSTGRES_URL, default
#   postgres://concord:concord@127.0.0.1:54320/concord
# Installs Debian's `postgresql` package if no server binaries are found (apt-get update first, non-interactive).
# Idempotent: `start` on a running cluster only checks it answers. Tuned for tests (fsync off): never use for real data.
set -euo pipefail

PORT="${CONCORD_PG_PORT:-54320}"
BASE="${CONCORD_PG_BASE:-/var/tmp/concord-postgres}"
DATA="$BASE/data"
SOCK="$BASE/run"
LOG="$BASE/postgres.log"
DB_USER=concord
DB_PASS=concord
DB_NAME=concord

log() { echo "[postgres] $*"; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; fi
}

install_server() {
  if [ -n "$(find_bin)" ]; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "[postgres] PostgreSQL server binaries are missing; run as root to install them with apt-get" >&2
    exit 1
  fi
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends postgresql postgresql-client
}

# Runs a command as the cluster owner: root hands it to the `postgres` system user (initdb refuses root), anyone else
# owns their own cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_ready() {
  local bin
  bin=$(find_bin)
  [ -n "$bin" ] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1
}

psql_admin() {
  as_owner "$(find_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres "$@"
}

ensure_role_and_db() {
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
    psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS'"
  fi
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
}

start() {
  install_server
  local bin
  bin=$(find_bin)
  mkdir -p "$BASE"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$BASE"; fi
  as_owner mkdir -p "$SOCK"
  if [ ! -s "$DATA/PG_VERSION" ]; then
    log "initdb in $DATA"
    as_owner "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >/dev/null
  fi
  if ! is_ready; then
    log "starting on 127.0.0.1:$PORT"
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null
  fi
  for _ in $(seq 1 60); do
    if is_ready; then break; fi
    sleep 0.5
  done
  if ! is_ready; then
    echo "[postgres] not ready after 30 s; log: $LOG" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  ensure_role_and_db
  log "ready: postgres://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
}

stop() {
  local bin
  bin=$(find_bin)
  if [ -n "$bin" ] && [ -s "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    log "stopped"
  else
    log "not running"
  fi
}

status() {
  if is_ready; then
    log "running on 127.0.0.1:$PORT"
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
