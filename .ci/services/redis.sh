#!/usr/bin/env bash
# Redis for the adapter tests: Debian's redis-server, daemonized on 127.0.0.1:6379 with its own config and directory,
# no persistence. Usage: redis.sh start|stop|status    (REDIS_PORT, REDIS_HOME override the defaults)
set -euo pipefail

HOST=127.0.0.1
PORT="${REDIS_PORT:-6379}"
RUN_DIR="${REDIS_HOME:-/tmp/concord-redis}"
PID_FILE="$RUN_DIR/redis.pid"
LOG_FILE="$RUN_DIR/redis.log"

NAME=redis
# shellcheck source=lib/daemon.sh
source "$(dirname "$0")/lib/daemon.sh"

# PING over a raw socket, so status works even before redis-cli is installed.
ping_ok() {
  if command -v redis-cli >/dev/null; then
    [ "$(redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" = "PONG" ]
  else
    local reply
    reply="$( (exec 3<>"/dev/tcp/$HOST/$PORT" && printf 'PING\r\n' >&3 && timeout 2 head -c 7 <&3) 2>/dev/null || true)"
    [[ "$reply" == +PONG* ]]
  fi
}

install() {
  command -v redis-server >/dev/null && return
  log "installing redis-server from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
  # The package's own service may have started on 6379 under systemd/init; tests use ours, with our config.
  if command -v service >/dev/null; then service redis-server stop >/dev/null 2>&1 || true; fi
}

launch() {
  cat >"$RUN_DIR/redis.conf" <<CONF
bind $HOST
port $PORT
protected-mode yes
daemonize yes
pidfile $PID_FILE
logfile $LOG_FILE
dir $RUN_DIR
save ""
appendonly no
maxmemory 256mb
maxmemory-policy noeviction
CONF
  redis-server "$RUN_DIR/redis.conf"
}

daemon_main "$@"
