"""Calls every operation of the generated Beam client with precise types (type-checked,
not executed, by tests/test_typecheck.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

import beam_api
from beam_api.models import Task, TaskStatus, TaskSubmitResponse


def sync_usage() -> None:
    with beam_api.Client(
        "token",
        base_url="http://127.0.0.1:9000",
        server_overrides={"https://api.beam.cloud": "http://127.0.0.1:9001"},
        timeout=httpx.Timeout(10.0),
        max_retries=3,
        default_headers={"X-Team": "core"},
    ) as client:
        value: Any = client.web_endpoints.invoke_named_endpoint("echo", {"x": 1})
        value = client.web_endpoints.invoke_named_endpoint_version("echo", 2, body=None, timeout=5.0)
        value = client.web_endpoints.invoke_endpoint_by_id(UUID(int=1), extra_query={"a": "b"})
        submitted: TaskSubmitResponse = client.task_queues.submit_task_by_name("queue", {"k": [1, 2]})
        task_id = submitted.task_id
        if isinstance(task_id, UUID):
            task: Task = client.tasks.get_task_status(task_id, extra_headers={"X-Req": "1"})
            status: TaskStatus | None | beam_api.NotGiven = task.status
            started: datetime | None | beam_api.NotGiven = task.started_at
            print(status, started, task.additional_properties.get("stats"))
        client.tasks.cancel_tasks(task_ids=[UUID(int=2)])
        raw: beam_api.RawResponse[Any] = client.web_endpoints.with_raw_response.invoke_named_endpoint("echo")
        header: str | None = raw.headers.get("X-Task-Id")
        code: int = raw.status_code
        raw_task: beam_api.RawResponse[Task] = client.tasks.with_raw_response.get_task_status(UUID(int=3))
        parsed: Task = raw_task.parse()
        print(value, header, code, parsed)


async def async_usage() -> None:
    async with beam_api.AsyncClient(http_client=httpx.AsyncClient()) as client:
        value: Any = await client.web_endpoints.invoke_named_endpoint("echo")
        value = await client.web_endpoints.invoke_named_endpoint_version("echo", 1)
        value = await client.web_endpoints.invoke_endpoint_by_id(UUID(int=1))
        submitted: TaskSubmitResponse = await client.task_queues.submit_task_by_name("queue")
        task: Task = await client.tasks.get_task_status(UUID(int=4))
        await client.tasks.cancel_tasks(task_ids=[UUID(int=5)])
        raw: beam_api.RawResponse[None] = await client.tasks.with_raw_response.cancel_tasks(task_ids=[])
        print(value, submitted, task, raw.parse())


def errors() -> None:
    try:
        sync_usage()
    except beam_api.RateLimitError as exc:
        print(exc.status_code, exc.body, exc.response.headers)
    except beam_api.APIStatusError as exc:
        print(exc.status_code)
    except beam_api.APITimeoutError:
        pass
    except beam_api.APIConnectionError:
        pass
    asyncio.run(async_usage())
