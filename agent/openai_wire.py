"""``ChatOpenAI`` with the request shaped by a :class:`promesa.model_profiles.ModelRequest`.

langchain-openai always renames ``max_tokens`` to ``max_completion_tokens`` (which some servers
ignore) and always sends ``content: null`` beside ``tool_calls`` (a 500 from llama-cpp-python);
this subclass puts both the way the configured endpoint honours them. Everything else (tool
schemas, messages, streaming) stays langchain-openai's.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_openai import ChatOpenAI
from pydantic import Field

from promesa.model_profiles import MaxTokensField, ModelRequest, ToolCallContent


class WireChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose payload follows ``request`` (token-budget field name, tool-call content)."""

    request: ModelRequest = Field(exclude=True)

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        payload.pop("max_tokens", None)
        payload.pop("max_completion_tokens", None)
        payload[self.request.max_tokens_field.value] = self.request.max_tokens
        if self.request.tool_call_content is ToolCallContent.empty:
            for message in payload.get("messages", []):
                if message.get("role") == "assistant" and message.get("content") is None:
                    message["content"] = ""
        if not payload.get("stream") or not self.request.include_usage:
            payload.pop("stream_options", None)
        return payload


def tool_binding(request: ModelRequest) -> dict[str, Any]:
    """The ``bind_tools`` keyword arguments the request settings ask for."""
    kwargs: dict[str, Any] = {}
    if request.tool_choice.value != "omit":
        kwargs["tool_choice"] = request.tool_choice.value
    if request.parallel_tool_calls is not None:
        kwargs["parallel_tool_calls"] = request.parallel_tool_calls
    return kwargs


__all__ = ["MaxTokensField", "WireChatOpenAI", "tool_binding"]
