"""``GET /v1/stories``: the demo world's stories, for the demo pages' story pickers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SettingsDep
from api.errors import ApiError
from promesa.world.stories import STORIES

router = APIRouter(prefix="/v1", tags=["demo"])


@router.get("/stories")
def stories(settings: SettingsDep) -> list[dict[str, Any]]:
    """Each story: id, title, persona, principal to sign in as, ids involved, questions (en/es).

    Demo metadata only (no customer data); not served in production.
    """
    if settings.environment == "production":
        raise ApiError(404, "not_found", "not found")
    return [story.as_dict() for story in STORIES]
