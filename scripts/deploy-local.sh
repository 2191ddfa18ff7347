#!/usr/bin/env bash
# Follows docs/deploy.md step by step on this machine, without touching anything
# outside a temporary folder and two fresh PostgreSQL databases (dropped at the end):
# migrate, add and sync the sample body from a loopback replay server, read its
# files, serve with gunicorn, check /healthz, back up (pg_dump + tar of the blobs),
# restore into a second database and home, check again, stop.
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth); run from the repository.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=$REPO/.venv/bin
WORK=$(mktemp -d)
DB=ratsblick_deploy_$$
DB_RESTORED=${DB}_restored
PIDS=()

step() { printf '== %s\n' "$*"; }
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" || true
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_RESTORED" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# 1. Environment (docs/deploy.md, "Environment"): one file read by every process.
use_instance() {  # database, home
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$1"
    export RATSBLICK_HOME=$2
}
export RATSBLICK_SECRET_KEY=deploy-local-not-secret
export RATSBLICK_ALLOWED_HOSTS=127.0.0.1,localhost
export RATSBLICK_BACKGROUND_JOBS=0
export RATSBLICK_LOG_FORMAT=json
# Only because the council is a replay server on loopback.
export RATSBLICK_ALLOW_PRIVATE_HOSTS=1
export RATSBLICK_HTTP_BACKOFF=0.01
use_instance "$DB" "$WORK/home"

step "database $DB and home $RATSBLICK_HOME"
createdb -h 127.0.0.1 -U postgres "$DB"
mkdir -p "$RATSBLICK_HOME"

step "migrate"
"$BIN/ratsblick" migrate -v0

# The sample's first paper (two PDFs with text layers): each step runs the
# same code as with OCR-heavy files, which tests/test_files.py reads anyway.
step "replay server with the sample body"
REPLAY_PORT=$(free_port)
"$BIN/python" -m ratsblick.replay --sample --sample-papers 1 --port "$REPLAY_PORT" >"$WORK/replay.out" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/replay.out" ] && break; sleep 0.1; done
SYSTEM_URL=$(head -n1 "$WORK/replay.out")

step "add-body $SYSTEM_URL, sync, extract"
"$BIN/ratsblick" add-body "$SYSTEM_URL"
"$BIN/ratsblick" sync
"$BIN/ratsblick" extract
"$BIN/ratsblick" status --json >"$WORK/status.json"

serve_and_check() {  # label
    local port pid
    port=$(free_port)
    GUNICORN_BIND=127.0.0.1:$port GUNICORN_WORKERS=2 GUNICORN_THREADS=2 \
        "$BIN/gunicorn" -c "$REPO/deploy/gunicorn.conf.py" ratsblick.wsgi \
        >"$WORK/gunicorn-$1.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 150); do
        curl -fsS "http://127.0.0.1:$port/healthz" >"$WORK/healthz-$1.json" 2>/dev/null && break
        sleep 0.2
    done
    step "healthz ($1): $(cat "$WORK/healthz-$1.json")"
    grep -q '"ok": true' "$WORK/healthz-$1.json"
    curl -fsS "http://127.0.0.1:$port/suche/?q=Digitale+Strategie" | grep -q "Sachstandsbericht"
    kill "$pid"
    wait "$pid" || true
}

step "gunicorn"
"$BIN/ratsblick" reindex --if-needed
serve_and_check original

step "backup: pg_dump and the blobs"
mkdir -p "$WORK/backup"
pg_dump -h 127.0.0.1 -U postgres -Fc -f "$WORK/backup/ratsblick.dump" "$DB"
tar -C "$RATSBLICK_HOME" -czf "$WORK/backup/blobs.tar.gz" blobs

step "restore into $DB_RESTORED"
use_instance "$DB_RESTORED" "$WORK/home-restored"
createdb -h 127.0.0.1 -U postgres "$DB_RESTORED"
pg_restore -h 127.0.0.1 -U postgres --no-owner -d "$DB_RESTORED" "$WORK/backup/ratsblick.dump"
mkdir -p "$RATSBLICK_HOME"
tar -C "$RATSBLICK_HOME" -xzf "$WORK/backup/blobs.tar.gz"

step "upgrade steps: migrate, reindex --if-needed (the index is rebuilt from the database)"
"$BIN/ratsblick" migrate -v0
"$BIN/ratsblick" reindex --if-needed
"$BIN/ratsblick" status --json >"$WORK/status-restored.json"
# The same report, but for the lag, which grew meanwhile.
"$BIN/python" - "$WORK/status.json" "$WORK/status-restored.json" <<'PY'
import json, sys
def report(path):
    bodies = json.load(open(path))
    for body in bodies:
        body.pop("lag_seconds")
    return bodies
assert report(sys.argv[1]) == report(sys.argv[2]), "restored status differs"
PY
[ "$(find "$WORK/home/blobs" -type f | wc -l)" -gt 0 ]
diff <(cd "$WORK/home/blobs" && find . -type f | sort) <(cd "$RATSBLICK_HOME/blobs" && find . -type f | sort)
serve_and_check restored

step "deployment checked"
