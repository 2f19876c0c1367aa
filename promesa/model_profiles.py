"""How a chat-completions request is shaped for one kind of OpenAI-compatible server.

Real servers differ in what they honour: vLLM rejects ``tool_choice: "auto"`` unless started with
auto tool choice, llama-cpp-python ignores tools without a ``tool_choice`` and answers a streamed
``auto`` request with an empty 200, llama-cpp-python returns a 500 for ``content: null`` beside
``tool_calls``, and some servers ignore ``max_completion_tokens``. A profile holds the defaults for
one server; every field can still be overridden by its own ``PROMESA_MODEL_*`` setting.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class ModelProfile(StrEnum):
    openai = "openai"
    vllm = "vllm"
    ollama = "ollama"
    llamacpp = "llamacpp"
    llama_cpp_python = "llama-cpp-python"


class ToolChoice(StrEnum):
    """What the request says about choosing tools; ``omit`` leaves the field out."""

    omit = "omit"
    auto = "auto"
    required = "required"
    none = "none"


class MaxTokensField(StrEnum):
    """The request field the endpoint honours for the reply's token budget."""

    max_tokens = "max_tokens"
    max_completion_tokens = "max_completion_tokens"


class ToolCallContent(StrEnum):
    """The ``content`` of an assistant message that carries only tool calls."""

    null = "null"
    empty = "empty"


class ModelRequest(BaseModel):
    """The resolved shape and limits of the model requests of one process."""

    tool_choice: ToolChoice
    parallel_tool_calls: bool | None = Field(description="None leaves the field out.")
    streaming: bool
    max_tokens: int = Field(gt=0)
    max_tokens_field: MaxTokensField
    tool_call_content: ToolCallContent
    include_usage: bool = Field(description="Send stream_options.include_usage when streaming.")
    first_token_seconds: float = Field(gt=0, description="Longest wait for the first streamed chunk.")
    turn_deadline_seconds: float = Field(gt=0, description="Longest a whole turn may take.")


_LOCAL_CPU = {"first_token_seconds": 60.0, "turn_deadline_seconds": 150.0}
_HOSTED = {"first_token_seconds": 20.0, "turn_deadline_seconds": 60.0}

PROFILES: dict[ModelProfile, ModelRequest] = {
    ModelProfile.openai: ModelRequest(
        tool_choice=ToolChoice.auto, parallel_tool_calls=None, streaming=True, max_tokens=800,
        max_tokens_field=MaxTokensField.max_completion_tokens, tool_call_content=ToolCallContent.null,
        include_usage=True, **_HOSTED,
    ),
    # vLLM refuses "auto" unless served with --enable-auto-tool-choice; omitting it is accepted.
    ModelProfile.vllm: ModelRequest(
        tool_choice=ToolChoice.omit, parallel_tool_calls=None, streaming=True, max_tokens=800,
        max_tokens_field=MaxTokensField.max_tokens, tool_call_content=ToolCallContent.empty,
        include_usage=True, **_HOSTED,
    ),
    ModelProfile.ollama: ModelRequest(
        tool_choice=ToolChoice.omit, parallel_tool_calls=None, streaming=True, max_tokens=800,
        max_tokens_field=MaxTokensField.max_tokens, tool_call_content=ToolCallContent.empty,
        include_usage=False, **_LOCAL_CPU,
    ),
    ModelProfile.llamacpp: ModelRequest(
        tool_choice=ToolChoice.auto, parallel_tool_calls=None, streaming=True, max_tokens=800,
        max_tokens_field=MaxTokensField.max_tokens, tool_call_content=ToolCallContent.empty,
        include_usage=True, **_LOCAL_CPU,
    ),
    # llama-cpp-python: tools need a tool_choice, a streamed "auto" comes back empty, and
    # content null beside tool_calls is a 500.
    ModelProfile.llama_cpp_python: ModelRequest(
        tool_choice=ToolChoice.auto, parallel_tool_calls=None, streaming=False, max_tokens=800,
        max_tokens_field=MaxTokensField.max_tokens, tool_call_content=ToolCallContent.empty,
        include_usage=False, **_LOCAL_CPU,
    ),
}
