"""Errors raised by the Beam API client.

Every error derives from `APIError`. HTTP errors carry the status code, the decoded body
and the `httpx.Response`; their message carries the server's own error text.
"""

from __future__ import annotations

from typing import Any

import httpx

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "status_error_class",
    "TaskWaitTimeout",
]


class APIError(Exception):
    """Base class of every error this client raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request did not complete within its timeout."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class APIStatusError(APIError):
    """The server answered with a non-success status."""

    status_code: int
    body: Any
    response: httpx.Response

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429"""


class InternalServerError(APIStatusError):
    """5xx"""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


class TaskWaitTimeout(APIError):
    """`tasks.wait()` gave up before the task reached a terminal status.

    `task` is the last state polled; `timeout` the seconds waited."""

    task: Task
    timeout: float

    def __init__(self, task: Task, timeout: float) -> None:
        status = str(getattr(task.status, "value", task.status))
        super().__init__(f"task {task.id} is still {status} after waiting {timeout:g} s")
        self.task = task
        self.timeout = timeout
