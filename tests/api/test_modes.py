"""Demo conveniences only where safe, by environment (issue #16): development, test, demo,
production. The demo token endpoint and the demo shop's tokens exist only in ``demo``, only for
story principals, never for ``system``; demo mode never serves off loopback; production needs a
real secret."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.auth import StartupError
from api.main import create_app
from api.modes import check_serve, is_loopback
from promesa.settings import Settings

STRONG = "k" * 48


def app_client(api_settings: Settings, engine, agent, environment: str) -> TestClient:  # noqa: ANN001
    settings = api_settings.model_copy(update={"environment": environment, "secret_key": STRONG})
    return TestClient(create_app(settings, engine=engine, agent=agent), raise_server_exceptions=False)


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_no_demo_tokens_and_no_shop_token_outside_demo(api_settings, engine, agent, environment) -> None:  # noqa: ANN001
    with app_client(api_settings, engine, agent, environment) as client:
        for body in ({"role": "system", "subject": "x"}, {"role": "support", "subject": "agent-ana"},
                     {"role": "customer", "subject": "C-1001"}):
            assert client.post("/v1/auth/demo-token", json=body).status_code == 404
        shop = client.get("/shop", params={"customer": "C-1001"})
        assert shop.status_code == 404 and "data-token" not in shop.text


def test_demo_mints_for_story_principals_only_and_never_for_system(api_settings, engine, agent) -> None:  # noqa: ANN001
    with app_client(api_settings, engine, agent, "demo") as client:
        for body in ({"role": "support", "subject": "agent-ana"}, {"role": "ops", "subject": "ops-luis"},
                     {"role": "customer", "subject": "C-1001"}, {"role": "support", "subject": "agent-demo"}):
            response = client.post("/v1/auth/demo-token", json=body)
            assert response.status_code == 200, body
            assert response.json()["principal"]["subject"] == body["subject"]
        for body in ({"role": "system", "subject": "promesa"}, {"role": "system", "subject": "agent-ana"},
                     {"role": "customer", "subject": "C-4242"}, {"role": "support", "subject": "mallory"},
                     {"role": "anonymous", "order_scope": "PO-5000"},
                     {"role": "customer", "subject": "C-1001", "order_scope": "PO-5001"}):
            response = client.post("/v1/auth/demo-token", json=body)
            assert response.status_code == 403, body
            assert "access_token" not in response.text


def test_demo_shop_token_is_short_lived(api_settings, world, agent) -> None:  # noqa: ANN001
    with app_client(api_settings, world, agent, "demo") as client:
        page = client.get("/shop", params={"customer": "C-1001"})
        token = re.search(r'<script src="/widget.js" data-token="([^"]+)"', page.text)
        assert token is not None
        import jwt

        claims = jwt.decode(token.group(1), options={"verify_signature": False})
        assert claims["role"] == "customer" and claims["sub"] == "C-1001"
        assert claims["exp"] - claims["iat"] == api_settings.visitor_token_ttl_minutes * 60


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "shop.example.com"])
def test_demo_refuses_to_serve_off_loopback(api_settings, host) -> None:  # noqa: ANN001
    demo = api_settings.model_copy(update={"environment": "demo"})
    with pytest.raises(StartupError, match="loopback"):
        check_serve(demo, host)
    assert check_serve(demo, "127.0.0.1") == [] and check_serve(demo, "localhost") == []


def test_development_off_loopback_warns(api_settings) -> None:  # noqa: ANN001
    development = api_settings.model_copy(update={"environment": "development"})
    (warning,) = check_serve(development, "0.0.0.0")
    assert "PROMESA_ENVIRONMENT=production" in warning
    assert check_serve(development, "::1") == []


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_production_requires_a_real_secret(api_settings, engine, secret) -> None:  # noqa: ANN001
    production = api_settings.model_copy(update={"environment": "production", "secret_key": secret})
    with pytest.raises(StartupError):
        check_serve(production, "0.0.0.0")
    with pytest.raises(StartupError):
        create_app(production, engine=engine)
    strong = production.model_copy(update={"secret_key": STRONG})
    assert check_serve(strong, "0.0.0.0") == []


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.0.1") and is_loopback("::1")
    assert is_loopback("[::1]") and is_loopback("LOCALHOST")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("")


def test_serve_command_refuses_demo_off_loopback(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from cli.main import app
    from promesa.settings import get_settings

    monkeypatch.setenv("PROMESA_ENVIRONMENT", "demo")
    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8161"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "loopback" in result.output
