"""A tiny loopback server for the per-call benchmark: `python -m tests.bench.server PORT`.

It answers the Beam task-status route with a fixed task, so the generated client and
raw httpx make the very same request and parse the very same body."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TASK = (
    b'{"id":"5b1e2c4a-8a7e-4a55-9a4c-1a2b3c4d5e6f","status":"COMPLETE",'
    b'"outputs":[{"name":"out.txt","url":"http://127.0.0.1/out.txt","expires_in":3600}],'
    b'"started_at":"2024-01-01T00:00:00Z","ended_at":"2024-01-01T00:00:01Z","expires_in":3600}'
)


async def task(request: Request) -> Response:
    return Response(TASK, media_type="application/json")


app = Starlette(routes=[Route("/v2/task/{task_id}/", task)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
