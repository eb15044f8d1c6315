#!/usr/bin/env bash
# Makes a throwaway PostgreSQL server available on loopback for the store tests.
#
#   eval "$(.ci/postgres.sh)"          # exports POLICYBOT_TEST_DATABASE
#   .ci/postgres.sh && . /tmp/policybot-pg/env
#   .ci/postgres.sh stop               # stops the server (the data dir stays for reuse)
#
# From .ci/run (skip loudly only when PostgreSQL truly cannot be started):
#   if pg_env="$(.ci/postgres.sh)"; then eval "$pg_env"
#   else echo "WARNING: PostgreSQL could not be started; PostgreSQL store tests are SKIPPED" >&2; export POLICYBOT_SKIP_POSTGRES=1; fi
#
# Installs the Debian `postgresql` package when no initdb/pg_ctl is found, initialises a data dir
# under /tmp owned by a non-root user (PostgreSQL refuses to run as root), starts it on 127.0.0.1
# with trust auth, creates the database `policybot_test` and prints one line on stdout:
#   export POLICYBOT_TEST_DATABASE=postgres://postgres@127.0.0.1:<port>/policybot_test
# (also written to $POLICYBOT_PG_ROOT/env). Everything else goes to stderr. Idempotent: a server
# already running from an earlier call is reused.
#
# Settings (environment): POLICYBOT_PG_ROOT (default /tmp/policybot-pg), POLICYBOT_PG_PORT (first port
# tried, default 55432; the next free one up to +20 is taken when it is busy).
set -euo pipefail

root="${POLICYBOT_PG_ROOT:-/tmp/policybot-pg}"
first_port="${POLICYBOT_PG_PORT:-55432}"
database="policybot_test"
data="$root/data"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

find_bin_dir() {
  local dir
  # Debian/Ubuntu keep the server binaries off PATH; take the newest major version.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

# A client tool from the server's bin dir, else from PATH.
tool() {
  if [[ -x "$bin_dir/$1" ]]; then echo "$bin_dir/$1"; else command -v "$1" || die "$1 not found"; fi
}

install_postgres() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and this user cannot install it (not root, no sudo)"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available; install PostgreSQL 15+ (initdb, pg_ctl) and rerun"
  log "PostgreSQL not found; installing the 'postgresql' package with apt-get"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
}

bin_dir="$(find_bin_dir || true)"
if [[ -z "$bin_dir" ]]; then
  install_postgres
  bin_dir="$(find_bin_dir || true)"
  [[ -n "$bin_dir" ]] || die "apt-get installed postgresql but no initdb/pg_ctl was found under /usr/lib/postgresql/*/bin"
fi
version="$("$bin_dir/pg_ctl" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"
log "using PostgreSQL $version from $bin_dir"
if [[ "$version" =~ ^[0-9]+$ ]] && (( version < 15 )); then
  log "WARNING: PostgreSQL $version is older than 15; the store is tested on 15+"
fi

# PostgreSQL refuses to run as root: run it as the `postgres` system user then.
run_user=""
if [[ $(id -u) -eq 0 ]]; then
  run_user="postgres"
  if ! id -u "$run_user" >/dev/null 2>&1; then
    log "creating system user $run_user"
    useradd --system --home-dir "$root" --no-create-home --shell /usr/sbin/nologin "$run_user"
  fi
fi

as_server_user() {
  if [[ -z "$run_user" ]]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$run_user" -- "$@"
  else
    su -s /bin/sh "$run_user" -c "$(printf '%q ' "$@")"
  fi
}

pg_ctl_() { as_server_user "$bin_dir/pg_ctl" -D "$data" "$@"; }

if [[ "${1:-}" == "stop" ]]; then
  if [[ -f "$data/postmaster.pid" ]]; then
    pg_ctl_ -m fast -w stop >&2
  else
    log "not running"
  fi
  exit 0
fi

mkdir -p "$root"
chmod 0755 "$root"
[[ -z "$run_user" ]] || chown "$run_user" "$root"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_port() {
  # Line 4 of postmaster.pid is the port of a running server.
  if as_server_user "$bin_dir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    sed -n 4p "$data/postmaster.pid"
    return 0
  fi
  return 1
}

port=""
if port="$(running_port)"; then
  log "reusing the server already running from $data on port $port"
else
  if [[ ! -f "$data/PG_VERSION" ]] || [[ "$(cat "$data/PG_VERSION")" != "$version" ]]; then
    rm -rf "$data"
    log "initialising $data"
    as_server_user "$bin_dir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  port=""
  for (( p = first_port; p <= first_port + 20; p++ )); do
    if ! port_busy "$p"; then port="$p"; break; fi
  done
  [[ -n "$port" ]] || die "no free port in $first_port..$((first_port + 20)) on 127.0.0.1"
  log "starting on 127.0.0.1:$port (log: $root/server.log)"
  touch "$root/server.log"
  [[ -z "$run_user" ]] || chown "$run_user" "$root/server.log"
  # Throwaway test server: durability switched off for speed; sockets in $root, not /var/run.
  if ! pg_ctl_ -l "$root/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >&2; then
    tail -n 30 "$root/server.log" >&2 || true
    die "PostgreSQL did not start"
  fi
fi

pg_isready_="$(tool pg_isready)"
psql_bin="$(tool psql)"
for _ in $(seq 1 60); do
  if "$pg_isready_" -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
"$pg_isready_" -q -h 127.0.0.1 -p "$port" || die "PostgreSQL on 127.0.0.1:$port is not accepting connections"

psql_() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
if [[ "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]]; then
  log "creating database $database"
  psql_ -d postgres -c "CREATE DATABASE $database" >&2
fi

line="export POLICYBOT_TEST_DATABASE=postgres://postgres@127.0.0.1:$port/$database"
printf '%s\n' "$line" > "$root/env"
log "ready; also written to $root/env"
printf '%s\n' "$line"
