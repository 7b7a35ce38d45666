"""Verify the task callbacks Beam API POSTs to a `callback_url`.

Each callback carries `X-Task-Timestamp` (Unix seconds) and `X-Task-Signature`: the hex
HMAC-SHA256, keyed with the workspace's signing key, of
`base64(body) + ":" + timestamp`. Check it before trusting the body:

    payload = verify_signature(request_body, request.headers, signing_key)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
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
"""Seconds a callback's timestamp may differ from the local clock."""

_TIMESTAMP: re.Pattern[str] = re.compile(r"[0-9]{1,15}")


class InvalidSignatureError(APIError):
    """A callback whose signature is wrong or missing, or whose timestamp is too old
    (or too far in the future): do not trust its body."""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value


def _key(signing_key: str | bytes) -> bytes:
    return signing_key.encode("utf-8") if isinstance(signing_key, str) else signing_key


def sign(body: bytes, timestamp: int | str, signing_key: str | bytes) -> str:
    """The signature the server sends for `body` at `timestamp` (hex)."""
    message = base64.b64encode(body) + b":" + str(timestamp).encode("ascii")
    return hmac.new(_key(signing_key), message, hashlib.sha256).hexdigest()


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    signing_key: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Check a callback and return its decoded JSON body (`{"data": <result>}`).

    Args:
        body: the request body exactly as received, before any JSON decoding.
        headers: the request headers; names are matched case-insensitively.
        signing_key: the workspace's signing key.
        tolerance: seconds the timestamp may be from `now`, either way.
        now: the current Unix time (default: the clock).

    Raises:
        InvalidSignatureError: a header is missing or malformed, the timestamp is
            outside the tolerance, or the signature does not match.
    """
    signature = _header(headers, SIGNATURE_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    if not signature:
        raise InvalidSignatureError(f"the {SIGNATURE_HEADER} header is missing")
    if not stamp:
        raise InvalidSignatureError(f"the {TIMESTAMP_HEADER} header is missing")
    stamp = stamp.strip()
    if not _TIMESTAMP.fullmatch(stamp):
        raise InvalidSignatureError(f"{TIMESTAMP_HEADER} is not a Unix time: {stamp[:40]!r}")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise InvalidSignatureError(
            f"{TIMESTAMP_HEADER} is {current - int(stamp):.0f} s from now; "
            f"the tolerance is {tolerance:g} s"
        )
    expected = sign(body, stamp, signing_key).encode("ascii")
    if not hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace")):
        raise InvalidSignatureError(f"{SIGNATURE_HEADER} does not match the body")
    return json.loads(body)
