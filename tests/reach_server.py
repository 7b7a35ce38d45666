"""A recording HTTP server for wire-level tests of generated clients.

Every request is recorded as it arrived (raw path, raw query string, headers, body), and
answered from a script: `(method, path) -> Reply`. Runs on 127.0.0.1 through the
`ServerThread` of beam_server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.beam_server import ServerThread


@dataclass
class Seen:
    method: str
    path: str  # raw, still percent-encoded
    query: str  # raw query string
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    content: bytes | None = None
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.replies: dict[tuple[str, str], Reply] = {}

    def reply(self, method: str, path: str, reply: Reply) -> None:
        with self.lock:
            self.replies[(method.upper(), path)] = reply

    @property
    def last(self) -> Seen:
        with self.lock:
            return self.seen[-1]

    def reset(self) -> None:
        with self.lock:
            self.seen.clear()
            self.replies.clear()

    async def handle(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        seen = Seen(
            request.method,
            raw_path.split("?", 1)[0],
            request.scope.get("query_string", b"").decode("latin-1"),
            {k.lower(): v for k, v in request.headers.items()},
            await request.body(),
        )
        with self.lock:
            self.seen.append(seen)
            reply = self.replies.get((request.method, request.url.path))
        if reply is None:
            return JSONResponse({"message": f"no reply scripted for {request.method} {request.url.path}"}, 404)
        if reply.content is not None:
            return Response(reply.content, reply.status, reply.headers, media_type=reply.media_type)
        if reply.status == 204:
            return Response(b"", 204, reply.headers)
        return JSONResponse(reply.json, reply.status, reply.headers, media_type=reply.media_type)


def recording_server() -> tuple[ServerThread, Recorder]:
    recorder = Recorder()
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(routes=[Route("/{rest:path}", recorder.handle, methods=methods)])
    return ServerThread(app), recorder


def serve() -> Iterator[tuple[ServerThread, Recorder]]:
    """For a pytest fixture: `yield from serve()`."""
    server, recorder = recording_server()
    try:
        yield server, recorder
    finally:
        server.stop()
