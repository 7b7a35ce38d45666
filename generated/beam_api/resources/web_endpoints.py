"""Web Endpoints operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from .._base import (
    AsyncResource,
    Call,
    NOT_GIVEN,
    NotGiven,
    Param,
    parse_json,
    RawResponse,
    Resource,
    TimeoutTypes,
    to_jsonable,
)

__all__ = [
    "WebEndpoints",
    "AsyncWebEndpoints",
    "WebEndpointsWithRawResponse",
    "AsyncWebEndpointsWithRawResponse",
]


def _invoke_named_endpoint_call(
    name: str,
    body: dict[str, Any] | None,
) -> Call:
    return Call(
        method="POST",
        server="https://app.beam.cloud",
        path="/endpoint/{name}",
        root_server=True,
        path_params=(Param("name", name, "simple", False),),
        json=NOT_GIVEN if body is None else to_jsonable(body),
        accept="application/json",
        security=(("bearerAuth",),),
        timeout=185.0,
        idempotent=False,
    )


def _invoke_named_endpoint_version_call(
    name: str,
    version: int,
    body: dict[str, Any] | None,
) -> Call:
    return Call(
        method="POST",
        server="https://app.beam.cloud",
        path="/endpoint/{name}/v{version}",
        root_server=True,
        path_params=(
            Param("name", name, "simple", False),
            Param("version", version, "simple", False),
        ),
        json=NOT_GIVEN if body is None else to_jsonable(body),
        accept="application/json",
        security=(("bearerAuth",),),
        timeout=185.0,
        idempotent=False,
    )


def _invoke_endpoint_by_id_call(
    id: UUID,
    body: dict[str, Any] | None,
) -> Call:
    return Call(
        method="POST",
        server="https://app.beam.cloud",
        path="/endpoint/id/{id}",
        root_server=True,
        path_params=(Param("id", id, "simple", False),),
        json=NOT_GIVEN if body is None else to_jsonable(body),
        accept="application/json",
        security=(("bearerAuth",),),
        timeout=185.0,
        idempotent=False,
    )


class WebEndpoints(Resource):
    """Web Endpoints operations."""

    @property
    def with_raw_response(self) -> WebEndpointsWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return WebEndpointsWithRawResponse(self._transport)

    def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a deployed web endpoint by name

        Synchronously invoke a deployed Python function exposed as a web endpoint, addressed by
        its deployment name on the shared invocation host. Endpoints are intended for
        synchronous work that completes within roughly 180 seconds. A deployment is also
        reachable at its versioned app subdomain (https://{name}-{id}-v{n}.app.beam.cloud).

        Args:
            name: The name of the deployed endpoint.
            body: The request body.
        """
        return self._transport.request(
            _invoke_named_endpoint_call(name, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a specific version of a deployed web endpoint

        Invoke a specific deployment version of a named web endpoint, e.g.
        /endpoint/zonos-tts/v1.

        Args:
            name: The name of the deployed endpoint.
            version: The deployment version number.
            body: The request body.
        """
        return self._transport.request(
            _invoke_named_endpoint_version_call(name, version, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a deployed web endpoint by id

        Synchronously invoke a deployed endpoint addressed by its unique deployment id, e.g.
        /endpoint/id/55108039-e3bf-409b-bad5-f4982b2f1c02. Commonly used for temporary or
        ephemeral deployments.

        Args:
            id: The unique id of the deployment.
            body: The request body.
        """
        return self._transport.request(
            _invoke_endpoint_by_id_call(id, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class WebEndpointsWithRawResponse(Resource):
    """`WebEndpoints` returning `RawResponse` objects."""

    def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a deployed web endpoint by name

        Synchronously invoke a deployed Python function exposed as a web endpoint, addressed by
        its deployment name on the shared invocation host. Endpoints are intended for
        synchronous work that completes within roughly 180 seconds. A deployment is also
        reachable at its versioned app subdomain (https://{name}-{id}-v{n}.app.beam.cloud).

        Args:
            name: The name of the deployed endpoint.
            body: The request body.
        """
        return self._transport.request_raw(
            _invoke_named_endpoint_call(name, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a specific version of a deployed web endpoint

        Invoke a specific deployment version of a named web endpoint, e.g.
        /endpoint/zonos-tts/v1.

        Args:
            name: The name of the deployed endpoint.
            version: The deployment version number.
            body: The request body.
        """
        return self._transport.request_raw(
            _invoke_named_endpoint_version_call(name, version, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a deployed web endpoint by id

        Synchronously invoke a deployed endpoint addressed by its unique deployment id, e.g.
        /endpoint/id/55108039-e3bf-409b-bad5-f4982b2f1c02. Commonly used for temporary or
        ephemeral deployments.

        Args:
            id: The unique id of the deployment.
            body: The request body.
        """
        return self._transport.request_raw(
            _invoke_endpoint_by_id_call(id, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class AsyncWebEndpoints(AsyncResource):
    """Web Endpoints operations."""

    @property
    def with_raw_response(self) -> AsyncWebEndpointsWithRawResponse:
        """The same methods, returning the raw HTTP response (status, headers, `parse()`)."""
        return AsyncWebEndpointsWithRawResponse(self._transport)

    async def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a deployed web endpoint by name

        Synchronously invoke a deployed Python function exposed as a web endpoint, addressed by
        its deployment name on the shared invocation host. Endpoints are intended for
        synchronous work that completes within roughly 180 seconds. A deployment is also
        reachable at its versioned app subdomain (https://{name}-{id}-v{n}.app.beam.cloud).

        Args:
            name: The name of the deployed endpoint.
            body: The request body.
        """
        return await self._transport.request(
            _invoke_named_endpoint_call(name, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a specific version of a deployed web endpoint

        Invoke a specific deployment version of a named web endpoint, e.g.
        /endpoint/zonos-tts/v1.

        Args:
            name: The name of the deployed endpoint.
            version: The deployment version number.
            body: The request body.
        """
        return await self._transport.request(
            _invoke_named_endpoint_version_call(name, version, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> Any:
        """Invoke a deployed web endpoint by id

        Synchronously invoke a deployed endpoint addressed by its unique deployment id, e.g.
        /endpoint/id/55108039-e3bf-409b-bad5-f4982b2f1c02. Commonly used for temporary or
        ephemeral deployments.

        Args:
            id: The unique id of the deployment.
            body: The request body.
        """
        return await self._transport.request(
            _invoke_endpoint_by_id_call(id, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class AsyncWebEndpointsWithRawResponse(AsyncResource):
    """`WebEndpoints` returning `RawResponse` objects."""

    async def invoke_named_endpoint(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a deployed web endpoint by name

        Synchronously invoke a deployed Python function exposed as a web endpoint, addressed by
        its deployment name on the shared invocation host. Endpoints are intended for
        synchronous work that completes within roughly 180 seconds. A deployment is also
        reachable at its versioned app subdomain (https://{name}-{id}-v{n}.app.beam.cloud).

        Args:
            name: The name of the deployed endpoint.
            body: The request body.
        """
        return await self._transport.request_raw(
            _invoke_named_endpoint_call(name, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def invoke_named_endpoint_version(
        self,
        name: str,
        version: int,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a specific version of a deployed web endpoint

        Invoke a specific deployment version of a named web endpoint, e.g.
        /endpoint/zonos-tts/v1.

        Args:
            name: The name of the deployed endpoint.
            version: The deployment version number.
            body: The request body.
        """
        return await self._transport.request_raw(
            _invoke_named_endpoint_version_call(name, version, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def invoke_endpoint_by_id(
        self,
        id: UUID,
        body: dict[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[Any]:
        """Invoke a deployed web endpoint by id

        Synchronously invoke a deployed endpoint addressed by its unique deployment id, e.g.
        /endpoint/id/55108039-e3bf-409b-bad5-f4982b2f1c02. Commonly used for temporary or
        ephemeral deployments.

        Args:
            id: The unique id of the deployment.
            body: The request body.
        """
        return await self._transport.request_raw(
            _invoke_endpoint_by_id_call(id, body),
            parse_json,
            timeout=timeout,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
