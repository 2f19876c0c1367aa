from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import PolicyFormatError, load_library, parse_document
from promesa.domain import policy

GOOD = """---
id: sample
title: Sample
version: 1
effective: 2026-01-01
audience: customer
locale: en
---
## Window {#window}
Return within {{ RETURN_WINDOW_DAYS }} days.
"""


def test_library_loads_with_both_locales_for_every_customer_document() -> None:
    documents = load_library()
    assert len(documents) >= 30
    customer = {(d.id, d.locale) for d in documents if d.audience == "customer"}
    ids = {i for i, _ in customer}
    assert all((i, "en") in customer and (i, "es") in customer for i in ids)
    # Translations cite the same sections.
    by_key = {(d.id, d.locale): d for d in documents}
    for i in ids:
        assert [s.anchor for s in by_key[(i, "en")].sections] == [s.anchor for s in by_key[(i, "es")].sections]


def test_rendered_numbers_match_the_domain_policy() -> None:
    docs = {(d.id, d.locale): d for d in load_library()}
    window = docs[("returns", "en")].section("return-window")
    assert window and f"within {policy.RETURN_WINDOW_DAYS} days" in window.text
    assert f"{policy.RETURN_WINDOW_ELECTRONICS_DAYS}\ndays" in docs[("returns", "en")].section("category-exceptions").text
    assert f"{policy.PICKUP_HOLD_DAYS} días" in docs[("pickup", "es")].section("hold-period").text
    late = docs[("delivery-promise", "en")].section("late-delivery").text
    assert f"{policy.LATE_CREDIT_PERCENT}%" in late and f"${policy.LATE_CREDIT_CAP_MXN} MXN" in late
    refunds = docs[("refunds", "en")].section("refund-timing").text
    low, high = policy.REFUND_DAYS["paypal"]
    assert f"PayPal: {low} to {high} business days" in refunds
    limits = docs[("compensation-limits", "en")].section("limits").text
    assert f"${policy.COMPENSATION_LIMIT_MXN['support']} MXN" in limits
    assert "{{" not in "".join(s.text for d in docs.values() for s in d.sections)


def test_rendering_follows_the_values(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(GOOD)
    values = policy.as_template_values() | {"RETURN_WINDOW_DAYS": 45}
    assert "within 45 days" in parse_document(path, values).sections[0].text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("audience: customer", "audience: everyone"), "audience"),
        (("locale: en\n", ""), "locale"),
        (("version: 1", "version: zero"), "version"),
        (("id: sample", "id: Bad Id"), "id"),
        (("title: Sample\n", "title: Sample\ncolour: red\n"), "colour"),
        (("{{ RETURN_WINDOW_DAYS }}", "{{ NO_SUCH_NUMBER }}"), "body"),
        (("## Window {#window}", "## Window"), "section"),
    ],
)
def test_front_matter_errors_name_the_file_and_field(tmp_path: Path, change: tuple[str, str], field: str) -> None:
    path = tmp_path / "broken.md"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(PolicyFormatError) as error:
        parse_document(path)
    assert error.value.field == field
    assert "broken.md" in str(error.value) and field in str(error.value)


def test_service_numbers_come_from_the_domain_policy() -> None:
    docs = {(d.id, d.locale): d for d in load_library()}

    def text(doc: str, locale: str, anchor: str) -> str:
        section = docs[(doc, locale)].section(anchor)
        assert section is not None
        return " ".join(section.text.split())

    request = text("privacy", "en", "how-to-request")
    assert f"within {policy.PRIVACY_RESPONSE_BUSINESS_DAYS} business days" in request
    assert f"following {policy.PRIVACY_FULFILMENT_BUSINESS_DAYS} business days" in request
    assert f"{policy.PRIVACY_RESPONSE_BUSINESS_DAYS} días hábiles" in text("privacy", "es", "how-to-request")
    hours = f"{policy.SERVICE_OPEN_HOUR}:00 to {policy.SERVICE_CLOSE_HOUR}:00"
    assert hours in text("human-help", "en", "how")
    assert f"{policy.SERVICE_OPEN_HOUR}:00 a {policy.SERVICE_CLOSE_HOUR}:00" in text("human-help", "es", "how")
    assert f"within {policy.NOT_RECEIVED_CLAIM_HOURS} hours" in text("lost-damaged", "en", "not-received")
    assert f"{policy.NOT_RECEIVED_CLAIM_HOURS} horas" in text("lost-damaged", "es", "not-received")
    assert f"within {policy.DAMAGED_CLAIM_DAYS} days of delivery" in text("lost-damaged", "en", "damaged")
    assert f"{policy.DAMAGED_CLAIM_DAYS} días siguientes" in text("lost-damaged", "es", "damaged")
    assert f"until {policy.HOLIDAY_RETURNS_UNTIL_JANUARY_DAY} January" in text("peak-season", "en", "holiday-returns")
    assert f"{policy.HOLIDAY_RETURNS_UNTIL_JANUARY_DAY} de enero" in text("peak-season", "es", "holiday-returns")
    assert f"above {policy.CAPACITY_WARNING_PERCENT}%" in text("capacity-playbook", "en", "risk-scan")
