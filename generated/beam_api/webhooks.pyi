from __future__ import annotations
import re
from collections.abc import Mapping
from typing import Any
from ._exceptions import APIError

__all__ = [
    "DEFAULT_TOLERANCE",
    "InvalidSignatureError",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "sign",
    "verify_signature",
]
SIGNATURE_HEADER = "X-Task-Signature"
TIMESTAMP_HEADER = "X-Task-Timestamp"
DEFAULT_TOLERANCE = 300.0
_TIMESTAMP: re.Pattern[str] = ...

class InvalidSignatureError(APIError): ...

def _header(headers: Mapping[str, str], name: str) -> str | None: ...
def _key(signing_key: str | bytes) -> bytes: ...
def sign(body: bytes, timestamp: int | str, signing_key: str | bytes) -> str: ...
def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    signing_key: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any: ...
