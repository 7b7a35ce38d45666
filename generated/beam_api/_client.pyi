from __future__ import annotations
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING
import httpx
from ._base import SecuritySchemes

if TYPE_CHECKING:
    from typing_extensions import Self
    from .resources.web_endpoints import AsyncWebEndpoints, WebEndpoints
    from .resources.task_queues import AsyncTaskQueues, TaskQueues
    from .resources.tasks import AsyncTasks, Tasks
__all__ = ["AsyncClient", "Client"]
ROOT_SERVERS: tuple[str, ...] = ...
SECURITY_SCHEMES: SecuritySchemes = ...

class Client:
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
    ) -> None: ...
    @cached_property
    def web_endpoints(self) -> WebEndpoints: ...
    @cached_property
    def task_queues(self) -> TaskQueues: ...
    @cached_property
    def tasks(self) -> Tasks: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def __repr__(self) -> str: ...

class AsyncClient:
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
    ) -> None: ...
    @cached_property
    def web_endpoints(self) -> AsyncWebEndpoints: ...
    @cached_property
    def task_queues(self) -> AsyncTaskQueues: ...
    @cached_property
    def tasks(self) -> AsyncTasks: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc_info: object) -> None: ...
    def __repr__(self) -> str: ...
