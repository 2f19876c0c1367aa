"""The one typed settings object, read from the environment (``PROMESA_*``) and ``.env``."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from promesa.config_models import (
    AutonomyPolicy,
    EventSourceConfig,
    NoticePolicy,
    RateCard,
    SourcingProfile,
    default_profiles,
)
from promesa.model_profiles import (
    PROFILES,
    MaxTokensField,
    ModelProfile,
    ModelRequest,
    ToolCallContent,
    ToolChoice,
)


class Settings(BaseSettings):
    """Everything configurable about a Promesa process.

    With no environment at all it runs embedded: a SQLite file and an embedded Chroma under
    ``data_dir`` and the offline model. URLs switch each part to its distributed form.
    """

    model_config = SettingsConfigDict(env_prefix="PROMESA_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "demo", "production"] = Field(
        "development",
        description="`demo` (what `make run` sets) enables the demo token endpoint and demo shop, "
        "on loopback only; `production` needs a real secret and disables every demo convenience.",
    )
    data_dir: Path = Field(Path(".promesa"), description="Folder for the embedded files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file under data_dir."
    )
    checkpoint_url: str | None = Field(
        None, description="Where LangGraph checkpoints live; default: follows database_url."
    )
    chroma_url: str | None = Field(None, description="A Chroma server (http://host:port).")
    embedding_model: str = Field(
        "minilm", description="`minilm` (local, offline) or `openai:<embedding model>`."
    )
    model: str = Field("offline", description="`offline` or `openai:<model name>`.")
    now: datetime | None = Field(
        None, description="Pins the clock (ISO 8601 with offset), for demos and tests."
    )
    timezone: str = Field("America/Mexico_City", description="The business's home time zone.")
    secret_key: str | None = Field(None, description="Signs API tokens; generated in development.")
    seed: int = Field(7, description="Seed of the demo world.")
    demo_orders: int = Field(2000, description="Orders in the demo world `make run` builds.")
    max_message_chars: int = Field(4000, description="Longest accepted chat message.")
    turns_per_minute: int = Field(30, description="Chat turns allowed per principal per minute.")
    # --- API (api/) ---
    token_ttl_minutes: int = Field(8 * 60, description="Lifetime of a signed-in API token.")
    visitor_token_ttl_minutes: int = Field(
        30, description="Lifetime of an anonymous visitor's order-scoped token."
    )
    verify_attempts_per_minute: int = Field(
        10, description="Order-verification attempts allowed per client address per minute."
    )
    verify_failures_per_order: int = Field(
        5, description="Failed verifications of one order id before it is locked for a while."
    )
    verify_lockout_minutes: int = Field(
        15, description="How long failures count against an order id (its lockout window)."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed "
        "(a JSON list); from anyone else the header is ignored.",
    )
    rate_limit_storage: str = Field(
        "memory://", description="`limits` storage URI (e.g. redis://host:6379) shared by workers."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (a JSON list in the environment).",
    )
    log_personal_data: bool = Field(
        False, description="Leave emails, phones and customer ids in logs (debugging only)."
    )
    # --- ops bounds (promesa/domain/capacity.py, analytics.py) ---
    risk_horizon_days: int = Field(
        90, ge=1, le=3660, description="A risk scan's start lies within this many days of today."
    )
    analytics_horizon_days: int = Field(
        3660, ge=1, le=36600, description="Analytics dates lie within this many days of today."
    )
    # --- sourcing and reroutes (promesa/domain/fulfillment) ---
    rate_card: RateCard = Field(
        default_factory=RateCard, description="Shipping cost by distance band, weight and service."
    )
    sourcing_profiles: dict[str, SourcingProfile] = Field(
        default_factory=default_profiles,
        description="Named ways to rank reroute options (weights per criterion, hard filters).",
    )
    default_sourcing_profile: str = Field("balanced", description="Profile used when none is named.")
    pickup_radius_km: float = Field(40.0, description="Stores this close to the ship-to may offer pickup.")
    reroute_candidate_nodes: int = Field(
        12, description="Nearest nodes with stock considered per reroute proposal, to ship from "
        "and (within the pickup radius) for pickup."
    )
    # --- promising (promesa/domain/promising) ---
    promise_candidate_nodes: int = Field(
        8, ge=1, le=100, description="Nearest nodes with stock a quote or checkout plan considers.")
    promise_cache_seconds: float = Field(
        30.0, ge=0, description="Longest a cached quote lives (writes in this process drop it "
        "at once; 0 disables the cache).")
    # --- orchestration and notices (promesa/domain/orchestration, promesa/domain/notices) ---
    autonomy: AutonomyPolicy = Field(
        default_factory=AutonomyPolicy, description="When the orchestrator may act without a person.")
    notices: NoticePolicy = Field(default_factory=NoticePolicy, description="Customer notices: channels, quiet hours, sender.")
    # --- events in (promesa/domain/events, api/routes/events.py) ---
    event_sources: dict[str, EventSourceConfig] = Field(
        default_factory=dict,
        description="Sending systems by name: credential, signing secret and event-type scopes "
        '(JSON, e.g. {"pos": {"key": "…", "signing_secret": "…", "scopes": ["promesa.inventory.*"]}}).',
    )
    event_signature_tolerance_seconds: int = Field(
        300, ge=1, description="How far a signed request's timestamp may be from the server clock."
    )
    event_batch_max: int = Field(1000, ge=1, description="Most events one POST /v1/events carries.")
    event_batch_commit: Literal["per_event", "per_batch"] = Field(
        "per_batch", description="A POST /v1/events batch commits the whole batch at once with a "
        "savepoint per event (each event still all-or-nothing; measured 20x the events/s of "
        "per_event on PostgreSQL for batches of 100, the same for one event), or each event on its own.",
    )
    sellable_low_threshold: int = Field(
        5, ge=0, description="A channel's sellable quantity at or below it (above 0) is 'low'; an "
        "outgoing sellable_changed event is written when the level (out of stock / low / in stock) changes.",
    )
    outbox_max_backoff_seconds: int = Field(
        300, ge=1, description="Longest wait before the relay retries an outgoing event it failed to send.")
    event_body_max_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="Largest POST /v1/events body.")
    change_feed_url: str | None = Field(
        None, description="redis://… to fan changes out to every API worker; default: PostgreSQL "
        "LISTEN/NOTIFY on PostgreSQL, in-process on SQLite.",
    )
    # --- the agent (agent/) ---
    model_timeout_seconds: float = Field(30.0, description="Per-request timeout of a model endpoint.")
    model_max_retries: int = Field(
        2, description="Retries (exponential backoff) on 429/5xx/timeouts before the first token; "
        "a deterministic 4xx or a validation 5xx is never retried."
    )
    model_profile: ModelProfile = Field(
        ModelProfile.openai,
        description="Request defaults for one kind of server (promesa/model_profiles.py); "
        "each `model_*` request setting below overrides its field.",
    )
    model_tool_choice: ToolChoice | None = Field(None, description="omit | auto | required | none.")
    model_parallel_tool_calls: bool | None = Field(None, description="Send parallel_tool_calls.")
    model_streaming: bool | None = Field(None, description="Stream completions (tokens) or not.")
    model_max_tokens: int | None = Field(None, gt=0, description="Reply token budget.")
    model_max_tokens_field: MaxTokensField | None = Field(
        None, description="max_tokens | max_completion_tokens: the name the endpoint honours."
    )
    model_tool_call_content: ToolCallContent | None = Field(
        None, description="null | empty: content of an assistant message with only tool calls."
    )
    model_include_usage: bool | None = Field(None, description="stream_options.include_usage.")
    model_first_token_seconds: float | None = Field(
        None, gt=0, description="Longest wait for the first streamed token of one attempt."
    )
    turn_deadline_seconds: float | None = Field(
        None, gt=0, description="Longest a chat turn may spend on the model; past it, a handoff."
    )
    warm_start: bool = Field(
        False, description="Load every model (NLU, embeddings) when the API starts; `promesa serve` sets it."
    )
    checkpoint_pool_size: int = Field(
        8, ge=1, le=64, description="PostgreSQL connections the checkpointer may hold (per worker)."
    )
    max_concurrent_turns: int = Field(
        16, ge=1, le=256,
        description="Turns one worker runs at once; each holds one connection of its own lock pool.",
    )
    turn_queue_seconds: float = Field(
        5.0, ge=0, le=60,
        description="Longest a turn waits for a free slot; past it the API answers 503 with Retry-After.",
    )
    max_tool_calls_per_message: int = Field(
        4, gt=0, description="Tool calls one model message may carry; more end in a handoff."
    )
    max_reply_chars: int = Field(
        2000, gt=0, description="Longest reply shown to a user; a longer one is never delivered."
    )
    prompt: Literal["default", "brief"] = Field(
        "default", description="System-prompt variant (agent/prompts.py); A/B it with `eval --compare`."
    )

    @field_validator("now")
    @classmethod
    def _now_has_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("PROMESA_NOW needs a UTC offset, e.g. 2026-11-20T10:00:00-06:00")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _no_trust_all(cls, value: list[str]) -> list[str]:
        if any(v.strip() == "*" for v in value):
            raise ValueError("PROMESA_TRUSTED_PROXIES may not be '*': name the proxies' addresses")
        return value

    def model_request(self) -> ModelRequest:
        """The profile's request defaults with every explicit ``model_*`` override applied."""
        overrides = {
            "tool_choice": self.model_tool_choice,
            "parallel_tool_calls": self.model_parallel_tool_calls,
            "streaming": self.model_streaming,
            "max_tokens": self.model_max_tokens,
            "max_tokens_field": self.model_max_tokens_field,
            "tool_call_content": self.model_tool_call_content,
            "include_usage": self.model_include_usage,
            "first_token_seconds": self.model_first_token_seconds,
            "turn_deadline_seconds": self.turn_deadline_seconds,
        }
        chosen = {k: v for k, v in overrides.items() if v is not None}
        # validated, so overrides given as plain strings (model_copy, .env) become the enums
        return ModelRequest.model_validate({**PROFILES[self.model_profile].model_dump(), **chosen})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to ``data_dir/promesa.db``."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'promesa.db').as_posix()}"

    def current_time(self) -> datetime:
        """The clock for callers at the edge (API, CLI); domain code receives ``now``."""
        if self.now is not None:
            return self.now
        return datetime.now(self.tz)


def normalise_database_url(url: str) -> str:
    """Accept ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once (the API and CLI call this)."""
    return Settings()
