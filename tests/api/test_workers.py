"""Several API workers (issue #13): refused where they could not share the truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.auth import StartupError
from api.modes import check_workers
from promesa.settings import Settings, get_settings

PG = "postgresql://u@db:5432/promesa"


def test_one_worker_is_always_fine(tmp_path: Path) -> None:
    check_workers(Settings(data_dir=tmp_path, _env_file=None), 1)  # type: ignore[call-arg]


def test_several_workers_on_sqlite_are_refused_with_the_reason(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, rate_limit_storage="redis://127.0.0.1:6379/13", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(StartupError) as refused:
        check_workers(settings, 2)
    assert "PostgreSQL" in str(refused.value) and "lose messages" in str(refused.value)
    # PostgreSQL data with SQLite checkpoints is refused too: turns would interleave the same way
    mixed = settings.model_copy(update={"database_url": PG, "checkpoint_url": "sqlite:///x.db"})
    with pytest.raises(StartupError):
        check_workers(mixed, 2)


def test_several_workers_need_a_shared_rate_limit_store(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=PG, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(StartupError) as refused:
        check_workers(settings, 3)
    assert "redis://" in str(refused.value)
    check_workers(settings.model_copy(update={"rate_limit_storage": "redis://127.0.0.1:6379/13"}), 3)


def test_serve_command_refuses_two_workers_on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cli.main import app

    monkeypatch.setenv("PROMESA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "18399", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output
