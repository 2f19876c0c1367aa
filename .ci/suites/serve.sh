# Sourced by the suites that drive the running API (redteam.sh, contract.sh): builds a fresh
# demo world in a temporary data dir and serves it on loopback, stopped when the suite exits.
#   serve_promesa PORT  -> sets PROMESA_DATA_DIR, BASE_URL, SERVER_LOG, SERVER_PID
# The server is the real `promesa serve` (uvicorn, SQLite, offline model) in test mode; only the
# per-principal turn limit is raised, since a suite sends hundreds of turns as one principal.
serve_promesa() {
  local port="$1"
  export PROMESA_ENVIRONMENT=test
  export PROMESA_DATA_DIR="${PROMESA_SUITE_DATA_DIR:-$(mktemp -d)}"
  export PROMESA_TURNS_PER_MINUTE=100000
  export PROMESA_VERIFY_ATTEMPTS_PER_MINUTE=100000
  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
  mkdir -p artifacts
  SERVER_LOG="artifacts/$(basename "$0" .sh)-server.log"
  # .ci/run shares one data dir (PROMESA_SUITE_DATA_DIR) between the suites: built once
  if [ ! -f "$PROMESA_DATA_DIR/promesa.db" ]; then .venv/bin/promesa setup >/dev/null; fi
  .venv/bin/promesa serve --host 127.0.0.1 --port "$port" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  # keep the suite's own exit status (a bare `wait` on the killed server would make it 143)
  trap 'rc=$?; kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; exit $rc' EXIT
  BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 120); do
    if curl -sf "$BASE_URL/healthz" >/dev/null; then
      warm_up
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$SERVER_LOG" >&2; return 1; fi
    sleep 0.5
  done
  echo "promesa serve did not answer on $BASE_URL" >&2
  return 1
}

# The first policy question loads the embedding model (about 20 s on a loaded machine): asked
# once here, so no suite request times out on it.
warm_up() {
  local token
  token=$(.venv/bin/promesa token --role customer --subject C-1000 --ttl 5m)
  curl -s -m 180 -o /dev/null "$BASE_URL/v1/chat" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"message": "What is the return policy?"}'
}
