"""The NLU's cost per message, beside the offline model call that contains it (same run).

* ``nlu_read``: entities + the trained classifier + the dialogue-context layer
  (``intents.classify``) on messages of the corpus's held-out split, in both languages;
  what the NLU adds to a turn.
* ``offline_model_turn`` (the reference): ``OfflineChatModel.respond`` planning the first step
  of a turn for the same messages (history rebuild, NLU, planner), as the graph calls it.
The model is trained (or loaded from its cache) before the clock starts. On a shared machine the
wall-clock tail is mostly scheduling; both sides pay it alike, which is why they alternate.
"""

from __future__ import annotations

import functools
import itertools
from datetime import datetime

from langchain_core.messages import HumanMessage, SystemMessage

from agent.offline import nlu_corpus
from agent.offline.entities import extract
from agent.offline.intents import classify
from agent.offline.model import OfflineChatModel
from agent.offline.nlu_model import get_model
from promesa.bench.registry import BenchContext, BenchResult, result, timed


def run_nlu_bench(ctx: BenchContext) -> list[BenchResult]:
    """Time the NLU read of held-out messages and, as its reference, the offline model's turn."""
    get_model()  # trained or loaded before timing, and the lazy parts warmed: the world's
    extract("ship from CEDIS El Salto on 24 de noviembre", ctx.now.date())  # gazetteer, dateparser
    _, heldout = nlu_corpus.split(nlu_corpus.load())
    rows = sorted(heldout, key=lambda r: r.text)
    ctx.rng.shuffle(rows)
    n = ctx.n(400)
    picked = list(itertools.islice(itertools.cycle(rows), n))
    today = ctx.now.date()
    model = OfflineChatModel()
    header = f"Current time: {ctx.now.isoformat()}\nRole: customer\nUser: C-1001"

    def read(text: str, persona: str) -> None:
        classify(text, extract(text, today), None, persona=persona)

    def respond(text: str) -> None:
        model.respond([SystemMessage(header), HumanMessage(text)], now=datetime.fromisoformat(ctx.now.isoformat()))

    nlu: list[float] = []
    turn: list[float] = []
    for row in picked:  # alternate so drift hits both equally
        nlu.append(timed(functools.partial(read, row.text, row.persona)))
        turn.append(timed(functools.partial(respond, row.text)))
    return [
        result("nlu_read", nlu, ctx, turn, "entities + trained classifier + context layer per message"),
        result("offline_model_turn", turn, ctx, None, "the reference of nlu_read: the offline model's first step"),
    ]
