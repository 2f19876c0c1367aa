"""Dialogue state from history: follow-ups, references, pending questions."""

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.offline import dialogue
from agent.offline.planner import resolve_intent, target_orders
from tests.agent.offline.support import CUSTOMER, LATE_5001, ON_TIME_5000, PROPOSAL_5002, SUPPORT, Chat, ok, system


def test_clock_role_and_user_from_the_system_header():
    ctx = dialogue.build([system("customer", "C-1001"), HumanMessage("hola")])
    assert ctx.now.isoformat() == "2026-11-20T10:00:00-06:00"
    assert (ctx.role, ctx.subject, ctx.lang) == ("customer", "C-1001", "es")


def test_the_other_one_refers_to_the_previous_order():
    chat = Chat(CUSTOMER, "customer", "C-1000")
    chat.say("where are PO-5000 and PO-5001?")
    chat.answer(ok(ON_TIME_5000), ok(LATE_5001))
    chat.say("¿y el otro?")  # language switches only on clear evidence; this is Spanish
    ctx = dialogue.build(chat.messages[:-1])
    assert ctx.order_ids[-1] == "PO-5001"
    assert chat.messages[-1].tool_calls[0]["args"] == {"order_id": "PO-5000"}


def test_what_about_another_id_keeps_the_intent():
    chat = Chat(CUSTOMER, "customer", "C-1000")
    chat.say("where is PO-5000")
    chat.answer(ok(ON_TIME_5000))
    assert chat.say("what about PO-5002?").tool_calls[0]["args"] == {"order_id": "PO-5002"}


def test_bare_reference_follow_up_reuses_the_previous_order_intent():
    chat = Chat(SUPPORT, "support")
    chat.say("reroute PO-5002")
    chat.answer(ok(PROPOSAL_5002))
    chat.say("no")
    chat.say("where is PO-5001")
    chat.answer(ok(LATE_5001))
    call = chat.say("and the other one?")
    assert call.tool_calls[0] == {"name": "get_order_status", "args": {"order_id": "PO-5002"},
                                  "id": call.tool_calls[0]["id"], "type": "tool_call"}


def test_yes_without_anything_pending_does_nothing():
    chat = Chat(SUPPORT, "support")
    reply = chat.say("yes")
    assert not reply.tool_calls and "nothing waiting" in reply.content


def test_pending_confirmation_survives_lost_metadata():
    chat = Chat(SUPPORT, "support")
    chat.say("reroute PO-5002")
    chat.answer(ok(PROPOSAL_5002))
    # a store that drops response_metadata: the proposal in the results is enough
    chat.messages[-1] = AIMessage(content=chat.messages[-1].content)
    assert chat.say("sí, adelante").tool_calls[0]["name"] == "execute_reroute"


def test_confirmation_expires_after_another_turn():
    chat = Chat(SUPPORT, "support")
    chat.say("reroute PO-5002")
    chat.answer(ok(PROPOSAL_5002))
    chat.say("what is the return policy")
    chat.answer(ok([]))
    reply = chat.say("ok do it")
    assert not reply.tool_calls


def test_language_is_sticky_for_ids_and_switches_on_evidence():
    msgs = [system("customer"), HumanMessage("¿dónde está mi pedido?"), AIMessage("¿Me compartes tu número?"),
            HumanMessage("PO-5001")]
    assert dialogue.build(msgs).lang == "es"
    msgs += [AIMessage("..."), HumanMessage("sorry, can you answer in English please? where is my order")]
    assert dialogue.build(msgs).lang == "en"


def test_tool_results_are_parsed_and_remembered():
    msgs = [system("support"), HumanMessage("find maria.lopez@example.com"),
            AIMessage("", tool_calls=[{"name": "get_customer_profile", "args": {"customer_id": "C-1002"}, "id": "call_1"}]),
            ToolMessage(ok({"customer_id": "C-1002", "name": "María"}), tool_call_id="call_1")]
    ctx = dialogue.build(msgs)
    assert ctx.customer_id == "C-1002"
    assert ctx.results[0].ok and ctx.results[0].name == "get_customer_profile"
    assert resolve_intent(ctx) == "customer_lookup"


def test_order_scope_of_a_verified_visitor_is_the_target():
    msgs = [system("anonymous").model_copy(update={"content": "Role: anonymous\nOrder scope: PO-5003"}),
            HumanMessage("where is my order?")]
    ctx = dialogue.build(msgs)
    assert target_orders(ctx) == ["PO-5003"]


def test_answer_to_which_metric_keeps_the_dimension_asked_before():
    from tests.agent.offline.support import OPS
    chat = Chat(OPS, "ops")
    ask = chat.say("give me the numbers by carrier this week")
    assert not ask.tool_calls and "metric" in ask.content
    call = chat.say("on-time rate")
    assert call.tool_calls[0]["args"] == {"metric": "on_time_rate", "dimensions": ["carrier"], "filters": {},
                                          "start": "2026-11-16", "end": "2026-11-22"}


READY_5003 = {"order_id": "PO-5003", "status": "ready_for_pickup", "fulfillment_type": "pickup",
              "pickup_node_id": "CDMX-STORE-01", "pickup_hold_until": "2026-11-25", "promised_date": "2026-11-19"}


def test_a_proposal_the_order_cannot_take_is_answered_with_its_status():
    from tests.agent.offline.support import err

    chat = Chat(CUSTOMER, "customer", "C-1003")
    first = chat.say("switch PO-5003 to store pickup please")
    assert [c["name"] for c in first.tool_calls] == ["propose_pickup"]
    second = chat.answer(err("policy_violation", "line 1 of PO-5003 is already staged"))
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [("get_order_status", {"order_id": "PO-5003"})]
    final = chat.answer(ok(READY_5003))
    assert not final.tool_calls
    # already a pickup order: the status is the whole answer, no rule text, no "can't switch"
    assert "policy" not in final.content.lower() and "staged" not in final.content
    assert "November 25" in final.content


def test_a_shipped_order_asked_to_switch_says_it_cannot_then_where_it_is():
    from tests.agent.offline.support import err

    chat = Chat(CUSTOMER, "customer", "C-1001")
    chat.say("can I get PO-5001 at a store instead of delivery")
    chat.answer(err("policy_violation", "line 1 of PO-5001 is already shipped"))
    final = chat.answer(ok(LATE_5001))
    assert "can't be switched" in final.content and "shipped" not in final.content.split(":")[0]


MATCHES = {"matches": [
    {"customer_id": "C-1002", "name": "María Garza", "city": "Monterrey", "matched_on": "name"},
    {"customer_id": "C-1005", "name": "María López", "city": "Guadalajara", "matched_on": "name"},
]}


def test_a_customer_is_chosen_among_the_matches_by_a_shown_attribute():
    for pick, expected in (("the Garza one", "C-1002"), ("la de guadalajara", "C-1005"), ("la de garsa", "C-1002"),
                           ("the second", "C-1005")):
        chat = Chat(SUPPORT, "support", "agent-ana")
        assert chat.say("find customer María").tool_calls[0]["name"] == "find_customer"
        reply = chat.answer(ok(MATCHES))
        assert not reply.tool_calls  # two matches: the agent asks which
        chosen = chat.say(pick)
        assert [(c["name"], c["args"]) for c in chosen.tool_calls] == [("get_customer_profile", {"customer_id": expected})], pick


def test_a_message_that_fits_no_candidate_or_several_picks_none():
    from agent.offline.candidates import choose
    from agent.offline.entities import extract

    rows = MATCHES["matches"]
    assert choose("María", extract("María"), rows) is None  # both are María
    assert choose("the Pérez one", extract("the Pérez one"), rows) is None


def test_an_order_is_chosen_among_the_listed_ones_by_its_status():
    chat = Chat(CUSTOMER, "customer", "C-1002")
    chat.say("where is my order?")
    orders = [{"order_id": "PO-5002", "status": "allocated", "promised_date": "2026-11-22"},
              {"order_id": "PO-5010", "status": "in_transit", "promised_date": "2026-11-24"}]
    chat.answer(ok(orders))
    assert chat.say("the one in transit").tool_calls[0]["args"] == {"order_id": "PO-5010"}


def test_a_short_follow_up_that_alone_reads_as_nothing_served_continues_the_order_question():
    for follow_up in ("and which carrier?", "y eso?"):
        chat = Chat(CUSTOMER, "customer", "C-1001")
        chat.say("where is PO-5001")
        chat.answer(ok(LATE_5001))
        again = chat.say(follow_up)
        assert [(c["name"], c["args"]) for c in again.tool_calls] == [("get_order_status", {"order_id": "PO-5001"})], follow_up
        assert "ESTAFETA" in chat.answer(ok(LATE_5001)).content


def test_an_unserved_topic_after_an_order_question_is_still_unserved():
    chat = Chat(CUSTOMER, "customer", "C-1001")
    chat.say("where is PO-5001")
    chat.answer(ok(LATE_5001))
    assert not chat.say("do you accept paypal").tool_calls


def test_a_short_follow_up_after_a_risk_answer_asks_more_of_the_risk():
    from tests.agent.offline.support import OPS

    for follow_up in ("¿y en qué nodo?", "and which ones?"):
        chat = Chat(OPS, "ops", "ops-luis")
        assert chat.say("which orders will miss their promise tomorrow?").tool_calls[0]["name"] == "scan_risk"
        chat.answer(ok({"orders": [], "nodes": []}))
        assert chat.say(follow_up).tool_calls[0]["name"] == "scan_risk", follow_up


def test_a_pickup_request_with_no_open_order_is_answered_from_the_pickup_policy():
    chat = Chat(CUSTOMER, "customer", "C-1004")
    first = chat.say("I want to switch to store pickup")
    assert first.tool_calls[0]["name"] == "list_my_orders"
    then = chat.answer(ok([{"order_id": "PO-5004", "status": "delivered", "promised_date": "2026-11-14"}]))
    assert [(c["name"], c["args"]) for c in then.tool_calls] == [
        ("search_policies", {"query": "I want to switch to store pickup"})]
    final = chat.answer(ok([{"citation": "pickup#who-may-collect", "locale": "en", "title": "Pickup",
                             "section_title": "Who may collect", "text": "The buyer may collect with an ID."}]))
    assert final.content.startswith("The buyer may collect") and "open orders" not in final.content


def test_rereading_a_history_reads_each_message_once_and_gives_the_same_state():
    # build rereads the whole thread on every model call: the per-message reading is memoised
    dialogue._understand.cache_clear()
    history = [system("customer", "C-1001"), HumanMessage("where is my order PO-5001?"),
               AIMessage("It is late."), HumanMessage("¿por qué llega tarde?")]
    first = dialogue.build(history)
    misses = dialogue._understand.cache_info().misses
    again = dialogue.build(history)
    assert dialogue._understand.cache_info().misses == misses == 2
    assert (again.turn.nlu, again.turn.entities, again.order_ids, again.lang) == \
        (first.turn.nlu, first.turn.entities, first.order_ids, first.lang)


def test_the_planner_gets_its_own_copy_of_the_memoised_reading():
    history = [system("customer", "C-1001"), HumanMessage("where is my order PO-5001?")]
    ctx = dialogue.build(history)
    ctx.turn.entities.order_ids.append("PO-9999")
    ctx.turn.nlu.also.append(ctx.turn.nlu.intent)
    fresh = dialogue.build(history)
    assert fresh.turn.entities.order_ids == ["PO-5001"]
    assert fresh.turn.nlu.also == []


def test_a_pending_order_question_is_part_of_the_reading():
    # the same words read differently after "which order?": a bare number is then an order id
    bare = dialogue.build([system("customer", "C-1001"), HumanMessage("5001")])
    asked = dialogue.build([system("customer", "C-1001"), HumanMessage("where is my order?"),
                            AIMessage("Which order?", response_metadata={"promesa": {"pending": "order_id"}}),
                            HumanMessage("es el 5001")])
    assert "PO-5001" in asked.turn.entities.order_ids
    assert bare.turn.pending is None and asked.turn.pending == "order_id"


def test_an_order_number_with_only_function_words_continues_the_order_question():
    # "Es el PO-5001" alone reads like a support agent's "the one with ..." customer search; after
    # an order question it only says which order. A content word ("cliente") keeps its own reading.
    for reply in ("Es el PO-5001", "it's PO-5001", "the one is PO-5001"):
        chat = Chat(SUPPORT, "support")
        assert not chat.say("¿Dónde está el pedido?" if reply.startswith("Es") else "where is the order?").tool_calls
        again = chat.say(reply)
        assert [(c["name"], c["args"]) for c in again.tool_calls] == [("get_order_status", {"order_id": "PO-5001"})], reply
    chat = Chat(SUPPORT, "support")
    chat.say("where is the order?")
    assert chat.say("cliente del PO-5001").tool_calls[0]["name"] != "get_order_status"
