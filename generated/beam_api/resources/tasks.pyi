from __future__ import annotations
from collections.abc import Mapping
from uuid import UUID
import httpx
from .._base import AsyncResource, Call, NOT_GIVEN, NotGiven, RawResponse, Resource, TimeoutTypes
from ..models import Task

__all__ = ["Tasks", "AsyncTasks", "TasksWithRawResponse", "AsyncTasksWithRawResponse"]

def _get_task_status_call(task_id: UUID) -> Call: ...
def _parse_get_task_status(response: httpx.Response) -> Task: ...
def _cancel_tasks_call(task_ids: list[UUID]) -> Call: ...

class Tasks(Resource):
    @property
    def with_raw_response(self) -> TasksWithRawResponse: ...
    def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Task: ...
    def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> None: ...
    def wait(
        self,
        task_id: UUID | str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Task: ...

class TasksWithRawResponse(Resource):
    def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Task]: ...
    def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[None]: ...

class AsyncTasks(AsyncResource):
    @property
    def with_raw_response(self) -> AsyncTasksWithRawResponse: ...
    async def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Task: ...
    async def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> None: ...
    async def wait(
        self,
        task_id: UUID | str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
    ) -> Task: ...

class AsyncTasksWithRawResponse(AsyncResource):
    async def get_task_status(
        self,
        task_id: UUID,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Task]: ...
    async def cancel_tasks(
        self,
        *,
        task_ids: list[UUID],
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[None]: ...

TERMINAL_TASK_STATUSES: frozenset[str] = ...

def is_terminal(task: Task) -> bool: ...
