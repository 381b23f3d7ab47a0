# Sourced by the scripts of small loopback daemons (redis.sh, nats.sh). The script sets NAME, HOST, PORT, RUN_DIR,
# PID_FILE and LOG_FILE, defines ping_ok (does the server answer?), install (put the binary there) and launch (start
# it in the background, writing PID_FILE), then calls `daemon_main "$@"`. Lives in lib/ so .ci/run does not run it.

log() { echo "[$NAME] $*"; }

daemon_start() {
  if ping_ok; then log "already answering on $HOST:$PORT"; return 0; fi
  install
  mkdir -p "$RUN_DIR"
  launch
  local t0=$SECONDS
  until ping_ok; do
    if [ $((SECONDS - t0)) -ge 30 ]; then
      echo "[$NAME] no answer on $HOST:$PORT after 30s; log tail:" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "ready on $HOST:$PORT after $((SECONDS - t0))s (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
}

daemon_stop() {
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    local pid
    pid="$(cat "$PID_FILE")"
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$PID_FILE"
    log "stopped"
  elif ping_ok; then
    log "a server answers on $HOST:$PORT but was not started by this script; leaving it alone"
  else
    log "not running"
  fi
}

daemon_status() {
  if ping_ok; then log "running on $HOST:$PORT"; return 0; fi
  log "not running"
  return 3
}

daemon_main() {
  case "${1:-}" in
    start) daemon_start ;;
    stop) daemon_stop ;;
    status) daemon_status ;;
    restart) daemon_stop; daemon_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
  esac
}
