"""uvicorn's access log under the redacting log filter (found profiling the API path, #13):
the filter dropped the record's args, so every request's access line raised inside the
formatter and printed a traceback (~140 ms a request on a loaded box) instead of the line."""

from __future__ import annotations

import logging

from uvicorn.logging import AccessFormatter

from promesa import logsafe


def test_access_lines_format_and_stay_redacted() -> None:
    was_installed = bool(logsafe._installed)  # create_app installs it for the whole process
    logsafe.install(enabled=True)
    try:
        record = logging.getLogger("uvicorn.access").makeRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", "/v1/customers?q=ana.torres@example.com", "1.1", 200), None)
        line = AccessFormatter("%(message)s", use_colors=False).format(record)
    finally:
        if not was_installed:
            logsafe.install(enabled=False)
    assert line == '127.0.0.1:5000 - "GET /v1/customers?q=[email] HTTP/1.1" 200'
