"""Retry classification, and the offline agent's start without the openai package (~1 s of
`promesa ask`'s start: openai is imported only by the OpenAI wire model)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import openai

from agent.model_errors import EmptyCompletion, is_retryable

ROOT = Path(__file__).resolve().parents[2]


def test_openai_failures_are_classified_once_openai_is_loaded() -> None:
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    limited = openai.RateLimitError("slow down", response=httpx.Response(429, request=request), body=None)
    bad = openai.BadRequestError("no such model", response=httpx.Response(400, request=request), body=None)
    assert is_retryable(limited) and not is_retryable(bad)
    assert is_retryable(openai.APIConnectionError(request=request))
    assert is_retryable(TimeoutError()) and is_retryable(EmptyCompletion())
    assert not is_retryable(ValueError("a bug, not the endpoint"))


def test_the_offline_agent_starts_without_importing_openai() -> None:
    code = ("import sys, agent.service, agent.models, api.cli; "
            "from agent.model_errors import is_retryable; "
            "assert not is_retryable(ValueError()) and is_retryable(TimeoutError()); "
            "print(sorted(m for m in ('openai', 'langchain_openai', 'fastapi', 'alembic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
