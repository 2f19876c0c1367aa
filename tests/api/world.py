"""A two-customer world for the API tests (loaded with the world loader)."""

from __future__ import annotations

from typing import Any

NOW = "2026-11-20T10:00:00-06:00"


def small_world() -> dict[str, Any]:
    def customer(cid: str, name: str, email: str, phone: str, postal: str) -> dict[str, Any]:
        return {
            "id": cid, "name": name, "locale": "es-MX",
            "identities": [{"value": email}, {"value": phone, "source": "store"}],
            "addresses": [{"id": f"A-{cid}", "line1": "Av. Reforma 1", "city": "Ciudad de México",
                           "state": "CDMX", "postal_code": postal, "lat": 19.43, "lon": -99.13}],
        }

    def order(oid: str, cid: str, status: str, line_status: str) -> dict[str, Any]:
        return {
            "id": oid, "customer": cid, "created_at": "2026-11-18T12:00:00-06:00", "status": status,
            "promised_date": "2026-11-23", "ship_to": f"A-{cid}", "service": "DHL-STANDARD",
            "lines": [{"sku": "SKU-1", "qty": 1, "status": line_status, "node": "DC-CDMX-01"}],
        }

    return {
        "now": NOW,
        "customers": [
            customer("C-1000", "Ana Torres", "ana.torres@example.com", "+52 55 1111 2222", "06600"),
            customer("C-1001", "Carlos Mendoza", "carlos@example.com", "+52 81 3333 4444", "64000"),
        ],
        "nodes": [{"id": "DC-CDMX-01", "name": "CEDIS CDMX", "type": "distribution_center",
                   "city": "Ciudad de México", "state": "CDMX", "postal_code": "02300",
                   "lat": 19.49, "lon": -99.18}],
        "carriers": [{"id": "DHL", "services": [{"level": "standard", "transit_local": 1,
                      "transit_regional": 2, "transit_national": 3, "transit_remote": 5}]}],
        "products": [{"sku": "SKU-1", "name": "Licuadora", "category": "home", "price": "999.00",
                      "weight_kg": 2.0}],
        "inventory": [{"node": "DC-CDMX-01", "sku": "SKU-1", "on_hand": 10}],
        "orders": [
            order("PO-5000", "C-1000", "allocated", "allocated"),
            order("PO-5001", "C-1001", "allocated", "allocated"),
        ],
    }
