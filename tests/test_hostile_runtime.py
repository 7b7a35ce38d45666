"""Safety of the generated runtime (_base.py): what a caller's values or a server can do.

Path values stay in their segment, header values cannot inject lines, TLS is verified,
retries are bounded, and the token never shows in a repr, an error message, or a
request to another origin.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import generate, imported, minimal_spec

TOKEN = "s3cr3t/t0ken+=="

SPEC = minimal_spec(
    {
        "/files/{name}": {
            "get": {
                "operationId": "getFile",
                "tags": ["files"],
                "security": [{"key": []}],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            }
        },
        "/files/{a}/{b}": {
            "get": {
                "operationId": "getPair",
                "tags": ["files"],
                "parameters": [
                    {"name": "a", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "b", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"204": {"description": "ok"}},
            }
        },
        "/search": {
            "post": {
                "operationId": "search",
                "tags": ["files"],
                "security": [{"query_key": []}],
                "responses": {"204": {"description": "ok"}},
            }
        },
        "/me": {
            "get": {
                "operationId": "me",
                "tags": ["files"],
                "security": [{"bearer": []}],
                "responses": {"204": {"description": "ok"}},
            }
        },
    },
    components={
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "query_key": {"type": "apiKey", "in": "query", "name": "api_key"},
            "bearer": {"type": "http", "scheme": "bearer"},
        }
    },
)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("runtime")
    run, out = generate(tmp, SPEC)
    assert run.code == 0, run.stderr
    with imported(out) as client:
        yield client


Handler = Callable[[httpx.Request], httpx.Response]


def client_with(package: Any, handler: Handler, **kwargs: Any) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(record), follow_redirects=True)
    client = package.Client(token=TOKEN, http_client=http, **kwargs)
    client._transport.initial_retry_delay = 0.0
    return client, seen


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("../../admin", b"/files/..%2F..%2Fadmin"),
        ("..", b"/files/%2E%2E"),
        (".", b"/files/%2E"),
        ("a/b?c=1#frag", b"/files/a%2Fb%3Fc%3D1%23frag"),
        ("%2e%2e", b"/files/%252e%252e"),
        ("{name}", b"/files/%7Bname%7D"),
        ("ok.txt", b"/files/ok.txt"),
    ],
)
def test_path_parameters_stay_in_their_segment(package: Any, value: str, path: bytes) -> None:
    client, seen = client_with(package, ok)
    client.files.get_file(value)
    assert seen[0].url.raw_path == path


def test_two_path_values_cannot_make_a_dot_segment_together(package: Any) -> None:
    client, seen = client_with(package, lambda r: httpx.Response(204))
    client.files.get_pair("..", ".")
    assert seen[0].url.raw_path == b"/files/%2E%2E/%2E"


@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"])
def test_header_values_with_line_breaks_are_refused(package: Any, bad: str) -> None:
    client, seen = client_with(package, ok)
    with pytest.raises(ValueError, match="line break"):
        client.files.get_file("x", x_trace=bad)
    with pytest.raises(ValueError, match="line break"):
        client.files.get_file("x", extra_headers={"X-Other": bad})
    with pytest.raises(ValueError, match="line break"):
        client.files.get_file("x", extra_headers={bad: "v"})
    with pytest.raises(ValueError):
        package.Client(token=TOKEN, default_headers={"X-D": bad})
    assert seen == []


def test_a_token_with_a_line_break_is_refused_without_echoing_it(package: Any) -> None:
    http = httpx.Client(transport=httpx.MockTransport(ok))
    client = package.Client(token="tok\r\nX-Injected: 1", http_client=http)
    with pytest.raises(ValueError) as info:
        client.files.get_file("x")
    assert "tok" not in str(info.value)


def test_tls_is_verified_by_default(package: Any) -> None:
    client = package.Client(token=TOKEN)
    pool = client._transport._http._transport._pool
    assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert pool._ssl_context.check_hostname is True
    client.close()


def test_retries_are_bounded(package: Any) -> None:
    client, seen = client_with(package, lambda r: httpx.Response(503, headers={"Retry-After": "0"}), max_retries=3)
    with pytest.raises(package.InternalServerError):
        client.files.get_file("x")
    assert len(seen) == 4

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, seen = client_with(package, refuse, max_retries=2)
    with pytest.raises(package.APIConnectionError):
        client.files.get_file("x")
    assert len(seen) == 3
    for bad in (-1, 11, 10**9, 1.5, True):
        with pytest.raises(ValueError):
            package.Client(token=TOKEN, max_retries=bad)


def test_a_long_retry_after_is_not_obeyed(package: Any) -> None:
    client, _ = client_with(package, ok)
    transport = client._transport
    assert transport.backoff(0, 10**9) <= transport.max_retry_delay
    assert transport.backoff(30, None) <= transport.max_retry_delay


def test_token_is_redacted_in_reprs(package: Any) -> None:
    client = package.Client(token=TOKEN, base_url="https://user:hunter2@api.invalid/v1")
    for text in (repr(client), repr(client._transport), str(vars(client))):
        assert TOKEN not in text
        assert "hunter2" not in text
    assert "<redacted>" in repr(client)
    client.close()
    for cls in (package.Client, package.AsyncClient):
        assert TOKEN not in repr(cls(token=TOKEN))


def test_token_is_redacted_in_error_messages(package: Any) -> None:
    # The server echoes the credentials it received.
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"message": f"bad key {request.headers.get('X-API-Key')} at {request.url}"}
        )

    client, _ = client_with(package, echo)
    with pytest.raises(package.BadRequestError) as info:
        client.files.get_file("x")
    assert TOKEN not in str(info.value) and "<redacted>" in str(info.value)

    def fail_with_url(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"broken while reading {request.url}", request=request)

    client, seen = client_with(package, fail_with_url, max_retries=0)
    with pytest.raises(package.APIConnectionError) as conn:
        client.files.search()
    assert seen and "api_key=" in str(seen[0].url)
    for text in (str(conn.value), repr(conn.value)):
        for form in (TOKEN, httpx.QueryParams({"k": TOKEN}).get("k")):
            assert form not in text
        assert "s3cr3t" not in text


@pytest.mark.parametrize("operation", ["get_file", "me"])
def test_credentials_do_not_follow_a_redirect_to_another_origin(package: Any, operation: str) -> None:
    def redirect(request: httpx.Request) -> httpx.Response:
        if request.url.host == "example.invalid":
            return httpx.Response(302, headers={"Location": "https://elsewhere.invalid/steal"})
        return httpx.Response(200, json={})

    client, seen = client_with(package, redirect)
    method = getattr(client.files, operation)
    method("x") if operation == "get_file" else method()
    assert [r.url.host for r in seen] == ["example.invalid", "elsewhere.invalid"]
    first, second = seen
    assert first.headers.get("X-API-Key") == TOKEN or first.headers.get("Authorization") == f"Bearer {TOKEN}"
    assert "X-API-Key" not in second.headers
    assert "Authorization" not in second.headers


def test_credentials_follow_a_redirect_within_the_origin(package: Any) -> None:
    def redirect(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/files"):
            return httpx.Response(307, headers={"Location": "/moved"})
        return httpx.Response(200, json={})

    client, seen = client_with(package, redirect)
    client.files.get_file("x")
    assert [r.url.path for r in seen] == ["/files/x", "/moved"]
    assert seen[1].headers["X-API-Key"] == TOKEN


def test_redirect_loops_are_bounded(package: Any) -> None:
    client, seen = client_with(package, lambda r: httpx.Response(302, headers={"Location": "/files/x"}), max_retries=0)
    with pytest.raises(package.APIConnectionError, match="redirects"):
        client.files.get_file("x")
    assert len(seen) == 21


def test_generated_client_keeps_runtime_behaviour_async(package: Any, tmp_path: Path) -> None:
    import asyncio

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "example.invalid":
            return httpx.Response(302, headers={"Location": "https://elsewhere.invalid/"})
        return httpx.Response(200, json={})

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
        client = package.AsyncClient(token=TOKEN, http_client=http)
        await client.files.get_file("../x")
        await http.aclose()

    asyncio.run(main())
    assert seen[0].url.raw_path == b"/files/..%2Fx"
    assert "X-API-Key" not in seen[1].headers
