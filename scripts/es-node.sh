#!/usr/bin/env bash
# A real single Elasticsearch node for dac's own tests (test infrastructure only: dac never needs Java).
# Built from Maven Central artifacts by test-infra/es-node (Maven), run on 127.0.0.1 with a fresh temporary home.
#
#   scripts/es-node.sh start [HTTP_PORT [TRANSPORT_PORT]]   build if needed, start, wait until yellow
#   scripts/es-node.sh stop [HTTP_PORT]                     SIGTERM by pid, wait, SIGKILL after a bound
#   scripts/es-node.sh status [HTTP_PORT]                   exit 0 when the node runs and answers
#   scripts/es-node.sh build                                resolve and compile only
#
# Defaults: HTTP_PORT 9200, TRANSPORT_PORT = HTTP_PORT + 100. Java 21+ (JAVA_HOME, else /usr/lib/jvm/*) runs
# Elasticsearch 9.5.x; otherwise Java 17 runs 8.19.x. Environment: ES_NODE_VERSION (9 or 8, to force a line),
# ES_NODE_HEAP (default 512m), ES_NODE_START_TIMEOUT (seconds, default 120), ES_NODE_STATE_DIR (default
# ${TMPDIR:-/tmp}/dac-es-node-HTTP_PORT: pid, log and the node's home).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/test-infra/es-node"
es9_version=9.5.3
es8_version=8.19.21

die() { printf 'es-node: %s\n' "$*" >&2; exit 1; }
say() { printf 'es-node: %s\n' "$*" >&2; }

java_major() { # $1 = java binary → its feature version (17, 21, 25, ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}

# Sets java_home, es_line (9 or 8), es_version, profile.
choose_java() {
  local candidates=() c major
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*; do [[ -x "$c/bin/java" ]] && candidates+=("$c"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local best="" best_major=0
  for c in "${candidates[@]}"; do
    [[ -x "$c/bin/java" && -x "$c/bin/javac" ]] || continue
    major="$(java_major "$c/bin/java")"
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [[ "${ES_NODE_VERSION:-}" == 8 ]]; then
      # 8.19 runs on 17+; prefer exactly 17, the line it was released for.
      if (( major == 17 )) || { (( major >= 17 )) && [[ -z "$best" ]]; }; then best="$c"; best_major="$major"; fi
    elif (( major > best_major )); then
      best="$c"; best_major="$major"
    fi
  done
  [[ -n "$best" ]] || die "no JDK 17+ found (set JAVA_HOME, or install openjdk-17-jdk-headless)"
  java_home="$best"
  if [[ "${ES_NODE_VERSION:-}" == 8 ]] || (( best_major < 21 )); then
    (( best_major >= 17 )) || die "JDK $best_major at $best is too old: Elasticsearch 8.19 needs Java 17+"
    es_line=8; es_version="$es8_version"; profile=es8
  else
    es_line=9; es_version="$es9_version"; profile=es9
  fi
  java_major_chosen="$best_major"
}

build() {
  choose_java
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to build test-infra/es-node (apt-get install maven)"
  target="$module/target/$es_version"
  local jar="$target/es-node-0.0.0.jar" cp="$target/classpath.txt"
  # Rebuild only when the pom or a source is newer than the jar.
  if [[ -f "$jar" && -f "$cp" ]] && [[ -z "$(find "$module/pom.xml" "$module/src" -newer "$jar" -print -quit)" ]]; then
    return
  fi
  say "building Elasticsearch $es_version launcher with Java $java_major_chosen (Maven Central; first time ~20 s)"
  mkdir -p "$module/target"
  if ! JAVA_HOME="$java_home" mvn -q -B -f "$module/pom.xml" -P "$profile" package >"$module/target/build.log" 2>&1; then
    tail -n 40 "$module/target/build.log" >&2
    die "Maven build of test-infra/es-node failed (log: $module/target/build.log)"
  fi
}

probe() { # $1 = URL → exit 0 when it answers 2xx within 2 s
  curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null
}

ports() {
  http_port="${1:-9200}"
  transport_port="${2:-$((http_port + 100))}"
  [[ "$http_port" =~ ^[0-9]+$ && "$transport_port" =~ ^[0-9]+$ ]] || die "ports must be numbers"
  state="${ES_NODE_STATE_DIR:-${TMPDIR:-/tmp}/dac-es-node-$http_port}"
  url="http://127.0.0.1:$http_port"
}

running_pid() { # prints the pid when the pid file names a live DacEsNode of this state dir
  local pid
  [[ -f "$state/pid" ]] || return 1
  pid="$(cat "$state/pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Guard against a recycled pid: the process must be our node with our home.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "DacEsNode $state/home " || return 1
  echo "$pid"
}

start() {
  ports "$@"
  if running_pid >/dev/null; then die "a node already runs for port $http_port (pid $(running_pid)); stop it first"; fi
  if probe "$url/"; then die "port $http_port on 127.0.0.1 already answers; choose another port"; fi
  build
  mkdir -p "$state"
  rm -rf "$state/home"
  mkdir -p "$state/home" "$state/native"
  local jvm_flags=(-Xms"${ES_NODE_HEAP:-512m}" -Xmx"${ES_NODE_HEAP:-512m}" -XX:+UseSerialGC
    -Des.nativelibs.path="$state/native" -Djava.io.tmpdir="$state/home" -Dlog4j2.disable.jmx=true)
  (( java_major_chosen >= 21 )) && jvm_flags+=(--enable-native-access=ALL-UNNAMED)
  (( java_major_chosen >= 24 )) && jvm_flags+=(--sun-misc-unsafe-memory-access=allow) # Netty uses Unsafe
  local began=$SECONDS began_ns
  began_ns=$(date +%s%N)
  # setsid: the node outlives this script and is not hit by the caller's Ctrl-C; stop it with `stop`.
  setsid "$java_home/bin/java" "${jvm_flags[@]}" \
    -cp "$target/es-node-0.0.0.jar:$(cat "$target/classpath.txt")" \
    org.elasticsearch.node.DacEsNode "$state/home" "$http_port" "$transport_port" \
    >"$state/node.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$state/pid"
  local timeout="${ES_NODE_START_TIMEOUT:-120}"
  until probe "$url/_cluster/health?wait_for_status=yellow&timeout=1s"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$state/pid"
      say "the node exited during start; last lines of $state/node.log:"
      tail -n 40 "$state/node.log" >&2
      exit 1
    fi
    if (( SECONDS - began >= timeout )); then
      say "the node did not answer within ${timeout}s; last lines of $state/node.log:"
      tail -n 40 "$state/node.log" >&2
      stop_pid "$pid"
      exit 1
    fi
    sleep 0.25
  done
  local ms=$(( ($(date +%s%N) - began_ns) / 1000000 ))
  say "Elasticsearch $es_version (Java $java_major_chosen) at $url, pid $pid, started in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
  echo "$url"
}

stop_pid() { # SIGTERM, wait up to 30 s, then SIGKILL
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= 120 )); then
      say "pid $pid did not stop within 30 s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.25; waited=$((waited + 1))
  done
}

stop() {
  ports "$@"
  local pid
  if pid="$(running_pid)"; then
    stop_pid "$pid"
    say "stopped the node on port $http_port (pid $pid)"
  else
    say "no node runs for port $http_port"
  fi
  rm -f "$state/pid"
  rm -rf "$state/home" "$state/native"
}

status() {
  ports "$@"
  local pid
  pid="$(running_pid)" || { say "no node runs for port $http_port"; exit 1; }
  probe "$url/_cluster/health" || { say "pid $pid runs but $url does not answer"; exit 1; }
  say "running: pid $pid at $url"
  echo "$url"
}

command="${1:-}"
shift || true
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  status) status "$@" ;;
  build) build; say "built Elasticsearch $es_version launcher in $target" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
