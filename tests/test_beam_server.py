"""Tests of the local Beam gateway stand-in, through real sockets with plain httpx."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

try:
    from tests.beam_server import (
        DEFAULT_TOKEN,
        BeamServer,
        BeamState,
        Canned,
        ServerThread,
        create_apps,
        rfc3339_nanos,
    )
except ImportError:  # tests/ itself is on sys.path
    from beam_server import (  # type: ignore[import-not-found, no-redef, unused-ignore]
        DEFAULT_TOKEN,
        BeamServer,
        BeamState,
        Canned,
        ServerThread,
        create_apps,
        rfc3339_nanos,
    )

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
NANO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")


@pytest.fixture(scope="module")
def beam() -> Iterator[BeamServer]:
    with BeamServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_state(beam: BeamServer) -> BeamState:
    beam.state.clear()
    return beam.state


@pytest.fixture
def app(beam: BeamServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=beam.app_url, headers=AUTH) as client:
        yield client


@pytest.fixture
def api(beam: BeamServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=beam.api_url, headers=AUTH) as client:
        yield client


def submit(app: httpx.Client, name: str = "echo", **kwargs: Any) -> str:
    response = app.post(f"/taskqueue/{name}", json=kwargs)
    assert response.status_code == 200
    task_id: str = response.json()["task_id"]
    return task_id


def walk(api: httpx.Client, task_id: str, polls: int) -> list[dict[str, Any]]:
    """GET a task ``polls`` times and return each answer."""
    answers = []
    for _ in range(polls):
        response = api.get(f"/v2/task/{task_id}/")
        assert response.status_code == 200
        answers.append(response.json())
    return answers


def statuses(answers: list[dict[str, Any]]) -> list[str]:
    return [answer["status"] for answer in answers]


# -- auth and deployment lookup --------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {DEFAULT_TOKEN}"}],
    ids=["missing", "wrong-token", "wrong-scheme"],
)
@pytest.mark.parametrize(
    ("host", "method", "path"),
    [
        ("app", "POST", "/endpoint/echo"),
        ("app", "POST", "/taskqueue/echo"),
        ("api", "GET", "/v2/task/x/"),
    ],
)
def test_unauthorized(
    beam: BeamServer, headers: dict[str, str], host: str, method: str, path: str
) -> None:
    base_url = beam.app_url if host == "app" else beam.api_url
    response = httpx.request(method, base_url + path, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert "x-task-id" not in response.headers
    assert not beam.state.tasks


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/endpoint/nope", "Invalid deployment"),
        ("/endpoint/nope/v1", "Invalid deployment"),
        ("/endpoint/id/00000000-0000-4000-8000-000000000000", "Invalid deployment"),
        ("/taskqueue/nope", "Invalid deployment"),
        ("/endpoint/echo/v3", "Invalid deployment version"),
    ],
)
def test_bad_deployment_is_400(app: httpx.Client, path: str, message: str) -> None:
    response = app.post(path, json={})
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_inactive_deployment_is_400(app: httpx.Client, fresh_state: BeamState) -> None:
    fresh_state.add_deployment("sleepy", lambda: "zzz", active=False)
    response = app.post("/endpoint/sleepy")
    assert response.status_code == 400
    assert response.json() == {"message": "Deployment is not active"}
    fresh_state.set_active("sleepy", True)
    assert app.post("/endpoint/sleepy").json() == "zzz"


def test_versioned_and_by_id_invocation(app: httpx.Client, fresh_state: BeamState) -> None:
    deployment_id = fresh_state.add_deployment("pinned", lambda **kw: kw, versions=(1, 7))
    assert app.post("/endpoint/pinned/v7", json={"a": 1}).json() == {"a": 1}
    assert app.post(f"/endpoint/id/{deployment_id}", json={"b": 2}).json() == {"b": 2}
    assert fresh_state.deployments["pinned"].id == deployment_id


# -- endpoint invocation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("answer", None, 42),
        ("listy", None, [1, "a", None]),
        ("echo", {"x": 12, "nested": {"y": [1]}}, {"x": 12, "nested": {"y": [1]}}),
        ("nothing", None, None),
        ("text", None, "hello"),
    ],
)
def test_endpoint_returns_any_json_value(
    app: httpx.Client, fresh_state: BeamState, name: str, body: Any, expected: Any
) -> None:
    fresh_state.add_deployment("nothing", lambda: None)
    fresh_state.add_deployment("text", lambda: "hello")
    response = app.post(f"/endpoint/{name}", json=body)
    assert response.status_code == 200
    assert response.json() == expected
    task = fresh_state.tasks[str(uuid.UUID(response.headers["X-Task-Id"]))]
    assert (task.status, task.result) == ("COMPLETE", expected)


@pytest.mark.parametrize("content", [b"", b"null", b"  "])
def test_empty_or_null_body_means_no_kwargs(app: httpx.Client, content: bytes) -> None:
    response = app.post(
        "/endpoint/echo", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {}


def test_function_error_is_500_with_traceback(app: httpx.Client, api: httpx.Client) -> None:
    response = app.post("/endpoint/boom", json={})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error.startswith("Traceback (most recent call last):")
    assert "ValueError: boom" in error
    task = walk(api, response.headers["X-Task-Id"], 1)[0]
    assert task["status"] == "ERROR"
    assert "ValueError: boom" in task["failure_reason"]
    assert task["ended_at"] is not None


def test_query_parameters_merge_into_kwargs(app: httpx.Client) -> None:
    response = app.post("/endpoint/echo?b=2&c=x&c=y&d=", json={"a": 1, "b": 1})
    assert response.json() == {"a": 1, "b": "2", "c": ["x", "y"], "d": ""}
    assert app.post("/endpoint/echo?only=q").json() == {"only": "q"}


@pytest.mark.parametrize("path", ["/endpoint/echo", "/taskqueue/echo"])
@pytest.mark.parametrize("content", [b"{", b"[1, 2]", b'"text"', b"3", b"\xff\xfe"])
def test_malformed_payload_is_400_without_task(
    app: httpx.Client, fresh_state: BeamState, path: str, content: bytes
) -> None:
    response = app.post(path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid request payload"}
    assert "x-task-id" not in response.headers
    assert not fresh_state.tasks


# -- recording and scripted responses -------------------------------------------------


def test_requests_are_recorded_raw(beam: BeamServer, app: httpx.Client, api: httpx.Client) -> None:
    app.post("/endpoint/a%2Fb%20c?q=1%202", content=b'{"k": 1}', headers={"X-Extra": "yes"})
    api.get("/v2/task/missing/")
    first, second = beam.state.requests
    assert (first.listener, first.method, first.path, first.query) == (
        "app",
        "POST",
        "/endpoint/a%2Fb%20c",
        "q=1%202",
    )
    assert first.headers["x-extra"] == "yes"
    assert first.headers["authorization"] == f"Bearer {DEFAULT_TOKEN}"
    assert first.body == b'{"k": 1}' and first.json() == {"k": 1}
    assert (second.listener, second.method, second.path) == ("api", "GET", "/v2/task/missing/")
    assert first.time <= second.time
    assert beam.state.requests_for("/v2/task/") == [second]
    assert beam.state.requests_for("/endpoint", method="get") == []


def test_canned_429_then_normal_answer(beam: BeamServer, app: httpx.Client) -> None:
    overload = Canned(429, {"error": "exceeded max pending tasks: 100"}, {"Retry-After": "0"})
    beam.state.script("POST", "/endpoint/answer", [overload, overload])
    answers = [app.post("/endpoint/answer") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "0"
    assert answers[0].json() == {"error": "exceeded max pending tasks: 100"}
    assert answers[2].json() == 42
    assert len(beam.state.requests_for("/endpoint/answer")) == 3
    assert beam.state.scripted_left("POST", "/endpoint/answer") == 0
    assert len(beam.state.tasks) == 1  # canned answers create no task


def test_canned_responses_skip_auth_and_match_exactly(beam: BeamServer) -> None:
    beam.state.script(
        "post",
        "/endpoint/echo",
        Canned(503, body=b"<html>down</html>", headers={"Content-Type": "text/html"}),
    )
    assert httpx.post(f"{beam.app_url}/endpoint/echo/v1", headers=AUTH).status_code == 200
    response = httpx.post(f"{beam.app_url}/endpoint/echo")
    assert (response.status_code, response.text) == (503, "<html>down</html>")
    assert httpx.post(f"{beam.app_url}/endpoint/echo").status_code == 401


def test_canned_delay_provokes_read_timeout(beam: BeamServer, app: httpx.Client) -> None:
    beam.state.script("POST", "/endpoint/answer", Canned(200, {"late": True}, delay=2.0))
    with pytest.raises(httpx.ReadTimeout):
        app.post("/endpoint/answer", timeout=0.3)
    assert app.post("/endpoint/answer", timeout=5).json() == 42
    beam.state.script("POST", "/endpoint/answer", Canned(200, {"late": True}, delay=0.2))
    assert app.post("/endpoint/answer", timeout=5).json() == {"late": True}
    assert len(beam.state.requests_for("/endpoint/answer")) == 3


# -- tasks ---------------------------------------------------------------------------


def test_task_default_lifecycle(app: httpx.Client, api: httpx.Client, beam: BeamServer) -> None:
    task_id = submit(app, "echo", x=1)
    assert beam.state.tasks[task_id].status == "PENDING"
    pending, running, complete, again = walk(api, task_id, 4)
    assert statuses([pending, running, complete, again]) == [
        "PENDING",
        "RUNNING",
        "COMPLETE",
        "COMPLETE",
    ]
    assert (
        pending["started_at"] is None and pending["ended_at"] is None and pending["result"] is None
    )
    assert running["started_at"] is not None and running["ended_at"] is None
    assert complete["result"] == {"x": 1}
    assert complete["started_at"] == running["started_at"]
    assert complete == again
    for key in ("created_at", "updated_at", "started_at", "ended_at"):
        assert NANO_STAMP.match(complete[key]), complete[key]
    assert complete["id"] == task_id
    assert complete["external_id"] is None and complete["failure_reason"] == ""
    assert complete["stats"] == {"active_containers": 1, "queue_depth": 0}
    assert complete["stub"] == {"name": "echo"}
    assert "expires_in" not in complete
    (output,) = complete["outputs"]
    assert output["name"] == "out.txt" and output["expires_in"] == 3600
    assert httpx.get(output["url"]).text == f"output of task {task_id}\n"


@pytest.mark.parametrize(
    ("plan", "seen"),
    [
        (
            ["PENDING", "RETRY", "RUNNING", "ERROR"],
            ["PENDING", "RETRY", "RUNNING", "ERROR", "ERROR"],
        ),
        (["PENDING", "EXPIRED"], ["PENDING", "EXPIRED", "EXPIRED", "EXPIRED", "EXPIRED"]),
        (["PENDING", "RUNNING"], ["PENDING", "RUNNING", "RUNNING", "RUNNING", "RUNNING"]),
        (
            ["PENDING", "RUNNING", "TIMEOUT"],
            ["PENDING", "RUNNING", "TIMEOUT", "TIMEOUT", "TIMEOUT"],
        ),
    ],
)
def test_task_plans(
    app: httpx.Client, api: httpx.Client, beam: BeamServer, plan: list[str], seen: list[str]
) -> None:
    beam.state.set_plan_for_next_tasks(plan)
    answers = walk(api, submit(app), len(seen))
    assert statuses(answers) == seen
    last = answers[-1]
    assert (last["ended_at"] is not None) == (last["status"] != "RUNNING")
    assert (last["started_at"] is None) == (last["status"] == "EXPIRED")
    assert last["failure_reason"] == ("Task failed" if last["status"] == "ERROR" else "")
    assert last["result"] is None and last["outputs"] == []


def test_plan_applies_to_later_tasks_only(
    app: httpx.Client, api: httpx.Client, beam: BeamServer
) -> None:
    earlier = submit(app)
    beam.state.set_plan_for_next_tasks(["COMPLETE"])
    later = submit(app)
    assert statuses(walk(api, earlier, 1) + walk(api, later, 1)) == ["PENDING", "COMPLETE"]
    beam.state.set_task_plan(earlier, ["RUNNING", "EXPIRED"])
    assert statuses(walk(api, earlier, 2)) == ["RUNNING", "EXPIRED"]


def test_task_whose_function_raises_ends_in_error(app: httpx.Client, api: httpx.Client) -> None:
    answers = walk(api, submit(app, "boom"), 3)
    assert statuses(answers) == ["PENDING", "RUNNING", "ERROR"]
    assert "ValueError: boom" in answers[-1]["failure_reason"]


def test_unknown_task_is_404(api: httpx.Client) -> None:
    response = api.get(f"/v2/task/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert response.json() == {"message": "Task not found"}


def test_cancel(app: httpx.Client, api: httpx.Client, beam: BeamServer) -> None:
    pending, running, done = submit(app), submit(app), submit(app)
    walk(api, running, 2)
    walk(api, done, 3)
    ids = [pending, running, done, str(uuid.uuid4()), "not-a-uuid"]
    response = api.request("DELETE", "/v2/task/cancel/", json={"task_ids": ids})
    assert (response.status_code, response.json()) == (200, {})
    cancelled = [walk(api, task_id, 1)[0] for task_id in (pending, running)]
    assert statuses(cancelled) == ["CANCELLED", "CANCELLED"]
    assert all(NANO_STAMP.match(task["ended_at"]) for task in cancelled)
    assert cancelled[0]["started_at"] is None and cancelled[1]["started_at"] is not None
    assert walk(api, done, 1)[0]["status"] == "COMPLETE"


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"task_ids": "x"}'])
def test_cancel_rejects_malformed_body(api: httpx.Client, content: bytes) -> None:
    response = api.request("DELETE", "/v2/task/cancel/", content=content)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid request payload"}


def test_task_queue_submission_needs_auth_before_lookup(beam: BeamServer) -> None:
    response = httpx.post(
        f"{beam.app_url}/taskqueue/nope", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401


# -- helpers and server lifecycle -------------------------------------------------------------


def test_rfc3339_nanos() -> None:
    assert rfc3339_nanos(1_796_034_712_123_456_789) == "2026-11-30T10:31:52.123456789Z"
    assert rfc3339_nanos(1_796_034_712_000_000_001) == "2026-11-30T10:31:52.000000001Z"


def test_server_thread_starts_and_stops() -> None:
    state = BeamState(tokens={"other"})
    app, _ = create_apps(state)
    with ServerThread(app) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        response = httpx.post(f"{server.url}/endpoint/x", headers={"Authorization": "Bearer other"})
        assert response.json() == {"message": "Invalid deployment"}
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_server_overrides(beam: BeamServer) -> None:
    assert beam.server_overrides == {
        "https://app.beam.cloud": beam.app_url,
        "https://api.beam.cloud": beam.api_url,
    }
    assert beam.app_url != beam.api_url
