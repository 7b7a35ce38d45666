"""The IR built from small inline specs: `build_api` called directly with a Config()."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import build_api
from generator.model.operation import Api, Operation, Server, ServerVariable
from generator.model.types import ModelRef, Primitive
from tests.helpers import generate, imported, minimal_spec, write_spec

OK = {"204": {"description": "done"}}


def build(spec: dict[str, Any]) -> tuple[Api, Diagnostics]:
    diagnostics = Diagnostics()
    return build_api(spec, Config(), diagnostics), diagnostics


def op(api: Api, operation_id: str) -> Operation:
    return next(o for o in api.operations if o.operation_id == operation_id)


def get(operation_id: str, **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "responses": OK, **extra}


# ---------------------------------------------------------------------------- servers
def test_effective_servers_operation_over_path_over_root() -> None:
    spec = minimal_spec(
        {
            "/a": {
                "servers": [{"url": "https://path.example/"}],
                "get": get("opLevel", servers=[{"url": "https://op.example/v2"}]),
                "post": get("pathLevel"),
            },
            "/b": {"get": get("rootLevel")},
        },
        servers=[{"url": "https://root.example"}, {"url": "https://mirror.example"}],
    )
    api, _ = build(spec)
    assert [s.url for s in op(api, "opLevel").servers] == ["https://op.example/v2"]
    assert [s.url for s in op(api, "pathLevel").servers] == ["https://path.example"]  # trailing / dropped
    assert [s.url for s in op(api, "rootLevel").servers] == ["https://root.example", "https://mirror.example"]
    assert op(api, "rootLevel").server.url == "https://root.example"
    assert api.default_server == "https://root.example"
    assert api.all_servers == (
        "https://root.example",
        "https://mirror.example",
        "https://op.example/v2",
        "https://path.example",
    )


def test_without_servers_the_operation_uses_a_relative_root() -> None:
    spec = minimal_spec({"/a": {"get": get("a")}})
    del spec["servers"]
    api, _ = build(spec)
    assert api.servers == ()
    assert op(api, "a").servers == (Server("/", ""),)


def test_server_variables_take_their_defaults() -> None:
    spec = minimal_spec(
        {"/a": {"get": get("a")}},
        servers=[
            {
                "url": "https://{region}.example.com/{base}",
                "description": "regional",
                "variables": {
                    "region": {"default": "eu", "enum": ["eu", "us"]},
                    "base": {"default": "v1"},
                },
            }
        ],
    )
    api, diagnostics = build(spec)
    (server,) = api.servers
    assert server.template == "https://{region}.example.com/{base}"
    assert server.url == "https://eu.example.com/v1"
    assert server.description == "regional"
    assert server.variables == (ServerVariable("region", "eu", ("eu", "us")), ServerVariable("base", "v1"))
    assert not diagnostics.items


def test_an_undeclared_server_variable_is_a_warning() -> None:
    spec = minimal_spec({"/a": {"get": get("a")}}, servers=[{"url": "https://{tenant}.example.com"}])
    _, diagnostics = build(spec)
    assert [(d.code, d.pointer) for d in diagnostics.items] == [("server-variable", "/servers/0")]


# ------------------------------------------------------------------------- parameters
def _param(name: str, location: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": location, "schema": {"type": "string"}, **extra}


def test_parameter_locations_and_style_explode_defaults() -> None:
    params = [
        _param("id", "path", required=True),
        _param("q", "query"),
        _param("X-Trace", "header"),
        _param("session", "cookie"),
        _param("filter", "query", style="deepObject", explode=True),
        _param("ids", "query", explode=False),
        _param("label", "path", required=True, style="label"),
    ]
    api, diagnostics = build(minimal_spec({"/items/{id}/{label}": {"get": get("a", parameters=params)}}))
    got = {p.wire_name: (p.location, p.style, p.explode, p.required) for p in op(api, "a").parameters}
    assert got == {
        "id": ("path", "simple", False, True),
        "label": ("path", "label", False, True),
        "q": ("query", "form", True, False),
        "X-Trace": ("header", "simple", False, False),
        "session": ("cookie", "form", True, False),
        "filter": ("query", "deepObject", True, False),
        "ids": ("query", "form", False, False),
    }
    names = {p.wire_name: p.py_name for p in op(api, "a").parameters}
    assert names["X-Trace"] == "x_trace"
    assert not diagnostics.items


def test_path_level_parameters_are_merged_and_overridden_by_the_operation() -> None:
    path_item = {
        "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}, "description": "path level"},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
            {"$ref": "#/components/parameters/Id"},
        ],
        "get": get(
            "a",
            parameters=[{"name": "limit", "in": "query", "required": True, "schema": {"type": "string"}, "description": "operation level"}],
        ),
        "post": get("b"),
    }
    components = {"parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}}}
    api, _ = build(minimal_spec({"/things/{id}": path_item}, components=components))
    a = {p.wire_name: p for p in op(api, "a").parameters}
    assert set(a) == {"limit", "X-Trace", "id"}
    assert (a["limit"].type, a["limit"].required, a["limit"].description) == (Primitive("str"), True, "operation level")
    assert a["id"].type == Primitive("int")
    b = {p.wire_name: p for p in op(api, "b").parameters}
    assert (b["limit"].type, b["limit"].required, b["limit"].description) == (Primitive("int"), False, "path level")
    # the same name in another location is another parameter
    path_item["get"]["parameters"].append({"name": "limit", "in": "header", "schema": {"type": "string"}})
    api, _ = build(minimal_spec({"/things/{id}": path_item}, components=components))
    assert sorted((p.wire_name, p.location) for p in op(api, "a").parameters if p.wire_name == "limit") == [
        ("limit", "header"),
        ("limit", "query"),
    ]


VERSIONED = {
    "/endpoint/{name}/v{version}": {
        "post": {
            "operationId": "invokeVersion",
            "tags": ["Endpoints"],
            "parameters": [
                {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
        }
    },
    "/items/{id}": {
        "delete": {
            "operationId": "deleteItems",
            "tags": ["Endpoints"],
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"]}}},
            },
            "responses": OK,
        }
    },
}


def test_a_parameter_inside_a_segment() -> None:
    api, diagnostics = build(minimal_spec(VERSIONED))
    invoke = op(api, "invokeVersion")
    assert invoke.path == "/endpoint/{name}/v{version}"
    assert {p.wire_name for p in invoke.params_in("path")} == {"name", "version"}
    # positional arguments follow the order in the path, not the declaration order
    assert [(a.name, a.source, a.positional) for a in invoke.arguments] == [
        ("name", "path", True),
        ("version", "path", True),
    ]
    assert not [d for d in diagnostics.items if d.code == "path-parameter"]


def test_delete_with_a_body() -> None:
    api, _ = build(minimal_spec(VERSIONED))
    delete = op(api, "deleteItems")
    assert delete.method == "DELETE" and delete.idempotent
    assert delete.body is not None and delete.body.required and delete.body.kind == "json"
    assert [(f.wire_name, f.required) for f in delete.body.fields] == [("reason", True)]
    assert [(a.name, a.source) for a in delete.arguments] == [("id", "path"), ("reason", "field")]


def test_the_wire_path_and_delete_body_through_the_generated_runtime(tmp_path: Path) -> None:
    run, out = generate(tmp_path, minimal_spec(VERSIONED))
    assert run.code == 0, run.stderr
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"ok": True})

    with imported(out) as client:
        base = __import__("client._base", fromlist=["encode_path_param"])
        assert base.encode_path_param(base.Param("version", 3, "simple", False)) == "3"
        assert base.encode_path_param(base.Param("name", "a/b c", "simple", False)) == "a%2Fb%20c"
        c = client.Client(token="t", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        assert c.endpoints.invoke_version("my app/x", 3) == {"ok": True}
        assert c.endpoints.delete_items("i1", reason="gone") is None
    invoke, delete = seen
    assert invoke.method == "POST"
    assert invoke.url.raw_path == b"/endpoint/my%20app%2Fx/v3"
    assert str(invoke.url) == "http://example.invalid/endpoint/my%20app%2Fx/v3"
    assert delete.method == "DELETE" and delete.url.raw_path == b"/items/i1"
    assert json.loads(delete.content) == {"reason": "gone"}
    assert delete.headers["content-type"] == "application/json"


# -------------------------------------------------------------------------- responses
def test_responses_by_status_including_default_and_ranges() -> None:
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    responses = {
        "default": {"description": "unexpected", "content": json_of({"$ref": "#/components/schemas/Error"})},
        "4XX": {"description": "client error", "content": json_of({"$ref": "#/components/schemas/Error"})},
        "404": {"description": "missing"},
        "200": {"description": "found", "content": json_of({"$ref": "#/components/schemas/Pet"})},
        "201": {"description": "raw", "content": {"application/octet-stream": {}}},
    }
    components = {
        "schemas": {
            "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
        }
    }
    api, _ = build(minimal_spec({"/pets": {"get": {"operationId": "a", "responses": responses}}}, components=components))
    a = op(api, "a")
    assert [(r.status, r.kind, r.is_success) for r in a.responses] == [
        ("200", "json", True),
        ("201", "binary", True),
        ("404", "none", False),
        ("4XX", "json", False),
        ("default", "json", False),
    ]
    by_status = {r.status: r for r in a.responses}
    assert by_status["200"].type == ModelRef("Pet")
    assert by_status["4XX"].type == by_status["default"].type == ModelRef("Error")
    assert by_status["404"].type is None and by_status["404"].media_type == ""
    assert by_status["default"].description == "unexpected"
    # the result is the first success response with content
    assert (a.result, a.result_kind, a.result_annotation) == (ModelRef("Pet"), "json", "Pet")


def test_no_content_means_no_result() -> None:
    api, _ = build(minimal_spec({"/a": {"post": get("a")}}))
    assert (op(api, "a").result, op(api, "a").result_kind, op(api, "a").result_annotation) == (None, "none", "None")


# --------------------------------------------------------------------------- security
def test_security_root_versus_operation_and_the_empty_alternative() -> None:
    components = {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    }
    paths = {
        "/inherit": {"get": get("inherit")},
        "/public": {"get": get("public", security=[])},
        "/optional": {"get": get("optional", security=[{}, {"apiKey": []}])},
        "/both": {"get": get("both", security=[{"bearer": [], "apiKey": []}])},
        "/either": {"get": get("either", security=[{"bearer": []}, {"apiKey": []}])},
    }
    api, diagnostics = build(minimal_spec(paths, components=components, security=[{"bearer": []}]))
    assert op(api, "inherit").security == (("bearer",),)
    assert op(api, "public").security == ()
    assert op(api, "optional").security == ((), ("apiKey",))
    assert op(api, "both").security == (("bearer", "apiKey"),)
    assert op(api, "either").security == (("bearer",), ("apiKey",))
    schemes = {s.key: s for s in api.security_schemes}
    assert (schemes["bearer"].kind, schemes["bearer"].scheme) == ("http", "bearer")
    assert (schemes["apiKey"].location, schemes["apiKey"].param_name) == ("header", "X-API-Key")
    assert not diagnostics.items


def test_an_unknown_security_scheme_is_a_warning() -> None:
    api, diagnostics = build(minimal_spec({"/a": {"get": get("a", security=[{"nope": []}])}}))
    assert op(api, "a").security == ((),)
    assert [(d.code, d.pointer) for d in diagnostics.items] == [("security", "/paths/~1a/get")]


# ------------------------------------------------------------------------ deprecation
def test_deprecation_of_operations_parameters_and_fields() -> None:
    params = [_param("old", "query", deprecated=True), _param("new", "query")]
    body = {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"legacy": {"type": "string", "deprecated": True}, "x": {"type": "string"}}}
            }
        }
    }
    paths = {"/a": {"post": get("old", deprecated=True, parameters=params, requestBody=body)}, "/b": {"get": get("current")}}
    api, _ = build(minimal_spec(paths))
    old = op(api, "old")
    assert old.deprecated and not op(api, "current").deprecated
    assert {p.wire_name: p.deprecated for p in old.parameters} == {"old": True, "new": False}
    assert old.body is not None
    assert {f.wire_name: f.deprecated for f in old.body.fields} == {"legacy": True, "x": False}


# ------------------------------------------------------------------------------- tags
def test_tags_become_resources() -> None:
    paths = {
        "/a": {"get": get("a", tags=["Web Endpoints"])},
        "/b": {"get": get("b", tags=["Tasks", "Web Endpoints"])},  # grouped by the first tag
        "/c": {"get": get("c")},
        "/d": {"post": get("d", tags=["Web Endpoints"])},
    }
    tags = [{"name": "Web Endpoints", "description": "Deployed endpoints."}]
    api, _ = build(minimal_spec(paths, tags=tags))
    got = {r.tag: (r.attr, r.class_name, r.module, r.description, [o.operation_id for o in r.operations]) for r in api.resources}
    assert got == {
        "Web Endpoints": ("web_endpoints", "WebEndpoints", "web_endpoints", "Deployed endpoints.", ["a", "d"]),
        "Tasks": ("tasks", "Tasks", "tasks", "", ["b"]),
        "default": ("default", "Default", "default", "", ["c"]),
    }
    assert op(api, "b").tags == ("Tasks", "Web Endpoints")
    assert [o.operation_id for o in api.operations] == ["a", "d", "b", "c"]


# ------------------------------------------------------------------------------- load
def test_the_loader_keeps_dates_as_strings(tmp_path: Path) -> None:
    text = """\
openapi: 3.0.3
info:
  title: Dated
  version: 2023-01-01
paths:
  /a:
    get:
      operationId: a
      parameters:
        - name: since
          in: query
          schema: {type: string, format: date, default: 2023-01-01}
        - name: at
          in: query
          schema: {type: string, default: 2023-01-01T10:00:00Z}
      responses:
        "204": {description: done}
"""
    diagnostics = Diagnostics()
    document = load(write_spec(tmp_path, text), diagnostics)
    assert document.data["info"]["version"] == "2023-01-01"
    assert type(document.data["info"]["version"]) is str
    params = document.data["paths"]["/a"]["get"]["parameters"]
    assert params[1]["schema"]["default"] == "2023-01-01T10:00:00Z"
    api = build_api(document.data, Config(), diagnostics)
    assert api.version == "2023-01-01"
    assert {p.wire_name: p.default for p in op(api, "a").parameters} == {
        "since": '"2023-01-01"',
        "at": '"2023-01-01T10:00:00Z"',
    }
    assert not diagnostics.items


@pytest.mark.parametrize("pointer, line", [("/info/version", 4), ("/paths/~1a/get/parameters/1", 13), ("/nowhere/at/all", 1)])
def test_the_source_map_finds_lines(tmp_path: Path, pointer: str, line: int) -> None:
    text = "\n".join(
        [
            "openapi: 3.0.3",
            "info:",
            "  title: Dated",
            "  version: 2023-01-01",
            "paths:",
            "  /a:",
            "    get:",
            "      operationId: a",
            "      parameters:",
            "        - name: since",
            "          in: query",
            "          schema: {type: string}",
            "        - name: at",
            "          in: query",
            "      responses: {}",
        ]
    )
    document = load(write_spec(tmp_path, text), Diagnostics())
    assert document.locate(pointer) == (str(tmp_path / "openapi.yaml"), line)


def test_an_array_of_objects_that_hold_the_array_is_a_recursive_model() -> None:
    """`Tree = array of {children: Tree}`: the inline item class ends the recursion
    (it used to be expanded until the depth limit, a `too-deep` error)."""
    spec = minimal_spec(
        {"/t": {"get": {"operationId": "t", "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}}}}}}},
        components={"schemas": {"Tree": {"type": "array", "items": {
            "type": "object", "properties": {"children": {"$ref": "#/components/schemas/Tree"}}}}}},
    )
    api, diagnostics = build(spec)
    assert not [d for d in diagnostics.items if d.code == "too-deep"]
    item = next(m for m in api.models if m.pointer == "/components/schemas/Tree/items")
    assert [f.annotation for f in item.fields] == [f"list[{item.name}] | None | NotGiven"]


def test_ascii_words_fast_path_folds_as_the_slow_path() -> None:
    """Printable ASCII skips NFKD and the per-character filter: for each of its
    characters both are the identity, and the control characters take the slow path."""
    import random
    import unicodedata

    from generator.model import naming

    for code in range(128):
        char = chr(code)
        kept = char.isascii() and unicodedata.category(char)[0] != "C"
        assert unicodedata.normalize("NFKD", char) == char
        assert char.isprintable() == kept
    chooser = random.Random(7)
    alphabet = [chr(c) for c in range(128)] + ["é", "ß", "ﬁ", "名", "\u200b"]
    for _ in range(2000):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 12)))
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", text) if c.isascii() and unicodedata.category(c)[0] != "C"
        )
        assert naming.ascii_words(text) == naming.ascii_words(folded)
