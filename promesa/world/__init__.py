"""Worlds: the world file format and loader, the demo world with its stories, bulk seeding.

The loader's names are resolved on first use (PEP 562): ``promesa stories`` needs only the
story table, and importing the loader (SQLAlchemy, the store, the bulk path) cost it seconds.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {"compute_ship_by": "promesa.domain.ship_by", "WorldError": "promesa.world.loader",
         "WorldSummary": "promesa.world.loader", "load_world": "promesa.world.loader",
         "parse_world": "promesa.world.loader"}

__all__ = ["WorldError", "WorldSummary", "compute_ship_by", "load_world", "parse_world"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'promesa.world' has no attribute {name!r}")
