"""Re-export of :mod:`promesa.domain.ship_by` for the world loader and the demo generator.

The arithmetic belongs to the domain (which may not import the world); the names stay
importable here because ``promesa.world.orders``, ``promesa.world.convert`` and
``promesa.world.compute_ship_by`` use them.
"""

from __future__ import annotations

from promesa.domain.ship_by import (
    DEFAULT_DELIVERY_WEEKDAYS,
    DEFAULT_TRANSIT,
    NodeLike,
    ServiceLike,
    compute_ship_by,
    transit_days,
)

__all__ = ["DEFAULT_DELIVERY_WEEKDAYS", "DEFAULT_TRANSIT", "NodeLike", "ServiceLike",
           "compute_ship_by", "transit_days"]
