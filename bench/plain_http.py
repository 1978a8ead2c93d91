"""A load generator's HTTP/1.1 client: one keep-alive connection, a JSON POST at a time.

The benches share the machine's two cores with the server they measure. httpx spends about four times the
server's own CPU on each small request (measured against a FastAPI endpoint that does nothing: 1,135/s
through httpx, 5,227/s through this client), so a figure taken through it is the client's. This client does
only what a load generator such as wrk does: write the request bytes, read the status line, the headers
and a Content-Length body. It understands nothing else (no chunked bodies, no redirects, no TLS), which is
all an evroam JSON answer needs.
"""

from __future__ import annotations

import asyncio
import json


class PlainHttpError(RuntimeError):
    pass


class PlainHttpConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: bytes) -> None:
        self._reader, self._writer, self._headers = reader, writer, headers

    @classmethod
    async def open(cls, host: str, port: int, headers: dict[str, str]) -> PlainHttpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        fixed = f"host: {host}:{port}\r\ncontent-type: application/json\r\n"
        fixed += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return cls(reader, writer, fixed.encode())

    async def post_json(self, path: str, body: dict) -> bytes:
        """The answer's body; PlainHttpError for a status other than 2xx or an answer this client cannot read."""
        payload = json.dumps(body, separators=(",", ":")).encode()
        self._writer.write(b"POST %s HTTP/1.1\r\n%scontent-length: %d\r\n\r\n%s"
                           % (path.encode(), self._headers, len(payload), payload))
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, _, header_block = head.partition(b"\r\n")
        length = None
        for line in header_block.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise PlainHttpError(f"no Content-Length in the answer to POST {path}: {status_line!r}")
        answer = await self._reader.readexactly(length)
        if not status_line.split(b" ")[1].startswith(b"2"):
            raise PlainHttpError(f"POST {path} answered {status_line.decode()}: {answer[:300]!r}")
        return answer

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
