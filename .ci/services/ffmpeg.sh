#!/usr/bin/env bash
# ffmpeg for the native video tests (issue #18): a real VP8 encoder (libvpx) makes the simulcast test pattern and a real
# decoder checks what the receivers got. Installs Debian's `ffmpeg` package idempotently; there is no daemon.
# Usage: ffmpeg.sh start|stop|status
#   FFMPEG_BIN   path the tests use (default /usr/bin/ffmpeg)
set -euo pipefail

BIN="${FFMPEG_BIN:-/usr/bin/ffmpeg}"
log() { echo "[ffmpeg] $*"; }

installed() { [ -x "$BIN" ] && "$BIN" -hide_banner -encoders 2>/dev/null | grep libvpx >/dev/null; }

case "${1:-start}" in
  start)
    if installed; then
      log "already installed: $("$BIN" -version | head -1)"
      exit 0
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing ffmpeg with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ffmpeg
    installed || { log "ffmpeg with libvpx not runnable at $BIN"; exit 1; }
    log "installed: $("$BIN" -version | head -1)"
    ;;
  stop)
    exit 0
    ;;
  status)
    if installed; then log "installed: $("$BIN" -version | head -1)"; else log "not installed"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
