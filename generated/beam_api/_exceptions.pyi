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
    message: str

    def __init__(self, message: str) -> None: ...

class APIConnectionError(APIError):
    def __init__(self, message: str = "Connection error.") -> None: ...

class APITimeoutError(APIConnectionError):
    def __init__(self, message: str = "Request timed out.") -> None: ...

class APIStatusError(APIError):
    status_code: int
    body: Any
    response: httpx.Response

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None: ...

class BadRequestError(APIStatusError): ...
class AuthenticationError(APIStatusError): ...
class PermissionDeniedError(APIStatusError): ...
class NotFoundError(APIStatusError): ...
class ConflictError(APIStatusError): ...
class UnprocessableEntityError(APIStatusError): ...
class RateLimitError(APIStatusError): ...
class InternalServerError(APIStatusError): ...

_BY_STATUS: dict[int, type[APIStatusError]] = ...

def status_error_class(status_code: int) -> type[APIStatusError]: ...

class TaskWaitTimeout(APIError):
    task: Task
    timeout: float

    def __init__(self, task: Task, timeout: float) -> None: ...
