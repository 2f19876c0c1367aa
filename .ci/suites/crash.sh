#!/usr/bin/env bash
# Crashes (issue #13): kill -9 between an approval and its response, at random instants, on
# SQLite and on PostgreSQL (12 trials each). After each restart: at most one execution, the
# audit agreeing with it, no pending approval for an executed action; after the shopper's
# retry exactly one execution per approved action (a rejection of what ran is refused).
# Writes artifacts/crash-*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p artifacts
PORTS="${PROMESA_LOAD_PORTS:-18300-18399}"
TRIALS="${PROMESA_CRASH_TRIALS:-12}"
start=$(date +%s)
.venv/bin/python -m api.crash_suite --backend sqlite --trials "$TRIALS" --ports "$PORTS" --json artifacts/crash-sqlite.json > artifacts/crash-sqlite.out || { cat artifacts/crash-sqlite.out; exit 1; }
.venv/bin/python -m api.crash_suite --backend postgresql --trials "$TRIALS" --ports "$PORTS" --json artifacts/crash-postgresql.json > artifacts/crash-postgresql.out || { cat artifacts/crash-postgresql.out; exit 1; }
.venv/bin/python - <<'PY'
import json
for name in ("sqlite", "postgresql"):
    r = json.load(open(f"artifacts/crash-{name}.json"))
    print(f"crash {name}: {r['trials']} trials, {r['killed_in_flight']} killed in flight, "
          f"{r['executed_before_restart']} executed before the restart, problems: {len(r['problems'])}")
PY
echo "crash suite: $(( $(date +%s) - start )) s"
