"""The generated Beam client against a stand-in gateway on 127.0.0.1, sync and async.

Every test asserts what reached the server (method, host, path, headers, body) as well
as what the client returned or raised.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from tests.beam_server import Canned
from tests.conftest import Harness

TOKEN = "test-token"


def make(harness: Harness, server: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("server_overrides", server.server_overrides)
    return harness.client(**kwargs)


# --------------------------------------------------------------------------- invoke


def test_invoke_named_endpoint_sends_json_and_returns_any_json(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    result = harness.run(client.web_endpoints.invoke_named_endpoint("echo", {"x": 12, "s": "é"}))
    assert result == {"x": 12, "s": "é"}
    (req,) = server.state.requests
    assert (req.listener, req.method, req.path) == ("app", "POST", "/endpoint/echo")
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"].startswith("beam_api/")
    assert json.loads(req.body) == {"x": 12, "s": "é"}


@pytest.mark.parametrize(("name", "expected"), [("answer", 42), ("listy", [1, "a", None])])
def test_invocation_returns_non_object_json(harness: Harness, server: Any, name: str, expected: Any) -> None:
    client = make(harness, server)
    assert harness.run(client.web_endpoints.invoke_named_endpoint(name)) == expected
    assert server.state.requests[0].body == b""  # body=None: nothing sent


def test_invoke_version_and_by_id(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    assert harness.run(client.web_endpoints.invoke_named_endpoint_version("echo", 2, {"a": 1})) == {"a": 1}
    dep_id = server.state.deployments["echo"].id
    assert harness.run(client.web_endpoints.invoke_endpoint_by_id(uuid.UUID(dep_id), {"b": 2})) == {"b": 2}
    paths = [r.path for r in server.state.requests]
    assert paths == ["/endpoint/echo/v2", f"/endpoint/id/{dep_id}"]


def test_raw_response_exposes_task_id_header(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    raw = harness.run(client.web_endpoints.with_raw_response.invoke_named_endpoint("echo", {"k": "v"}))
    assert raw.status_code == 200
    task_id = raw.headers["X-Task-Id"]
    assert uuid.UUID(task_id)
    assert raw.parse() == {"k": "v"}


def test_path_parameter_stays_in_its_segment(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    import beam_api

    # the stand-in router decodes %2F and finds no route; what matters is the wire path
    harness.raises(beam_api.APIStatusError, client.web_endpoints.invoke_named_endpoint, "a b/../x")
    assert server.state.requests[0].path == "/endpoint/a%20b%2F..%2Fx"


# --------------------------------------------------------------------------- errors


def test_status_errors_carry_server_text(harness: Harness, server: Any) -> None:
    import beam_api

    client = make(harness, server)
    err = harness.raises(beam_api.BadRequestError, client.web_endpoints.invoke_named_endpoint, "nope")
    assert err.status_code == 400 and "Invalid deployment" in str(err)
    assert err.body == {"message": "Invalid deployment"}
    assert isinstance(err.response, httpx.Response)

    err = harness.raises(beam_api.InternalServerError, client.web_endpoints.invoke_named_endpoint, "boom")
    assert "ValueError" in str(err) and "Traceback" in str(err)
    assert len(server.state.requests_for("/endpoint/boom")) == 1  # a POST 500 is never retried

    bad = make(harness, server, token="wrong")
    err = harness.raises(beam_api.AuthenticationError, bad.tasks.get_task_status, uuid.uuid4())
    assert err.status_code == 401 and "Unauthorized" in str(err)
    assert TOKEN not in str(err) and "wrong" not in repr(err)

    err = harness.raises(beam_api.NotFoundError, client.tasks.get_task_status, uuid.uuid4())
    assert isinstance(err, beam_api.APIStatusError) and isinstance(err, beam_api.APIError)


def test_missing_token_fails_at_construction(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    import beam_api

    monkeypatch.delenv("BEAM_TOKEN", raising=False)
    with pytest.raises(beam_api.APIError, match="BEAM_TOKEN"):
        harness.client()


def test_env_token_and_base_url_read_at_construction(
    harness: Harness, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEAM_TOKEN", TOKEN)
    monkeypatch.setenv("BEAM_BASE_URL", server.app_url)
    client = harness.client()
    monkeypatch.delenv("BEAM_TOKEN")
    assert harness.run(client.web_endpoints.invoke_named_endpoint("answer")) == 42
    assert server.state.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_base_url_replaces_root_server_only(harness: Harness, server: Any) -> None:
    client = make(harness, server, server_overrides={"https://api.beam.cloud": server.api_url}, base_url=server.app_url)
    assert harness.run(client.web_endpoints.invoke_named_endpoint("answer")) == 42
    out = harness.run(client.task_queues.submit_task_by_name("echo", {"q": 1}))
    harness.run(client.tasks.get_task_status(out.task_id))
    assert [r.listener for r in server.state.requests] == ["app", "app", "api"]


def test_default_servers_are_the_spec_hosts() -> None:
    import beam_api
    from beam_api._base import Call

    client = beam_api.Client(token=TOKEN)
    transport = client._transport
    invoke = Call(method="POST", server="https://app.beam.cloud", path="/endpoint/x", root_server=True)
    task = Call(method="GET", server="https://api.beam.cloud", path="/v2/task/1/")
    assert transport.server_url(invoke) == "https://app.beam.cloud"
    assert transport.server_url(task) == "https://api.beam.cloud"
    client.close()


def test_token_never_in_repr(harness: Harness, server: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = make(harness, server, token="s3cr3t-token-value")
    assert "s3cr3t" not in repr(client)
    assert "s3cr3t" not in repr(client._transport)
    with caplog.at_level(logging.DEBUG):
        harness.raises(Exception, client.web_endpoints.invoke_named_endpoint, "echo")
    assert "s3cr3t" not in caplog.text


def test_header_injection_refused(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    with pytest.raises(ValueError, match="line break"):
        harness.run(client.web_endpoints.invoke_named_endpoint("echo", extra_headers={"X-A": "1\r\nX-B: 2"}))
    assert server.state.requests == []


# --------------------------------------------------------------------------- tasks


def test_task_queue_and_lifecycle(harness: Harness, server: Any) -> None:
    import beam_api.models as m

    client = make(harness, server)
    server.state.set_plan_for_next_tasks(["PENDING", "RETRY", "RUNNING", "COMPLETE"])
    submitted = harness.run(client.task_queues.submit_task_by_name("echo", {"v": 1}))
    assert isinstance(submitted, m.TaskSubmitResponse) and isinstance(submitted.task_id, uuid.UUID)
    statuses = []
    for _ in range(4):
        task = harness.run(client.tasks.get_task_status(submitted.task_id))
        statuses.append(task.status)
    assert statuses == ["PENDING", "RETRY", "RUNNING", "COMPLETE"]
    assert statuses[1] == m.TaskStatus("RETRY") and isinstance(statuses[1], m.TaskStatus)
    assert task.status is m.TaskStatus.COMPLETE
    assert isinstance(task.started_at, datetime) and task.started_at.tzinfo == timezone.utc
    assert isinstance(task.ended_at, datetime)
    assert task.id == submitted.task_id
    # fields the spec does not list are kept; expires_in lives inside each output
    assert task.additional_properties["stats"] == {"active_containers": 1, "queue_depth": 0}
    assert task.outputs and task.outputs[0]["expires_in"] == 3600
    assert task.expires_in is beam_api_not_given()
    gets = server.state.requests_for("/v2/task/")
    assert all(r.listener == "api" and r.method == "GET" for r in gets)
    assert gets[0].path == f"/v2/task/{submitted.task_id}/"


def beam_api_not_given() -> Any:
    import beam_api

    return beam_api.NOT_GIVEN


def test_pending_task_has_null_timestamps_and_unknown_status(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    server.state.set_plan_for_next_tasks(["PENDING", "EXPIRED"])
    task_id = harness.run(client.task_queues.submit_task_by_name("echo")).task_id
    first = harness.run(client.tasks.get_task_status(task_id))
    assert first.started_at is None and first.ended_at is None
    second = harness.run(client.tasks.get_task_status(task_id))
    assert second.status == "EXPIRED" and second.status.value == "EXPIRED"
    assert second.to_dict()["status"] == "EXPIRED"


def test_cancel_tasks_sends_delete_with_body(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    server.state.set_plan_for_next_tasks(["PENDING", "RUNNING"])
    task_id = harness.run(client.task_queues.submit_task_by_name("echo")).task_id
    unknown = uuid.uuid4()
    assert harness.run(client.tasks.cancel_tasks(task_ids=[task_id, unknown])) is None
    cancel = server.state.requests_for("/v2/task/cancel/")[0]
    assert (cancel.listener, cancel.method) == ("api", "DELETE")
    assert json.loads(cancel.body) == {"task_ids": [str(task_id), str(unknown)]}
    task = harness.run(client.tasks.get_task_status(task_id))
    assert task.status == "CANCELLED" and task.ended_at is not None


# --------------------------------------------------------------------------- retries


def test_post_retried_on_429_honouring_retry_after(harness: Harness, server: Any) -> None:
    server.state.script(
        "POST", "/endpoint/echo", [Canned(429, {"error": "exceeded max pending tasks: 100"}, {"Retry-After": "0"})]
    )
    client = make(harness, server)
    assert harness.run(client.web_endpoints.invoke_named_endpoint("echo", {"n": 1})) == {"n": 1}
    assert len(server.state.requests_for("/endpoint/echo")) == 2


def test_rate_limit_error_after_retries_exhausted(harness: Harness, server: Any) -> None:
    import beam_api

    server.state.script("POST", "/endpoint/echo", [Canned(429, {"error": "exceeded"}, {"Retry-After": "0"})] * 3)
    client = make(harness, server, max_retries=1)
    err = harness.raises(beam_api.RateLimitError, client.web_endpoints.invoke_named_endpoint, "echo")
    assert "exceeded" in str(err)
    assert len(server.state.requests_for("/endpoint/echo")) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
def test_post_never_retried_on_ambiguous_failures(harness: Harness, server: Any, status: int) -> None:
    import beam_api

    server.state.script("POST", "/endpoint/echo", [Canned(status, {"error": "x"})] * 3)
    client = make(harness, server)
    harness.raises(beam_api.InternalServerError, client.web_endpoints.invoke_named_endpoint, "echo")
    assert len(server.state.requests_for("/endpoint/echo")) == 1


def test_post_503_retried_only_with_retry_after(harness: Harness, server: Any) -> None:
    import beam_api

    server.state.script("POST", "/endpoint/echo", [Canned(503, {"error": "no capacity"})])
    client = make(harness, server)
    harness.raises(beam_api.InternalServerError, client.web_endpoints.invoke_named_endpoint, "echo")
    assert len(server.state.requests_for("/endpoint/echo")) == 1
    server.state.clear()
    server.state.script("POST", "/endpoint/echo", [Canned(503, {"error": "no capacity"}, {"Retry-After": "0"})])
    assert harness.run(client.web_endpoints.invoke_named_endpoint("echo", {"z": 0})) == {"z": 0}
    assert len(server.state.requests_for("/endpoint/echo")) == 2


def test_get_retried_on_5xx_then_succeeds(harness: Harness, server: Any) -> None:
    client = make(harness, server)
    task_id = harness.run(client.task_queues.submit_task_by_name("echo")).task_id
    path = f"/v2/task/{task_id}/"
    server.state.script("GET", path, [Canned(502, {"error": "Backend route unavailable"}, {"Retry-After": "0"})] * 2)
    task = harness.run(client.tasks.get_task_status(task_id))
    assert task.status == "PENDING"
    assert len(server.state.requests_for(path)) == 3


def test_post_read_timeout_not_retried(harness: Harness, server: Any) -> None:
    import beam_api

    server.state.script("POST", "/endpoint/echo", [Canned(200, {"late": True}, delay=1.0)] * 3)
    client = make(harness, server)
    started = time.monotonic()
    harness.raises(beam_api.APITimeoutError, client.web_endpoints.invoke_named_endpoint, "echo", timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert len(server.state.requests_for("/endpoint/echo")) == 1


def test_get_read_timeout_is_retried(harness: Harness, server: Any) -> None:
    import beam_api

    task = uuid.uuid4()
    path = f"/v2/task/{task}/"
    server.state.script("GET", path, [Canned(200, {}, delay=1.0)] * 3)
    client = make(harness, server, timeout=0.2, max_retries=1)
    harness.raises(beam_api.APITimeoutError, client.tasks.get_task_status, task)
    assert len(server.state.requests_for(path)) == 2


def test_connection_refused_is_retried_then_reported(harness: Harness) -> None:
    import socket

    import beam_api

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = harness.client(token=TOKEN, base_url=f"http://127.0.0.1:{port}", max_retries=1)
    client._transport.initial_retry_delay = 0.01
    err = harness.raises(beam_api.APIConnectionError, client.web_endpoints.invoke_named_endpoint, "echo")
    assert not isinstance(err, beam_api.APITimeoutError)


def test_default_timeouts_per_operation() -> None:
    import beam_api
    from beam_api.resources import tasks, web_endpoints

    invoke = web_endpoints._invoke_named_endpoint_call("x", None)
    status = tasks._get_task_status_call(uuid.uuid4())
    assert (invoke.timeout, status.timeout) == (185.0, 30.0)
    transport = beam_api.Client(token=TOKEN)._transport
    timeout = transport.resolve_timeout(invoke, beam_api.NOT_GIVEN)
    assert (timeout.read, timeout.connect) == (185.0, 5.0)
    assert transport.resolve_timeout(invoke, 3.0).read == 3.0


def test_user_http_client_transport_is_used(harness: Harness, server: Any) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=[1, 2], headers={"X-Task-Id": str(uuid.uuid4())})

    if harness.kind == "async":

        async def ahandler(request: httpx.Request) -> httpx.Response:
            return handler(request)

        http: Any = httpx.AsyncClient(transport=httpx.MockTransport(ahandler))
    else:
        http = httpx.Client(transport=httpx.MockTransport(handler))
    client = harness.client(token=TOKEN, http_client=http)
    assert harness.run(client.web_endpoints.invoke_named_endpoint("e")) == [1, 2]
    assert seen == ["https://app.beam.cloud/endpoint/e"]
    harness.run(http.aclose() if harness.kind == "async" else http.close())


def test_extra_query_and_headers_reach_the_server(harness: Harness, server: Any) -> None:
    client = make(harness, server, default_headers={"X-Team": "core"})
    result = harness.run(
        client.web_endpoints.invoke_named_endpoint("echo", {"a": 1}, extra_query={"b": "2"}, extra_headers={"X-Req": "9"})
    )
    assert result == {"a": 1, "b": "2"}  # the gateway merges query parameters into kwargs
    req = server.state.requests[0]
    assert req.query == "b=2" and req.headers["x-req"] == "9" and req.headers["x-team"] == "core"


def test_context_managers_close(server: Any) -> None:
    import asyncio

    import beam_api

    with beam_api.Client(token=TOKEN, server_overrides=server.server_overrides) as client:
        assert client.web_endpoints.invoke_named_endpoint("answer") == 42
    assert client._transport._http.is_closed

    async def main() -> None:
        async with beam_api.AsyncClient(token=TOKEN, server_overrides=server.server_overrides) as aclient:
            assert await aclient.web_endpoints.invoke_named_endpoint("answer") == 42
        assert aclient._transport._http.is_closed

    asyncio.run(main())
