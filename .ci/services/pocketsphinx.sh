#!/usr/bin/env bash
# PocketSphinx for the speech-to-text test (issue #20, accessibility): CMU's local recognizer with Debian's US English
# model (PocketsphinxTranscriber) transcribes what espeak-ng said into a voice channel. Installs Debian's
# `pocketsphinx` and `pocketsphinx-en-us` packages idempotently; there is no daemon.
# Usage: pocketsphinx.sh start|stop|status
#   POCKETSPHINX_BIN   binary the tests use (default /usr/bin/pocketsphinx_continuous)
set -euo pipefail

BIN="${POCKETSPHINX_BIN:-/usr/bin/pocketsphinx_continuous}"
MODEL=/usr/share/pocketsphinx/model/en-us/en-us
log() { echo "[pocketsphinx] $*"; }

installed() { [ -x "$BIN" ] && [ -d "$MODEL" ]; }

case "${1:-start}" in
  start)
    if installed; then
      log "already installed: $BIN, model $MODEL"
      exit 0
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing pocketsphinx and pocketsphinx-en-us with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends pocketsphinx pocketsphinx-en-us
    installed || { log "pocketsphinx_continuous or its model missing"; exit 1; }
    log "installed: $BIN, model $MODEL"
    ;;
  stop)
    exit 0
    ;;
  status)
    if installed; then log "installed: $BIN, model $MODEL"; else log "not installed"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
