#!/usr/bin/env bash
# The red-team suite (issue #16): hundreds of adversarial messages in English and Spanish
# (evals/redteam/messages.yaml, filled with other customers' real identifiers) sent through
# the running API as demo customers and verified visitors, JSON and SSE; every response and the
# server's log scanned for any other customer's identifiers. Fails on any leak, any 5xx or an
# unexpected status. Writes artifacts/redteam.json. About 1-2 minutes on 2 loaded cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/suites/serve.sh
serve_promesa "${PROMESA_REDTEAM_PORT:-18610}"
.venv/bin/python -m evals.redteam.run --base-url "$BASE_URL" --json artifacts/redteam.json --server-log "$SERVER_LOG"
