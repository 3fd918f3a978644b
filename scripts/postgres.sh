#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on localhost for the run store's tests (and a class on
# one machine), from Debian's packages; prints the database URL to use as ARCHLAB_DB_URL.
#   bash scripts/postgres.sh start [PORT]   # default 55432; installs postgresql if missing
#   bash scripts/postgres.sh stop
set -euo pipefail
cmd="${1:-start}"
port="${2:-55432}"
dir="${ARCHLAB_PG_DIR:-/tmp/archlab-pg}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ "$cmd" = "start" ] && [ -z "$bin" ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres "$dir"
      as_pg "$bin/initdb -D $dir -A trust -U archlab" >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl -D $dir -l $dir/server.log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null
    fi
    as_pg "$bin/psql -h 127.0.0.1 -p $port -U archlab -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='archlab'\"" | grep -q 1 \
      || as_pg "$bin/createdb -h 127.0.0.1 -p $port -U archlab archlab"
    echo "postgresql+psycopg://archlab@127.0.0.1:$port/archlab"
    ;;
  stop)
    [ -n "$bin" ] && as_pg "$bin/pg_ctl -D $dir -m fast stop" >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [PORT]" >&2; exit 2 ;;
esac
