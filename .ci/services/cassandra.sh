#!/usr/bin/env bash
# A real Apache Cassandra 5.0 for the storage-adapter tests: jars from Maven Central (no Docker, no Apache mirrors),
# Java 17, loopback only, native protocol on 127.0.0.1:9042. Usage: cassandra.sh start|stop|status
#   CASSANDRA_VERSION   cassandra-all version (default below; 5.0.x is the line that runs on Java 17)
#   CASSANDRA_HOME      run directory: yaml, data, log, pid (default /tmp/concord-cassandra)
#   CASSANDRA_CACHE     where the jars are kept between runs (default ~/.cache/concord, or $XDG_CACHE_HOME/concord)
#   CASSANDRA_START_TIMEOUT  seconds to wait for CQL (default 150)
set -euo pipefail

VERSION="${CASSANDRA_VERSION:-5.0.9}"
HOST=127.0.0.1
PORT="${CASSANDRA_PORT:-9042}"
RUN_DIR="${CASSANDRA_HOME:-/tmp/concord-cassandra}"
CACHE_DIR="${CASSANDRA_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/concord}/cassandra-$VERSION"
LIB_DIR="$CACHE_DIR/lib"
PID_FILE="$RUN_DIR/cassandra.pid"
LOG_FILE="$RUN_DIR/cassandra.log"
TIMEOUT="${CASSANDRA_START_TIMEOUT:-150}"

log() { echo "[cassandra] $*"; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# A CQL handshake, not just an open socket: the port opens a moment before the server answers queries. Uses
# cassandra-driver from the repo when it is installed, else falls back to the TCP check.
cql_ready() {
  local repo
  repo="$(cd "$(dirname "$0")/../.." && pwd)"
  if [ -d "$repo/node_modules/cassandra-driver" ] && command -v node >/dev/null; then
    (cd "$repo" && timeout 20 node -e '
      const { Client } = require("cassandra-driver");
      const c = new Client({ contactPoints: [process.argv[1]], localDataCenter: "datacenter1", protocolOptions: { port: +process.argv[2] }, socketOptions: { connectTimeout: 3000 } });
      c.connect().then(() => c.execute("SELECT release_version FROM system.local")).then((r) => { console.log(r.rows[0].release_version); return c.shutdown(); }).then(() => process.exit(0), () => process.exit(1));
    ' "$HOST" "$PORT") >/dev/null 2>&1
  else
    port_open
  fi
}

install_prereqs() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  if [ "${major:-0}" -lt 17 ]; then
    echo "[cassandra] Java 17+ required (found ${major:-none}); Cassandra 5.0 runs on Java 17" >&2
    exit 1
  fi
}

fetch_jars() {
  if [ -f "$LIB_DIR/.complete" ]; then return; fi
  log "downloading cassandra-all $VERSION and its dependencies from Maven Central (first run only)"
  local work
  work="$(mktemp -d)"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.concord.ci</groupId>
  <artifactId>cassandra-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  rm -rf "$LIB_DIR.tmp"
  mkdir -p "$LIB_DIR.tmp"
  (cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB_DIR.tmp")
  rm -rf "$work" "$LIB_DIR"
  mv "$LIB_DIR.tmp" "$LIB_DIR"
  touch "$LIB_DIR/.complete"
  log "$(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $LIB_DIR"
}

write_yaml() {
  mkdir -p "$RUN_DIR/data"
  # Only keys the 5.0 loader knows (it rejects unknown ones). Tuned for a small 2-core CI box: few threads, small caches,
  # no compaction throttling surprises, nothing listening beyond loopback.
  cat >"$RUN_DIR/cassandra.yaml" <<YAML
cluster_name: concord-test
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
listen_address: $HOST
rpc_address: $HOST
start_native_transport: true
native_transport_port: $PORT
storage_port: ${CASSANDRA_STORAGE_PORT:-7000}
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$HOST"
data_file_directories:
  - $RUN_DIR/data/data
commitlog_directory: $RUN_DIR/data/commitlog
hints_directory: $RUN_DIR/data/hints
saved_caches_directory: $RUN_DIR/data/saved_caches
cdc_raw_directory: $RUN_DIR/data/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
concurrent_reads: 4
concurrent_writes: 4
concurrent_counter_writes: 2
concurrent_materialized_view_writes: 2
concurrent_compactors: 1
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
key_cache_size: 8MiB
counter_cache_size: 0MiB
auto_snapshot: false
# Paxos v2: fewer round trips for the IF NOT EXISTS / IF deleted = false lightweight transactions.
paxos_variant: v2
snapshot_before_compaction: false
hinted_handoff_enabled: false
dynamic_snitch: false
materialized_views_enabled: false
sasi_indexes_enabled: false
read_request_timeout: 10000ms
write_request_timeout: 10000ms
range_request_timeout: 20000ms
request_timeout: 20000ms
YAML
}

write_logback() {
  # Without a config logback logs at DEBUG: megabytes per test run and CPU the 2 cores need. INFO to stdout (the log file).
  cat >"$RUN_DIR/logback.xml" <<'XML'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
XML
}

jvm_flags() {
  local jamm
  jamm="$(find "$LIB_DIR" -name 'jamm-*.jar' | head -1)"
  local flags=(
    -Xms256m -Xmx512m -Xss512k
    -XX:+UseG1GC -XX:MaxGCPauseMillis=300 -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2
    -XX:TieredStopAtLevel=1 -XX:+UseStringDeduplication -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError
    -Djava.net.preferIPv4Stack=true
    -Djdk.attach.allowAttachSelf=true
    -Dio.netty.tryReflectionSetAccessible=true
    --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports=java.sql/java.sql=ALL-UNNAMED
    --add-exports=java.base/java.lang.ref=ALL-UNNAMED
    --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-opens=java.base/java.lang.module=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
    -Dcassandra-foreground=yes
    -Dcassandra.storagedir="$RUN_DIR/data"
    -Dcassandra.config="file://$RUN_DIR/cassandra.yaml"
    -Dcassandra.native_transport_port="$PORT"
    -Dcassandra.jmx.local.port="${CASSANDRA_JMX_PORT:-7199}"
    -Dcassandra.unsafesystem=true
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=100
    -Dcassandra.initial_token=0
    -Dcassandra.superuser_setup_delay_ms=0
    -Dcassandra.logdir="$RUN_DIR"
    -Dlogback.configurationFile="$RUN_DIR/logback.xml"
  )
  [ -n "$jamm" ] && flags+=("-javaagent:$jamm")
  printf '%s\n' "${flags[@]}"
}

start() {
  if pid="$(running_pid)"; then
    if cql_ready; then log "already running (pid $pid) on $HOST:$PORT"; return 0; fi
    log "pid $pid exists but CQL does not answer yet; waiting"
  else
    if port_open; then
      log "something already listens on $HOST:$PORT (not started by this script); assuming it is Cassandra"
      cql_ready && return 0
      echo "[cassandra] $HOST:$PORT is taken by something that does not speak CQL" >&2
      exit 1
    fi
    install_prereqs
    fetch_jars
    write_yaml
    write_logback
    local flags=()
    mapfile -t flags < <(jvm_flags)
    : >"$LOG_FILE"
    # setsid: its own process group, so stop can kill the whole JVM and nothing ties it to this shell.
    setsid nohup java "${flags[@]}" -cp "$LIB_DIR/*" org.apache.cassandra.service.CassandraDaemon \
      >>"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    log "started pid $(cat "$PID_FILE"), log $LOG_FILE"
  fi
  local t0=$SECONDS
  while true; do
    if ! running_pid >/dev/null; then
      echo "[cassandra] the JVM exited during startup; last lines of $LOG_FILE:" >&2
      tail -n 60 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if port_open && cql_ready; then break; fi
    if [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
      echo "[cassandra] no CQL answer on $HOST:$PORT after ${TIMEOUT}s; last lines of $LOG_FILE:" >&2
      tail -n 60 "$LOG_FILE" >&2 || true
      stop >&2 || true
      exit 1
    fi
    sleep 1
  done
  local rss
  rss="$(ps -o rss= -p "$(cat "$PID_FILE")" 2>/dev/null | tr -d ' ')"
  log "ready on $HOST:$PORT after $((SECONDS - t0))s (RSS $(( ${rss:-0} / 1024 )) MiB)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  # SIGTERM runs Cassandra's shutdown hook (drains, flushes the commit log); escalate if it hangs.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 30s; SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    local rss
    rss="$(ps -o rss= -p "$pid" | tr -d ' ')"
    if cql_ready; then
      log "running (pid $pid, RSS $(( ${rss:-0} / 1024 )) MiB), CQL answers on $HOST:$PORT"
      return 0
    fi
    log "running (pid $pid) but CQL does not answer on $HOST:$PORT"
    return 1
  fi
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
