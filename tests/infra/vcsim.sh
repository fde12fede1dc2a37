#!/usr/bin/env bash
# govmomi's vCenter simulator (tests/infra/vcsim/main.go) for the test suite.
#
#   tests/infra/vcsim.sh build            # build (or reuse) .cache/vcsim/vcsim, print its path
#   tests/infra/vcsim.sh start [flags]    # prints VCSIM_URL=http://user:pass@127.0.0.1:PORT/sdk
#   tests/infra/vcsim.sh stop
#   tests/infra/vcsim.sh status           # prints VCSIM_URL if running, exit 1 if not
#
# Extra flags after `start` go to the simulator: -vm N, -host N, -cluster N,
# -standalone-host N, -dc N, -ds N, -uuid U, -username U -password P (default: any
# non-empty user/password is accepted; the URL says user:pass).
# Guest operations (a double of VMware Tools, tests/infra/vcsim/guest.go):
# -guest-root DIR (one private directory per VM), -guest-login USER:PASSWORD (every VM;
# default root:vmware), -guest-timeout 10m, and repeatable -guest-vm NAME=login:USER:PASS
# or NAME=fault:tools-not-running|tools-too-old|guest-ops-disabled.
# State lives in $STATE_DIR/vcsim.env (default: <repo>/.cache/infra).
# Only the VCSIM_URL line goes to stdout; progress goes to stderr.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${STATE_DIR:-$REPO_ROOT/.cache/infra}"
STATE_FILE="$STATE_DIR/vcsim.env"
CACHE_DIR="${VCSIM_CACHE_DIR:-$REPO_ROOT/.cache/vcsim}"
BIN="$CACHE_DIR/vcsim"
SRC="$REPO_ROOT/tests/infra/vcsim"
GOVMOMI_SRC=/usr/share/gocode/src/github.com/vmware/govmomi/simulator

log() { echo "vcsim.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_toolchain() {
    if command -v go >/dev/null 2>&1 && [[ -d $GOVMOMI_SRC ]]; then
        return 0
    fi
    [[ $EUID -eq 0 ]] || die "need Debian packages golang-go and golang-github-vmware-govmomi-dev"
    log "installing Go and govmomi sources (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends golang-go golang-github-vmware-govmomi-dev >&2
}

cmd_build() {
    # Rebuild only when the binary is missing or older than the source.
    if [[ -x $BIN && -z "$(find "$SRC" -name '*.go' -newer "$BIN" -print -quit)" ]]; then
        echo "$BIN"
        return 0
    fi
    ensure_toolchain
    mkdir -p "$CACHE_DIR"
    local gopath tmp_bin
    gopath="$(mktemp -d)"
    tmp_bin="$(mktemp "$CACHE_DIR/vcsim.tmp.XXXXXX")"
    log "building $BIN (cold build takes ~30s)"
    # GOPATH mode against Debian's packaged sources: fully offline, no go.mod.
    # GOCACHE is set explicitly because CI may run without $HOME.
    (cd "$REPO_ROOT" && GO111MODULE=off GOFLAGS= GOPATH="$gopath:/usr/share/gocode" \
        GOCACHE="$REPO_ROOT/.cache/go-build" go build -o "$tmp_bin" ./tests/infra/vcsim) \
        || { rm -rf "$gopath" "$tmp_bin"; die "go build failed"; }
    rm -rf "$gopath"
    mv -f "$tmp_bin" "$BIN" # atomic, so concurrent builds cannot clash
    echo "$BIN"
}

# True if $1 is a live pid of our simulator binary (guards against pid reuse).
is_our_pid() {
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "vcsim"
}

is_running() {
    [[ -f $STATE_FILE ]] || return 1
    local VCSIM_PID=""
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    is_our_pid "$VCSIM_PID"
}

cmd_start() {
    if is_running; then
        log "already running"
        grep '^VCSIM_URL=' "$STATE_FILE"
        return 0
    fi
    rm -f "$STATE_FILE"
    cmd_build >/dev/null
    mkdir -p "$STATE_DIR"

    # The simulator binds port 0 itself and prints the URL with the real
    # port: no race between picking a free port and binding it.
    local out="$STATE_DIR/vcsim.out" errlog="$STATE_DIR/vcsim.log" pid url="" i
    : >"$out"
    "$BIN" -listen 127.0.0.1:0 "$@" </dev/null >"$out" 2>"$errlog" &
    pid=$!
    echo "VCSIM_PID=$pid" >"$STATE_FILE"

    for i in $(seq 1 100); do # up to ~20s
        url="$(head -n 1 "$out")"
        [[ -n $url ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$errlog" >&2; die "simulator exited"; }
        sleep 0.2
    done
    [[ -n $url ]] || { cmd_stop; die "simulator did not print its URL"; }

    # Wait until the SOAP endpoint really answers.
    local about="${url%/sdk}/about"
    about="http://${about#*@}" # drop credentials
    for i in $(seq 1 50); do
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$about" 2>/dev/null; then
            echo "VCSIM_URL=$url" >>"$STATE_FILE"
            log "running (pid $pid, log $errlog)"
            echo "VCSIM_URL=$url"
            return 0
        fi
        sleep 0.2
    done
    cmd_stop
    die "simulator at $url did not answer"
}

cmd_stop() {
    if [[ ! -f $STATE_FILE ]]; then
        log "not running (no $STATE_FILE)"
        return 0
    fi
    local VCSIM_PID="" i
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    if is_our_pid "$VCSIM_PID"; then
        kill -TERM "$VCSIM_PID" 2>/dev/null || true
        for i in $(seq 1 50); do
            is_our_pid "$VCSIM_PID" || break
            sleep 0.1
        done
        is_our_pid "$VCSIM_PID" && kill -KILL "$VCSIM_PID" 2>/dev/null || true
    fi
    rm -f "$STATE_FILE" "$STATE_DIR/vcsim.out"
    log "stopped"
}

cmd_status() {
    if is_running; then
        grep '^VCSIM_URL=' "$STATE_FILE"
    else
        log "not running"
        return 1
    fi
}

sub="${1:-}"
[[ $# -gt 0 ]] && shift
case "$sub" in
    build) cmd_build ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 build|start [simulator flags]|stop|status   (env: STATE_DIR, VCSIM_CACHE_DIR)" >&2; exit 2 ;;
esac
