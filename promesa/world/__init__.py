"""Worlds: the world file format and loader, the demo world with its stories, bulk seeding."""

from promesa.world.allocation import compute_ship_by
from promesa.world.loader import WorldError, WorldSummary, load_world, parse_world

__all__ = ["WorldError", "WorldSummary", "compute_ship_by", "load_world", "parse_world"]
