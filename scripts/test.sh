#!/usr/bin/env bash
# Every linter and test; the Django tests run on SQLite and on PostgreSQL, the
# tests that read the clock once more two years ahead (no test may age).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# The tests start many Python processes (xdist workers, Celery workers,
# extraction sandboxes, commands, the deployment script): each compiles every
# module it imports when no bytecode is cached (PYTHONDONTWRITEBYTECODE, as on
# this machine), ~3.5 CPU-seconds for the app. Cache it in .venv, out of the tree.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$PWD/.venv/pycache"
# One worker per core (pytest-xdist); a module stays on one worker, so that
# its module-scoped fixtures (the restart test's reference sync) run once.
PYTEST=(pytest -q -p no:cacheprovider -n "${RATSBLICK_TEST_WORKERS:-auto}" --dist loadscope)

ruff check --no-cache .
ruff format --no-cache --check .
mypy
lint-imports --no-cache
# The slowest tests are listed: the suite has a time budget (README, quick start).
"${PYTEST[@]}" --durations=15 "$@"
echo "== the tests that read the clock, two years ahead"
"${PYTEST[@]}" -m clock --clock-offset-days=730 "$@"

PG_URL=${RATSBLICK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/ratsblick}
if python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc})", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== the database tests again, on PostgreSQL"
  DATABASE_URL="$PG_URL" "${PYTEST[@]}" --durations=10 -m "django_db and not sqlite_only" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI" >&2
  exit 1
else
  echo "!! PostgreSQL tests SKIPPED: no server at $PG_URL (set RATSBLICK_TEST_POSTGRES_URL)"
fi
