"""Locale formatting: dates ("martes 24 de noviembre" / "Tuesday, November 24"), MXN, percents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}


def as_date(value: Any) -> date | None:
    """A date from a date, datetime or ISO string; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def fmt_date(value: Any, lang: str) -> str:
    """'Tuesday, November 24' or 'martes 24 de noviembre'; unknown values are shown as given."""
    day = as_date(value)
    if day is None:
        return str(value)
    weekday, month = _DAYS[lang][day.weekday()], _MONTHS[lang][day.month - 1]
    if lang == "es":
        return f"{weekday} {day.day} de {month}"
    return f"{weekday}, {month} {day.day}"


def fmt_money(amount: Any) -> str:
    """'$1,234.50 MXN' (negative amounts as '-$50.00 MXN')."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return str(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f} MXN"


def fmt_number(value: Any, unit: str | None = None) -> str:
    """A metric value with its unit: ratios and percents as '87.5%', counts as integers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    unit = (unit or "").lower()
    if unit in ("ratio", "fraction", "share"):
        return f"{value * 100:.1f}%"
    if unit in ("%", "percent", "pct"):
        return f"{value:.1f}%"
    if unit in ("mxn", "currency", "money"):
        return fmt_money(value)
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text} {unit}".strip() if unit and unit not in ("count", "orders") else text
