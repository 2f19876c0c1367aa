#!/usr/bin/env bash
# Load (issue #13): 50 shoppers x 20 WISMO turns, JSON and SSE mixed, against `promesa serve`
# on loopback: SQLite with 1 worker, then PostgreSQL with 2 workers sharing the rate limit in
# Redis. Every thread's history is compared with what was sent (0 errors, 0 lost, duplicated or
# reordered messages) and parallel turns on one thread must run one after the other.
# Ports 18300-18399 unless PROMESA_LOAD_PORTS says otherwise; writes artifacts/load-*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p artifacts
PORTS="${PROMESA_LOAD_PORTS:-18300-18399}"
REDIS="${PROMESA_LOAD_REDIS_URL:-redis://127.0.0.1:6379/13}"
SESSIONS="${PROMESA_LOAD_SESSIONS:-50}"
TURNS="${PROMESA_LOAD_TURNS:-20}"
start=$(date +%s)
.venv/bin/python -m api.load_suite --backend sqlite --workers 1 --sessions "$SESSIONS" --turns "$TURNS" \
  --ports "$PORTS" --json artifacts/load-sqlite.json
.venv/bin/python -m api.load_suite --backend postgresql --workers 2 --sessions "$SESSIONS" --turns "$TURNS" \
  --ports "$PORTS" --redis-url "$REDIS" --json artifacts/load-postgresql.json
echo "load suite: $(( $(date +%s) - start )) s"
