#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the server's tests and benchmark: Debian's `postgresql`
# package (installed when missing), initdb into a fresh temp folder, run as the `postgres` user
# when we are root (PostgreSQL refuses to run as root), on a free port of 127.0.0.1 only, with
# trust authentication (nothing listens beyond loopback) and its socket inside the folder.
#
#   scripts/lib/test-postgres.sh start [--watch PID] [--durable]
#       prints the URL (postgres://svara@127.0.0.1:PORT/postgres) on line 1 and the folder on
#       line 2. With --watch, a watchdog stops the cluster and deletes the folder once PID has
#       exited (the Rust tests pass their own PID, so the cluster never outlives them). Without
#       --durable the cluster skips fsync (a test cluster is thrown away; the server's own
#       durability tests kill the server, never PostgreSQL).
#   scripts/lib/test-postgres.sh stop DIR
#
# Used by scripts/lib/test-server.sh, the server's Rust tests (server/tests/support/postgres.rs)
# and the benchmark. Loud on failure: the initdb and server logs are printed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/common.sh"

die() { echo "test-postgres: $*" >&2; exit 1; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$d" ] && command -v pg_config >/dev/null; then d=$(pg_config --bindir); fi
  echo "$d"
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local watch="" durable=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --watch) watch=$2; shift 2;;
      --durable) durable=1; shift;;
      *) die "unknown option $1";;
    esac
  done
  local bin
  bin=$(pg_bindir)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "test-postgres: PostgreSQL is not installed; installing Debian's postgresql package" >&2
    ensure_apt postgresql >&2
    bin=$(pg_bindir)
    [ -x "$bin/initdb" ] || die "no initdb after installing postgresql (looked in /usr/lib/postgresql/*/bin)"
  fi
  local dir
  dir=$(mktemp -d /tmp/svara-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "there is no postgres user (the postgresql package creates it)"
    chown postgres "$dir"
  fi
  if ! as_pg "$bin/initdb" -D "$dir/data" -U svara --auth=trust -E UTF8 --no-locale -N \
      > "$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=500 -c shared_buffers=64MB"
  if [ "$durable" = 0 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start \
      > "$dir/pg_ctl.log" 2>&1 < /dev/null; then
    cat "$dir/pg_ctl.log" "$dir/server.log" >&2 || true
    die "the PostgreSQL server did not start"
  fi
  if [ -n "$watch" ]; then
    # Detached, with every stream closed, so that whoever reads our output is not held open.
    setsid bash -c '
      while kill -0 "$1" 2>/dev/null; do sleep 1; done
      if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$2/pg_ctl" -D "$3/data" -m immediate stop
      else "$2/pg_ctl" -D "$3/data" -m immediate stop; fi
      rm -rf "$3"' watchdog "$watch" "$bin" "$dir" < /dev/null > /dev/null 2>&1 &
  fi
  echo "postgres://svara@127.0.0.1:$port/postgres"
  echo "$dir"
}

stop() {
  local dir=${1:?stop DIR}
  local bin
  bin=$(pg_bindir)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@";;
  stop) shift; stop "$@";;
  *) die "usage: $0 start [--watch PID] [--durable] | stop DIR";;
esac
