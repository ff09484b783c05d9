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
NAME=Elasticsearch
PROJECT="$HERE/tools/elasticsearch-node"
JAR="$PROJECT/target/elasticsearch-node-1.0.0.jar"
MAIN_CLASS=market.tools.ElasticsearchNode
PORT="${ELASTICSEARCH_PORT:-19500}"
TRANSPORT_PORT="${ELASTICSEARCH_TRANSPORT_PORT:-$((PORT + 1000))}"
WORKDIR="${ELASTICSEARCH_WORKDIR:-${TMPDIR:-/tmp}/market-elasticsearch-$PORT}"
HEAP="${ELASTICSEARCH_HEAP:-512m}"
TIMEOUT="${ELASTICSEARCH_START_TIMEOUT:-240}"

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

BUILD_JAVA_HOME="$JDK"
JAVA_BIN="$JDK/bin/java"
JVM_EXTRA=(--enable-native-access=ALL-UNNAMED)

check_java() {
    [[ -n "$JDK" ]] || { echo "no JDK 21+ found (set ELASTICSEARCH_JAVA_HOME); Elasticsearch 9 needs Java 21" >&2; exit 3; }
}

# Every index refreshes each 100 ms instead of each second: the tests write with refresh=wait_for, which waits for the
# next refresh (this cuts the Elasticsearch half of the suite from ~150 s to ~55 s).
after_start() {
    curl -fsS --max-time 10 -X PUT "$URL/_index_template/market-test-node" -H 'content-type: application/json' \
        -d '{"index_patterns": ["*"], "priority": 0, "template": {"settings": {"index.refresh_interval": "100ms"}}}' \
        >/dev/null || { echo "could not install the test index template; see $LOG" >&2; return 1; }
}

# shellcheck source=scripts/java-node.lib.sh
source "$HERE/scripts/java-node.lib.sh"
node_main "$@"
