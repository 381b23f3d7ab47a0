#!/usr/bin/env bash
# The C example client's toolchain (issue #20, engine reach): examples/c-client builds with CMake and a C11 compiler
# against Debian's Opus, libsodium and cJSON; packages/games/__tests__/cClient.test.ts builds it and runs it in a match.
# Installs what is missing with apt-get, idempotently; there is no daemon.
# Usage: cclient.sh start|stop|status
set -euo pipefail

PACKAGES=(cmake gcc pkg-config libopus-dev libsodium-dev libcjson-dev)
log() { echo "[cclient] $*"; }

installed() {
  command -v cmake >/dev/null && command -v cc >/dev/null && command -v pkg-config >/dev/null &&
    pkg-config --exists opus libsodium libcjson
}

versions() {
  echo "cmake $(cmake --version | head -1 | awk '{print $3}'), opus $(pkg-config --modversion opus)," \
    "libsodium $(pkg-config --modversion libsodium), cJSON $(pkg-config --modversion libcjson)"
}

case "${1:-start}" in
  start)
    if installed; then
      log "already installed: $(versions)"
      exit 0
    fi
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing ${PACKAGES[*]} with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
    installed || { log "toolchain still incomplete"; exit 1; }
    log "installed: $(versions)"
    ;;
  stop)
    exit 0
    ;;
  status)
    if installed; then log "installed: $(versions)"; else log "not installed"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
