"""The Beam overlay (templates/overlays/beam): tasks.wait() against the stand-in gateway,
and webhooks.verify_signature() against Beam's callback signing scheme."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.beam_server import BeamServer
from tests.helpers import BEAM_SPEC, ROOT, imported, run_cli

OVERLAY = ROOT / "templates" / "overlays" / "beam"


@pytest.fixture(scope="module")
def beam_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("beam")
    out = tmp / "out"
    run = run_cli("--config", ROOT / "pyproject.toml", "generate", BEAM_SPEC, "-o", out)
    assert run.code == 0, run.stderr
    with imported(out, "beam_api") as module:
        yield module


@pytest.fixture(scope="module")
def beam() -> Iterator[BeamServer]:
    with BeamServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(beam: BeamServer) -> None:
    beam.state.clear()


def client(beam_api: Any, beam: BeamServer) -> Any:
    return beam_api.Client(token=beam.token, server_overrides=beam.server_overrides, max_retries=0)


def submit(c: Any) -> Any:
    return c.task_queues.submit_task_by_name("echo", {"x": 1}).task_id


def test_wait_returns_the_completed_task(beam_api: Any, beam: BeamServer) -> None:
    beam.state.set_plan_for_next_tasks(["PENDING", "RUNNING", "RUNNING", "COMPLETE"])
    with client(beam_api, beam) as c:
        task_id = submit(c)
        task = c.tasks.wait(task_id, timeout=10, poll_interval=0.01)
    assert task.status == "COMPLETE" and task.id == task_id
    assert task.additional_properties["result"] == {"x": 1}
    polls = beam.state.requests_for(f"/v2/task/{task_id}/", "GET")
    assert len(polls) == 4  # stops at the first terminal status


def test_wait_returns_a_task_that_ended_in_error(beam_api: Any, beam: BeamServer) -> None:
    beam.state.set_plan_for_next_tasks(["PENDING", "RUNNING", "ERROR"])
    with client(beam_api, beam) as c:
        task = c.tasks.wait(str(submit(c)), timeout=10, poll_interval=0.01)
    assert task.status == "ERROR"
    assert task.additional_properties["failure_reason"] == "Task failed"


def test_wait_treats_expired_beyond_the_spec_enum_as_terminal(beam_api: Any, beam: BeamServer) -> None:
    beam.state.set_plan_for_next_tasks(["PENDING", "RETRY", "EXPIRED"])
    with client(beam_api, beam) as c:
        task = c.tasks.wait(submit(c), timeout=10, poll_interval=0.01)
    assert task.status.value == "EXPIRED"


def test_wait_times_out_with_the_last_task(beam_api: Any, beam: BeamServer) -> None:
    beam.state.set_plan_for_next_tasks(["PENDING", "RUNNING"])  # RUNNING forever
    with client(beam_api, beam) as c:
        task_id = submit(c)
        started = time.monotonic()
        with pytest.raises(beam_api.TaskWaitTimeout) as caught:
            c.tasks.wait(task_id, timeout=0.5, poll_interval=0.05, max_poll_interval=0.1)
        elapsed = time.monotonic() - started
    error = caught.value
    assert isinstance(error, beam_api.APIError)
    assert error.task.status == "RUNNING" and error.task.id == task_id
    assert error.timeout == 0.5
    assert "RUNNING" in str(error) and str(task_id) in str(error)
    assert 0.5 <= elapsed < 3
    polls = len(beam.state.requests_for(f"/v2/task/{task_id}/", "GET"))
    assert 5 <= polls <= 12  # backoff: 0.05, 0.075, 0.1, 0.1 ... then one last poll


def test_wait_async(beam_api: Any, beam: BeamServer) -> None:
    async def scenario() -> tuple[Any, Any]:
        async with beam_api.AsyncClient(token=beam.token, server_overrides=beam.server_overrides) as c:
            beam.state.set_plan_for_next_tasks(["PENDING", "COMPLETE"])
            done = await c.tasks.wait((await c.task_queues.submit_task_by_name("echo", {})).task_id, poll_interval=0.01)
            beam.state.set_plan_for_next_tasks(["RUNNING"])
            task_id = (await c.task_queues.submit_task_by_name("echo", {})).task_id
            with pytest.raises(beam_api.TaskWaitTimeout) as caught:
                await c.tasks.wait(task_id, timeout=0.2, poll_interval=0.05)
            return done, caught.value

    done, error = asyncio.run(scenario())
    assert done.status == "COMPLETE"
    assert error.task.status == "RUNNING"


def test_wait_rejects_bad_intervals(beam_api: Any, beam: BeamServer) -> None:
    with client(beam_api, beam) as c, pytest.raises(ValueError):
        c.tasks.wait("00000000-0000-0000-0000-000000000000", poll_interval=0)


def test_wait_is_not_on_raw_or_other_resources(beam_api: Any, beam: BeamServer) -> None:
    with client(beam_api, beam) as c:
        assert not hasattr(c.tasks.with_raw_response, "wait")
        assert not hasattr(c.task_queues, "wait")


# -- webhooks ------------------------------------------------------------------------

KEY = "whsec-test-key"


def beam_headers(body: bytes, timestamp: int, key: str = KEY) -> dict[str, str]:
    """Headers as Beam's gateway sends them (an independent implementation of its scheme)."""
    message = f"{base64.b64encode(body).decode()}:{timestamp}".encode()
    signature = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return {
        "X-Task-ID": "t-1",
        "X-Task-Status": "COMPLETE",
        "X-Task-Timestamp": str(timestamp),
        "X-Task-Signature": signature,
    }


def test_verify_signature_accepts_a_valid_callback(beam_api: Any) -> None:
    body = json.dumps({"data": {"answer": 42}}).encode()
    now = int(time.time())
    assert beam_api.webhooks.verify_signature(body, beam_headers(body, now), KEY) == {"data": {"answer": 42}}
    lower = {k.lower(): v for k, v in beam_headers(body, now).items()}
    assert beam_api.webhooks.verify_signature(body, lower, KEY.encode())["data"]["answer"] == 42
    old = now - 299
    assert beam_api.webhooks.verify_signature(body, beam_headers(body, old), KEY, now=now)


@pytest.mark.parametrize(
    "case",
    ["tampered body", "wrong key", "missing signature", "missing timestamp", "too old", "future", "not a number", "tampered stamp"],
)
def test_verify_signature_rejects(beam_api: Any, case: str) -> None:
    body = b'{"data": 1}'
    now = 1_800_000_000
    headers = beam_headers(body, now)
    key = KEY
    if case == "tampered body":
        body = b'{"data": 2}'
    elif case == "wrong key":
        key = "other"
    elif case == "missing signature":
        del headers["X-Task-Signature"]
    elif case == "missing timestamp":
        del headers["X-Task-Timestamp"]
    elif case == "too old":
        headers = beam_headers(body, now - 301)
    elif case == "future":
        headers = beam_headers(body, now + 301)
    elif case == "not a number":
        headers["X-Task-Timestamp"] = "yesterday"
    elif case == "tampered stamp":
        headers["X-Task-Timestamp"] = str(now + 1)
    with pytest.raises(beam_api.webhooks.InvalidSignatureError) as caught:
        beam_api.webhooks.verify_signature(body, headers, key, now=now)
    assert isinstance(caught.value, beam_api.APIError)


def test_verify_signature_tolerance_is_a_parameter(beam_api: Any) -> None:
    body = b"{}"
    headers = beam_headers(body, 1000)
    with pytest.raises(beam_api.webhooks.InvalidSignatureError):
        beam_api.webhooks.verify_signature(body, headers, KEY, now=1011, tolerance=10)
    assert beam_api.webhooks.verify_signature(body, headers, KEY, now=4000, tolerance=3600) == {}

