#!/usr/bin/env bash
# The offline NLU gate: held-out intent accuracy per language, slot accuracy and unserved-topic
# handling on the corpus split (agent/offline/corpus), thresholds in evals/gates.toml [nlu].
# Trains the model once (about a minute on 2 cores), then scores it; writes artifacts/nlu.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p artifacts
PROMESA_NLU_CACHE="${PROMESA_NLU_CACHE:-$(mktemp -d)}" .venv/bin/promesa eval --suite nlu --json artifacts/nlu.json
