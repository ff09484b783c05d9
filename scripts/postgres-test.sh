#!/usr/bin/env bash
# A throwaway PostgreSQL server on a loopback port for the tests:  start | stop | url
# Installs Debian's postgresql package when it is missing (CI runs on a fresh machine). The role may create databases:
# the restore drill (tests/backup) restores into a second, empty database it creates and drops.
set -euo pipefail
PORT="${PGTEST_PORT:-55432}"
DIR="${PGTEST_DIR:-/tmp/marketplace-pgtest}"
URL="postgresql://market:market@127.0.0.1:${PORT}/market_test"

find_bin() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/pg_ctl" ] && { echo "$bin"; return 0; }
  done
  return 1
}

install_postgres() {
  if ! find_bin >/dev/null; then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
}

# PostgreSQL refuses to run as root; run it as the 'postgres' system user when we are root.
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  install_postgres
  local bin; bin=$(find_bin)
  if [ -f "$DIR/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    as_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "ALTER ROLE market CREATEDB" >/dev/null  # started before
    echo "$URL"; return 0
  fi
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = "0" ] && chown postgres: "$DIR"
  as_pg "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE ROLE market LOGIN CREATEDB PASSWORD 'market'" >/dev/null
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE market_test OWNER market" >/dev/null
  echo "$URL"
}

stop() {
  local bin; bin=$(find_bin) || return 0
  [ -d "$DIR/data" ] && as_pg "$bin/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
