"""Task Queues operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .._base import (
    AsyncResource,
    Call,
    NOT_GIVEN,
    NotGiven,
    Param,
    RawResponse,
    Resource,
    TimeoutTypes,
    to_jsonable,
)
from ..models import TaskSubmitResponse

__all__ = [
    "TaskQueues",
    "AsyncTaskQueues",
    "TaskQueuesWithRawResponse",
    "AsyncTaskQueuesWithRawResponse",
]


def _submit_task_by_name_call(
    name: str,
    body: dict[str, Any] | None,
) -> Call:
    return Call(
        method="POST",
        server="https://app.beam.cloud",
        path="/taskqueue/{name}",
        root_server=True,
        path_params=(Param("name", name, "simple", False),),
        json=NOT_GIVEN if body is None else to_jsonable(body),
        accept="application/json",
        security=(("bearerAuth",),),
        timeout=30.0,
        idempotent=False,
    )


def _parse_submit_task_by_name(response: httpx.Response) -> TaskSubmitResponse:
    data: Any = response.json()
    return TaskSubmitResponse.from_dict(data)


class TaskQueues(Resource):
    """Task Queues operations."""

    @property
    def with_raw_response(self) -> TaskQueuesWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return TaskQueuesWithRawResponse(self._transport)

    def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> TaskSubmitResponse:
        """Submit an asynchronous task to a deployed task queue

        Enqueue an asynchronous task on a deployed TaskQueue, addressed by its name on the
        shared invocation host (a deployment is equivalently reachable at its app subdomain
        https://{name}-{id}.app.beam.cloud). The call returns immediately with a task_id; the
        result is retrieved later from the Tasks management API or delivered to a configured
        callback_url webhook. Use task queues for long-running work beyond the synchronous
        endpoint window.

        Args:
            name: The name of the deployed task queue.
            body: The request body.
        """
        return self._transport.request(
            _submit_task_by_name_call(name, body),
            _parse_submit_task_by_name,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class TaskQueuesWithRawResponse(Resource):
    """`TaskQueues` returning `RawResponse` objects."""

    def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[TaskSubmitResponse]:
        """Submit an asynchronous task to a deployed task queue

        Enqueue an asynchronous task on a deployed TaskQueue, addressed by its name on the
        shared invocation host (a deployment is equivalently reachable at its app subdomain
        https://{name}-{id}.app.beam.cloud). The call returns immediately with a task_id; the
        result is retrieved later from the Tasks management API or delivered to a configured
        callback_url webhook. Use task queues for long-running work beyond the synchronous
        endpoint window.

        Args:
            name: The name of the deployed task queue.
            body: The request body.
        """
        return self._transport.request_raw(
            _submit_task_by_name_call(name, body),
            _parse_submit_task_by_name,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class AsyncTaskQueues(AsyncResource):
    """Task Queues operations."""

    @property
    def with_raw_response(self) -> AsyncTaskQueuesWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return AsyncTaskQueuesWithRawResponse(self._transport)

    async def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> TaskSubmitResponse:
        """Submit an asynchronous task to a deployed task queue

        Enqueue an asynchronous task on a deployed TaskQueue, addressed by its name on the
        shared invocation host (a deployment is equivalently reachable at its app subdomain
        https://{name}-{id}.app.beam.cloud). The call returns immediately with a task_id; the
        result is retrieved later from the Tasks management API or delivered to a configured
        callback_url webhook. Use task queues for long-running work beyond the synchronous
        endpoint window.

        Args:
            name: The name of the deployed task queue.
            body: The request body.
        """
        return await self._transport.request(
            _submit_task_by_name_call(name, body),
            _parse_submit_task_by_name,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class AsyncTaskQueuesWithRawResponse(AsyncResource):
    """`TaskQueues` returning `RawResponse` objects."""

    async def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[TaskSubmitResponse]:
        """Submit an asynchronous task to a deployed task queue

        Enqueue an asynchronous task on a deployed TaskQueue, addressed by its name on the
        shared invocation host (a deployment is equivalently reachable at its app subdomain
        https://{name}-{id}.app.beam.cloud). The call returns immediately with a task_id; the
        result is retrieved later from the Tasks management API or delivered to a configured
        callback_url webhook. Use task queues for long-running work beyond the synchronous
        endpoint window.

        Args:
            name: The name of the deployed task queue.
            body: The request body.
        """
        return await self._transport.request_raw(
            _submit_task_by_name_call(name, body),
            _parse_submit_task_by_name,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
