from __future__ import annotations
from collections.abc import Mapping
from typing import Any
from uuid import UUID
from .._base import AsyncResource, Call, NOT_GIVEN, NotGiven, RawResponse, Resource, TimeoutTypes

__all__ = [
    "WebEndpoints",
    "AsyncWebEndpoints",
    "WebEndpointsWithRawResponse",
    "AsyncWebEndpointsWithRawResponse",
]

def _invoke_named_endpoint_call(name: str, body: dict[str, Any] | None) -> Call: ...
def _invoke_named_endpoint_version_call(
    name: str, version: int, body: dict[str, Any] | None
) -> Call: ...
def _invoke_endpoint_by_id_call(id: UUID, body: dict[str, Any] | None) -> Call: ...

class WebEndpoints(Resource):
    @property
    def with_raw_response(self) -> WebEndpointsWithRawResponse: ...
    def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...
    def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...
    def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...

class WebEndpointsWithRawResponse(Resource):
    def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...
    def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...
    def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...

class AsyncWebEndpoints(AsyncResource):
    @property
    def with_raw_response(self) -> AsyncWebEndpointsWithRawResponse: ...
    async def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...
    async def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...
    async def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any: ...

class AsyncWebEndpointsWithRawResponse(AsyncResource):
    async def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...
    async def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...
    async def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]: ...
