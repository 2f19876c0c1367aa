"""Tools over the domain: the JSON envelope, error mapping, idempotent writes, handoffs."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promesa.errors import Forbidden, InvalidInput
from promesa.principal import Principal, Role
from promesa.store.models import ActionExecution, Handoff
from tools import errors
from tools.catalog import all_tools

SUPPORT = Principal(role=Role.support, subject="agent-ana")
CUSTOMER = Principal(role=Role.customer, subject="C-1")
OPS = Principal(role=Role.ops, subject="ops-luis")


def test_read_tool_returns_the_record_in_the_envelope(env_for) -> None:
    envelope = all_tools()["get_order_status"].execute({"order_id": "PO-7001"}, env_for(CUSTOMER))
    assert envelope["ok"] is True
    assert envelope["result"]["order_id"] == "PO-7001"
    assert envelope["result"]["promised_date"] == "2026-11-24"


def test_domain_errors_become_typed_error_envelopes(env_for) -> None:
    tools = all_tools()
    hidden = tools["get_order_status"].execute({"order_id": "PO-7002"}, env_for(CUSTOMER))
    assert hidden == {"ok": False, "error": {"code": "not_found", "message": "order PO-7002 not found", "field": None}}
    bad = tools["get_order_status"].execute({"order_id": ""}, env_for(CUSTOMER))
    assert bad["error"]["code"] == "invalid_input" and bad["error"]["field"] == "order_id"
    assert errors.from_exception(Forbidden("no"))["error"]["code"] == "forbidden"
    assert errors.from_exception(InvalidInput("x", field="sku"))["error"]["field"] == "sku"
    assert errors.from_exception(RuntimeError("secret dsn"))["error"] == {
        "code": "internal_error", "message": "The tool failed; a person can look into it.", "field": None}


def test_the_principal_comes_from_the_environment_not_the_arguments(env_for) -> None:
    envelope = all_tools()["get_order_status"].execute(
        {"order_id": "PO-7002", "principal": {"role": "support"}}, env_for(CUSTOMER)
    )
    assert envelope["error"]["code"] == "not_found"


def test_writes_are_idempotent_by_key(env_for, world) -> None:
    tool = all_tools()["execute_reroute"]
    option = all_tools()["propose_reroute"].execute({"order_id": "PO-7003"}, env_for(SUPPORT))["result"][
        "recommended_option_id"]
    args = {"order_id": "PO-7003", "option_id": option}
    assert tool.execute(args, env_for(SUPPORT))["error"]["field"] == "idempotency_key"
    env = env_for(SUPPORT, idempotency_key="execute_reroute:test-key", approved_by="support:agent-ana")
    first = tool.execute(args, env)
    second = tool.execute(args, env)
    assert first["ok"] and second["ok"]
    assert first["result"]["replayed"] is False and second["result"]["replayed"] is True
    with Session(world) as session:
        assert session.scalar(select(func.count()).select_from(ActionExecution)) == 1


def test_customers_cannot_execute_reroutes(env_for) -> None:
    env = env_for(CUSTOMER, idempotency_key="k-1", approved_by="customer:C-1")
    envelope = all_tools()["execute_reroute"].execute({"order_id": "PO-7001", "option_id": "x"}, env)
    assert envelope["error"]["code"] == "forbidden"


def test_handoff_is_queued(env_for, world) -> None:
    envelope = all_tools()["request_handoff"].execute(
        {"reason": "wants a person", "summary": "asked twice"}, env_for(CUSTOMER)
    )
    assert envelope["ok"] and envelope["result"]["status"] == "open"
    with Session(world) as session:
        row = session.scalars(select(Handoff)).one()
        assert (row.thread_id, row.customer_id, row.reason) == ("t-tools", "C-1", "wants a person")


def test_ops_tools_return_records(env_for) -> None:
    risk = all_tools()["scan_risk"].execute({"days": 3}, env_for(OPS))
    assert risk["ok"], risk
    assert {"at_risk", "node_days", "totals"} <= set(risk["result"])
    result = all_tools()["run_analytics"].execute({"metric": "orders", "dimensions": ["node"]}, env_for(OPS))
    assert result["ok"], result
    assert result["result"]["unit"] == "count"
    wrong = all_tools()["run_analytics"].execute({"metric": "vibes"}, env_for(OPS))
    assert wrong["error"]["code"] == "invalid_input" and wrong["error"]["field"] == "metric"


def test_langchain_wrapper_reads_the_env_from_config(env_for) -> None:
    tool = all_tools()["get_order_status"].as_langchain_tool()
    text = asyncio.run(tool.ainvoke({"order_id": "PO-7001"}, config={"configurable": {"promesa_env": env_for(CUSTOMER)}}))
    assert json.loads(text)["result"]["order_id"] == "PO-7001"
    anonymous = asyncio.run(tool.ainvoke({"order_id": "PO-7001"}))
    assert json.loads(anonymous)["error"]["code"] == "unauthenticated"
