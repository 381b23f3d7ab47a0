#!/usr/bin/env bash
# Headless Chromium for the gateway-client browser test (driven by playwright-core, which downloads no browser).
# Installs Debian's `chromium` package idempotently; there is no daemon to run. Usage: chromium.sh start|stop|status
#   CHROMIUM_BIN   path the tests use (default /usr/bin/chromium)
set -euo pipefail

BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
log() { echo "[chromium] $*"; }

installed() { [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; }

case "${1:-start}" in
  start)
    if installed; then
      log "already installed: $("$BIN" --version)"
      exit 0
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing chromium with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation
    installed || { log "chromium not runnable at $BIN"; exit 1; }
    log "installed: $("$BIN" --version)"
    ;;
  stop)
    # Nothing runs in the background: each test launches and closes its own browser.
    exit 0
    ;;
  status)
    if installed; then log "installed: $("$BIN" --version)"; else log "not installed"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
