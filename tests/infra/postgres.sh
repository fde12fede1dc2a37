#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
#   tests/infra/postgres.sh start   # prints DATABASE_URL=postgres://user:pass@127.0.0.1:PORT/db
#   tests/infra/postgres.sh stop    # stops the cluster and deletes its data dir
#   tests/infra/postgres.sh status  # prints DATABASE_URL if running, exit 1 if not
#   tests/infra/postgres.sh pause   # stops the server abruptly (-m immediate), keeping its data
#   tests/infra/postgres.sh resume  # starts it again on the same port (outage tests)
#
# PG_SHARED_BUFFERS (e.g. 6GB) sizes PostgreSQL's own cache, as a production server is
# sized; the default (PostgreSQL's 128MB) suits the tests' small databases.
#
# State lives in $STATE_DIR/pg.env (default: <repo>/.cache/infra), so `stop`
# knows what to stop; use a distinct STATE_DIR per concurrent run.
# Only the DATABASE_URL line goes to stdout; progress goes to stderr.
# Works as root (CI) and as an ordinary user: initdb refuses to run as root, so
# as root the server runs as a system user ($PG_RUN_USER, default "pgtest").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${STATE_DIR:-$REPO_ROOT/.cache/infra}"
STATE_FILE="$STATE_DIR/pg.env"
PG_RUN_USER="${PG_RUN_USER:-pgtest}"
PG_DB="${PG_DB:-app}"
PG_USER="${PG_USER:-app}"

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Newest real server binaries. /usr/local/bin/pg_ctl may be a wrapper, so we
# never rely on PATH and only look under Debian's versioned directory.
find_pgbin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/psql ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

ensure_pgbin() {
    if ! PGBIN="$(find_pgbin)"; then
        [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found; install Debian's 'postgresql' package"
        log "installing PostgreSQL (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql >&2
        PGBIN="$(find_pgbin)" || die "PostgreSQL binaries still missing after apt-get install"
    fi
}


free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

is_running() {
    [[ -f $STATE_FILE ]] || return 1
    # shellcheck disable=SC1090
    grep -q '^DATABASE_URL=' "$STATE_FILE" || return 1
    # pg_isready, not `pg_ctl status`: the latter trusts a pid that may be a zombie.
    (source "$STATE_FILE" && [[ -d $PGDATA ]] \
        && "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -t 2 >/dev/null 2>&1)
}

# Run a command as the cluster owner $1 ("" = the current user), from / so
# that an unreadable cwd does not bother initdb/pg_ctl.
as_owner_env() {
    local user="$1"; shift
    if [[ -n $user && $EUID -eq 0 ]]; then
        (cd / && runuser -u "$user" -- "$@")
    else
        (cd / && "$@")
    fi
}

cmd_start() {
    if is_running; then
        # Idempotent: a second start reuses the running cluster.
        log "already running"
        grep '^DATABASE_URL=' "$STATE_FILE"
        return 0
    fi
    [[ -f $STATE_FILE ]] && { log "removing stale state"; cmd_stop; }

    ensure_pgbin
    local run_as=""
    as_owner() { as_owner_env "$run_as" "$@"; }
    if [[ $EUID -eq 0 ]]; then
        if ! id -u "$PG_RUN_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$PG_RUN_USER"
        fi
        run_as="$PG_RUN_USER"
    fi

    mkdir -p "$STATE_DIR"
    # The data dir is in /tmp, not the repo: every path component must be
    # traversable by the cluster owner, and /tmp is local and fast.
    local base pgdata password port attempt
    base="$(mktemp -d "${TMPDIR:-/tmp}/pgtest.XXXXXX")"
    pgdata="$base/data"
    [[ -n $run_as ]] && chown "$run_as" "$base"
    chmod 700 "$base"
    password="$(python3 -c 'import secrets; print(secrets.token_hex(12))')"

    # Record state before anything can fail, so `stop` can clean up.
    {
        echo "PGBIN=$PGBIN"
        echo "PGBASE=$base"
        echo "PGDATA=$pgdata"
        echo "PG_RUN_AS=$run_as"
    } >"$STATE_FILE"

    log "initdb ($PGBIN) in $pgdata"
    local pwfile="$base/pwfile"
    echo "$password" >"$pwfile"
    [[ -n $run_as ]] && chown "$run_as" "$pwfile"
    # Superuser "postgres" for local socket admin; TCP needs a password.
    as_owner "$PGBIN/initdb" -D "$pgdata" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$base/initdb.log" 2>&1 \
        || { cat "$base/initdb.log" >&2; die "initdb failed"; }
    rm -f "$pwfile"

    # Retry: the free port we picked may be taken by someone else meanwhile.
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        cat >"$base/override.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        if [[ -n ${PG_SHARED_BUFFERS:-} ]]; then
            echo "shared_buffers = '$PG_SHARED_BUFFERS'" >>"$base/override.conf"
        fi
        [[ -n $run_as ]] && chown "$run_as" "$base/override.conf"
        # postgresql.conf: include our overrides (last setting wins).
        grep -q "^include = '$base/override.conf'" "$pgdata/postgresql.conf" \
            || echo "include = '$base/override.conf'" >>"$pgdata/postgresql.conf"
        if as_owner "$PGBIN/pg_ctl" -D "$pgdata" -l "$base/server.log" -w -t 60 start >/dev/null; then
            break
        fi
        log "start on port $port failed (attempt $attempt):"
        tail -n 5 "$base/server.log" >&2 || true
        [[ $attempt -eq 5 ]] && die "could not start PostgreSQL"
    done

    local psql=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$base" -p "$port" -U postgres -d postgres)
    as_owner "${psql[@]}" >/dev/null <<EOF
CREATE ROLE "$PG_USER" LOGIN SUPERUSER PASSWORD '$password';
CREATE DATABASE "$PG_DB" OWNER "$PG_USER";
EOF

    local url="postgres://$PG_USER:$password@127.0.0.1:$port/$PG_DB"
    {
        echo "PGPORT=$port"
        echo "DATABASE_URL=$url"
    } >>"$STATE_FILE"
    log "running on 127.0.0.1:$port (data: $pgdata, log: $base/server.log)"
    echo "DATABASE_URL=$url"
}

cmd_stop() {
    if [[ ! -f $STATE_FILE ]]; then
        log "not running (no $STATE_FILE)"
        return 0
    fi
    local PGBIN="" PGBASE="" PGDATA="" PG_RUN_AS=""
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    if [[ -n $PGDATA && -f $PGDATA/postmaster.pid ]]; then
        # Immediate mode: the data is thrown away anyway.
        if ! as_owner_env "$PG_RUN_AS" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
            # pg_ctl failed (binaries gone, ...): kill the postmaster directly.
            local pid
            pid="$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)"
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    # Only delete what we created (a pgtest.* dir), never anything else.
    if [[ -n $PGBASE && $(basename "$PGBASE") == pgtest.* && -d $PGBASE ]]; then
        rm -rf "$PGBASE"
    fi
    rm -f "$STATE_FILE"
    log "stopped"
}

# An outage: the server vanishes as on a crash (clients see their connections drop)...
cmd_pause() {
    [[ -f $STATE_FILE ]] || die "not running (no $STATE_FILE)"
    local PGBIN="" PGDATA="" PG_RUN_AS=""
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    as_owner_env "$PG_RUN_AS" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 stop >/dev/null
    log "paused"
}

# ...and comes back on the same port with the same data.
cmd_resume() {
    [[ -f $STATE_FILE ]] || die "not running (no $STATE_FILE)"
    local PGBIN="" PGBASE="" PGDATA="" PG_RUN_AS=""
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    as_owner_env "$PG_RUN_AS" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGBASE/server.log" -w -t 60 start >/dev/null
    log "resumed"
}

cmd_status() {
    if is_running; then
        grep '^DATABASE_URL=' "$STATE_FILE"
    else
        log "not running"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    pause) cmd_pause ;;
    resume) cmd_resume ;;
    *) echo "usage: $0 start|stop|status|pause|resume   (env: STATE_DIR, PG_RUN_USER, PG_DB, PG_USER)" >&2; exit 2 ;;
esac
