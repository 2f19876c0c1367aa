"""The NLU suite (``promesa eval --suite nlu``): the held-out split of the corpus, scored.

Intent accuracy per intent and per language, the confusion matrix, the second intents of
multi-intent messages, slot accuracy (each labelled slot found and normalised to the value the
tools take), and the unserved topics (read as out of scope, answered with their topic and an
offer of a person, never as a permission problem). Relative dates resolve against a fixed clock
(``TODAY``), so the report is the same on every machine.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from agent.offline import gazetteer, nlu_corpus
from agent.offline.entities import Entities, extract, resolve_dates
from agent.offline.intent_names import Intent
from agent.offline.intents import classify
from agent.offline.normalise import fold, normalise
from agent.offline.planner import Reply
from agent.offline.writer import reply
from promesa.domain.identity import normalise_phone
from promesa.errors import InvalidInput

#: The clock of the suite (a Friday, as in the eval cases).
TODAY = date(2026, 11, 20)
#: Words of a reply that would make not understanding sound like not being allowed.
_PERMISSION_WORDS = re.compile(r"\baccount\b|\bcuenta\b|not allowed|no (?:tienes|tiene) permiso|permission", re.IGNORECASE)


def _slot_ok(key: str, expected: Any, ent: Entities) -> bool | None:
    """Whether the slot was found with its normalised value; None when the labelled value has no
    normalised form the tools take (a metric no tool computes, such as "OTIF")."""
    value = str(expected).strip()
    folded = " ".join(re.findall(r"[a-z0-9]+", fold(value)))
    places = gazetteer.default()
    if key == "order_id":
        digits = re.sub(r"\D", "", value)
        return f"PO-{digits}" in ent.order_ids
    if key in ("date", "period"):
        want = resolve_dates(fold(value).replace("_", " "), TODAY) or resolve_dates(normalise(value), TODAY)
        if want is None:
            return None
        return want is not None and ent.dates is not None and (ent.dates.start, ent.dates.end) == (want.start, want.end)
    if key == "metric":
        said = extract(value.replace("_", " "))
        want_metric = said.metric or said.metric_hint
        if want_metric is None:
            return None
        return (ent.metric or ent.metric_hint) == want_metric
    if key == "dimension":
        dims = extract(value).dimensions or extract(f"por {value}").dimensions or [value]
        return set(dims) <= set(ent.dimensions)
    if key == "node":
        nodes = [value.upper()] if re.fullmatch(r"[A-Za-z]{2,4}-[A-Za-z]{3,5}-\d{2}", value) else places.nodes.find(folded)
        return bool(nodes) and set(nodes) <= set(ent.node_ids)
    if key == "city":
        cities = places.cities.find(folded)
        return bool(cities) and set(cities) <= set(ent.cities)
    if key == "carrier":
        carriers = places.carriers.find(folded)
        return bool(carriers) and set(carriers) <= set(ent.carriers)
    if key == "email":
        return value.lower() in ent.emails
    if key == "phone":
        try:
            return normalise_phone(value) in ent.phones
        except InvalidInput:
            return False
    if key == "customer_name":
        if re.fullmatch(r"C-\d+", value, re.IGNORECASE):
            return value.upper() in ent.customer_ids
        return any(folded in fold(n) or fold(n) in folded for n in ent.names)
    return False


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate(split: str = "heldout") -> dict[str, Any]:
    """The report of the suite over the held-out split (the model is trained on the rest), or with
    ``split="dev"`` over the development split with a model trained on the rest of the training
    part: the run to look at while changing the NLU, which never sees the held-out rows."""
    from agent.offline.nlu_model import IntentModel
    from agent.offline.nlu_model import train as train_model

    rows = nlu_corpus.load()
    model: IntentModel | None = None
    if split == "dev":
        train, heldout = nlu_corpus.dev_split(rows)
        model = train_model(train)
    elif split == "heldout":
        train, heldout = nlu_corpus.split(rows)
    else:
        raise InvalidInput(f"split must be heldout or dev, not {split!r}", field="split")
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_persona: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    slots: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    slot_misses: list[dict[str, Any]] = []
    also = [0, 0]
    unsupported: Counter[str] = Counter()
    unserved = {"rows": 0, "read_out_of_scope": 0, "topic_right": 0, "honest_reply": 0}
    misses: list[dict[str, Any]] = []
    for row in heldout:
        ent = extract(row.text, TODAY)
        # An assent or refusal in the corpus answers an offer: read it with one pending.
        pending = "confirm" if row.intent in (Intent.approve, Intent.reject) else None
        nlu = classify(row.text, ent, pending, persona=None if row.persona == "any" else row.persona, model=model)
        ok = nlu.intent == row.intent
        for table, key in ((per_intent, row.intent), (per_lang, row.lang), (per_persona, row.persona)):
            table[key][0] += ok
            table[key][1] += 1
        confusion[row.intent][nlu.intent] += 1
        if not ok:
            misses.append({"text": row.text, "lang": row.lang, "persona": row.persona, "expected": row.intent,
                           "read": nlu.intent, "confidence": round(nlu.score, 3)})
        for other in row.also:
            also[0] += other in nlu.also or other == nlu.intent
            also[1] += 1
        for key, expected in row.slots.items():
            hit = _slot_ok(key, expected, ent)
            if hit is None:
                unsupported[key] += 1
                continue
            slots[key][0] += hit
            slots[key][1] += 1
            if not hit:
                slot_misses.append({"text": row.text, "slot": key, "expected": expected})
        if row.intent == Intent.out_of_scope:
            unserved["rows"] += 1
            unserved["read_out_of_scope"] += nlu.intent == Intent.out_of_scope
            unserved["topic_right"] += nlu.intent == Intent.out_of_scope and (nlu.topic or "other") == (row.topic or "other")
            key = "out_of_scope_topic" if nlu.topic and nlu.topic != "other" else "out_of_scope"
            text = reply(Reply(key, "out_of_scope", {"topic": nlu.topic}), row.lang)
            unserved["honest_reply"] += nlu.intent == Intent.out_of_scope and not _PERMISSION_WORDS.search(text)
    slot_hits = sum(h for h, _ in slots.values())
    slot_total = sum(t for _, t in slots.values())
    return {
        "corpus": _corpus_sizes(rows),
        "split": {"name": split, "train": len(train), "heldout": len(heldout),
                  "heldout_percent": nlu_corpus.HELDOUT_PERCENT, "groups": len(set(nlu_corpus.group_keys(rows)))},
        "intent_accuracy": _rate(sum(h for h, _ in per_lang.values()), len(heldout)),
        "intent_accuracy_by_language": {k: _rate(*v) for k, v in sorted(per_lang.items())},
        "intent_accuracy_by_persona": {k: _rate(*v) for k, v in sorted(per_persona.items())},
        "intent_accuracy_by_intent": {k: {"accuracy": _rate(*v), "n": v[1]} for k, v in sorted(per_intent.items())},
        "confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        "second_intent_recall": _rate(*also),
        "slot_accuracy": _rate(slot_hits, slot_total),
        "slot_accuracy_by_slot": {k: {"accuracy": _rate(*v), "n": v[1]} for k, v in sorted(slots.items())},
        "slots_without_a_normal_form": dict(unsupported),
        "unserved": {**unserved, "handled_rate": _rate(unserved["honest_reply"], unserved["rows"])},
        "misses": misses,
        "slot_misses": slot_misses,
    }


def _corpus_sizes(rows: tuple[nlu_corpus.Row, ...]) -> dict[str, Any]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        table[row.intent][row.lang] += 1
    langs = Counter(r.lang for r in rows)
    return {"rows": len(rows), "by_language": dict(langs),
            "spanish_share": _rate(langs["es"], len(rows)),
            "by_intent": {k: dict(v) for k, v in sorted(table.items())}}


def check(report: dict[str, Any], gates: dict[str, float]) -> list[tuple[str, bool, str]]:
    """(gate, passed, message) for each NLU gate."""
    out = []
    need = gates.get("min_intent_accuracy_per_language", 0.95)
    for lang, acc in report["intent_accuracy_by_language"].items():
        out.append((f"intent_{lang}", acc is not None and acc >= need, f"{lang} intent accuracy {acc:.1%} (minimum {need:.0%})"))
    need_slots = gates.get("min_slot_accuracy", 0.95)
    acc = report["slot_accuracy"]
    out.append(("slots", acc is not None and acc >= need_slots, f"slot accuracy {acc or 0:.1%} (minimum {need_slots:.0%})"))
    need_unserved = gates.get("min_unserved_handled", 0.9)
    rate = report["unserved"]["handled_rate"]
    out.append(("unserved", rate is not None and rate >= need_unserved,
                f"unserved topics handled honestly {rate or 0:.1%} (minimum {need_unserved:.0%})"))
    return out
