"""The Beam API clients."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

import httpx

from ._base import AsyncTransport, env_token, NOT_GIVEN, SecuritySchemes, SyncTransport
from ._exceptions import APIError

if TYPE_CHECKING:
    from typing_extensions import Self

    from .resources.web_endpoints import AsyncWebEndpoints, WebEndpoints
    from .resources.task_queues import AsyncTaskQueues, TaskQueues
    from .resources.tasks import AsyncTasks, Tasks

__all__ = ["AsyncClient", "Client"]

ROOT_SERVERS: tuple[str, ...] = (
    "https://app.beam.cloud",
    "https://api.beam.cloud",
)
SECURITY_SCHEMES: SecuritySchemes = {
    "bearerAuth": ("http", "bearer", "", ""),
}


class Client:
    """Synchronous client for Beam API.

    Args:
        token: API token; defaults to the `BEAM_TOKEN` environment variable.
        base_url: replaces the spec's root server (https://app.beam.cloud);
            defaults to `BEAM_BASE_URL`.
        server_overrides: maps any server URL the spec declares to another URL.
        timeout: overrides every operation's default timeout (seconds or `httpx.Timeout`).
        max_retries: how often a failed call is retried when that is safe.
        http_client: a ready `httpx.Client`, whose transport is used as is.
        default_headers: headers sent with every request.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        server_overrides: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        token = env_token("BEAM_TOKEN", token)
        if token is None:
            raise APIError(
                "No API token: pass token=... or set the BEAM_TOKEN environment variable",
            )
        self._transport = SyncTransport(
            token=token,
            base_url=base_url or os.environ.get("BEAM_BASE_URL") or None,
            root_servers=ROOT_SERVERS,
            server_overrides=server_overrides,
            timeout=NOT_GIVEN if timeout is None else timeout,
            connect_timeout=5.0,
            max_retries=max_retries,
            default_headers=default_headers,
            security_schemes=SECURITY_SCHEMES,
            http_client=http_client,
        )

    @cached_property
    def web_endpoints(self) -> WebEndpoints:
        """Web Endpoints operations."""
        from .resources.web_endpoints import WebEndpoints

        return WebEndpoints(self._transport)

    @cached_property
    def task_queues(self) -> TaskQueues:
        """Task Queues operations."""
        from .resources.task_queues import TaskQueues

        return TaskQueues(self._transport)

    @cached_property
    def tasks(self) -> Tasks:
        """Tasks operations."""
        from .resources.tasks import Tasks

        return Tasks(self._transport)

    def close(self) -> None:
        """Close the underlying HTTP client (unless it was passed in)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} transport={self._transport!r}>"


class AsyncClient:
    """Asynchronous client for Beam API.

    Args:
        token: API token; defaults to the `BEAM_TOKEN` environment variable.
        base_url: replaces the spec's root server (https://app.beam.cloud);
            defaults to `BEAM_BASE_URL`.
        server_overrides: maps any server URL the spec declares to another URL.
        timeout: overrides every operation's default timeout (seconds or `httpx.Timeout`).
        max_retries: how often a failed call is retried when that is safe.
        http_client: a ready `httpx.AsyncClient`, whose transport is used as is.
        default_headers: headers sent with every request.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        server_overrides: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        token = env_token("BEAM_TOKEN", token)
        if token is None:
            raise APIError(
                "No API token: pass token=... or set the BEAM_TOKEN environment variable",
            )
        self._transport = AsyncTransport(
            token=token,
            base_url=base_url or os.environ.get("BEAM_BASE_URL") or None,
            root_servers=ROOT_SERVERS,
            server_overrides=server_overrides,
            timeout=NOT_GIVEN if timeout is None else timeout,
            connect_timeout=5.0,
            max_retries=max_retries,
            default_headers=default_headers,
            security_schemes=SECURITY_SCHEMES,
            http_client=http_client,
        )

    @cached_property
    def web_endpoints(self) -> AsyncWebEndpoints:
        """Web Endpoints operations."""
        from .resources.web_endpoints import AsyncWebEndpoints

        return AsyncWebEndpoints(self._transport)

    @cached_property
    def task_queues(self) -> AsyncTaskQueues:
        """Task Queues operations."""
        from .resources.task_queues import AsyncTaskQueues

        return AsyncTaskQueues(self._transport)

    @cached_property
    def tasks(self) -> AsyncTasks:
        """Tasks operations."""
        from .resources.tasks import AsyncTasks

        return AsyncTasks(self._transport)

    async def close(self) -> None:
        """Close the underlying HTTP client (unless it was passed in)."""
        await self._transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} transport={self._transport!r}>"
