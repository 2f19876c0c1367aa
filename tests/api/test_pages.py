"""The web surfaces' pages: served by the API app, self-contained, nothing internal exposed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.main import create_app
from promesa.settings import Settings


def test_surfaces_and_embed_script_are_served(demo_client: TestClient) -> None:
    client = demo_client  # the demo shop exists in demo mode only (issue #16)
    for path in ("/widget", "/copilot", "/ops", "/shop"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        # everything a page loads comes from this server: no http(s) URL in a src or href
        assert not re.search(r'<(?:script|link|img)\b[^>]*(?:src|href)="https?://', response.text), path
    script = client.get("/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200


def test_policy_pages_resolve_citations(client: TestClient) -> None:
    page = client.get("/policies/returns", params={"lang": "es"})
    assert page.status_code == 200 and '<html lang="es">' in page.text
    assert 'id="return-window"' in page.text  # a citation returns#return-window lands here
    assert 'href="/policies/returns?lang=en"' in page.text  # the other language
    english = client.get("/policies/returns", params={"lang": "en"})
    assert 'id="return-window"' in english.text and '<html lang="en">' in english.text


def test_internal_policies_are_never_served(client: TestClient) -> None:
    for doc in ("fraud-signals", "compensation-limits", "reroute-playbook"):
        response = client.get(f"/policies/{doc}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_demo_shop_signs_in_with_a_server_minted_token(demo_client: TestClient) -> None:
    client = demo_client
    page = client.get("/shop", params={"customer": "C-1001", "lang": "es"})
    assert page.status_code == 200
    token = re.search(r'data-token="([^"]+)"', page.text)
    if token:  # the customer exists in this test world
        me = client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token.group(1)}"})
        assert me.json() == {"role": "customer", "subject": "C-1001", "order_scope": None}
    assert "data-token" not in client.get("/shop", params={"customer": "C-9999"}).text


def test_no_demo_shop_in_production(engine, api_settings: Settings) -> None:  # noqa: ANN001
    production = api_settings.model_copy(update={"environment": "production", "secret_key": "s" * 40})
    with TestClient(create_app(production, engine=engine), raise_server_exceptions=False) as client:
        assert client.get("/shop").status_code == 404
