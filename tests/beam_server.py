"""Local stand-in for Beam's HTTP gateway, for end-to-end tests of the API client.

Two Starlette apps reproduce the behaviour of the real service (which is looser and
richer than the OpenAPI document the client is generated from):

* the *app host* (``app.beam.cloud``): ``POST /endpoint/{name}``,
  ``/endpoint/{name}/v{version}``, ``/endpoint/id/{id}`` and ``/taskqueue/{name}``;
* the *api host* (``api.beam.cloud``): ``GET /v2/task/{task_id}/`` and
  ``DELETE /v2/task/cancel/``.

Everything is driven by a thread-safe :class:`BeamState`: deployments are plain
Python callables, every request is recorded, canned responses can be scripted per
method and path (to provoke 429s, 5xx or read timeouts), and each task walks a
scripted list of statuses, one step per GET.

The module uses absolute imports only, so it imports both as ``tests.beam_server``
and as ``beam_server``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_TOKEN = "test-token"
DEFAULT_PLAN: tuple[str, ...] = ("PENDING", "RUNNING", "COMPLETE")
TERMINAL_STATUSES = frozenset({"COMPLETE", "ERROR", "CANCELLED", "TIMEOUT", "EXPIRED"})
# Statuses that imply a container picked the task up (``started_at`` gets set).
STARTED_STATUSES = frozenset({"RUNNING", "COMPLETE", "ERROR", "TIMEOUT"})
# ``failure_reason`` of a task whose plan says ERROR without the function raising.
SCRIPTED_FAILURE_REASON = "Task failed"
OUTPUT_NAME = "out.txt"
OUTPUT_EXPIRES_IN = 3600

UNAUTHORIZED: dict[str, Any] = {"message": "Unauthorized"}
INVALID_DEPLOYMENT: dict[str, Any] = {"message": "Invalid deployment"}
INVALID_VERSION: dict[str, Any] = {"message": "Invalid deployment version"}
NOT_ACTIVE: dict[str, Any] = {"message": "Deployment is not active"}
INVALID_PAYLOAD: dict[str, Any] = {"error": "invalid request payload"}
TASK_NOT_FOUND: dict[str, Any] = {"message": "Task not found"}


def rfc3339_nanos(ns: int) -> str:
    """Format a Unix time in nanoseconds the way the gateway does, e.g.
    ``2026-11-30T10:31:52.123456789Z`` (always nine fractional digits)."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{stamp:%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z"


def _optional_stamp(ns: int | None) -> str | None:
    return None if ns is None else rfc3339_nanos(ns)


class GatewayError(Exception):
    """An error answer of the gateway: raised anywhere, rendered as JSON."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status, dict(body))
        self.status = status
        self.body = dict(body)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received by either listener."""

    listener: str  # "app" or "api"
    method: str
    path: str  # raw path, percent-encoding preserved
    query: str  # raw query string
    headers: dict[str, str]  # lower-case name -> value
    body: bytes
    time: float  # time.monotonic()

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Canned:
    """A scripted response, served instead of the normal handling.

    ``json_body`` is sent as JSON unless it is None (empty body); ``body`` sends raw
    bytes instead (e.g. an HTML error page from a proxy). ``delay`` seconds pass
    before the answer, to provoke client read timeouts.
    """

    status: int
    json_body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes | None = None

    def response(self) -> Response:
        headers = dict(self.headers)
        if self.body is not None:
            return Response(self.body, self.status, headers=headers)
        if self.json_body is None:
            return Response(b"", self.status, headers=headers)
        return JSONResponse(self.json_body, self.status, headers=headers)


@dataclass
class Deployment:
    """An endpoint or task queue deployment backed by a Python callable."""

    name: str
    fn: Callable[..., Any]
    versions: set[int]
    id: str
    active: bool = True


@dataclass(frozen=True)
class Outcome:
    """What calling a deployment's function produced: a value or a traceback."""

    value: Any = None
    error: str | None = None


def call_function(fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> Outcome:
    """Run ``fn(**kwargs)``; a raise (or a result that is not JSON) becomes the
    traceback text, as the gateway reports it."""
    try:
        value = fn(**kwargs)
        json.dumps(value, allow_nan=False)
    except Exception:
        return Outcome(error=traceback.format_exc())
    return Outcome(value=value)


@dataclass
class TaskRecord:
    """A task and its scripted walk through statuses."""

    id: str
    name: str
    kwargs: dict[str, Any]
    plan: tuple[str, ...]
    created_at: int  # all timestamps: Unix time in nanoseconds
    updated_at: int
    container_id: str
    status: str = "PENDING"
    steps_taken: int = 0
    result: Any = None
    failure_reason: str = ""
    started_at: int | None = None
    ended_at: int | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def planned_status(self) -> str:
        """The status the next GET shows; the plan's last entry repeats forever."""
        return self.plan[min(self.steps_taken, len(self.plan) - 1)]

    def move_to(self, status: str, outcome: Outcome | None = None) -> None:
        """Change status, keeping timestamps, result and failure reason coherent.
        Reaching COMPLETE with a failed ``outcome`` ends in ERROR instead."""
        if status == "COMPLETE" and outcome is not None and outcome.error is not None:
            status = "ERROR"
        if status == self.status:
            return
        now = time.time_ns()
        self.status = status
        self.updated_at = now
        if status in STARTED_STATUSES and self.started_at is None:
            self.started_at = now
        if status in TERMINAL_STATUSES:
            self.ended_at = now
        if status == "COMPLETE" and outcome is not None:
            self.result = outcome.value
        if status == "ERROR":
            error = outcome.error if outcome is not None else None
            self.failure_reason = error or SCRIPTED_FAILURE_REASON

    def to_json(self, base_url: str) -> dict[str, Any]:
        complete = self.status == "COMPLETE"
        output = {
            "name": OUTPUT_NAME,
            "url": f"{base_url.rstrip('/')}/outputs/{self.id}/{OUTPUT_NAME}",
            "expires_in": OUTPUT_EXPIRES_IN,
        }
        return {
            "id": self.id,
            "status": self.status,
            "external_id": None,
            "failure_reason": self.failure_reason,
            "container_id": self.container_id,
            "created_at": rfc3339_nanos(self.created_at),
            "updated_at": rfc3339_nanos(self.updated_at),
            "started_at": _optional_stamp(self.started_at),
            "ended_at": _optional_stamp(self.ended_at),
            "stats": {"active_containers": 1, "queue_depth": 0},
            "stub": {"name": self.name},
            "result": self.result if complete else None,
            "outputs": [output] if complete else [],
        }


def _check_plan(plan: Sequence[str]) -> tuple[str, ...]:
    if isinstance(plan, str) or not plan:
        raise ValueError("a task plan is a non-empty sequence of statuses")
    return tuple(plan)


class BeamState:
    """The gateway's mutable state, shared by both listeners and the tests."""

    def __init__(self, tokens: Iterable[str] = (DEFAULT_TOKEN,)) -> None:
        self._lock = threading.RLock()
        self.tokens: set[str] = set(tokens)
        self.deployments: dict[str, Deployment] = {}
        self.requests: list[RecordedRequest] = []
        self.tasks: dict[str, TaskRecord] = {}
        self._scripts: dict[tuple[str, str], deque[Canned]] = {}
        self._next_plan: tuple[str, ...] = DEFAULT_PLAN

    # -- auth and deployments ------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """Raise 401 unless ``authorization`` is ``Bearer <known token>``."""
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            known = token.strip() in self.tokens
        if scheme.lower() != "bearer" or not known:
            raise GatewayError(401, UNAUTHORIZED)

    def add_deployment(
        self,
        name: str,
        fn: Callable[..., Any],
        versions: Iterable[int] = (1,),
        id: str | None = None,
        *,
        active: bool = True,
    ) -> str:
        """Register (or replace) a deployment; returns its stable id."""
        deployment = Deployment(name, fn, set(versions), id or str(uuid.uuid4()), active)
        with self._lock:
            self.deployments[name] = deployment
        return deployment.id

    def set_active(self, name: str, active: bool) -> None:
        with self._lock:
            self.deployments[name].active = active

    def resolve(
        self, name: str | None = None, *, id: str | None = None, version: int | None = None
    ) -> Deployment:
        """Find a deployment by name (optionally a version) or id, or raise 400."""
        with self._lock:
            if id is None:
                deployment = self.deployments.get(name or "")
            else:
                deployment = next((d for d in self.deployments.values() if d.id == id), None)
        if deployment is None:
            raise GatewayError(400, INVALID_DEPLOYMENT)
        if version is not None and version not in deployment.versions:
            raise GatewayError(400, INVALID_VERSION)
        if not deployment.active:
            raise GatewayError(400, NOT_ACTIVE)
        return deployment

    # -- recording and scripted responses -------------------------------------

    def script(self, method: str, path: str, responses: Canned | Iterable[Canned]) -> None:
        """Queue canned responses for the next requests to exactly ``method path``
        (the decoded path, e.g. ``/endpoint/echo``)."""
        queued = [responses] if isinstance(responses, Canned) else list(responses)
        with self._lock:
            self._scripts.setdefault((method.upper(), path), deque()).extend(queued)

    def scripted_left(self, method: str, path: str) -> int:
        """How many canned responses for ``method path`` are still unused."""
        with self._lock:
            return len(self._scripts.get((method.upper(), path), ()))

    def arrive(self, request: RecordedRequest, decoded_path: str) -> Canned | None:
        """Record a request and hand out the canned response due for it, if any."""
        with self._lock:
            self.requests.append(request)
            queue = self._scripts.get((request.method.upper(), decoded_path))
            return queue.popleft() if queue else None

    def requests_for(self, path_prefix: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose raw path starts with ``path_prefix``."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method.upper())
            ]

    def clear(self) -> None:
        """Forget requests, unused scripts and tasks, and restore the default plan.
        Tokens and deployments are kept."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()
            self.tasks.clear()
            self._next_plan = DEFAULT_PLAN

    # -- tasks ------------------------------------------------------------------

    def set_plan_for_next_tasks(self, plan: Sequence[str]) -> None:
        """Statuses every task created from now on walks through."""
        with self._lock:
            self._next_plan = _check_plan(plan)

    def set_task_plan(self, task_id: str, plan: Sequence[str]) -> None:
        """Replace one task's plan; its next GET shows ``plan[0]``."""
        with self._lock:
            task = self.task(task_id)
            task.plan = _check_plan(plan)
            task.steps_taken = 0

    def create_task(self, name: str, kwargs: Mapping[str, Any]) -> str:
        """Create a PENDING task for deployment ``name``; returns its id."""
        now = time.time_ns()
        task_id = str(uuid.uuid4())
        with self._lock:
            self.tasks[task_id] = TaskRecord(
                id=task_id,
                name=name,
                kwargs=dict(kwargs),
                plan=self._next_plan,
                created_at=now,
                updated_at=now,
                container_id=f"{name}-{uuid.uuid4().hex[:8]}",
            )
        return task_id

    def task(self, task_id: str) -> TaskRecord:
        """The task with ``task_id``, or 404."""
        with self._lock:
            task = self.tasks.get(task_id)
        if task is None:
            raise GatewayError(404, TASK_NOT_FOUND)
        return task

    def finish_task(self, task_id: str, outcome: Outcome) -> None:
        """Settle a task with a function outcome: COMPLETE, or ERROR if it raised."""
        with self._lock:
            self.task(task_id).move_to("COMPLETE", outcome)

    def poll_task(self, task_id: str, base_url: str) -> dict[str, Any]:
        """Advance a task one step along its plan and return its JSON.

        Reaching COMPLETE runs the deployment's function on the task's kwargs
        (outside the lock, as it may be slow); if it raises the task ends in ERROR.
        """
        with self._lock:
            task = self.task(task_id)
            if task.terminal:
                return task.to_json(base_url)
            status = task.planned_status()
            deployment = self.deployments.get(task.name)
        outcome = None
        if status == "COMPLETE" and deployment is not None:
            outcome = call_function(deployment.fn, task.kwargs)
        with self._lock:
            if not task.terminal:  # unless cancelled meanwhile
                task.steps_taken += 1
                task.move_to(status, outcome)
            return task.to_json(base_url)

    def cancel_tasks(self, task_ids: Iterable[Any]) -> None:
        """Cancel tasks; unknown ids and finished tasks are skipped silently."""
        with self._lock:
            for task_id in task_ids:
                task = self.tasks.get(task_id) if isinstance(task_id, str) else None
                if task is not None and not task.terminal:
                    task.move_to("CANCELLED")


# -- HTTP handlers ----------------------------------------------------------------


def _beam(request: Request, *, authenticate: bool = True) -> BeamState:
    state: BeamState = request.app.state.beam
    if authenticate:
        state.authenticate(request.headers.get("authorization"))
    return state


async def _json_body(request: Request) -> Any:
    """The body as JSON; an empty body is None, a malformed one 400."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise GatewayError(400, INVALID_PAYLOAD) from exc


async def _kwargs(request: Request) -> dict[str, Any]:
    """Keyword arguments of an invocation: the body's JSON object (empty body or
    ``null`` for none) with query parameters merged over it as strings (a
    repeated parameter gives a list of strings)."""
    payload = await _json_body(request)
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise GatewayError(400, INVALID_PAYLOAD)
    for key in request.query_params:
        values = request.query_params.getlist(key)
        payload[key] = values[0] if len(values) == 1 else values
    return payload


async def invoke_endpoint(request: Request) -> Response:
    state = _beam(request)
    params = request.path_params
    deployment = state.resolve(
        params.get("name"), id=params.get("id"), version=params.get("version")
    )
    kwargs = await _kwargs(request)
    task_id = state.create_task(deployment.name, kwargs)
    outcome = await run_in_threadpool(call_function, deployment.fn, kwargs)
    state.finish_task(task_id, outcome)
    headers = {"X-Task-Id": task_id}
    if outcome.error is not None:
        return JSONResponse({"error": outcome.error}, 500, headers=headers)
    return JSONResponse(outcome.value, headers=headers)


async def submit_task(request: Request) -> Response:
    state = _beam(request)
    deployment = state.resolve(request.path_params["name"])
    kwargs = await _kwargs(request)
    return JSONResponse({"task_id": state.create_task(deployment.name, kwargs)})


async def get_task(request: Request) -> Response:
    state = _beam(request)
    body = await run_in_threadpool(
        state.poll_task, request.path_params["task_id"], str(request.base_url)
    )
    return JSONResponse(body)


async def cancel_tasks(request: Request) -> Response:
    state = _beam(request)
    payload = await _json_body(request)
    task_ids = payload.get("task_ids") if isinstance(payload, dict) else None
    if not isinstance(task_ids, list):
        raise GatewayError(400, INVALID_PAYLOAD)
    state.cancel_tasks(task_ids)
    return JSONResponse({})


async def download_output(request: Request) -> Response:
    """The file behind an output URL (pre-signed in reality, so no auth)."""
    task = _beam(request, authenticate=False).task(request.path_params["task_id"])
    if request.path_params["filename"] != OUTPUT_NAME or task.status != "COMPLETE":
        return PlainTextResponse("Not Found", 404)
    return PlainTextResponse(f"output of task {task.id}\n")


async def _render_gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return JSONResponse(exc.body, exc.status)


# -- recording / scripting middleware ---------------------------------------------------


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that yields the already-read body, then defers to ``receive``."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _client_waits(receive: Receive, delay: float) -> bool:
    """Sleep ``delay`` seconds; False if the client hung up meanwhile. A forced
    server shutdown cuts the delay short."""
    if delay <= 0:
        return True

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnected(), delay)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        return True
    return False


class RecordAndScript:
    """ASGI middleware: records every request, then serves the canned response
    queued for it (skipping auth and routing) or passes it on."""

    def __init__(self, app: ASGIApp, state: BeamState, listener: str) -> None:
        self.app = app
        self.state = state
        self.listener = listener

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        recorded = RecordedRequest(
            listener=self.listener,
            method=scope["method"],
            path=raw_path.decode("latin-1"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=_header_dict(scope["headers"]),
            body=body,
            time=time.monotonic(),
        )
        canned = self.state.arrive(recorded, scope["path"])
        if canned is None:
            await self.app(scope, _replay(body, receive), send)
        elif await _client_waits(receive, canned.delay):
            await canned.response()(scope, receive, send)


def _header_dict(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _build_app(state: BeamState, listener: str, routes: list[Route]) -> Starlette:
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RecordAndScript, state=state, listener=listener)],
        exception_handlers={GatewayError: _render_gateway_error},
    )
    app.state.beam = state
    return app


def create_apps(state: BeamState) -> tuple[Starlette, Starlette]:
    """The (app host, api host) pair sharing ``state``."""
    app_host = _build_app(
        state,
        "app",
        [
            Route("/endpoint/id/{id}", invoke_endpoint, methods=["POST"]),
            Route("/endpoint/{name}/v{version:int}", invoke_endpoint, methods=["POST"]),
            Route("/endpoint/{name}", invoke_endpoint, methods=["POST"]),
            Route("/taskqueue/{name}", submit_task, methods=["POST"]),
        ],
    )
    api_host = _build_app(
        state,
        "api",
        [
            Route("/v2/task/cancel/", cancel_tasks, methods=["DELETE"]),
            Route("/v2/task/{task_id}/", get_task, methods=["GET"]),
            Route("/outputs/{task_id}/{filename}", download_output, methods=["GET"]),
        ],
    )
    return app_host, api_host


# -- running the servers --------------------------------------------------------------


_Stoppable = TypeVar("_Stoppable", bound="_StopOnExit")


class _StopOnExit:
    """Context-manager protocol for things that are running once constructed."""

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Stoppable) -> _Stoppable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServerThread(_StopOnExit):
    """Serves an ASGI app with uvicorn on 127.0.0.1 (a free port) in a daemon thread.
    Started on construction; ``stop()`` shuts it down."""

    def __init__(self, app: ASGIApp, *, startup_timeout: float = 10.0) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="beam-server", daemon=True)
        self._thread.start()
        try:
            self.port: int = self._wait_until_started(startup_timeout)
        except BaseException:
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def _wait_until_started(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server thread exited before it started")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start within {timeout} s")
            time.sleep(0.01)
        port: int = self._server.servers[0].sockets[0].getsockname()[1]
        return port

    def stop(self, grace: float = 2.0) -> None:
        """Shut down; requests still running after ``grace`` seconds are cancelled."""
        self._server.should_exit = True
        self._thread.join(grace)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(grace)


def _echo(**kwargs: Any) -> Any:
    return kwargs


def _boom(**kwargs: Any) -> Any:
    raise ValueError("boom")


def _answer(**kwargs: Any) -> Any:
    return 42


def _listy(**kwargs: Any) -> Any:
    return [1, "a", None]


def default_state() -> BeamState:
    """A state with the default token and deployments ``echo`` (versions 1 and 2,
    returns its kwargs), ``boom`` (raises ValueError), ``answer`` (42) and
    ``listy`` (``[1, "a", None]``)."""
    state = BeamState()
    state.add_deployment("echo", _echo, versions=(1, 2))
    state.add_deployment("boom", _boom)
    state.add_deployment("answer", _answer)
    state.add_deployment("listy", _listy)
    return state


class BeamServer(_StopOnExit):
    """Both hosts over one state, started on construction.

    ``server_overrides`` maps the real base URLs to the local ones.
    """

    token = DEFAULT_TOKEN

    def __init__(self, state: BeamState | None = None) -> None:
        self.state = state if state is not None else default_state()
        self._threads: list[ServerThread] = []
        try:
            for app in create_apps(self.state):
                self._threads.append(ServerThread(app))
        except BaseException:
            self.stop()
            raise
        self.app_url = self._threads[0].url
        self.api_url = self._threads[1].url
        self.server_overrides: dict[str, str] = {
            "https://app.beam.cloud": self.app_url,
            "https://api.beam.cloud": self.api_url,
        }

    def stop(self) -> None:
        for thread in self._threads:
            thread.stop()
