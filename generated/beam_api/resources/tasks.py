"""Tasks operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import httpx

from .._base import (
    AsyncResource,
    Call,
    compact,
    NOT_GIVEN,
    NotGiven,
    Param,
    parse_none,
    RawResponse,
    Resource,
    TimeoutTypes,
    to_jsonable,
)
from ..models import Task

import asyncio
import time

from .._exceptions import TaskWaitTimeout

__all__ = [
    "Tasks",
    "AsyncTasks",
    "TasksWithRawResponse",
    "AsyncTasksWithRawResponse",
]


def _get_task_status_call(
    task_id: UUID,
) -> Call:
    return Call(
        method="GET",
        server="https://api.beam.cloud",
        path="/v2/task/{task_id}/",
        path_params=(Param("task_id", task_id, "simple", False),),
        accept="application/json",
        security=(("bearerAuth",),),
        timeout=30.0,
        idempotent=True,
    )


def _parse_get_task_status(response: httpx.Response) -> Task:
    data: Any = response.json()
    return Task.from_dict(data)


def _cancel_tasks_call(
    task_ids: list[UUID],
) -> Call:
    return Call(
        method="DELETE",
        server="https://api.beam.cloud",
        path="/v2/task/cancel/",
        json=to_jsonable(compact({"task_ids": task_ids})),
        security=(("bearerAuth",),),
        timeout=30.0,
        idempotent=True,
    )


class Tasks(Resource):
    """Tasks operations."""

    @property
    def with_raw_response(self) -> TasksWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return TasksWithRawResponse(self._transport)

    def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Task:
        """Get task status and metadata

        Retrieve the current status, timing, container details, and outputs for a previously
        submitted task. Served by the control-plane host api.beam.cloud.

        Args:
            task_id: The unique id of the task.
        """
        return self._transport.request(
            _get_task_status_call(task_id),
            _parse_get_task_status,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> None:
        """Cancel one or more tasks

        Cancel a list of running or pending tasks by id. Served by the control-plane host
        api.beam.cloud.

        Args:
            task_ids: -
        """
        return self._transport.request(
            _cancel_tasks_call(task_ids),
            parse_none,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def wait(
        self,
        task_id: UUID | str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Task:
        """Poll the task until it reaches a terminal status and return it.

        Terminal statuses are COMPLETE, ERROR, CANCELLED, TIMEOUT, EXPIRED. A task that
        failed or was stopped is returned like a complete one: check `task.status`.
        The first poll is immediate; the pause before each next one starts at
        `poll_interval` and grows by half each time, up to `max_poll_interval`.

        Args:
            task_id: the task to wait for.
            timeout: seconds to wait in all; then `TaskWaitTimeout` is raised, carrying
                the last state polled in `.task`.
            poll_interval: seconds before the second poll.
            max_poll_interval: the longest pause between two polls.

        Raises:
            TaskWaitTimeout: the task was still running when `timeout` ran out.
            ValueError: a negative timeout, or a poll interval that is not positive.
        """
        if timeout < 0 or poll_interval <= 0 or max_poll_interval <= 0:
            raise ValueError("timeout must be >= 0 and the poll intervals > 0")
        task_uuid = task_id if isinstance(task_id, UUID) else UUID(task_id)
        deadline = time.monotonic() + timeout
        pause = poll_interval
        while True:
            task = self.get_task_status(task_uuid)
            if is_terminal(task):
                return task
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskWaitTimeout(task, timeout)
            time.sleep(min(pause, remaining))
            pause = min(pause * 1.5, max_poll_interval)


class TasksWithRawResponse(Resource):
    """`Tasks` returning `RawResponse` objects."""

    def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Task]:
        """Get task status and metadata

        Retrieve the current status, timing, container details, and outputs for a previously
        submitted task. Served by the control-plane host api.beam.cloud.

        Args:
            task_id: The unique id of the task.
        """
        return self._transport.request_raw(
            _get_task_status_call(task_id),
            _parse_get_task_status,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[None]:
        """Cancel one or more tasks

        Cancel a list of running or pending tasks by id. Served by the control-plane host
        api.beam.cloud.

        Args:
            task_ids: -
        """
        return self._transport.request_raw(
            _cancel_tasks_call(task_ids),
            parse_none,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class AsyncTasks(AsyncResource):
    """Tasks operations."""

    @property
    def with_raw_response(self) -> AsyncTasksWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return AsyncTasksWithRawResponse(self._transport)

    async def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Task:
        """Get task status and metadata

        Retrieve the current status, timing, container details, and outputs for a previously
        submitted task. Served by the control-plane host api.beam.cloud.

        Args:
            task_id: The unique id of the task.
        """
        return await self._transport.request(
            _get_task_status_call(task_id),
            _parse_get_task_status,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> None:
        """Cancel one or more tasks

        Cancel a list of running or pending tasks by id. Served by the control-plane host
        api.beam.cloud.

        Args:
            task_ids: -
        """
        return await self._transport.request(
            _cancel_tasks_call(task_ids),
            parse_none,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def wait(
        self,
        task_id: UUID | str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Task:
        """Poll the task until it reaches a terminal status and return it.

        Terminal statuses are COMPLETE, ERROR, CANCELLED, TIMEOUT, EXPIRED. A task that
        failed or was stopped is returned like a complete one: check `task.status`.
        The first poll is immediate; the pause before each next one starts at
        `poll_interval` and grows by half each time, up to `max_poll_interval`.

        Args:
            task_id: the task to wait for.
            timeout: seconds to wait in all; then `TaskWaitTimeout` is raised, carrying
                the last state polled in `.task`.
            poll_interval: seconds before the second poll.
            max_poll_interval: the longest pause between two polls.

        Raises:
            TaskWaitTimeout: the task was still running when `timeout` ran out.
            ValueError: a negative timeout, or a poll interval that is not positive.
        """
        if timeout < 0 or poll_interval <= 0 or max_poll_interval <= 0:
            raise ValueError("timeout must be >= 0 and the poll intervals > 0")
        task_uuid = task_id if isinstance(task_id, UUID) else UUID(task_id)
        deadline = time.monotonic() + timeout
        pause = poll_interval
        while True:
            task = await self.get_task_status(task_uuid)
            if is_terminal(task):
                return task
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskWaitTimeout(task, timeout)
            await asyncio.sleep(min(pause, remaining))
            pause = min(pause * 1.5, max_poll_interval)


class AsyncTasksWithRawResponse(AsyncResource):
    """`Tasks` returning `RawResponse` objects."""

    async def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Task]:
        """Get task status and metadata

        Retrieve the current status, timing, container details, and outputs for a previously
        submitted task. Served by the control-plane host api.beam.cloud.

        Args:
            task_id: The unique id of the task.
        """
        return await self._transport.request_raw(
            _get_task_status_call(task_id),
            _parse_get_task_status,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[None]:
        """Cancel one or more tasks

        Cancel a list of running or pending tasks by id. Served by the control-plane host
        api.beam.cloud.

        Args:
            task_ids: -
        """
        return await self._transport.request_raw(
            _cancel_tasks_call(task_ids),
            parse_none,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


# Statuses a Beam task never leaves (beyond the spec's enum: EXPIRED).
TERMINAL_TASK_STATUSES: frozenset[str] = frozenset(
    {
        "COMPLETE",
        "ERROR",
        "CANCELLED",
        "TIMEOUT",
        "EXPIRED",
    }
)


def is_terminal(task: Task) -> bool:
    """Whether the task has reached a status it never leaves. Unknown statuses (the
    server may grow new ones) count as not terminal."""
    status = getattr(task.status, "value", task.status)
    return isinstance(status, str) and status in TERMINAL_TASK_STATUSES
