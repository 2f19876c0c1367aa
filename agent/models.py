"""The chat-model factory: the offline model by default, any OpenAI-compatible endpoint by name."""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

from langchain_core.language_models import BaseChatModel

from promesa.errors import InvalidInput
from promesa.settings import Settings

#: The HTTP transport OpenAI requests go through when set (evals.recorded.record keeps what a
#: real endpoint sends); None: httpx's own.
HTTP_TRANSPORT: ContextVar[Any] = ContextVar("promesa_http_transport", default=None)


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings.model`` names.

    * ``offline`` — the deterministic offline model (``agent.offline.model.OfflineChatModel``).
    * ``openai:<name>`` — ``ChatOpenAI`` with ``OPENAI_API_KEY`` and optional ``OPENAI_BASE_URL``
      (vLLM, Ollama, llama.cpp), its requests shaped by ``settings.model_request()`` (the
      profile, agent/openai_wire.py). Retries are :func:`agent.completion.complete`'s (before the
      first token only); what still fails ends the turn in a handoff, never a crash.

    Raises:
        InvalidInput: an unknown model name, or an OpenAI endpoint without a key.
    """
    name = settings.model.strip()
    if name == "offline":
        from agent.offline.model import OfflineChatModel

        return OfflineChatModel()
    if name.startswith("openai:") and len(name) > len("openai:"):
        import httpx
        from pydantic import SecretStr

        from agent.openai_wire import WireChatOpenAI

        base_url = os.environ.get("OPENAI_BASE_URL") or None
        api_key = os.environ.get("OPENAI_API_KEY")
        if not api_key:
            if base_url is None:
                raise InvalidInput("OPENAI_API_KEY is not set", field="OPENAI_API_KEY")
            api_key = "unused"  # local OpenAI-compatible servers usually ignore the key
        request = settings.model_request()
        transport = HTTP_TRANSPORT.get()
        return WireChatOpenAI(
            # field names, not their aliases (model, api_key, base_url, timeout): the ones the
            # type checker sees
            model_name=name.removeprefix("openai:"),
            openai_api_key=SecretStr(api_key),
            openai_api_base=base_url,
            temperature=0,
            # per read: a stalled stream fails; the first token and the turn have their own limits
            request_timeout=httpx.Timeout(settings.model_timeout_seconds, connect=10.0),
            # retries are agent.completion's: only before the first token, never a deterministic error
            max_retries=0,
            max_tokens=request.max_tokens,
            stream_usage=request.include_usage,
            request=request,
            http_async_client=httpx.AsyncClient(transport=transport) if transport else None,
        )
    raise InvalidInput(f"unknown model {name!r}: use 'offline' or 'openai:<name>'", field="model")
