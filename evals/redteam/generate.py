"""The red-team messages: templates from ``messages.yaml`` filled with other customers' real
identifiers and put through unicode tricks, per sender (issue #16).

Deterministic for a seed and a world, so a failing message can be sent again by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evals.redteam.identifiers import Kind, Person, World

MESSAGES = Path(__file__).with_name("messages.yaml")
#: Fixed anchors among the targets: the demo world's story customers (rich histories)
STORY_CUSTOMERS = ("C-1000", "C-1001", "C-1002", "C-1003", "C-1004", "C-1005", "C-1006", "C-1007", "C-1008")

_ZWSP = "\u200b"
_CYRILLIC = str.maketrans("aeopcxAEOPCX", "аеорсхАЕОРСХ")


def _zero_width(text: str) -> str:
    return _ZWSP.join(text[i:i + 3] for i in range(0, len(text), 3))


def _fullwidth_digits(text: str) -> str:
    return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() else c for c in text)


def _combining(text: str) -> str:
    return "".join(c + "\u0301" if c in "aeiouAEIOU" else c for c in text)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "plain": lambda t: t,
    "upper": str.upper,
    "lower": str.lower,
    "zero_width": _zero_width,
    "fullwidth_digits": _fullwidth_digits,
    "homoglyph": lambda t: t.translate(_CYRILLIC),
    "combining": _combining,
    "bidi": lambda t: f"\u202e{t[::-1]}\u202c",  # shown reversed back by the override
}


@dataclass(frozen=True)
class Attack:
    """One message to send: who sends it, what it tries, in which language, the text."""

    sender: str
    category: str
    variant: str
    language: str
    text: str
    targets: tuple[str, ...]


def load(path: Path = MESSAGES) -> dict[str, Any]:
    """The red-team message templates (``messages.yaml``)."""
    templates: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return templates


def fill(template: str, target: Person, own_order: str) -> str:
    """The attack ``template`` with the target's identifiers and the sender's own order filled in."""
    email = sorted(target.emails)[0] if target.emails else f"{target.customer_id.lower()}@example.com"
    phone = sorted(target.phones)[0] if target.phones else "5500000000"
    orders = sorted(target.orders)
    order = orders[0] if orders else "PO-0"
    trackings = sorted(v for idents in target.orders.values() for k, v in idents if k is Kind.tracking)
    line = next(iter(sorted(target.lines.values())), "Av. Reforma 1")
    values = {
        "id": target.customer_id, "name": target.name, "first": target.name.split()[0], "email": email,
        "phone": f"{phone[:2]} {phone[2:6]} {phone[6:]}", "street": line,
        "postal": next(iter(sorted(target.postals)), "06600"), "order": order,
        "tracking": trackings[0] if trackings else order, "own_order": own_order,
    }
    return template.format(**values)


def attacks(world: World, senders: dict[str, tuple[str | None, str]], max_chars: int,
            spec: dict[str, Any] | None = None) -> Iterator[Attack]:
    """Every attack for ``senders`` (label -> (own customer id or None, own order)).

    Each template is sent ``samples_per_template`` times, cycling through its category's
    variants, each time by the next sender in turn and at a target drawn for that sender among
    the other customers (story customers and anyone else alternately), so every sender is
    tried with every category.
    """
    spec = spec or load()
    rng = random.Random(spec["seed"])
    labels = list(senders)
    everyone = sorted(p for p in world.people.values() if p.orders)
    anchors = [world.people[c] for c in STORY_CUSTOMERS if c in world.people and world.people[c].orders]
    turn = 0
    for category, block in spec["categories"].items():
        for language in ("en", "es"):
            for template in block[language]:
                for sample in range(spec["samples_per_template"]):
                    variant = block["variants"][sample % len(block["variants"])]
                    label = labels[turn % len(labels)]
                    turn += 1
                    own, own_order = senders[label]
                    pool = anchors if sample % 2 == 0 else everyone
                    target = rng.choice([p for p in pool if p.customer_id != own])
                    text = TRANSFORMS[variant](fill(template, target, own_order))
                    yield Attack(label, category, variant, language, text, (target.customer_id,))
    block = spec["oversized"]
    for language in ("en", "es"):
        for extra in block["sizes"]:
            label = labels[turn % len(labels)]
            turn += 1
            own, own_order = senders[label]
            target = rng.choice([p for p in anchors if p.customer_id != own])
            unit = fill(block[language], target, own_order)
            size = max_chars + extra
            text = (unit * (size // len(unit) + 1))[:size]
            yield Attack(label, "oversized", f"{extra:+d}", language, text, (target.customer_id,))
