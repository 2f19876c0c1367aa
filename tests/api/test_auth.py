"""Tokens: signing, expiry, the development secret, and the 401/403 answers."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from api.auth import (
    InvalidToken,
    StartupError,
    decode_token,
    issue_token,
    parse_principal,
    resolve_secret,
)
from api.main import create_app
from promesa.principal import Principal, Role
from promesa.settings import Settings


def test_round_trip_keeps_role_subject_and_scope() -> None:
    visitor = Principal(role=Role.anonymous, order_scope="PO-5000")
    token = issue_token("s" * 32, visitor, timedelta(minutes=1))
    assert decode_token("s" * 32, token) == visitor


def test_forged_and_expired_tokens_are_refused() -> None:
    customer = Principal(role=Role.customer, subject="C-1001")
    token = issue_token("right-secret-" * 3, customer, timedelta(minutes=1))
    with pytest.raises(InvalidToken, match="not valid"):
        decode_token("wrong-secret-" * 3, token)
    expired = jwt.encode(
        {"iss": "promesa", "sub": "C-1001", "role": "customer",
         "iat": int(time.time()) - 100, "exp": int(time.time()) - 10},
        "right-secret-" * 3, algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match="expired"):
        decode_token("right-secret-" * 3, expired)


def test_impossible_principals_are_refused() -> None:
    secret = "k" * 40
    with pytest.raises(ValueError):
        issue_token(secret, Principal(role=Role.customer), timedelta(minutes=1))
    bogus = jwt.encode(
        {"iss": "promesa", "sub": "", "role": "anonymous",
         "iat": int(time.time()), "exp": int(time.time()) + 60},
        secret, algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        decode_token(secret, bogus)
    unknown_role = jwt.encode(
        {"iss": "promesa", "sub": "x", "role": "admin",
         "iat": int(time.time()), "exp": int(time.time()) + 60},
        secret, algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        decode_token(secret, unknown_role)


def test_development_secret_is_persisted_and_production_requires_one(tmp_path: Path) -> None:
    dev = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    first = resolve_secret(dev)
    assert len(first) >= 32 and resolve_secret(dev) == first
    assert (tmp_path / "api-secret.key").stat().st_mode & 0o077 == 0
    prod = Settings(_env_file=None, data_dir=tmp_path, environment="production")  # type: ignore[call-arg]
    with pytest.raises(StartupError):
        create_app(prod)
    configured = Settings(_env_file=None, environment="production", secret_key="x" * 40)  # type: ignore[call-arg]
    assert resolve_secret(configured) == "x" * 40


def test_parse_principal() -> None:
    assert parse_principal("customer:C-1001") == Principal(role=Role.customer, subject="C-1001")
    assert parse_principal("anonymous:PO-5000").order_scope == "PO-5000"
    with pytest.raises(ValueError, match="unknown role"):
        parse_principal("admin:root")
    with pytest.raises(ValueError):
        parse_principal("customer")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dXNlcjpwdw=="}],
)
def test_missing_or_bad_token_is_401_json(client, headers) -> None:  # noqa: ANN001
    response = client.get("/v1/approvals", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(client) -> None:  # noqa: ANN001
    expired = jwt.encode(
        {"iss": "promesa", "sub": "C-1001", "role": "customer",
         "iat": int(time.time()) - 100, "exp": int(time.time()) - 10},
        client.app.state.runtime.secret, algorithm="HS256",
    )
    response = client.get("/v1/approvals", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_demo_token_works_in_demo_and_is_gone_in_production(
    api_settings, engine, agent  # noqa: ANN001
) -> None:
    from fastapi.testclient import TestClient

    # issue #16: demo tokens exist in demo mode only (it was development, where it minted for anyone)
    demo = api_settings.model_copy(update={"environment": "demo"})
    with TestClient(create_app(demo, engine=engine, agent=agent)) as client:
        response = client.post("/v1/auth/demo-token", json={"role": "support", "subject": "agent-ana"})
        assert response.status_code == 200
        token = response.json()["access_token"]
        assert client.get("/v1/approvals", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        missing = client.post("/v1/auth/demo-token", json={"role": "customer"})
        assert missing.status_code == 422 and missing.json()["error"]["field"] == "subject"

    prod = api_settings.model_copy(update={"environment": "production", "secret_key": "p" * 40})
    with TestClient(create_app(prod, engine=engine, agent=agent)) as prod_client:
        refused = prod_client.post("/v1/auth/demo-token", json={"role": "ops", "subject": "x"})
        assert refused.status_code == 404


def test_me_returns_the_principal_of_the_token(client, token_for):
    response = client.get("/v1/auth/me", headers=token_for("support", "agent-ana"))
    assert response.status_code == 200
    assert response.json()["role"] == "support"
    assert response.json()["subject"] == "agent-ana"
    assert client.get("/v1/auth/me").status_code == 401
