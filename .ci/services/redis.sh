#!/usr/bin/env bash
# Redis for the adapter tests: Debian's redis-server, daemonized on 127.0.0.1:6379 with its own config and directory,
# no persistence. Usage: redis.sh start|stop|status    (REDIS_PORT, REDIS_HOME override the defaults)
set -euo pipefail

HOST=127.0.0.1
PORT="${REDIS_PORT:-6379}"
RUN_DIR="${REDIS_HOME:-/tmp/concord-redis}"
PID_FILE="$RUN_DIR/redis.pid"
LOG_FILE="$RUN_DIR/redis.log"

log() { echo "[redis] $*"; }

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

start() {
  if ping_ok; then log "already answering on $HOST:$PORT"; return 0; fi
  install
  mkdir -p "$RUN_DIR"
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
  local t0=$SECONDS
  until ping_ok; do
    if [ $((SECONDS - t0)) -ge 30 ]; then
      echo "[redis] no PONG on $HOST:$PORT after 30s; log tail:" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "ready on $HOST:$PORT after $((SECONDS - t0))s (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
}

stop() {
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    local pid
    pid="$(cat "$PID_FILE")"
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$PID_FILE"
    log "stopped"
  elif ping_ok; then
    log "a Redis answers on $HOST:$PORT but was not started by this script; leaving it alone"
  else
    log "not running"
  fi
}

status() {
  if ping_ok; then log "running on $HOST:$PORT"; return 0; fi
  log "not running"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
