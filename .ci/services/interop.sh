#!/usr/bin/env bash
# Toolchain pieces for the interop suite (interop/: discord.py, JDA, serenity run unmodified against the chat server).
# Not a daemon: `start` installs and builds whatever is missing or stale, idempotently, into a cache OUTSIDE the repo,
# so a fresh clone (CI) reuses it and the tree stays clean:
#   $INTEROP_CACHE/venv               Python venv with interop/discord.py/requirements.txt (PyPI)
#   $INTEROP_CACHE/venv-zstd          the same plus `zstandard` (discord.py then asks for zstd-stream)
#   $INTEROP_CACHE/m2                 Maven local repository (Maven Central), for interop/jda
#   $INTEROP_CACHE/jda-target         interop/jda build directory (classes + runtime dependency jars)
#   $INTEROP_CACHE/serenity-target    CARGO_TARGET_DIR of interop/serenity (crates.io)
#   $INTEROP_CACHE/twilight-target    CARGO_TARGET_DIR of interop/twilight (crates.io; one binary per compression)
# Eris and erlpack are npm devDependencies of interop/ (installed by npm ci). The harness (interop/harness/toolchain.ts)
# looks in the same place; INTEROP_CACHE overrides both. Usage: interop.sh start|status|stop
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${INTEROP_CACHE:-$HOME/.cache/concord-interop}"
mkdir -p "$CACHE"
log() { echo "[interop] $*"; }
timed() {
  local what=$1 t0
  shift
  t0=$(date +%s)
  "$@"
  log "$what: $(($(date +%s) - t0)) s"
}
# A stamp of the inputs of a build: rebuild only when they changed.
inputs_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }
missing() {
  log "MISSING: $*"
  # Locally the suite skips that library with a message; under CI it must not silently pass.
  if [ "${CI:-}" = "true" ]; then exit 1; fi
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f "$CACHE/.apt-updated" ]; then apt-get update -qq && touch "$CACHE/.apt-updated"; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python_env() {
  # discord.py voice needs libopus (Debian's libopus0); PyNaCl ships its own libsodium in its wheel.
  if ! ldconfig -p | grep -q 'libopus\.so\.0'; then timed "apt libopus0" apt_install libopus0; fi
  local py
  py="$(command -v python3.11 || command -v python3 || true)"
  [ -n "$py" ] || { missing "python3 (discord.py)"; return 0; }
  make_venv "$py" venv requirements.txt
  make_venv "$py" venv-zstd requirements-zstd.txt
}

# make_venv PYTHON NAME REQUIREMENTS: $CACHE/NAME with interop/discord.py/REQUIREMENTS, reinstalled when they change.
make_venv() {
  local py=$1 name=$2 dir="$ROOT/interop/discord.py"
  local stamp="$CACHE/$name/.concord-requirements" want
  want="$(inputs_hash "$dir/requirements.txt" "$dir/$3")"
  if [ -x "$CACHE/$name/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "discord.py $name up to date"
    return 0
  fi
  [ -x "$CACHE/$name/bin/python" ] || timed "python $name" "$py" -m venv "$CACHE/$name"
  timed "pip install ($name)" "$CACHE/$name/bin/pip" install -q --disable-pip-version-check -r "$dir/$3"
  echo "$want" >"$stamp"
}

jda_build() {
  if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
    timed "apt maven + JDK 17" apt_install maven openjdk-17-jdk-headless || true
  fi
  command -v mvn >/dev/null || { missing "mvn (JDA)"; return 0; }
  local dir="$ROOT/interop/jda" stamp="$CACHE/jda-target/.concord-inputs"
  local want
  want="$(inputs_hash "$dir/pom.xml" $(find "$dir/src" -type f | sort))"
  if [ -f "$CACHE/jda-target/classes/concord/interop/JdaBot.class" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "JDA bot up to date"
    return 0
  fi
  timed "maven build (JDA)" mvn -B -q -Dstyle.color=never -f "$dir/pom.xml" -Dmaven.repo.local="$CACHE/m2" -Dinterop.cache="$CACHE" compile
  echo "$want" >"$stamp"
}

serenity_build() {
  command -v cargo >/dev/null || { missing "cargo (serenity; rustup's toolchain, Debian's is too old)"; return 0; }
  # cargo's own fingerprints make this a no-op (< 1 s) when nothing changed.
  timed "cargo build (serenity)" env CARGO_TARGET_DIR="$CACHE/serenity-target" \
    cargo build --locked --quiet --manifest-path "$ROOT/interop/serenity/Cargo.toml"
}

twilight_build() {
  command -v cargo >/dev/null || { missing "cargo (twilight)"; return 0; }
  # One package per compression, built one at a time so cargo does not unify twilight-gateway's zstd/zlib features.
  local v
  for v in zstd zlib; do
    timed "cargo build (twilight $v)" env CARGO_TARGET_DIR="$CACHE/twilight-target" \
      cargo build --locked --quiet --manifest-path "$ROOT/interop/twilight/Cargo.toml" -p "concord-interop-twilight-$v"
  done
}

case "${1:-start}" in
start)
  t0=$(date +%s)
  python_env
  jda_build
  serenity_build
  twilight_build
  log "ready in $(($(date +%s) - t0)) s (cache: $CACHE)"
  ;;
status)
  for f in venv/bin/python venv-zstd/bin/python jda-target/classes/concord/interop/JdaBot.class serenity-target/debug/concord-interop-serenity \
    twilight-target/debug/concord-interop-twilight-zstd twilight-target/debug/concord-interop-twilight-zlib; do
    if [ -e "$CACHE/$f" ]; then log "ok      $f"; else log "missing $f"; fi
  done
  ;;
stop) ;;
*)
  echo "usage: $0 start|status|stop" >&2
  exit 2
  ;;
esac
