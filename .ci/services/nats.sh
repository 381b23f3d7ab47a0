#!/usr/bin/env bash
# NATS for the broker tests: Debian's nats-server, daemonized on 127.0.0.1:4222 with a pid file and log under
# /var/tmp/concord-nats. Usage: nats.sh start|stop|status|restart    (NATS_PORT, NATS_HOME override the defaults)
set -euo pipefail

HOST=127.0.0.1
PORT="${NATS_PORT:-4222}"
RUN_DIR="${NATS_HOME:-/var/tmp/concord-nats}"
PID_FILE="$RUN_DIR/nats.pid"
LOG_FILE="$RUN_DIR/nats.log"

NAME=nats
# shellcheck source=lib/daemon.sh
source "$(dirname "$0")/lib/daemon.sh"

# A NATS server greets every client with an INFO line, then answers PING with PONG: checked over a raw socket so no
# client tool is needed.
ping_ok() {
  (
    exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    [[ "$line" == INFO* ]] || exit 1
    printf 'CONNECT {"verbose":false}\r\nPING\r\n' >&3
    for _ in 1 2 3 4 5; do
      IFS= read -r -t 2 line <&3 || exit 1
      [[ "$line" == PONG* ]] && exit 0
    done
    exit 1
  ) 2>/dev/null
}

install() {
  command -v nats-server >/dev/null && return
  log "installing nats-server from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nats-server >/dev/null
  # Debian's package may start its own service; the tests use ours, with our flags.
  if command -v service >/dev/null; then service nats-server stop >/dev/null 2>&1 || true; fi
}

launch() {
  # nats-server does not fork: detach it ourselves; it writes its own pid file.
  nohup nats-server -a "$HOST" -p "$PORT" -P "$PID_FILE" -l "$LOG_FILE" >/dev/null 2>&1 &
  disown || true
}

daemon_main "$@"
