"""Hand-built tool sets and message helpers for the offline model tests (no graph needed)."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.offline.model import OfflineChatModel


def tool(name: str, **props: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": name, "parameters": {
        "type": "object", "properties": {k: {"type": v} for k, v in props.items()}}}}


CUSTOMER = [tool("get_order_status", order_id="string"), tool("list_my_orders"),
            tool("search_policies", query="string"), tool("propose_pickup", order_id="string"),
            tool("convert_to_pickup", order_id="string", node_id="string"),
            tool("request_handoff", reason="string", summary="string")]
ANONYMOUS = [tool("search_policies", query="string"), tool("request_handoff", reason="string", summary="string")]
SUPPORT = [tool("get_order_status", order_id="string"), tool("find_customer", identifier="string"),
           tool("get_customer_profile", customer_id="string"), tool("propose_reroute", order_id="string", line_nos="array"),
           tool("execute_reroute", order_id="string", option_id="string"), tool("check_availability", sku="string", city="string"),
           tool("search_policies", query="string"), tool("propose_pickup", order_id="string"),
           tool("request_handoff", reason="string", summary="string")]
OPS = [tool("get_order_status", order_id="string"), tool("scan_risk", start="string", days="integer", node_ids="array"),
       tool("run_analytics", metric="string", dimensions="array", filters="object", start="string", end="string"),
       tool("propose_reroute", order_id="string"), tool("execute_reroute", order_id="string", option_id="string"),
       tool("check_availability", sku="string", city="string"), tool("search_policies", query="string")]


def system(role: str, user: str = "-") -> SystemMessage:
    return SystemMessage(f"You are Promesa.\nCurrent time: 2026-11-20T10:00:00-06:00\nRole: {role}\nUser: {user}")


def ok(result: Any) -> str:
    return json.dumps({"ok": True, "result": result})


def err(code: str, message: str = "", field: str | None = None) -> str:
    return json.dumps({"ok": False, "error": {"code": code, "message": message, "field": field}})


class Chat:
    """A conversation driven by hand: say() a human line, answer() the pending tool calls."""

    def __init__(self, tools: list[dict[str, Any]], role: str, user: str = "-") -> None:
        self.model = OfflineChatModel().bind_tools(tools)
        self.messages: list[BaseMessage] = [system(role, user)]

    def step(self) -> AIMessage:
        reply = self.model.invoke(self.messages)
        self.messages.append(reply)
        return reply

    def say(self, text: str) -> AIMessage:
        self.messages.append(HumanMessage(text))
        return self.step()

    def answer(self, *contents: str) -> AIMessage:
        calls = self.messages[-1].tool_calls
        assert len(calls) == len(contents), calls
        for call, content in zip(calls, contents, strict=True):
            self.messages.append(ToolMessage(content, tool_call_id=call["id"], name=call["name"]))
        return self.step()


LATE_5001 = {
    "order_id": "PO-5001", "customer_id": "C-1001", "status": "in_transit", "channel": "web",
    "fulfillment_type": "ship", "promised_date": "2026-11-21", "eta": "2026-11-23", "late": True,
    "reason": "carrier_delay", "reason_detail": "weather: highway closure near Saltillo",
    "carrier": "ESTAFETA", "service": "standard", "tracking_number": "EST0005001",
}
ON_TIME_5000 = {"order_id": "PO-5000", "status": "in_transit", "promised_date": "2026-11-22",
                "eta": "2026-11-21", "late": False, "carrier": "DHL", "tracking_number": "DHL5000"}
PROPOSAL_5002 = {
    "proposal_id": "rp-1", "order_id": "PO-5002", "promised_date": "2026-11-22", "current_node": "MTY-STORE-01",
    "problem": "MTY-STORE-01 has no stock", "options": [
        {"option_id": "ship_from_node:MTY-STORE-02:ESTAFETA-express", "kind": "ship_from_node",
         "nodes": ["MTY-STORE-02"], "eta": "2026-11-22", "meets_promise": True, "cost_delta_mxn": 1234.5},
        {"option_id": "ship_from_node:DC-MTY-01:DHL-standard", "kind": "ship_from_node",
         "nodes": ["DC-MTY-01"], "eta": "2026-11-24", "meets_promise": False, "cost_delta_mxn": -20.0}],
    "recommended_option_id": "ship_from_node:MTY-STORE-02:ESTAFETA-express", "recommended_node": "MTY-STORE-02",
    "reason": "MTY-STORE-02 has the stock 8 km away and meets the promise.",
}
