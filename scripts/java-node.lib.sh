# Shared by scripts/opensearch-node.sh and scripts/elasticsearch-node.sh (sourced, not run): build a tiny Maven
# project once, start its node in the background on a loopback port, wait until healthy, stop it.
#
# The sourcing script sets NAME, PROJECT, JAR, MAIN_CLASS, PORT, TRANSPORT_PORT, WORKDIR, HEAP, TIMEOUT, JAVA_BIN
# (the java to run), optionally BUILD_JAVA_HOME (JAVA_HOME for the Maven build) and the array JVM_EXTRA, defines
# check_java (exit 3 with a message when the right Java is missing) and, optionally, after_start (runs once the node
# is healthy; a failure stops the node), then calls `node_main "$@"`.

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
    check_java
    command -v mvn >/dev/null || { echo "mvn not found (need Maven 3)" >&2; exit 3; }
    if [[ ! -f "$JAR" || ! -d "$PROJECT/target/lib" || "$PROJECT/pom.xml" -nt "$JAR" \
          || -n "$(find "$PROJECT/src" -newer "$JAR" -print -quit)" ]]; then
        echo "building $PROJECT (first run downloads from Maven Central)..." >&2
        (cd "$PROJECT" && JAVA_HOME="${BUILD_JAVA_HOME:-${JAVA_HOME:-}}" mvn -q -B package -DskipTests) >&2
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
    nohup "$JAVA_BIN" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
        -Dlog4j2.disable.jmx=true "${JVM_EXTRA[@]}" \
        -cp "$JAR:$PROJECT/target/lib/*" \
        "$MAIN_CLASS" "$PORT" "$WORKDIR/node" "$TRANSPORT_PORT" >"$LOG" 2>&1 < /dev/null &
    echo $! >"$PIDFILE"
    until healthy; do
        if ! running_pid >/dev/null; then
            echo "$NAME node exited; last log lines:" >&2
            tail -n 40 "$LOG" >&2
            exit 1
        fi
        if (( SECONDS - started > TIMEOUT )); then
            echo "$NAME node not healthy after ${TIMEOUT}s; see $LOG" >&2
            stop >/dev/null
            exit 1
        fi
        sleep 1
    done
    if declare -F after_start >/dev/null && ! after_start; then
        stop >/dev/null
        exit 1
    fi
    echo "$NAME healthy after $((SECONDS - started))s (pid $(cat "$PIDFILE"), log $LOG)" >&2
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

node_main() {
    case "${1:-}" in
        start) start ;;
        stop) stop ;;
        status)
            if healthy; then echo "$URL"; else echo "not running" >&2; exit 1; fi ;;
        *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
    esac
}
