"""Tools run against the agent tests' small world."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import Engine

from promesa.principal import Principal
from promesa.settings import Settings
from promesa.store.db import session_factory
from tests.agent.conftest import build_world
from tools.context import TurnContext
from tools.registry import ToolEnv


@pytest.fixture
def world(engine: Engine) -> Engine:
    return build_world(engine)


@pytest.fixture
def env_for(world: Engine, settings: Settings, now: datetime) -> Callable[..., ToolEnv]:
    def make(principal: Principal, **extra: object) -> ToolEnv:
        turn = TurnContext(principal=principal, now=now, settings=settings, sessions=session_factory(world),
                           thread_id="t-tools")
        return ToolEnv.of(turn, **extra)

    return make
