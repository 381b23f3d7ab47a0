#!/usr/bin/env bash
# espeak-ng for the speech tests (issue #20, accessibility): the local text-to-speech backend (EspeakSynthesizer) speaks
# into a voice channel and the speech tap cuts what it said. Installs Debian's `espeak-ng` package idempotently; there
# is no daemon.
# Usage: espeak.sh start|stop|status
#   ESPEAK_BIN   binary the tests use (default espeak-ng on the PATH)
set -euo pipefail

BIN="${ESPEAK_BIN:-espeak-ng}"
log() { echo "[espeak] $*"; }

installed() { "$BIN" --version 2>/dev/null | grep 'eSpeak NG' >/dev/null; }

case "${1:-start}" in
  start)
    if installed; then
      log "already installed: $("$BIN" --version | head -1)"
      exit 0
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing espeak-ng with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends espeak-ng
    installed || { log "espeak-ng not runnable as $BIN"; exit 1; }
    log "installed: $("$BIN" --version | head -1)"
    ;;
  stop)
    exit 0
    ;;
  status)
    if installed; then log "installed: $("$BIN" --version | head -1)"; else log "not installed"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
