"""``GET /v1/stores``: store names and places, so the surfaces never show a shopper a node code."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from api.schemas import ERRORS
from promesa.domain.stores import StoreView, store_directory

router = APIRouter(prefix="/v1", tags=["orders"])


@router.get("/stores", response_model=list[StoreView], responses=ERRORS)
def stores(session: SessionDep) -> list[StoreView]:
    """Every active node: id, name, type, city, postal code, whether it offers pickup (public)."""
    return store_directory(session)
