"""The trained NLU: corpus format and split, features, calibration, context rules, gazetteer,
the NLU suite's gates, and the planner's use of readings (ask, unserved topics, self-service)."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from agent.offline import gazetteer, nlu_corpus, nlu_model
from agent.offline.entities import extract
from agent.offline.intents import INTENTS, Intent, classify
from agent.offline.nlu_eval import _slot_ok, check
from agent.offline.phrases import INTENT_LABELS
from agent.offline.planner import Reply
from agent.offline.writer import reply

from .support import CUSTOMER, Chat, ok


def _write(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_corpus_row_takes_its_intent_from_the_file_name(tmp_path):
    path = _write(tmp_path, "order_late.yaml", '- {text: "ya se tardó", lang: es, persona: customer}\n')
    (row,) = nlu_corpus.load_file(path)
    assert (row.intent, row.lang, row.persona) == ("order_late", "es", "customer")


@pytest.mark.parametrize("body, field", [
    ('- {text: "hola", lang: fr}\n', "lang"),
    ('- {text: "hola", lang: es, persona: boss}\n', "persona"),
    ('- {lang: es}\n', "text"),
    ("not: a list\n", "list"),
])
def test_a_bad_corpus_row_names_the_file_row_and_field(tmp_path, body, field):
    path = _write(tmp_path, "greeting.yaml", body)
    with pytest.raises(nlu_corpus.CorpusError, match=field):
        nlu_corpus.load_file(path)


def test_corpus_intents_are_read_into_the_enum(tmp_path):
    path = _write(tmp_path, "order_late.yaml", '- {text: "late and where is it", lang: en, also: [where_is_order]}\n')
    (row,) = nlu_corpus.load_file(path)
    assert row.intent is Intent.order_late and row.also == (Intent.where_is_order,)


@pytest.mark.parametrize("name, body, error", [
    ("greetings.yaml", '- {text: "hola", lang: es}\n', r"greetings\.yaml#1: `intent` 'greetings' is not an intent"),
    ("greeting.yaml", '- {text: "hola", lang: es}\n- {text: "hola y gracias", lang: es, also: [thank_you]}\n',
     r"greeting\.yaml#2: `also` 'thank_you' is not an intent"),
])
def test_an_unknown_intent_in_the_corpus_names_the_file_and_row(tmp_path, name, body, error):
    path = _write(tmp_path, name, body)
    with pytest.raises(nlu_corpus.CorpusError, match=error):
        nlu_corpus.load_file(path)


def test_the_heldout_split_is_a_stable_hash_of_the_folded_text():
    assert nlu_corpus.is_heldout("Dónde está mi pedido") == nlu_corpus.is_heldout("donde  esta mi PEDIDO")
    texts = [f"message number {i}" for i in range(2000)]
    share = sum(map(nlu_corpus.is_heldout, texts)) / len(texts)
    assert 0.15 < share < 0.25


def test_translation_pairs_and_near_duplicates_stay_on_one_side_of_the_split(tmp_path):
    body = "".join(f'- {{text: "{t}", lang: {lang}, persona: customer}}\n' for t, lang in [
        ("where is my order", "en"), ("dónde está mi pedido", "es"),  # a pair: adjacent, two languages
        ("wheres my order 5001", "en"), ("where's my order 5002?", "en"),  # near-duplicates
        ("can I pick it up at a store", "en"),
    ])
    _write(tmp_path, "where_is_order.yaml", body)
    rows = nlu_corpus.load((tmp_path / "corpus",))
    keys = nlu_corpus.group_keys(rows)
    assert keys[0] == keys[1] and keys[2] == keys[3]
    assert len(set(keys)) == 3  # the unrelated row has its own group (the pairs are not chained)
    train, heldout = nlu_corpus.split(rows)
    fit, dev = nlu_corpus.dev_split(rows)
    assert sorted(r.text for r in train + heldout) == sorted(r.text for r in rows)
    assert not {r.text for r in fit + dev} & {r.text for r in heldout}


def test_no_group_of_the_real_corpus_crosses_the_heldout_line():
    rows = nlu_corpus.load()
    keys = nlu_corpus.group_keys(rows)
    train, heldout = nlu_corpus.split(rows)
    side = {r.text: "heldout" for r in heldout} | {r.text: "train" for r in train}
    by_group: dict[str, set[str]] = {}
    for row, key in zip(rows, keys, strict=True):
        by_group.setdefault(key, set()).add(side[row.text])
    assert all(len(sides) == 1 for sides in by_group.values())
    assert 0.15 < len(heldout) / len(rows) < 0.27


def test_the_corpus_hash_changes_with_any_file(tmp_path):
    _write(tmp_path, "thanks.yaml", '- {text: "gracias", lang: es}\n')
    before = nlu_corpus.corpus_hash((tmp_path / "corpus",))
    _write(tmp_path, "thanks.yaml", '- {text: "muchas gracias", lang: es}\n')
    assert nlu_corpus.corpus_hash((tmp_path / "corpus",)) != before


def test_the_model_knows_only_inventory_intents():
    assert set(nlu_model.get_model().classes) <= set(INTENTS)


def test_identifiers_are_masked_so_any_order_number_reads_alike():
    assert nlu_model.masked("where is PO-7342") == nlu_model.masked("where is PO-5001")
    assert "e0mail" in nlu_model.masked("soy ana.r@gmail.com")
    assert nlu_model.masked("holaaaaa") == "holaa"


def test_negation_marks_the_words_it_scopes():
    assert nlu_model._negated("please do not do it") == "please do not neg_do neg_it"


def test_the_fast_vector_equals_the_vectorisers_transform():
    model = nlu_model.get_model()
    for text in ("¿Dónde está mi pedido PO-5001?", "on-time rate by carrier", "holaaa 😀 gracias"):
        e = nlu_model.example(text, "ops")
        dense = model.features.transform([e]).toarray().ravel()
        idx, vals = model.features.vector(e)
        mine = np.zeros_like(dense)
        mine[idx] = vals
        assert np.allclose(mine, dense, atol=1e-5)


def test_training_is_deterministic():
    rows, _ = nlu_corpus.split(nlu_corpus.load())
    rows = rows[:400]
    a, b = nlu_model.train(rows), nlu_model.train(list(reversed(rows)))
    assert np.allclose(a.weights, b.weights) and a.temperature == b.temperature


def test_confidence_is_a_probability_distribution():
    reading = nlu_model.get_model().read("where is my order", "customer")
    total = sum(p for _, p in reading.ranked)
    assert abs(total - 1) < 1e-6 and reading.confidence == max(p for _, p in reading.ranked)


def test_assent_without_a_pending_offer_is_not_consent_to_anything_but_itself():
    text = "ok, and where is my order?"
    assert classify(text, extract(text)).intent == "where_is_order"


def test_a_short_answer_to_a_pending_offer_is_read_as_the_answer():
    assert classify("ok", extract("ok"), pending="confirm").intent == Intent.approve


def test_a_courtesy_around_a_question_is_not_the_intent():
    text = "hola buenas tardes, ¿dónde está mi pedido 5001? gracias"
    assert classify(text, extract(text)).intent not in ("greeting", "thanks")


def test_the_gazetteer_reads_world_names_with_typos_and_short_forms():
    places = gazetteer.default()
    assert places.nodes.find("mandalo desde el cedis el salto") == ["DC-GDL-01"]
    assert places.nodes.find("la tienda de polanko") == ["CDMX-STORE-01"]
    assert places.carriers.find("viene con dhl") == ["DHL"]
    assert places.cities.find("en cdmx o guadalajara") == ["Ciudad de México", "Guadalajara"]
    assert places.cities.find("aca en casa") == []  # a small city's code is a plain word


def test_periods_resolve_against_the_injected_clock():
    today = date(2026, 11, 20)
    assert extract("on-time last week", today).dates.start == date(2026, 11, 9)
    assert extract("ocupación este mes", today).dates.end == date(2026, 11, 30)
    assert extract("lo mandaron hace tres días", today).dates.start == date(2026, 11, 17)
    assert extract("llega el 24 de noviembre?", today).dates.start == date(2026, 11, 24)
    assert extract("sin moverse desde el lunes", today).dates.start == date(2026, 11, 16)


def test_a_bare_order_number_in_running_text_is_an_order_but_money_is_not():
    assert extract("ship 5002 from another store").order_ids == ["PO-5002"]
    assert extract("pagué 5000 pesos").order_ids == []


def test_slot_check_normalises_labelled_values():
    ent = extract("utilisation por CEDIS la semana pasada", date(2026, 11, 20))
    assert _slot_ok("metric", "ocupación", ent) is True
    assert _slot_ok("period", "last week", ent) is True
    assert _slot_ok("metric", "OTIF", ent) is None  # no tool computes it: not scored


def test_the_nlu_gates_fail_below_their_thresholds():
    report = {"intent_accuracy_by_language": {"en": 0.97, "es": 0.90}, "slot_accuracy": 0.96,
              "unserved": {"handled_rate": 0.95}}
    verdicts = {name: passed for name, passed, _ in check(report, {})}
    assert verdicts == {"intent_en": True, "intent_es": False, "slots": True, "unserved": True}


def test_every_offerable_intent_has_a_label_in_both_languages():
    for intent in INTENTS:
        if intent not in ("approve", "reject", "out_of_scope"):
            assert intent in INTENT_LABELS


def test_asking_between_two_readings_names_both_in_the_users_language():
    text = reply(Reply("ask_reading", "clarification", {"a": "where_is_order", "b": "policy_question"}), "es")
    assert text == "¿Te refieres a dónde está tu pedido o a nuestras políticas de la tienda?"


def test_an_unserved_topic_is_named_and_a_person_offered_never_a_permission_problem():
    text = reply(Reply("out_of_scope_topic", "out_of_scope", {"topic": "invoices"}), "en")
    assert "invoices" in text and "person" in text and "account" not in text


def test_a_self_service_request_reads_the_policy_then_queues_a_person():
    chat = Chat(CUSTOMER, "customer", "C-1001")
    first = chat.say("quiero cancelar mi pedido PO-5001, ya no lo necesito")
    names = [c["name"] for c in first.tool_calls]
    assert names == ["get_order_status", "search_policies"]
    second = chat.answer(ok({"order_id": "PO-5001", "status": "processing"}), ok({"passages": []}))
    assert [c["name"] for c in second.tool_calls] == ["request_handoff"]
    assert second.tool_calls[0]["args"]["reason"] == "cancel_order"


def test_a_long_courtesy_with_no_question_inside_stays_a_courtesy():
    for text in ("thank you for helping me", "perfecto, gracias por la ayuda"):
        assert classify(text, extract(text), persona="customer").intent == Intent.thanks, text
