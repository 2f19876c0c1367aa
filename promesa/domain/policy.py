"""The numbers of the store's policies: one source for the domain code and the policy texts.

The policy documents in ``knowledge/policies`` are rendered with these values, so what the
agent cites and what the code enforces cannot drift apart.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

#: Days after delivery (or pickup) in which most items may be returned.
RETURN_WINDOW_DAYS: Final = 30
#: Shorter window for electronics and opened software.
RETURN_WINDOW_ELECTRONICS_DAYS: Final = 15
#: Marketplace items follow the seller's window, never shorter than this.
RETURN_WINDOW_MARKETPLACE_DAYS: Final = 15
#: Calendar days a pickup order is held at the store once ready.
PICKUP_HOLD_DAYS: Final = 5
#: Courtesy credit for a late delivery: percent of the order, capped.
LATE_CREDIT_PERCENT: Final = 10
LATE_CREDIT_CAP_MXN: Final = Decimal("200")
#: Compensation a role may grant without escalation (internal policy).
COMPENSATION_LIMIT_MXN: Final = {"support": Decimal("500"), "supervisor": Decimal("2000")}
#: Reroutes: at most this many shipments after a split, and only above this order value.
MAX_SPLIT_SHIPMENTS: Final = 2
MIN_SPLIT_ORDER_VALUE_MXN: Final = Decimal("1500")
#: Price adjustment window after purchase.
PRICE_ADJUSTMENT_DAYS: Final = 7
#: Refund timing by payment method, in business days (min, max).
REFUND_DAYS: Final = {
    "card": (5, 10),
    "debit_card": (5, 10),
    "paypal": (2, 5),
    "oxxo_cash": (3, 7),
    "store_credit": (0, 1),
    "gift_card": (0, 1),
}
#: Warranty of first-party products, in months.
WARRANTY_MONTHS: Final = 12
#: Carrier delay beyond which a parcel in transit is investigated as lost.
LOST_PARCEL_INVESTIGATION_DAYS: Final = 5

#: LFPDPPP (Mexican data-protection law): business days to answer a privacy (ARCO) request,
#: then business days to carry it out once granted.
PRIVACY_RESPONSE_BUSINESS_DAYS: Final = 20
PRIVACY_FULFILMENT_BUSINESS_DAYS: Final = 15
#: Customer service hours, Mexico City time, every day (24-hour clock, whole hours).
SERVICE_OPEN_HOUR: Final = 8
SERVICE_CLOSE_HOUR: Final = 22
#: Claim windows: a parcel marked delivered but not received (hours after the delivery scan)
#: and an item that arrived damaged (days after delivery).
NOT_RECEIVED_CLAIM_HOURS: Final = 48
DAMAGED_CLAIM_DAYS: Final = 5
#: Holiday returns: items bought from Buen Fin to 24 December may be returned until this day
#: of January of the next year.
HOLIDAY_RETURNS_UNTIL_JANUARY_DAY: Final = 31
#: Node utilisation (percent of daily capacity) above which the risk scan warns.
CAPACITY_WARNING_PERCENT: Final = 85


def as_template_values() -> dict[str, object]:
    """Every policy number, by name, for rendering the policy documents."""
    return {name: value for name, value in globals().items() if name.isupper()}
