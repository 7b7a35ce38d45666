from __future__ import annotations
from collections.abc import Mapping
from typing import Any
import httpx
from .._base import AsyncResource, Call, NOT_GIVEN, NotGiven, RawResponse, Resource, TimeoutTypes
from ..models import TaskSubmitResponse

__all__ = [
    "TaskQueues",
    "AsyncTaskQueues",
    "TaskQueuesWithRawResponse",
    "AsyncTaskQueuesWithRawResponse",
]

def _submit_task_by_name_call(name: str, body: dict[str, Any] | None) -> Call: ...
def _parse_submit_task_by_name(response: httpx.Response) -> TaskSubmitResponse: ...

class TaskQueues(Resource):
    @property
    def with_raw_response(self) -> TaskQueuesWithRawResponse: ...
    def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> TaskSubmitResponse: ...

class TaskQueuesWithRawResponse(Resource):
    def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[TaskSubmitResponse]: ...

class AsyncTaskQueues(AsyncResource):
    @property
    def with_raw_response(self) -> AsyncTaskQueuesWithRawResponse: ...
    async def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> TaskSubmitResponse: ...

class AsyncTaskQueuesWithRawResponse(AsyncResource):
    async def submit_task_by_name(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[TaskSubmitResponse]: ...
