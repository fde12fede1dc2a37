#!/usr/bin/env bash
# The whole test command (CI: .ci/run -> make test -> this script).
#
#   bash tests/infra/run-tests.sh [pytest args...]
#
# Ensures system packages and .venv, starts a throwaway PostgreSQL and the
# vCenter simulator (both stopped on exit), exports DATABASE_URL and
# VCSIM_URL, then runs `ruff check .` and `python -m pytest "$@"`.
# Both always run; the exit code is pytest's if it failed, else ruff's.
# Env: SKIP_APT=1 skips the apt-get step; SKIP_PIP=1 skips pip.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO_ROOT="$PWD"

# System packages the suite needs. Add more here (e.g. chromium for the
# console tests); EXTRA_APT_PACKAGES in the environment adds ad hoc ones.
APT_PACKAGES=(
    postgresql                        # real PostgreSQL server (tests/infra/postgres.sh)
    golang-go                         # builds the vCenter simulator
    golang-github-vmware-govmomi-dev  # govmomi sources: simulator.VPX()
    redis-server                      # the Redis broker in the outage tests (tests/orchestration/engine)
    chromium                          # headless browser for the console tests (tests/console)
    fonts-wqy-zenhei                  # CJK font so Chinese console screenshots render
)
# shellcheck disable=SC2206
APT_PACKAGES+=(${EXTRA_APT_PACKAGES:-})

section() { printf '\n==== %s ====\n' "$*"; }
SECONDS=0

section "system packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all present: ${APT_PACKAGES[*]}"
elif [[ ${SKIP_APT:-} == 1 ]]; then
    echo "SKIP_APT=1: not installing ${missing[*]}"
elif [[ $EUID -eq 0 ]]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "warning: missing ${missing[*]} and not root; install them with apt-get" >&2
fi

section "python environment (.venv)"
if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
# Skip pip when the requirement files have not changed since the last install.
req_hash="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
stamp=.venv/.requirements.sha256
if [[ ${SKIP_PIP:-} == 1 ]]; then
    echo "SKIP_PIP=1: not installing"
elif [[ -f $stamp && $(cat "$stamp") == "$req_hash" ]]; then
    echo "requirements unchanged, skipping pip"
else
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
    echo "$req_hash" >"$stamp"
    echo "installed requirements-dev.txt"
fi
export PATH="$REPO_ROOT/.venv/bin:$PATH"
export VIRTUAL_ENV="$REPO_ROOT/.venv"

# Per-run state dir, so concurrent runs on one machine do not collide.
STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/test-infra.XXXXXX")"
export STATE_DIR
cleanup() {
    local rc=$?
    section "teardown"
    bash tests/infra/vcsim.sh stop || true
    bash tests/infra/postgres.sh stop || true
    rm -rf "$STATE_DIR"
    echo "total time: ${SECONDS}s, exit code $rc"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "PostgreSQL"
DATABASE_URL="$(bash tests/infra/postgres.sh start | sed -n 's/^DATABASE_URL=//p')"
[[ -n $DATABASE_URL ]] || { echo "PostgreSQL did not start" >&2; exit 1; }
export DATABASE_URL
echo "DATABASE_URL=${DATABASE_URL%%:*}://…@${DATABASE_URL#*@}"

section "vCenter simulator"
VCSIM_URL="$(bash tests/infra/vcsim.sh start | sed -n 's/^VCSIM_URL=//p')"
[[ -n $VCSIM_URL ]] || { echo "vcsim did not start" >&2; exit 1; }
export VCSIM_URL
echo "VCSIM_URL=$VCSIM_URL"

section "ruff check ."
ruff_rc=0
ruff check . || ruff_rc=$?

section "pytest $*"
pytest_rc=0
python -m pytest "$@" || pytest_rc=$?

section "summary"
echo "ruff: exit $ruff_rc, pytest: exit $pytest_rc"
if [[ $pytest_rc -ne 0 ]]; then
    exit "$pytest_rc"
fi
exit "$ruff_rc"
