"""``promesa token`` prints tokens the API accepts (they share the development secret)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.auth import decode_token, resolve_secret
from api.cli import parse_ttl
from cli.main import app
from promesa.principal import Role
from promesa.settings import Settings, get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PROMESA_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def world_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> Path:
    """The data dir holding the small test world, with the clock at its ``NOW``."""
    import shutil

    from promesa.store.db import make_engine
    from promesa.world.loader import load_world
    from tests.api.world import NOW, small_world

    shutil.copy(sqlite_template, data_dir / "promesa.db")
    engine = make_engine(f"sqlite:///{data_dir / 'promesa.db'}")
    load_world(engine, small_world())
    engine.dispose()
    monkeypatch.setenv("PROMESA_NOW", NOW)
    get_settings.cache_clear()
    return data_dir


def test_token_command_signs_with_the_shared_secret(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--role", "customer", "--subject", "C-1001", "--ttl", "5m"])
    assert result.exit_code == 0, result.output
    secret = resolve_secret(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    principal = decode_token(secret, result.output.strip())
    assert principal.role is Role.customer and principal.subject == "C-1001"


def test_token_command_refuses_impossible_principals(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "--role", "anonymous"])
    assert result.exit_code == 2 and "order_scope" in result.output


def test_parse_ttl() -> None:
    assert parse_ttl("90") == timedelta(minutes=90)
    assert parse_ttl("8h") == timedelta(hours=8) and parse_ttl("2d") == timedelta(days=2)
    for bad in ("0", "-5m", "soon", "5w"):
        with pytest.raises(typer.BadParameter):
            parse_ttl(bad)


def test_ask_runs_one_turn_and_prints_decisions(world_dir: Path) -> None:
    import json


    result = CliRunner().invoke(app, ["ask", "--as", "customer:C-1000", "--json", "Where is my order PO-5000?"])
    assert result.exit_code == 0, result.output
    turn = json.loads(result.output)
    assert any(d["type"] == "order_status" and d["order_id"] == "PO-5000" for d in turn["decisions"])

    text = CliRunner().invoke(app, ["ask", "--as", "customer:C-1000", "--thread", turn["thread_id"], "and PO-5000?"])
    assert text.exit_code == 0 and "[order_status]" in text.output

    bad = CliRunner().invoke(app, ["ask", "--as", "wizard:merlin", "hi"])
    assert bad.exit_code == 2 and "unknown role" in bad.output
    # a customer the database does not hold is a usage error, not a conversation
    nobody = CliRunner().invoke(app, ["ask", "--as", "customer:C-9999", "hi"])
    assert nobody.exit_code == 2 and "no customer C-9999" in nobody.output


def test_ask_without_a_world_says_to_run_setup(data_dir: Path) -> None:
    # staff too: before, an ops question on an empty database answered "something went wrong"
    for who in ("ops:lead", "customer:C-1000"):
        result = CliRunner().invoke(app, ["ask", "--as", who, "which orders will miss their promise tomorrow?"])
        assert result.exit_code == 2, result.output
        assert "promesa setup" in result.output


def test_ask_prints_a_reroute_proposal_without_the_reason_prose(world_dir: Path) -> None:
    import re


    result = CliRunner().invoke(app, ["ask", "--as", "support:agent-1", "Can PO-5000 ship from another store?"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if "[reroute_proposal]" in ln)
    # the record's English log prose (a sentence with ISO dates, scores) is not printed: the
    # answer above says why in words; the typed fields stay (--json shows everything)
    assert '"reason"' not in line and '"promised_date": "2026-11-23"' in line, line
    assert not re.search(r"\d{4}-\d{2}-\d{2}", result.output.splitlines()[0])


def _serve_in_thread(settings: Settings) -> tuple[str, object, object]:
    import socket
    import threading
    import time

    import uvicorn

    from api.main import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def test_ask_goes_to_the_server_running_on_the_same_world(world_dir: Path) -> None:
    """`promesa serve` announces itself in the data dir; `ask` sends its turn there (no agent
    start in the CLI) and prints the same answer the in-process agent gives."""
    import json

    from api.cli_server import SERVER_FILE, announced

    settings = get_settings()
    url, server, thread = _serve_in_thread(settings)
    question = ["--as", "customer:C-1000", "Where is my order PO-5000?"]
    try:
        with announced(settings, url):
            assert (world_dir / SERVER_FILE).exists()
            served = CliRunner().invoke(app, ["ask", *question])
            assert served.exit_code == 0, served.output
            assert f"answered by the server at {url}" in served.output
            served_json = json.loads(CliRunner().invoke(app, ["ask", "--json", *question]).output)
            # the server's errors are the CLI's: a thread that is not this customer's
            other = CliRunner().invoke(app, ["ask", "--as", "customer:C-1001", "--thread",
                                             served_json["thread_id"], "and now?"])
            assert other.exit_code == 1 and "not_found" in other.output, other.output
        assert not (world_dir / SERVER_FILE).exists()  # removed when the server stops
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=10)  # type: ignore[attr-defined]
    local = CliRunner().invoke(app, ["ask", "--json", "--in-process", *question])
    assert local.exit_code == 0, local.output
    local_json = json.loads(local.output)
    assert local_json["text"] == served_json["text"] and local_json["text"]
    assert local_json["decisions"] == served_json["decisions"]


def test_ask_runs_in_process_when_the_announced_server_is_gone(world_dir: Path) -> None:
    import json

    from api.cli_server import SERVER_FILE, fingerprint

    # a server killed without cleaning up (no such process), then one on another world
    for pid, mark in ((2**22 + 1, fingerprint(get_settings())), (1, "another-world")):
        (world_dir / SERVER_FILE).write_text(json.dumps(
            {"url": "http://127.0.0.1:9", "pid": pid, "fingerprint": mark}), encoding="utf-8")
        result = CliRunner().invoke(app, ["ask", "--as", "customer:C-1000", "Where is my order PO-5000?"])
        assert result.exit_code == 0, result.output
        assert "[order_status]" in result.output and "answered by the server" not in result.output


def test_the_server_fingerprint_names_the_world_not_its_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    from api.cli_server import fingerprint

    monkeypatch.chdir(tmp_path)
    relative = Settings(_env_file=None, data_dir=Path(".promesa"))  # type: ignore[call-arg]
    absolute = Settings(_env_file=None, data_dir=tmp_path / ".promesa")  # type: ignore[call-arg]
    assert fingerprint(relative) == fingerprint(absolute)
    # another database, another model or another pinned clock is another world
    other_db = Settings(_env_file=None, data_dir=tmp_path / "elsewhere")  # type: ignore[call-arg]
    other_model = Settings(_env_file=None, data_dir=tmp_path / ".promesa", model="openai:gpt-4o-mini")  # type: ignore[call-arg]
    pinned = Settings(_env_file=None, data_dir=tmp_path / ".promesa",  # type: ignore[call-arg]
                      now=datetime.fromisoformat("2026-11-20T10:00:00-06:00"))
    assert len({fingerprint(s) for s in (absolute, other_db, other_model, pinned)}) == 4


def test_serve_lists_the_pages_to_open_and_the_shop_only_in_demo_mode(tmp_path: Path) -> None:
    from api.cli import serve_lines

    demo = serve_lines(Settings(_env_file=None, data_dir=tmp_path, environment="demo"), "http://127.0.0.1:8000")  # type: ignore[call-arg]
    assert [line.split()[0] for line in demo] == [
        "http://127.0.0.1:8000/shop", "http://127.0.0.1:8000/copilot", "http://127.0.0.1:8000/ops", "http://127.0.0.1:8000/docs"]
    development = serve_lines(Settings(_env_file=None, data_dir=tmp_path), "http://127.0.0.1:8000")  # type: ignore[call-arg]
    assert "/shop" not in " ".join(development) and development[0].split()[0].endswith("/widget")
