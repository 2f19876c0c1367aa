"""Self-service cases run end to end — the real graph, tools, domain and the case's world — with
a scripted model standing in for the NLU that issue #12 teaches these intents: the model maps
each exact message of the case to a tool call, and asks for the matching write when a proposal
is eligible. Everything the cases score except the answer's wording is then real: decisions,
approvals, idempotency and the database end state ("nothing else changed")."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from evals.cases import load_cases
from evals.runner import RunConfig, Runner, default_agent_factory
from evals.worlds import WorldFactory
from tests.agent.fakes import ScriptedModel, call, summarise

ROOT = Path(__file__).resolve().parents[2] / "evals" / "cases-self-service"
MTY = {"line1": "Av. Constitución 100", "city": "Monterrey", "state": "Nuevo León", "postal_code": "64000"}
TIJ = {"line1": "Blvd. Agua Caliente 5", "city": "Tijuana", "state": "Baja California", "postal_code": "22000"}

#: message -> the tool call an NLU would make for it
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "Quiero cancelar mi pedido PO-101": ("propose_cancel", {"order_id": "PO-101"}),
    "Cancela mi pedido PO-101": ("propose_cancel", {"order_id": "PO-101"}),
    "Cancel my order PO-101": ("propose_cancel", {"order_id": "PO-101"}),
    "Cancel only line 2 of PO-101, the headphones": ("propose_cancel", {"order_id": "PO-101", "line_nos": [2]}),
    "Ya no voy a recoger PO-109, cancélalo": ("propose_cancel", {"order_id": "PO-109"}),
    "Cancel the whole order PO-102": ("propose_cancel", {"order_id": "PO-102"}),
    "Cancel order PO-101": ("propose_cancel", {"order_id": "PO-101"}),
    "Customer Ana Torres (C-1) asks to cancel her order PO-101": ("propose_cancel", {"order_id": "PO-101"}),
    "Change the delivery address of PO-110 to Av. Constitución 100, Monterrey, Nuevo León, 64000":
        ("propose_address_change", {"order_id": "PO-110", **MTY}),
    "Por favor envía mi pedido PO-110 a otra dirección: Blvd. Agua Caliente 5, Tijuana, Baja California, CP 22000":
        ("propose_address_change", {"order_id": "PO-110", **TIJ}),
    "Change the address of PO-110 to Av. Constitución 100, Monterrey, Nuevo León, postal code 06100":
        ("propose_address_change", {"order_id": "PO-110", **MTY, "postal_code": "06100"}),
    "Quiero devolver las sartenes de PO-104 (línea 1) en tienda":
        ("propose_return", {"order_id": "PO-104", "items": [{"line_no": 1}]}),
    "Return line 1 of PO-104 and have the carrier pick it up":
        ("propose_return", {"order_id": "PO-104", "items": [{"line_no": 1}], "method": "carrier_pickup"}),
    "Devuelve la línea 1 de PO-104 y dame saldo en tienda":
        ("propose_return", {"order_id": "PO-104", "items": [{"line_no": 1}], "refund_method": "store_credit"}),
    "I want to return the boxers (line 3) of PO-104": ("propose_return", {"order_id": "PO-104", "items": [{"line_no": 3}]}),
    "When will I get my refund?": ("get_refund_status", {}),
    "¿Cuál es el reembolso de PO-101?": ("get_refund_status", {"order_id": "PO-101"}),
    "The headphones in PO-104 (line 2) arrived broken, I have photos; I'd rather have a refund":
        ("propose_claim", {"order_id": "PO-104", "kind": "damaged", "line_nos": [2], "has_photos": True,
                           "prefer": "refund"}),
    "PO-107 dice entregado pero nunca me llegó": ("propose_claim", {"order_id": "PO-107", "kind": "not_arrived"}),
    "I'd like to exchange the T-shirt in PO-111 for size L (SKU-6)":
        ("propose_exchange", {"order_id": "PO-111", "line_no": 1, "to_sku": "SKU-6"}),
    "Cambia la playera de PO-111 por la talla XL (SKU-7)":
        ("propose_exchange", {"order_id": "PO-111", "line_no": 1, "to_sku": "SKU-7"}),
    # a write names only what an earlier result offered (agent/grounding.py): look the order up first
    "I want to complain: the courier for PO-103 was very rude": ("list_my_orders", {}),
}
COMPLAINTS = {"I want to complain: the courier for PO-103 was very rude":
              {"order_id": "PO-103", "summary": "The courier for PO-103 was very rude."}}
WRITE_FOR = {"propose_cancel": "cancel_order", "propose_address_change": "change_address",
             "propose_return": "start_return", "propose_claim": "open_claim", "propose_exchange": "exchange_item"}
CASES = [
    "ss-cancel-whole-es", "ss-cancel-one-line-en", "ss-cancel-pickup-order-es", "ss-cancel-picked-en",
    "ss-cancel-no-confirmation-es", "ss-cancel-replayed-confirmation-en", "ss-cancel-change-of-mind-es",
    "ss-support-cancel-for-customer-en", "ss-address-keeps-promise-en", "ss-address-new-promise-es",
    "ss-address-bad-postal-code-en", "ss-return-dropoff-es", "ss-return-carrier-pickup-en",
    "ss-return-store-credit-es", "ss-return-category-excluded-en", "ss-refund-after-cancel-en",
    "ss-claim-damaged-refund-en", "ss-claim-not-received-es", "ss-complaint-order-en", "ss-xcust-cancel-en",
    "ss-xcust-refund-es", "ss-exchange-size-en", "ss-exchange-no-stock-es",
]


def script(messages: list[BaseMessage]) -> AIMessage:
    last = messages[-1]
    if isinstance(last, HumanMessage):
        name, args = CALLS[last.text]
        return call(name, args, f"call-{len(messages)}")
    if isinstance(last, ToolMessage) and last.name in WRITE_FOR:
        envelope = json.loads(last.text)
        if envelope["ok"] and envelope["result"]["eligible"]:
            asked = next(m for m in reversed(messages) if isinstance(m, AIMessage) and m.tool_calls)
            return call(WRITE_FOR[last.name], asked.tool_calls[0]["args"], f"call-{len(messages)}")
    if isinstance(last, ToolMessage) and last.name == "list_my_orders":
        asked_by = next(m for m in reversed(messages) if isinstance(m, HumanMessage))
        if asked_by.text in COMPLAINTS and json.loads(last.text)["ok"]:
            return call("file_complaint", COMPLAINTS[asked_by.text], f"call-{len(messages)}")
    return summarise(messages)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cases = {c.id: c for c in load_cases([ROOT]) if c.id in CASES}
    assert set(cases) == set(CASES)
    tmp = tmp_path_factory.mktemp("ss-e2e")
    model = ScriptedModel(script=script)
    runner = Runner(WorldFactory(tmp / "worlds"), data_dir=tmp / "data",
                    agent_factory=lambda engine, config, data_dir: default_agent_factory(
                        engine, config, data_dir, model=model))

    async def run_all() -> dict[str, Any]:
        return {cid: await runner.run_case(case, RunConfig()) for cid, case in cases.items()}

    return asyncio.run(run_all())


@pytest.mark.parametrize("case_id", CASES)
def test_case_passes_on_decisions_and_end_state(results, case_id):
    run = results[case_id].runs[0]
    # the scripted model's words are not the NLU's: everything but the answer's phrases is scored
    failures = [str(f) for f in run.score.failures
                if f.expectation != "answer.contains" and not f.expectation.startswith("turns[")]
    assert failures == [], run.transcript.model_dump_json(indent=1)[:3000]
