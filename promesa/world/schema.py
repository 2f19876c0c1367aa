"""The world file format: pydantic models of every entity a world can hold.

A world file (YAML or JSON) is parsed into :class:`WorldFile`. The format is versioned and stays
backwards compatible: new fields are always optional, and ``version`` only grows.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from promesa.store.enums import (
    Channel,
    FulfillmentType,
    IdentityKind,
    InteractionChannel,
    LineStatus,
    NodeType,
    OrderStatus,
    ServiceLevel,
    TrackingEventType,
)

WORLD_FORMAT_VERSION = 1

Id = str
Weekdays = str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class IdentityIn(_Model):
    """An identifier of a customer, written any way a person would; stored normalised."""

    kind: IdentityKind | None = Field(
        None, description="email, phone or social; guessed from the value when absent."
    )
    value: str = Field(description="e.g. 'Maria.Lopez@Example.com', '+52 81 1234 5678', '@mafer'.")
    source: str = Field("web", description="Where it was captured: web, app, store, social…")
    verified: bool = Field(True, description="Whether the identifier was verified.")


class AddressIn(_Model):
    """A postal address with coordinates (used for distance bands)."""

    id: Id = Field(description="Unique address id, e.g. 'A-1000'.")
    line1: str = Field(description="Street and number.")
    city: str
    state: str
    postal_code: str = Field(max_length=10)
    country: str = Field("MX", max_length=2)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class CustomerIn(_Model):
    id: Id = Field(description="Unique customer id, e.g. 'C-1000'.")
    name: str
    locale: str = Field("es-MX", description="Preferred language, e.g. es-MX or en-US.")
    created_at: AwareDatetime | None = Field(
        None, description="When the profile was created; default: 365 days before `now`."
    )
    identities: list[IdentityIn] = Field(default_factory=list)
    addresses: list[AddressIn] = Field(default_factory=list)


class CapacityOverrideIn(_Model):
    """A per-date capacity of a node (peak, closure, short staffing)."""

    day: date
    units: int = Field(ge=0)
    orders: int = Field(ge=0)
    reason: str | None = None


class NodeIn(_Model):
    """A fulfillment node: distribution centre, store or dark store."""

    id: Id = Field(description="Unique node id, e.g. 'DC-CDMX-01'.")
    name: str
    type: NodeType
    city: str
    state: str
    postal_code: str = Field(max_length=10)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    timezone: str = Field("America/Mexico_City", description="IANA time zone of the node.")
    ships: bool = Field(True, description="Whether parcels leave from here.")
    pickup: bool = Field(False, description="Whether customers can collect orders here.")
    processing_hours: int = Field(4, ge=0, description="Hours from release to ready to ship.")
    cutoff_time: time = Field(time(14, 0), description="Local carrier cut-off, e.g. '14:00'.")
    ship_weekdays: Weekdays = Field(
        "012345", pattern=r"^[0-6]{1,7}$", description="Shipping weekdays, Monday=0 … Sunday=6."
    )
    capacity_units: int = Field(1000, ge=0, description="Default daily capacity in units.")
    capacity_orders: int = Field(400, ge=0, description="Default daily capacity in orders.")
    active: bool = True
    capacity_overrides: list[CapacityOverrideIn] = Field(
        default_factory=list, description="Per-date capacity overrides."
    )


class ServiceIn(_Model):
    """A carrier service level with transit (carrier delivery days) per distance band."""

    id: Id | None = Field(None, description="Unique service id; default '<CARRIER>-<LEVEL>'.")
    level: ServiceLevel
    name: str | None = Field(None, description="Display name; default '<Carrier> <level>'.")
    transit_local: int = Field(ge=0)
    transit_regional: int = Field(ge=0)
    transit_national: int = Field(ge=0)
    transit_remote: int = Field(ge=0)
    cutoff_time: time | None = Field(None, description="Carrier pick-up cut-off at nodes.")


class CarrierIn(_Model):
    id: Id = Field(description="Unique carrier id, e.g. 'DHL'.")
    name: str | None = Field(None, description="Display name; default: the id.")
    on_time_reliability: float = Field(0.95, ge=0, le=1)
    delivery_weekdays: Weekdays = Field("012345", pattern=r"^[0-6]{1,7}$")
    services: list[ServiceIn] = Field(default_factory=list)


class ProductIn(_Model):
    sku: Id
    name: str
    category: str
    price: Decimal = Field(ge=0, description="Unit price in MXN.")
    weight_kg: float = Field(gt=0)
    online_available: int = Field(0, ge=0, description="Sellable quantity shown online.")
    marketplace_seller: str | None = Field(None, description="Third-party seller, if any.")
    product_group: str | None = Field(
        None, max_length=32, description="Products sharing it are variants of one product (exchanges)."
    )
    variant: str | None = Field(None, max_length=64, description="This variant, e.g. 'talla M, azul'.")


class InventoryIn(_Model):
    node: Id
    sku: Id
    on_hand: int = Field(ge=0)
    reserved: int | None = Field(
        None, ge=0, description="Default: open (unshipped) allocated quantity of the world's orders."
    )
    safety_stock: int = Field(0, ge=0)


class TrackingEventIn(_Model):
    type: TrackingEventType
    at: AwareDatetime = Field(description="When it happened, ISO 8601 with offset.")
    location: str | None = None
    reason: str | None = Field(None, description="Why, on exceptions and failed attempts.")
    revised_eta: date | None = Field(None, description="The carrier's new date on delays.")


class ShipmentIn(_Model):
    id: Id | None = Field(None, description="Default '<order id>-S<n>'.")
    node: Id = Field(description="Node the parcel left from.")
    service: Id | None = Field(None, description="Default: the order's service.")
    tracking_number: str | None = Field(None, description="Default: derived from the id.")
    shipped_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    lines: list[int] | None = Field(
        None, description="Line numbers in this parcel; default: every line of the order."
    )
    events: list[TrackingEventIn] = Field(default_factory=list)


class LineIn(_Model):
    line_no: int | None = Field(None, ge=1, description="Default: position in the list, from 1.")
    sku: Id
    qty: int = Field(gt=0)
    unit_price: Decimal | None = Field(None, ge=0, description="Default: the product's price.")
    status: LineStatus = LineStatus.allocated
    node: Id | None = Field(None, description="Allocated node.")
    ship_by: date | None = Field(
        None, description="Default: computed from the promise, the node and the service."
    )


class OrderIn(_Model):
    id: Id = Field(description="Unique order id, e.g. 'PO-5000'.")
    customer: Id
    channel: Channel = Channel.web
    created_at: AwareDatetime
    status: OrderStatus
    fulfillment_type: FulfillmentType = FulfillmentType.ship
    promised_date: date
    promised_window_start: AwareDatetime | None = None
    promised_window_end: AwareDatetime | None = None
    ship_to: Id | None = Field(None, description="An address id of the world (ship/same-day).")
    pickup_node: Id | None = Field(None, description="The pickup node (pickup orders).")
    service: Id | None = Field(None, description="Carrier service id.")
    total: Decimal | None = Field(None, ge=0, description="Default: sum of qty × unit price.")
    currency: str = Field("MXN", max_length=3)
    note: str | None = Field(None, description="Customer's free text (data, never instructions).")
    pickup_hold_until: date | None = None
    lines: list[LineIn] = Field(min_length=1)
    shipments: list[ShipmentIn] = Field(default_factory=list)
    events: list[TrackingEventIn] = Field(
        default_factory=list, description="Order-level events not tied to a parcel (pickup)."
    )


class InteractionIn(_Model):
    customer: Id
    channel: InteractionChannel
    at: AwareDatetime
    summary: str
    order: Id | None = None


class WorldFile(_Model):
    """A small world: every entity of the store, in one YAML or JSON document."""

    version: int = Field(WORLD_FORMAT_VERSION, ge=1, le=WORLD_FORMAT_VERSION)
    now: AwareDatetime | None = Field(None, description="The clock the world was written for.")
    customers: list[CustomerIn] = Field(default_factory=list)
    nodes: list[NodeIn] = Field(default_factory=list)
    carriers: list[CarrierIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
    inventory: list[InventoryIn] = Field(default_factory=list)
    orders: list[OrderIn] = Field(default_factory=list)
    interactions: list[InteractionIn] = Field(default_factory=list)


def service_id(carrier_id: str, service: ServiceIn) -> str:
    """The service's id: its own, else the carrier's id and the level, e.g. 'DHL-EXPRESS'."""
    return service.id or f"{carrier_id}-{service.level.value.upper().replace('_', '-')}"


def world_json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of the world file format."""
    schema = WorldFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Promesa world file"
    return schema


__all__ = [
    "WORLD_FORMAT_VERSION",
    "AddressIn",
    "CapacityOverrideIn",
    "CarrierIn",
    "CustomerIn",
    "IdentityIn",
    "InteractionIn",
    "InventoryIn",
    "LineIn",
    "NodeIn",
    "OrderIn",
    "ProductIn",
    "ServiceIn",
    "ShipmentIn",
    "TrackingEventIn",
    "WorldFile",
    "service_id",
    "world_json_schema",
]
