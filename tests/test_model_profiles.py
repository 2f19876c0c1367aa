"""Model request profiles and their per-field overrides (promesa.model_profiles, Settings)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from promesa.model_profiles import (
    PROFILES,
    MaxTokensField,
    ModelProfile,
    ToolCallContent,
    ToolChoice,
)
from promesa.settings import Settings


def test_every_profile_has_a_turn_deadline_well_under_retries_times_timeout() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for request in PROFILES.values():
        assert request.turn_deadline_seconds <= (settings.model_max_retries + 1) * settings.model_timeout_seconds * 2
        assert request.first_token_seconds < request.turn_deadline_seconds


def test_profile_from_the_environment_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMESA_MODEL_PROFILE", "llama-cpp-python")
    monkeypatch.setenv("PROMESA_MODEL_TOOL_CHOICE", "required")
    request = Settings(_env_file=None).model_request()  # type: ignore[call-arg]
    assert request.tool_choice is ToolChoice.required  # the override
    assert request.streaming is False and request.tool_call_content is ToolCallContent.empty  # the profile
    assert request.max_tokens_field is MaxTokensField.max_tokens


def test_defaults_per_server() -> None:
    assert PROFILES[ModelProfile.vllm].tool_choice is ToolChoice.omit
    assert PROFILES[ModelProfile.openai].max_tokens_field is MaxTokensField.max_completion_tokens


def test_a_bad_profile_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMESA_MODEL_PROFILE", "gpt5")
    with pytest.raises(ValidationError, match="model_profile"):
        Settings(_env_file=None)  # type: ignore[call-arg]
