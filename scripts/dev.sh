#!/usr/bin/env bash
# JewelERP developer entry point.
#   bash scripts/dev.sh run          set up, migrate, load demo data, serve http://localhost:3000 (jewelerp serve)
#   bash scripts/dev.sh test [ARGS]  set up (plus Debian Chromium, PostgreSQL, Redis) and run the whole test suite:
#                                    everything on SQLite, and tests/core and tests/modules on PostgreSQL
#                                    (alongside the browser tests); service tests in parallel (pytest-xdist)
#                                    unless ARGS name test paths
#   bash scripts/dev.sh test --db sqlite|postgres [ARGS]   one side alone (ARGS: pytest's)
#   bash scripts/dev.sh addon        set up .tools/addon-venv: this environment plus the sample add-on
# All are idempotent: a second run only checks stamps (and starts).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NODE_PKGS="node@22.23.3 bun@1.4.5 axe-core@4.14.1"

say() { printf '\033[1m[jewelerp]\033[0m %s\n' "$*"; }

setup_python() {
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    python3 -m venv .venv
  fi
  local want have=""
  want=$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
  [ -f .venv/.jewelerp-stamp ] && have=$(cat .venv/.jewelerp-stamp)
  if [ "$want" != "$have" ]; then
    say "installing pinned Python packages"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
    echo "$want" > .venv/.jewelerp-stamp
  fi
}

setup_node() {
  if [ ! -x .tools/node_modules/.bin/bun ] || [ ! -x .tools/node_modules/.bin/node ] \
     || [ "$(cat .tools/.stamp 2>/dev/null)" != "$NODE_PKGS" ]; then
    say "installing Node 22 and bun into .tools/ (from npm)"
    # shellcheck disable=SC2086
    npm install --prefix .tools --no-audit --no-fund --loglevel=error $NODE_PKGS
    echo "$NODE_PKGS" > .tools/.stamp
  fi
}

setup_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium for browser tests"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

# Debian packages the tests start themselves: PostgreSQL (initdb, pg_ctl) and redis-server.
setup_test_servers() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian's ${missing[*]} for the tests"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The PostgreSQL run takes the service tests: tests/core and tests/modules, or those of the paths ARGS name
# that lie there (none: nothing to run on PostgreSQL). Browser and add-on tests run once, on SQLite.
postgres_args() {
  local arg named=0 kept=0 out=()
  for arg in "$@"; do
    if [ -e "${arg%%::*}" ]; then
      named=1
      case "$arg" in tests/core*|tests/modules*) out+=("$arg"); kept=1 ;; esac
    else
      out+=("$arg")
    fi
  done
  [ "$named" = 0 ] && { out+=(tests/core tests/modules); kept=1; }
  [ "$kept" = 1 ] && printf '%s\n' "${out[@]}"
}

# Whether ARGS name a test path (then they run as given, in one process).
names_paths() {
  local arg
  for arg in "$@"; do [ -e "${arg%%::*}" ] && return 0; done
  return 1
}

setup_env() {
  export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/.venv/bin:$PATH"
  export REFLEX_USE_SYSTEM_BUN=1
  export REFLEX_TELEMETRY_ENABLED=false
}

case "${1:-}" in
  run)
    setup_python; setup_node; setup_env
    jewelerp db upgrade
    jewelerp demo
    say "serving http://localhost:3000 (Ctrl+C stops); 'jewelerp serve --dev' hot-reloads instead"
    exec jewelerp serve --port 3000
    ;;
  test)
    shift
    db=both
    if [ "${1:-}" = "--db" ]; then
      db=${2:-}
      shift 2 || true
    fi
    case "$db" in both|sqlite|postgres) ;; *) echo "--db takes sqlite or postgres" >&2; exit 2 ;; esac
    setup_python; setup_node; setup_chromium; setup_test_servers; setup_env
    python -m tests.addon.overlay >/dev/null  # tests/addon drive examples/jewelerp_engraving installed there
    ruff check .
    ruff format --check .
    sqlite_rc=0 postgres_rc=0
    cpus=$(nproc)
    if [ "$db" = both ] && ! names_paths "$@"; then
      # the whole suite: service tests on SQLite in parallel (a process per CPU); then the browser tests, which
      # mostly wait on the browser, alongside both the service tests on PostgreSQL (a process per CPU) and the
      # add-on tests (its browser test builds in a folder of its own; tests/core with the add-on installed)
      say "service tests on SQLite ($cpus processes)"
      python -m pytest -n "$cpus" --dist loadfile "$@" tests/core tests/modules tests/security || sqlite_rc=$?
      mapfile -t pg_args < <(postgres_args "$@")
      pg_log=$(mktemp) addon_log=$(mktemp) addon_rc_file=$(mktemp)
      say "browser tests on SQLite; alongside, service tests on PostgreSQL and the add-on tests (output at the end)"
      (
        addon=0
        python -m pytest "$@" tests/addon >"$addon_log" 2>&1 || addon=$?
        echo "$addon" >"$addon_rc_file"
      ) &
      addon_pid=$!
      python -m tests.pg_cluster python -m pytest -n "$cpus" --dist loadfile --durations=12 "${pg_args[@]}" >"$pg_log" 2>&1 &
      pg_pid=$!
      python -m pytest --durations=12 "$@" tests/e2e || sqlite_rc=$((sqlite_rc | $?))  # the slowest, to keep the budget
      wait "$pg_pid" || postgres_rc=$?
      wait "$addon_pid"
      say "add-on tests on SQLite:"
      cat "$addon_log"
      addon_rc=$(cat "$addon_rc_file")
      sqlite_rc=$((sqlite_rc | ${addon_rc:-1}))
      say "service tests on PostgreSQL:"
      cat "$pg_log"
      rm -f "$pg_log" "$addon_log" "$addon_rc_file"
    else
      if [ "$db" != postgres ]; then
        if names_paths "$@"; then
          say "tests on SQLite"
          python -m pytest "$@" || sqlite_rc=$?
        else
          say "service tests on SQLite ($cpus processes)"
          python -m pytest -n "$cpus" --dist loadfile "$@" tests/core tests/modules tests/security || sqlite_rc=$?
          say "browser and add-on tests on SQLite"
          python -m pytest "$@" tests/addon tests/e2e || sqlite_rc=$((sqlite_rc | $?))
        fi
      fi
      if [ "$db" != sqlite ]; then
        mapfile -t pg_args < <(postgres_args "$@")
        if [ "${#pg_args[@]}" -eq 0 ]; then
          say "no service tests named: nothing to run on PostgreSQL"
        elif names_paths "$@"; then
          say "tests on PostgreSQL"
          python -m tests.pg_cluster python -m pytest "${pg_args[@]}" || postgres_rc=$?
        else  # they wait on the server more than on the CPU: two processes per CPU
          say "service tests on PostgreSQL ($((cpus * 2)) processes)"
          python -m tests.pg_cluster python -m pytest -n $((cpus * 2)) --dist loadfile "${pg_args[@]}" || postgres_rc=$?
        fi
      fi
    fi
    [ "$sqlite_rc" = 0 ] && [ "$postgres_rc" = 0 ] || { say "failed: SQLite $sqlite_rc, PostgreSQL $postgres_rc"; exit 1; }
    ;;
  addon)
    setup_python; setup_env
    say "the sample add-on is installed for: $(python -m tests.addon.overlay)"
    ;;
  *)
    echo "usage: bash scripts/dev.sh run | test [pytest args] | addon" >&2
    exit 2
    ;;
esac
