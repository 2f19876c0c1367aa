"""The explicit catalog: every ToolName once, no import circle, typed results and their decisions."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from promesa.principal import Principal, Role
from tools import catalog
from tools.decisions import OrderStatusDecision, RefusalDecision
from tools.names import ToolName
from tools.registry import ToolEnv, ToolSpec, tool

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = Principal(role=Role.customer, subject="C-9001")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_catalog_lists_every_tool_name_once_in_order() -> None:
    names = [spec.name for spec in catalog.TOOLS]
    assert sorted(names) == sorted(ToolName) and len(names) == len(set(names))
    assert list(catalog.all_tools()) == names


def test_the_registry_imports_no_tool_module_so_there_is_no_circle() -> None:
    plugins = {f"tools.{p.stem}" for p in (ROOT / "tools").glob("*.py")} - {
        "tools.registry", "tools.errors", "tools.names", "tools.decisions", "tools.__init__", "tools.catalog",
        "tools.context"}
    registry = _imports(ROOT / "tools" / "registry.py")
    assert not registry & plugins
    # the only importer of the tool modules is the catalog
    for path in (ROOT / "tools").glob("*.py"):
        if path.stem != "catalog":
            assert not (_imports(path) & plugins) - {"tools.action_decisions"}, path.name


def test_the_agent_finds_tools_through_the_catalog_not_a_tool_module() -> None:
    nodes = _imports(ROOT / "agent" / "nodes.py")
    assert "tools.fulfillment" not in nodes and not any(m.startswith("tools.fulfillment.") for m in nodes)
    assert "tools.catalog" in nodes


@pytest.mark.parametrize("spec", catalog.TOOLS, ids=lambda s: s.name)
def test_every_tool_declares_a_return_model(spec: ToolSpec) -> None:
    assert isinstance(spec.name, ToolName)
    assert issubclass(spec.returns, BaseModel)


def test_decisions_come_from_the_typed_record(env_for: Callable[..., ToolEnv]) -> None:
    spec = catalog.spec(ToolName.get_order_status)
    outcome = spec.run({"order_id": "PO-7001"}, env_for(Principal(role=Role.support, subject="agent-1")))
    assert isinstance(outcome.record, spec.returns)
    (decision,) = spec.decide(outcome)
    assert isinstance(decision, OrderStatusDecision) and decision.order_id == "PO-7001"
    # the same decisions from the JSON the model read (a stored result is read back typed)
    assert spec.decide_envelope(outcome.envelope) == [decision]


def test_a_refusal_names_the_tool_as_a_typed_field(env_for: Callable[..., ToolEnv]) -> None:
    spec = catalog.spec(ToolName.get_order_status)
    outcome = spec.run({"order_id": "PO-0000"}, env_for(CUSTOMER))
    assert outcome.record is None
    (refusal,) = spec.decide(outcome)
    assert isinstance(refusal, RefusalDecision) and refusal.tool is ToolName.get_order_status


class Args(BaseModel):
    pass


class Promised(BaseModel):
    n: int


class Other(BaseModel):
    n: int


def test_a_tool_returning_another_record_fails_as_an_internal_error(env_for: Callable[..., ToolEnv]) -> None:
    def get_order_status(deps: object, args: Args, env: ToolEnv) -> Promised:
        """A tool that breaks its own declaration at run time."""
        return Other(n=1)  # type: ignore[return-value]

    spec = tool(roles=[Role.customer], returns=Promised)(get_order_status)
    outcome = spec.run({}, env_for(CUSTOMER))
    assert outcome.record is None and outcome.envelope["error"]["code"] == "internal_error"


def test_a_tool_must_be_a_tool_name() -> None:
    def not_a_tool(deps: object, args: Args, env: ToolEnv) -> Args:
        """Named after nothing in ToolName."""
        return args

    with pytest.raises(ValueError, match="ToolName"):
        tool(roles=[Role.customer], returns=Args)(not_a_tool)
