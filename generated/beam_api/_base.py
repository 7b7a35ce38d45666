"""Runtime support for the generated Beam API client.

Nothing here is specific to one operation: the generated resources describe each call
as a `Call` and hand it to a transport defined below.
"""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import enum
import json
import os
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import IO, Any, Generic, TypeVar, Union, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._version import USER_AGENT
from ._version import __version__ as __version__  # (where it was defined before _version.py)

T = TypeVar("T")


class NotGiven:
    """Marks an argument or field that was not given, as distinct from `None` (JSON null)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

FileBytes = Union[bytes, IO[bytes]]
FileContent = Union[FileBytes, tuple[str, FileBytes], tuple[str, FileBytes, str]]
TimeoutTypes = Union[float, httpx.Timeout, None]

# --------------------------------------------------------------------------- decoding
_RFC3339: re.Pattern[str] = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)"  # date, time
    r"(?:[.,](\d+))?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?"  # fraction, offset
)


def parse_datetime(value: str) -> datetime:
    """RFC 3339 / ISO 8601 timestamps on every supported Python: `Z`, lower case, and any
    number of fractional digits (nanoseconds are truncated to microseconds)."""
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        return datetime.fromisoformat(value)
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock}"
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")
    if zone:
        zone = "+00:00" if zone in "Zz" else zone
        if len(zone) == 3:
            zone += ":00"
        elif ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        text += zone
    return datetime.fromisoformat(text)


def present(value: Any) -> bool:
    """True unless the value is absent (NOT_GIVEN) or null."""
    return value is not None and value is not NOT_GIVEN


def take(data: dict[str, Any], key: str, default: Any = None) -> Any:
    """Remove and return a field of a decoded object (typed `Any` on purpose: the server
    may send null where the spec does not allow it)."""
    return data.pop(key, default)


def is_object(value: Any, keys: tuple[str, ...] = ()) -> bool:
    """A JSON object holding every key in `keys`. (A function, unlike `isinstance`,
    leaves `value` typed `Any` for the decoder that goes on to use it.)"""
    return isinstance(value, dict) and all(key in value for key in keys)


def has_tag(value: Any, name: str, tags: tuple[str, ...]) -> bool:
    """A JSON object whose discriminator property `name` holds one of `tags`."""
    if not isinstance(value, dict):
        return False
    return cast("dict[str, Any]", value).get(name) in tags


def is_array(value: Any) -> bool:
    """A JSON array (see `is_object`)."""
    return isinstance(value, list)


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


def open_enum_member(cls: type[enum.Enum], value: object) -> Any:
    """Keep a value the spec does not list: servers grow enums before specs do."""
    base: Any = str if issubclass(cls, str) else int
    if not isinstance(value, base) or isinstance(value, bool):
        return None
    member = base.__new__(cls, value)
    member._name_ = str(value)
    member._value_ = value
    return member


def to_jsonable(value: Any) -> Any:
    """Turn models, enums, dates and UUIDs (nested in lists and dicts) into JSON data."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    mapping = as_mapping(value)
    if mapping is not None:
        return {str(k): to_jsonable(v) for k, v in mapping.items()}
    items = as_list(value)
    if items is not None:
        return [to_jsonable(v) for v in items]
    return value


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


def _is_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple))


# The two helpers below return JSON-like containers with element type Any; checking the
# type in a separate function keeps strict checkers from inferring unknown elements.
def as_mapping(value: Any) -> Mapping[Any, Any] | None:
    """`value` as a mapping when it is one, else None."""
    if _is_mapping(value):
        mapping: Mapping[Any, Any] = value
        return mapping
    return None


def as_list(value: Any) -> list[Any] | None:
    """`value` as a list when it is a list or tuple, else None."""
    if _is_sequence(value):
        items: Sequence[Any] = value
        return list(items)
    return None


def parse_json(response: httpx.Response) -> Any:
    return response.json() if response.content else None


def parse_none(response: httpx.Response) -> None:
    return None


def parse_bytes(response: httpx.Response) -> bytes:
    return response.content


def parse_text(response: httpx.Response) -> str:
    return response.text


# --------------------------------------------------------------------------- requests
@dataclasses.dataclass(frozen=True)
class Param:
    """A parameter value with its OpenAPI serialisation style."""

    name: str
    value: Any
    style: str = "form"
    explode: bool = True


@dataclasses.dataclass(frozen=True)
class Call:
    """One operation call, described by the generated code."""

    method: str
    server: str
    path: str
    root_server: bool = False
    path_params: Sequence[Param] = ()
    query: Sequence[Param] = ()
    headers: Sequence[Param] = ()
    cookies: Sequence[Param] = ()
    json: Any = NOT_GIVEN
    data: Mapping[str, Any] | None = None
    multipart: Mapping[str, Any] | None = None
    content: bytes | str | None = None
    content_type: str = ""
    accept: str = ""
    security: Sequence[Sequence[str]] = ()
    timeout: float = 60.0
    idempotent: bool = False


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _pairs(value: Any) -> list[tuple[str, str]]:
    data = as_mapping(to_jsonable(value)) or {}
    return [(str(k), _scalar(v)) for k, v in data.items() if v is not None]


def compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop arguments that were not given, so they are left out of the body."""
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven)}


def _is_file(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)) or hasattr(value, "read"):
        return True
    items = as_list(value) if type(value) is tuple else None
    return items is not None and len(items) in (2, 3) and isinstance(items[0], str)


def form_fields(value: Any) -> Mapping[str, Any]:
    """A multipart body given as a model (or a union of models) or a mapping: its fields,
    file contents untouched."""
    to_dict = getattr(value, "to_dict", None)
    fields = as_mapping(to_dict() if callable(to_dict) else value)
    if fields is None:
        raise TypeError(
            f"a multipart body must be a model or a mapping, not {type(value).__name__}"
        )
    return fields


def split_multipart(values: Mapping[str, Any]) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """Separate file parts from plain form fields for a multipart body."""
    files: list[tuple[str, Any]] = []
    data: dict[str, Any] = {}
    for key, value in values.items():
        listed = as_list(value) if type(value) is list else None
        items: list[Any] = listed if listed and all(map(_is_file, listed)) else [value]
        if all(map(_is_file, items)):
            files.extend((key, item) for item in items)
        elif isinstance(value, (Mapping, list)) or hasattr(value, "to_dict"):
            data[key] = json.dumps(to_jsonable(value))
        else:
            data[key] = _scalar(value)
    return files, data


def q(text: str) -> str:
    return quote(text, safe="")


def encode_path_param(param: Param) -> str:
    """Serialise one path parameter; every reserved character is percent-encoded, so a
    value cannot leave its segment."""
    value, style, explode = param.value, param.style, param.explode
    prefix = {"label": ".", "matrix": f";{q(param.name)}="}.get(style, "")
    sep = "." if style == "label" and explode else ","
    items = as_list(value)
    if items is not None:
        if style == "matrix" and explode:
            return "".join(f";{q(param.name)}={q(_scalar(v))}" for v in items)
        return prefix + sep.join(q(_scalar(v)) for v in items)
    if isinstance(value, Mapping) or hasattr(value, "to_dict"):
        pairs = _pairs(value)
        if explode:
            if style == "matrix":
                return "".join(f";{q(k)}={q(v)}" for k, v in pairs)
            return ("." if style == "label" else "") + sep.join(f"{q(k)}={q(v)}" for k, v in pairs)
        return prefix + ",".join(f"{q(k)},{q(v)}" for k, v in pairs)
    return prefix + q(_scalar(value))


def expand_path(template: str, params: Sequence[Param]) -> str:
    """Fill the path template segment by segment. Values are percent-encoded, so none
    can add a `/`; one that would make its segment `.` or `..` (which URL normalisation
    resolves, climbing out of the operation's path) has its dots encoded too. Each
    value is encoded once, when its segment names it (an encoded value holds no braces,
    so it can never name another)."""
    segments = template.split("/")
    encoded: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if "{" not in segment:
            continue
        filled = segment
        for param in params:
            placeholder = "{" + param.name + "}"
            if placeholder in filled:
                if param.name not in encoded:
                    encoded[param.name] = encode_path_param(param)
                filled = filled.replace(placeholder, encoded[param.name])
        if filled != segment and filled and not filled.strip("."):
            filled = filled.replace(".", "%2E")
        segments[index] = filled
    return "/".join(segments)


def encode_query_param(param: Param) -> list[tuple[str, str]]:
    """Serialise one query parameter into percent-encoded (name, value) pairs. The
    delimiters of the non-exploded styles stay literal, as OpenAPI writes them:
    `tags=a,b,c`, `tags=a|b|c`, `filter[color]=red`; the values themselves are encoded."""
    value, style, explode, name = param.value, param.style, param.explode, param.name
    listed = as_list(value)
    if listed is not None:
        items = [q(_scalar(v)) for v in as_list(to_jsonable(listed)) or []]
        if explode and style == "form":
            return [(q(name), v) for v in items]
        sep = {"spaceDelimited": "%20", "pipeDelimited": "|"}.get(style, ",")
        return [(q(name), sep.join(items))]
    if isinstance(value, Mapping) or hasattr(value, "to_dict"):
        pairs = _pairs(value)
        if style == "deepObject":
            return [(f"{q(name)}[{q(k)}]", q(v)) for k, v in pairs]
        if explode:
            return [(q(k), q(v)) for k, v in pairs]
        return [(q(name), ",".join(f"{q(k)},{q(v)}" for k, v in pairs))]
    return [(q(name), q(_scalar(value)))]


def encode_header_value(param: Param) -> str:
    value = param.value
    listed = as_list(value)
    if listed is not None:
        return ",".join(_scalar(v) for v in as_list(to_jsonable(listed)) or [])
    if isinstance(value, Mapping) or hasattr(value, "to_dict"):
        sep = "=" if param.explode else ","
        return ",".join(f"{k}{sep}{v}" for k, v in _pairs(value))
    return _scalar(value)


_HEADER_BREAKS = ("\r", "\n", "\x00")


def check_header(name: str, value: str) -> str:
    """Refuse a header whose name or value could end the header line (CR, LF, NUL): it
    would inject headers or a request of its own. The value is not echoed: it may be
    a credential."""
    if any(c in value or c in name for c in _HEADER_BREAKS):
        raise ValueError(f"header {name!r} contains a line break or NUL; refusing to send it")
    return value


# --------------------------------------------------------------------------- responses
class RawResponse(Generic[T]):
    """The HTTP response of a call, before parsing: status, headers, and `parse()`."""

    http_response: httpx.Response
    _parse: Callable[[httpx.Response], T]

    def __init__(self, response: httpx.Response, parse: Callable[[httpx.Response], T]) -> None:
        self.http_response = response
        self._parse = parse

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def parse(self) -> T:
        return self._parse(self.http_response)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}]>"


def error_text(body: Any, response: httpx.Response) -> str:
    mapping = as_mapping(body)
    if mapping is not None:
        for key in ("message", "error", "detail", "error_description", "title"):
            value = mapping.get(key)
            if isinstance(value, str) and value:
                return value
            nested = as_mapping(value)
            if nested is not None and isinstance(nested.get("message"), str):
                return str(nested["message"])
    text = response.text.strip()
    return text[:2000] if text else response.reason_phrase


# --------------------------------------------------------------------------- transport
SecuritySchemes = Mapping[str, tuple[str, str, str, str]]  # key -> (kind, scheme, in, name)
_REDACTED = "<redacted>"
_USERINFO: re.Pattern[str] = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@")


MAX_RETRIES = 10


class _TransportBase:
    """What the sync and async transports share: everything but I/O."""

    initial_retry_delay: float = 0.5
    max_retry_delay: float = 8.0
    _token: str | None
    base_url: str | None
    root_servers: tuple[str, ...]
    server_overrides: dict[str, str]
    timeout: TimeoutTypes | NotGiven
    connect_timeout: float
    max_retries: int
    default_headers: dict[str, str]
    security_schemes: SecuritySchemes

    def __init__(
        self,
        *,
        token: str | None,
        base_url: str | None,
        root_servers: Sequence[str],
        server_overrides: Mapping[str, str] | None,
        timeout: TimeoutTypes | NotGiven,
        connect_timeout: float,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        security_schemes: SecuritySchemes,
    ) -> None:
        if not _is_count(max_retries) or not 0 <= max_retries <= MAX_RETRIES:
            raise ValueError(f"max_retries must be an int from 0 to {MAX_RETRIES}")
        self._token = token
        self.base_url = base_url.rstrip("/") if base_url else None
        self.root_servers = tuple(root_servers)
        self.server_overrides = {
            k.rstrip("/"): v.rstrip("/") for k, v in (server_overrides or {}).items()
        }
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_retries = max_retries
        self.default_headers = {k: check_header(k, v) for k, v in (default_headers or {}).items()}
        self.security_schemes = security_schemes

    def __repr__(self) -> str:
        token = _REDACTED if self._token else None
        base_url = _USERINFO.sub(r"\1" + _REDACTED + "@", self.base_url) if self.base_url else None
        return f"<{type(self).__name__} base_url={base_url!r} token={token!r}>"

    def redact(self, text: str) -> str:
        """`text` with the token (as sent: plain, URL-quoted or base64 for basic auth)
        replaced, for messages that quote URLs or what the server echoed."""
        token = self._token
        if not token:
            return text
        for form in sorted(
            {token, quote(token, safe=""), quote(token), base64.b64encode(token.encode()).decode()},
            key=len,
            reverse=True,
        ):
            text = text.replace(form, _REDACTED)
        return text

    def redirect_request(self, sent: httpx.Request, redirect: httpx.Request) -> httpx.Request:
        """The redirect httpx built, minus every credential when it leaves the origin
        (httpx itself drops only `Authorization`, not API-key headers)."""
        if (sent.url.scheme, sent.url.host, sent.url.port) == (
            redirect.url.scheme,
            redirect.url.host,
            redirect.url.port,
        ):
            return redirect
        secret = {"authorization", "cookie", "proxy-authorization"} | {
            name.lower()
            for kind, _, location, name in self.security_schemes.values()
            if kind == "apiKey" and location == "header"
        }
        for name in list(redirect.headers):
            if name.lower() in secret:
                del redirect.headers[name]
        return redirect

    # -- building
    def server_url(self, call: Call) -> str:
        server = call.server.rstrip("/")
        if server in self.server_overrides:
            return self.server_overrides[server]
        if self.base_url is not None and (call.root_server or not server):
            return self.base_url
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", server):
            if self.base_url is None:
                raise APIError(
                    f"the server URL {server or '/'!r} is relative: pass base_url= to the client"
                )
            return self.base_url + server
        return server

    def resolve_timeout(self, call: Call, timeout: TimeoutTypes | NotGiven) -> httpx.Timeout:
        chosen = timeout if not isinstance(timeout, NotGiven) else self.timeout
        if isinstance(chosen, httpx.Timeout):
            return chosen
        if isinstance(chosen, NotGiven):
            return httpx.Timeout(call.timeout, connect=min(self.connect_timeout, call.timeout))
        return httpx.Timeout(chosen)

    def auth(
        self,
        call: Call,
        headers: dict[str, str],
        query: list[tuple[str, str]],
        cookies: dict[str, str],
    ) -> None:
        """Fill the first security alternative the token can satisfy."""
        for alternative in call.security:
            if not alternative:
                return
            if self._token is None:
                continue
            for key in alternative:
                kind, scheme, location, name = self.security_schemes[key]
                if kind == "apiKey":
                    if location == "header":
                        headers[name] = self._token
                    elif location == "query":
                        query.append((q(name), q(self._token)))
                    else:
                        cookies[name] = self._token
                elif kind == "http" and scheme == "basic":
                    encoded = base64.b64encode(self._token.encode()).decode()
                    headers["Authorization"] = f"Basic {encoded}"
                else:
                    headers["Authorization"] = f"Bearer {self._token}"
            return

    def build_request(
        self,
        call: Call,
        timeout: TimeoutTypes | NotGiven,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
    ) -> httpx.Request:
        path = expand_path(call.path, call.path_params)
        query: list[tuple[str, str]] = []  # percent-encoded
        for param in call.query:
            if not isinstance(param.value, NotGiven):
                query.extend(encode_query_param(param))
        headers = {"User-Agent": USER_AGENT, **self.default_headers}
        if call.accept:
            headers["Accept"] = call.accept
        for param in call.headers:
            if not isinstance(param.value, NotGiven):
                headers[param.name] = encode_header_value(param)
        cookies = {
            p.name: encode_header_value(p)
            for p in call.cookies
            if not isinstance(p.value, NotGiven)
        }
        self.auth(call, headers, query, cookies)
        for key, value in (extra_headers or {}).items():
            headers[key] = value
        for key, value in headers.items():
            check_header(key, value)
        if cookies:
            headers["Cookie"] = check_header(
                "Cookie",
                "; ".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in cookies.items()),
            )
        for name, extra in (extra_query or {}).items():
            query.append((q(name), q(_scalar(extra))))
        kwargs: dict[str, Any] = {}
        if not isinstance(call.json, NotGiven):
            kwargs["json"] = call.json
            if call.content_type:  # a `+json` media type
                headers.setdefault("Content-Type", call.content_type)
        elif call.multipart is not None:
            kwargs["files"], kwargs["data"] = split_multipart(call.multipart)
        elif call.data is not None:
            kwargs["data"] = call.data
        elif call.content is not None:
            kwargs["content"] = call.content
            if call.content_type:
                headers.setdefault("Content-Type", call.content_type)
        url = self.server_url(call) + path
        if query:
            url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query)
        return httpx.Request(
            call.method,
            url,
            headers=headers,
            extensions={"timeout": self.resolve_timeout(call, timeout).as_dict()},
            **kwargs,
        )

    # -- retries
    def backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and 0 <= retry_after <= 60:
            return retry_after
        delay = min(self.initial_retry_delay * 2.0**attempt, self.max_retry_delay)
        jitter: float = 1 - 0.25 * random.random()
        return delay * jitter

    def retry_delay_after_error(
        self, call: Call, exc: httpx.TransportError, attempt: int
    ) -> float | None:
        if attempt >= self.max_retries:
            return None
        # A request that never reached the server is always safe to send again; one that
        # may have run is retried only when the operation is idempotent.
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        if never_sent or call.idempotent:
            return self.backoff(attempt, None)
        return None

    def retry_delay_after_status(
        self, call: Call, response: httpx.Response, attempt: int
    ) -> float | None:
        status = response.status_code
        if attempt >= self.max_retries or status < 400:
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if call.idempotent:
            retry = status in (408, 429) or status >= 500
        else:
            # The server surely did not run the call: rate limited, or unavailable with
            # an explicit invitation to come back.
            retry = status == 429 or (status == 503 and retry_after is not None)
        return self.backoff(attempt, retry_after) if retry else None

    # -- results
    def connection_error(self, exc: httpx.TransportError) -> APIConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"Request timed out: {type(exc).__name__}")
        return APIConnectionError(self.redact(f"Connection error: {type(exc).__name__}: {exc}"))

    def status_error(self, response: httpx.Response) -> APIStatusError:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        cls = status_error_class(response.status_code)
        return cls(
            self.redact(f"Error code: {response.status_code} - {error_text(body, response)}"),
            response=response,
            body=body,
        )


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return max(0.0, (parsed - datetime.now(timezone.utc)) / timedelta(seconds=1))


class SyncTransport(_TransportBase):
    """Sends `Call`s over one `httpx.Client` with retries."""

    _owns_http: bool
    _http: httpx.Client

    def __init__(self, *, http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.Client(follow_redirects=True, verify=True)
        )

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def send(
        self,
        call: Call,
        timeout: TimeoutTypes | NotGiven,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
    ) -> httpx.Response:
        """Send with retries; return a success response or raise the mapped error."""
        request = self.build_request(call, timeout, extra_headers, extra_query)
        attempt = 0
        while True:
            try:
                response = self._send_following(request)
            except httpx.TransportError as exc:
                delay = self.retry_delay_after_error(call, exc, attempt)
                if delay is None:
                    raise self.connection_error(exc) from exc
            else:
                delay = self.retry_delay_after_status(call, response, attempt)
                if delay is None:
                    response.read()
                    if not response.is_success:
                        raise self.status_error(response)
                    return response
                response.close()
            attempt += 1
            time.sleep(delay)

    def _send_following(self, request: httpx.Request) -> httpx.Response:
        """Send, following redirects here rather than in httpx, so that credentials are
        dropped whenever a redirect leaves the origin they were meant for."""
        response = self._http.send(request, follow_redirects=False)
        hops = 0
        while self._http.follow_redirects and response.next_request is not None:
            hops += 1
            if hops > self._http.max_redirects:
                response.close()
                raise APIConnectionError(
                    f"Connection error: more than {self._http.max_redirects} redirects"
                )
            next_request = self.redirect_request(request, response.next_request)
            response.close()
            response = self._http.send(next_request, follow_redirects=False)
        return response

    def request(
        self,
        call: Call,
        parse: Callable[[httpx.Response], T],
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> T:
        return parse(self.send(call, timeout, extra_headers, extra_query))

    def request_raw(
        self,
        call: Call,
        parse: Callable[[httpx.Response], T],
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[T]:
        return RawResponse(self.send(call, timeout, extra_headers, extra_query), parse)


class AsyncTransport(_TransportBase):
    """Sends `Call`s over one `httpx.AsyncClient` with retries."""

    _owns_http: bool
    _http: httpx.AsyncClient

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(follow_redirects=True, verify=True)
        )

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def send(
        self,
        call: Call,
        timeout: TimeoutTypes | NotGiven,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
    ) -> httpx.Response:
        """Send with retries; return a success response or raise the mapped error."""
        request = self.build_request(call, timeout, extra_headers, extra_query)
        attempt = 0
        while True:
            try:
                response = await self._send_following(request)
            except httpx.TransportError as exc:
                delay = self.retry_delay_after_error(call, exc, attempt)
                if delay is None:
                    raise self.connection_error(exc) from exc
            else:
                delay = self.retry_delay_after_status(call, response, attempt)
                if delay is None:
                    await response.aread()
                    if not response.is_success:
                        raise self.status_error(response)
                    return response
                await response.aclose()
            attempt += 1
            import asyncio  # already loaded: an event loop is running

            await asyncio.sleep(delay)

    async def _send_following(self, request: httpx.Request) -> httpx.Response:
        """Send, following redirects here rather than in httpx, so that credentials are
        dropped whenever a redirect leaves the origin they were meant for."""
        response = await self._http.send(request, follow_redirects=False)
        hops = 0
        while self._http.follow_redirects and response.next_request is not None:
            hops += 1
            if hops > self._http.max_redirects:
                await response.aclose()
                raise APIConnectionError(
                    f"Connection error: more than {self._http.max_redirects} redirects"
                )
            next_request = self.redirect_request(request, response.next_request)
            await response.aclose()
            response = await self._http.send(next_request, follow_redirects=False)
        return response

    async def request(
        self,
        call: Call,
        parse: Callable[[httpx.Response], T],
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> T:
        return parse(await self.send(call, timeout, extra_headers, extra_query))

    async def request_raw(
        self,
        call: Call,
        parse: Callable[[httpx.Response], T],
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
    ) -> RawResponse[T]:
        return RawResponse(await self.send(call, timeout, extra_headers, extra_query), parse)


def _is_count(value: object) -> bool:
    """A true int (callers without a type checker may pass anything)."""
    return isinstance(value, int) and not isinstance(value, bool)


def env_token(name: str, token: str | None) -> str | None:
    return token if token is not None else os.environ.get(name) or None


class Resource:
    """Base of the generated resource classes."""

    _transport: SyncTransport

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport


class AsyncResource:
    _transport: AsyncTransport

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport
