"""Personal data kept out of logs by default (issue #16): every log record is redacted when
it is created, whichever logger or handler it goes to.

Two layers, because no single one is enough:

1. **Structured fields only.** Code logs ids, codes, counts and kinds, never a message body, a
   tool argument, a reply or other free text; the loggers that dump query parameters are held
   at WARNING. This is what keeps out what nothing can recognise (a name nobody knows yet).
2. **Redaction of what can still slip in** (an exception's text, a URL in the access log):
   emails, phone numbers and customer ids by pattern, and the known names of the world
   (:func:`remember_names`, loaded from the customers table when the API starts) through
   :class:`promesa.names.NameIndex`: accents, case, look-alike letters and near misses included.
   Percent-escaped text (a query string) is decoded before it is matched.

Set ``PROMESA_LOG_PERSONAL_DATA=true`` to debug with personal data (never in production).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from promesa.names import NameIndex

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # ten or more digits, spaced or dotted (not dashed: dates and ids are dashed)
    (re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.]?)?(?:\d[\s.]?){9,}\d(?![\w-])"), "[phone]"),
    # no word boundary on the left: inside a logged bytes repr an id follows an escape (\xa6C-1000)
    (re.compile(r"(?<![A-Za-z])C-\d{1,12}(?!\d)"), "C-[id]"),
)

#: Loggers that write query parameters (whole checkpoints, rows) at DEBUG: held at WARNING,
#: since a parameter can carry anything, names included, that no pattern recognises.
PARAMETER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "psycopg", "psycopg.pool")

_installed: list[Any] = []
#: the names of the world's customers (process-wide, like the log record factory itself)
_names = NameIndex()


def remember_names(people: Iterable[tuple[str, str]]) -> None:
    """Redact these (customer id, name) pairs' names from now on (e.g. a customer just created)."""
    _names.add(people)


def known_names() -> int:
    """How many names the filter redacts."""
    return len(_names)


def redact(text: str, *, unescape: bool = True) -> str:
    """``text`` without emails, phones, customer ids and known names. ``unescape=False`` for a
    format string, whose ``%`` are placeholders, not escapes."""
    if unescape and "%" in text:  # a URL's query string: match what it says, not its escapes ("+" splits words)
        text = unquote(text)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return _names.redact(text)


def _plain_args(args: Any) -> bool:
    """Whether a record's arguments are a tuple of strings and numbers only (safe to redact apart)."""
    return isinstance(args, tuple) and bool(args) and all(
        isinstance(a, str | int | float) for a in args)


def install(*, enabled: bool = True) -> None:
    """Redact every log record from now on (idempotent). ``enabled=False`` removes it."""
    if _installed:
        if enabled:
            return
        logging.setLogRecordFactory(_installed.pop())
        return
    if not enabled:
        return
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _plain_args(record.args):
            # kept as arguments, redacted one by one: some formatters read them (uvicorn's
            # access log unpacks client, method, path, version and status)
            record.msg = redact(record.msg, unescape=False) if isinstance(record.msg, str) else record.msg
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)  # type: ignore[union-attr]
        else:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a malformed record is logged as it is
                return record
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)
