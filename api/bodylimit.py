"""Refuse request bodies that declare a size over the limit, with the API's JSON error.

FastAPI's ``max_body_size`` (set on the routers too) stops bodies that grow too large while
being read; its answer to a *declared* oversize ``Content-Length`` is plain text, so this
middleware answers those first, in JSON, without reading a byte.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response


class DeclaredBodyLimit:
    def __init__(self, app: ASGIApp, max_body_size: int,
                 larger: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.larger = larger  # (path, limit): routes that take bigger bodies (event batches)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            limit = next((size for path, size in self.larger if scope.get("path") == path),
                         self.max_body_size)
            if declared.isdigit() and int(declared) > limit:
                response = error_response(
                    413, "body_too_large", f"the request body is over {limit} bytes"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
