"""The composition root: the base package's CLI imports no area above it, and the ``promesa``
program (``cli.main``) has every area's commands and benchmarks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABOVE_BASE = {"agent", "api", "evals", "knowledge", "tools", "cli"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_base_cli_and_bench_registry_import_nothing_above_the_base() -> None:
    for path in [ROOT / "promesa" / "cli.py", *sorted((ROOT / "promesa" / "bench").glob("*.py"))]:
        assert not _imported_roots(path) & ABOVE_BASE, path


def test_importing_the_base_cli_loads_no_upper_area() -> None:
    code = ("import sys, promesa.cli, promesa.bench.cli; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(ABOVE_BASE)!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_program_has_every_command_and_the_agent_benchmarks() -> None:
    from cli.main import app
    from promesa.bench.registry import BENCHMARKS, ON_REQUEST

    names = {command.name or (command.callback.__name__ if command.callback else "") for command in app.registered_commands}
    names |= {group.name for group in app.registered_groups if group.name}
    assert {"migrate", "bench", "seed", "stories", "index", "eval", "serve", "token", "ask", "chat",
            "setup", "simulate"} <= names
    assert {"agent_turn", "nlu_read", "api_load"} <= set(BENCHMARKS) and "api_load" in ON_REQUEST


def test_the_program_registers_only_the_invoked_area() -> None:
    code = "import sys; sys.argv = ['promesa', 'stories']; import cli.main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('evals', 'api', 'knowledge', 'agent')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
