"""The shipping rate card: what a parcel costs by distance band, weight and service level."""

from __future__ import annotations

from promesa.domain.fulfillment.config import RateCard
from promesa.store.enums import DistanceBand, ServiceLevel


def shipping_cost(card: RateCard, band: DistanceBand, weight_kg: float, level: ServiceLevel) -> float:
    """MXN for one parcel: ``(base[band] + per_kg[band] × weight) × factor[level]``, 2 decimals."""
    factor = card.service_factor.get(level.value, 1.0)
    return round((card.base_mxn[band.value] + card.per_kg_mxn[band.value] * weight_kg) * factor, 2)
