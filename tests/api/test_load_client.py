"""The load runs' lean HTTP client (issue #13): keep-alive, both body framings, reconnects."""

from __future__ import annotations

import asyncio

import pytest

from api.load_client import Connection, HttpError

JSON_REPLY = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n{"ok": true}'
CHUNKED_REPLY = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                 b"7\r\nevent: \r\n5\r\ndone\n\r\n0\r\n\r\n")
CLOSING_REPLY = b"HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 2\r\n\r\nno"


async def _serve(replies: list[bytes], seen: list[bytes], connections: list[int]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while replies:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length")), 0)
            seen.append(head + await reader.readexactly(length))
            reply = replies.pop(0)
            writer.write(reply)
            await writer.drain()
            if b"connection: close" in reply:
                break
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_keep_alive_content_length_chunked_and_a_server_close() -> None:
    async def body() -> None:
        seen: list[bytes] = []
        connections: list[int] = []
        server = await _serve([JSON_REPLY, CHUNKED_REPLY, CLOSING_REPLY, JSON_REPLY], seen, connections)
        port = server.sockets[0].getsockname()[1]
        conn = Connection("127.0.0.1", port, timeout=5)
        try:
            first = await conn.request("POST", "/v1/chat", body={"message": "hola"}, headers={"X-A": "1"})
            assert (first.status, first.json()) == (200, {"ok": True})
            second = await conn.request("GET", "/stream")
            assert (second.status, second.text) == (200, "event: done\n")
            third = await conn.request("GET", "/gone")
            assert (third.status, third.body) == (404, b"no")
            fourth = await conn.request("GET", "/again")  # the server closed: a new connection
            assert fourth.status == 200
        finally:
            await conn.close()
            server.close()
        assert len(connections) == 2  # the first three on one connection
        assert seen[0].startswith(b"POST /v1/chat HTTP/1.1\r\n") and b"X-A: 1\r\n" in seen[0]
        assert seen[0].endswith(b'\r\n\r\n{"message": "hola"}')
        assert b"Content-Length: 19\r\n" in seen[0] and b"Content-Length" not in seen[1]

    asyncio.run(body())


def test_a_refused_connection_is_an_http_error() -> None:
    async def body() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(HttpError):
            await Connection("127.0.0.1", port, timeout=5).request("GET", "/")

    asyncio.run(body())
