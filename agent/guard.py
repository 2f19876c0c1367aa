"""Input screening before the model: size, language, prompt injection and clearly off-topic asks.

The guard is deliberately conservative: it refuses only what is clearly oversized, manipulative
or unrelated. Everything else goes to the model, whose tools enforce authorization anyway
(DESIGN rule 3), so a missed injection still cannot widen what a tool returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.offline.language import detect
from agent.offline.normalise import fold

_INJECTION = [
    r"\bignore\b.{0,30}\b(previous|prior|above|earlier|all|your)\b.{0,20}\b(instructions?|rules|prompts?)\b",
    r"\bdisregard\b.{0,30}\b(instructions?|rules|prompts?)\b",
    r"\bforget\b.{0,30}\b(instructions?|rules)\b",
    r"\byou are now\b",
    r"\bfrom now on you (are|will)\b",
    r"\bsystem prompt\b",
    r"\b(reveal|show|print)\b.{0,20}\b(prompt|instructions)\b",
    r"\b(act|behave|pretend|roleplay|role-play)\b.{0,25}\b(admin|administrator|root|developer|support agent|superuser)\b",
    r"\bi am (the |an )?(admin|administrator|developer)\b",
    r"\b(developer|god|dan|jailbreak) mode\b",
    r"\bjailbreak\b",
    # Spanish (accents are folded before matching)
    r"\bignora\b.{0,30}\b(instrucciones|reglas)\b",
    r"\bolvida\b.{0,30}\b(instrucciones|reglas)\b",
    r"\bahora eres\b",
    r"\ba partir de ahora eres\b",
    r"\bprompt del sistema\b",
    r"\b(actua|finge|haz de cuenta)\b.{0,25}\b(admin|administrador|desarrollador|superusuario)\b",
    r"\bsoy (el |un )?(admin|administrador|desarrollador)\b",
    r"\bmodo (desarrollador|dios)\b",
]
_OUT_OF_SCOPE = [
    r"\b(write|compose)\b.{0,20}\b(poem|song|essay|story|novel|code|script)\b",
    r"\b(escribe|escribeme|redacta)\b.{0,20}\b(poema|cancion|ensayo|cuento|codigo)\b",
    r"\btell me a joke\b",
    r"\bcuentame un chiste\b",
    r"\b(homework|tarea escolar)\b",
]
_INJECTION_RE = re.compile("|".join(_INJECTION))
_OUT_OF_SCOPE_RE = re.compile("|".join(_OUT_OF_SCOPE))


@dataclass(frozen=True)
class Screening:
    """The guard's verdict on one message: its language and a refusal code, if any."""

    language: str
    refusal: str | None = None


def screen(text: str, *, max_chars: int, previous_language: str | None = None) -> Screening:
    """Screen one user message.

    Args:
        text: The message.
        max_chars: Longest accepted message (``settings.max_message_chars``).
        previous_language: The thread's language so far; kept when the message is ambiguous.
    """
    prev = previous_language if previous_language in ("en", "es") else None
    language = detect(text[: max_chars or len(text)], previous=prev)  # type: ignore[arg-type]
    if not text.strip():
        return Screening(language, "empty")
    if len(text) > max_chars:
        return Screening(language, "too_long")
    # Lower case without accents, single spaces: patterns match both languages' spellings.
    folded = re.sub(r"\s+", " ", fold(text))
    if _INJECTION_RE.search(folded):
        return Screening(language, "prompt_injection")
    if _OUT_OF_SCOPE_RE.search(folded):
        return Screening(language, "out_of_scope")
    return Screening(language)
