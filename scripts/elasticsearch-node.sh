#!/usr/bin/env bash
# Start/stop a real single-node Elasticsearch 9 (in-process from the Maven Central jars, see
# tools/elasticsearch-node) for the search tests.
#
#   scripts/elasticsearch-node.sh start    build if needed, start in the background, wait until healthy, print the URL
#   scripts/elasticsearch-node.sh stop     stop the node started by this script
#   scripts/elasticsearch-node.sh status   print the URL and exit 0 if the node answers, exit 1 otherwise
#
# Environment: ELASTICSEARCH_PORT (default 19500), ELASTICSEARCH_TRANSPORT_PORT (default port+1000),
# ELASTICSEARCH_WORKDIR (default $TMPDIR/market-elasticsearch-$PORT), ELASTICSEARCH_HEAP (default 512m),
# ELASTICSEARCH_START_TIMEOUT seconds (default 240), ELASTICSEARCH_JAVA_HOME (a JDK 21+; default: JAVA_HOME if it is
# 21+, else the first JDK 21+ under /usr/lib/jvm). Needs Maven 3; the first start downloads the jars into ~/.m2.
#
# What differs from a distribution: no modules but transport-netty4; the `whitespace` tokenizer, `pattern_replace`
# char filter and `cjk` analyzer of analysis-common come from a small shim (AnalysisShimPlugin.java); there is no
# percolator (not published to Maven Central for 9.x). See README, "Search engines".
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$HERE/tools/elasticsearch-node"
JAR="$PROJECT/target/elasticsearch-node-1.0.0.jar"
PORT="${ELASTICSEARCH_PORT:-19500}"
TRANSPORT_PORT="${ELASTICSEARCH_TRANSPORT_PORT:-$((PORT + 1000))}"
WORKDIR="${ELASTICSEARCH_WORKDIR:-${TMPDIR:-/tmp}/market-elasticsearch-$PORT}"
HEAP="${ELASTICSEARCH_HEAP:-512m}"
TIMEOUT="${ELASTICSEARCH_START_TIMEOUT:-240}"
URL="http://127.0.0.1:$PORT"
PIDFILE="$WORKDIR/node.pid"
LOG="$WORKDIR/node.log"

healthy() {
    curl -fsS --max-time 2 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

running_pid() {
    if [[ -f "$PIDFILE" ]]; then
        local pid
        pid="$(cat "$PIDFILE")"
        if kill -0 "$pid" 2>/dev/null; then
            echo "$pid"
            return 0
        fi
    fi
    return 1
}

java_major() {  # feature version of the JDK at $1, or nothing
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

find_jdk() {  # a JDK (java + javac) of version 21 or later
    local candidate major
    for candidate in "${ELASTICSEARCH_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [[ -n "$candidate" && -x "$candidate/bin/java" && -x "$candidate/bin/javac" ]] || continue
        major="$(java_major "$candidate")"
        if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 21 )); then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

JDK="$(find_jdk || true)"

build() {
    [[ -n "$JDK" ]] || { echo "no JDK 21+ found (set ELASTICSEARCH_JAVA_HOME); Elasticsearch 9 needs Java 21" >&2; exit 3; }
    command -v mvn >/dev/null || { echo "mvn not found (need Maven 3)" >&2; exit 3; }
    if [[ ! -f "$JAR" || ! -d "$PROJECT/target/lib" || "$PROJECT/pom.xml" -nt "$JAR" \
          || -n "$(find "$PROJECT/src" -newer "$JAR" -print -quit)" ]]; then
        echo "building $PROJECT with $JDK (first run downloads from Maven Central)..." >&2
        (cd "$PROJECT" && JAVA_HOME="$JDK" mvn -q -B package -DskipTests) >&2
    fi
}

start() {
    if running_pid >/dev/null && healthy; then
        echo "$URL"
        return 0
    fi
    if healthy; then
        echo "port $PORT already answers but was not started from $WORKDIR; refusing to start" >&2
        exit 1
    fi
    build
    mkdir -p "$WORKDIR"
    rm -rf "$WORKDIR/node"
    local started=$SECONDS
    nohup "$JDK/bin/java" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dlog4j2.disable.jmx=true --enable-native-access=ALL-UNNAMED \
        -cp "$JAR:$PROJECT/target/lib/*" \
        market.tools.ElasticsearchNode "$PORT" "$WORKDIR/node" "$TRANSPORT_PORT" >"$LOG" 2>&1 < /dev/null &
    echo $! >"$PIDFILE"
    until healthy; do
        if ! running_pid >/dev/null; then
            echo "Elasticsearch node exited; last log lines:" >&2
            tail -n 40 "$LOG" >&2
            exit 1
        fi
        if (( SECONDS - started > TIMEOUT )); then
            echo "Elasticsearch node not healthy after ${TIMEOUT}s; see $LOG" >&2
            stop >/dev/null
            exit 1
        fi
        sleep 1
    done
    # Every index refreshes each 100 ms instead of each second: the tests write with refresh=wait_for, which waits
    # for the next refresh (this cuts the Elasticsearch half of the suite from ~150 s to ~55 s).
    if ! curl -fsS --max-time 10 -X PUT "$URL/_index_template/market-test-node" -H 'content-type: application/json' \
            -d '{"index_patterns": ["*"], "priority": 0, "template": {"settings": {"index.refresh_interval": "100ms"}}}' \
            >/dev/null; then
        echo "could not install the test index template; see $LOG" >&2
        stop >/dev/null
        exit 1
    fi
    echo "Elasticsearch healthy after $((SECONDS - started))s (pid $(cat "$PIDFILE"), log $LOG)" >&2
    echo "$URL"
}

stop() {
    local pid
    if pid="$(running_pid)"; then
        kill "$pid"
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "stopped $pid"
    else
        echo "not running"
    fi
    rm -f "$PIDFILE"
    rm -rf "$WORKDIR/node"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if healthy; then echo "$URL"; else echo "not running" >&2; exit 1; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
