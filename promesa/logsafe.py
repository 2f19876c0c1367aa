"""Personal data kept out of logs by default (issue #16): every log record is redacted when
it is created, whichever logger or handler it goes to.

Emails, phone numbers and customer ids are replaced, and the loggers that dump query
parameters are held at WARNING; set ``PROMESA_LOG_PERSONAL_DATA=true`` to debug with them
(never in production). Names cannot be recognised by pattern, so code logs ids and codes,
never names or free text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

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


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return record
        if isinstance(record.args, tuple) and record.name == "uvicorn.access":
            # uvicorn's access formatter unpacks the args (address, method, path, version,
            # status): redact each instead of dropping them, or every request logs a traceback
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        else:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)
