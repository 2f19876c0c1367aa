"""Liveness and readiness: ``GET /healthz``."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep
from api.schemas import Health

router = APIRouter(tags=["health"])
VERSION = "0.1.0"


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(runtime: RuntimeDep) -> Health | JSONResponse:
    """``ok`` when the database answers; 503 otherwise."""
    assert runtime.engine is not None
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any database failure means not ready; the reason stays in the logs
        logging.getLogger("promesa.api").exception("health check: database unreachable")
        body = Health(status="unavailable", database="unreachable", version=VERSION)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok", version=VERSION)
