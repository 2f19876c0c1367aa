"""Intent classification: the trained NLU (``nlu_model``) plus the dialogue context it cannot see.

The model reads the words (and the persona); this module adds only what depends on the
conversation: assent or refusal is an answer only when an offer is pending, and a reading the
model is unsure of is marked ``unsure`` so the planner asks, offering the two best readings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.offline.entities import Entities
from agent.offline.intent_names import Intent
from agent.offline.nlu_model import IntentModel, get_model

__all__ = ["ASK_BELOW", "INTENTS", "Classification", "Intent", "classify"]

INTENTS: tuple[str, ...] = tuple(i.value for i in Intent)
#: Below this calibrated probability the best reading is a guess: ask instead of acting.
ASK_BELOW = 0.40
#: Assent and refusal words only mean something when they answer an offer.
_ANSWERS = frozenset({Intent.approve, Intent.reject})
#: Courtesies: the intent of a message only when they are all it says.
_SOCIAL = frozenset({Intent.greeting, Intent.thanks})
#: Words in a message short enough to be read as the answer to a pending offer.
_SHORT_ANSWER = 4
#: The share a question inside a courtesy needs to be read instead of the courtesy.
_FRAMED_MIN = 0.05
#: Pending questions that an assent or a refusal answers (a proposal; an offer of a person).
_OFFERS = frozenset({"confirm", "offer_handoff"})


@dataclass
class Classification:
    """The winning intent with its probability, the full distribution and what else was read."""

    intent: Intent
    score: float
    scores: dict[Intent, float] = field(default_factory=dict)
    also: list[Intent] = field(default_factory=list)  # further intents of the same message
    topic: str | None = None  # for out_of_scope: the unserved topic
    unsure: bool = False
    runner_up: Intent | None = None


def classify(text: str, ent: Entities, pending: str | None = None, persona: str | None = None,
             model: IntentModel | None = None) -> Classification:
    """Classify one message (raw or normalised text) with its entities and the pending question.

    Args:
        text: the message.
        ent: entities of the same message.
        pending: what the assistant last asked for: ``"confirm"`` (an approval), ``"order_id"``,
            ``"which_order"`` or None.
        persona: who speaks (customer, support, ops; anonymous visitors read as customers).
        model: the classifier (default: the one trained on the corpus's training split; the
            NLU suite's dev run passes one trained without the dev split).
    """
    who = "customer" if persona in (None, "anonymous") else persona
    reading = (model or get_model()).read(text, who, ent)
    scores = {intent: 0.0 for intent in Intent}
    scores.update({name: p for name, p in reading.ranked})
    ranked = [name for name, _ in reading.ranked]
    best = ranked[0]
    if best in _ANSWERS and pending not in _OFFERS:
        # "ok, and where is the other one?" is a question; a bare "ok" with nothing pending stays
        # an (empty) answer, which the planner meets with "nothing is waiting for you".
        second, p_second = reading.runner_up
        if p_second >= ASK_BELOW / 2 and second not in _ANSWERS:
            best = second
    elif pending in _OFFERS and best not in _ANSWERS and len(text.split()) <= _SHORT_ANSWER:
        # a short message right after an offer is its answer when the model reads one at all
        answer = max(_ANSWERS, key=lambda a: scores[a])
        if scores[answer] >= ASK_BELOW / 2:
            best = answer
    if best in _SOCIAL and len(text.split()) > _SHORT_ANSWER:
        # "hola, ¿dónde está mi pedido?" / "…, gracias": the courtesy frames the question, when
        # the model reads one at all ("thank you for helping me" is all courtesy)
        framed = next((r for r in ranked if r not in _SOCIAL), best)
        if scores[framed] >= _FRAMED_MIN:
            best = framed
    also: list[Intent] = [a for a in reading.also if a != best and a not in _ANSWERS | _SOCIAL and a != Intent.out_of_scope]
    runner_up = next((r for r in ranked if r != best), None)
    unsure = scores[best] < ASK_BELOW and best not in _ANSWERS
    return Classification(best, scores[best], scores, also, reading.topic if best == Intent.out_of_scope else None,
                          unsure, runner_up)
