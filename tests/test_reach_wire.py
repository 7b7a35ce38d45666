"""Reach: schema and operation features checked on the wire against a real HTTP server.

One spec exercises them all; it is generated once per module and the client talks to a
recording Starlette server on 127.0.0.1.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.beam_server import ServerThread
from tests.helpers import generate, imported
from tests.reach_server import Recorder, Reply, serve

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Feature API", "version": "1.0"},
    "servers": [
        {
            "url": "{scheme}://127.0.0.1:{port}/{base}",
            "variables": {"scheme": {"default": "http"}, "port": {"default": "9"}, "base": {"default": "v1"}},
        }
    ],
    "security": [{"key": []}],
    "paths": {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "4XX": {"description": "client error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "default": {"description": "other", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            }
        },
        "/search": {
            "get": {
                "parameters": [
                    {"name": "tags", "in": "query", "style": "form", "explode": False, "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}},
                    {"name": "filter", "in": "query", "style": "deepObject", "explode": True, "schema": {"type": "object", "properties": {"color": {"type": "string"}, "size": {"type": "integer"}}}},
                    {"name": "pipe", "in": "query", "style": "pipeDelimited", "explode": False, "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "X-Trace-Ids", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    {"name": "class", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}}}},
                    }
                },
            }
        },
        "/items/{ids}": {
            "get": {
                "operationId": "getItems",
                "parameters": [{"name": "ids", "in": "path", "required": True, "schema": {"type": "array", "items": {"type": "string"}}}],
                "responses": {"204": {"description": "none"}},
            }
        },
        "/upload": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}}
                        }
                    }
                },
                "responses": {"204": {"description": "done"}},
            }
        },
        "/form": {
            "post": {
                "operationId": "sendForm",
                "requestBody": {
                    "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}}}}
                },
                "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }
        },
        "/blob": {
            "put": {
                "operationId": "putBlob",
                "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            }
        },
        "/text": {
            "post": {
                "operationId": "echoText",
                "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }
        },
        "/old": {"get": {"operationId": "oldThing", "deprecated": True, "responses": {"204": {"description": "gone"}}}},
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {"required": True, "content": {"application/vnd.api+json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"201": {"description": "created", "content": {"application/vnd.api+json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            },
            "put": {
                "operationId": "replaceThing",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}}}},
            },
        },
    },
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "petType", "mapping": {"cat": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"}},
            },
            "PetBase": {"type": "object", "required": ["petType", "name"], "properties": {"petType": {"type": "string"}, "name": {"type": "string"}}},
            "Cat": {"allOf": [{"$ref": "#/components/schemas/PetBase"}, {"type": "object", "properties": {"lives": {"type": "integer", "default": 9}}}]},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/PetBase"}, {"type": "object", "properties": {"good": {"type": "boolean", "nullable": True}}}]},
            "Tree": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                    "forest": {"$ref": "#/components/schemas/Forest"},
                },
            },
            "Forest": {"type": "object", "properties": {"trees": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
            "Status": {"type": "string", "enum": ["in stock", "1st", "class", "a-b", "A_B", "a b", "None", ""]},
            "Level": {"type": "integer", "enum": [1, 2, -3]},
            "Thing": {
                "type": "object",
                "required": ["class", "@type"],
                "properties": {
                    "class": {"type": "string"},
                    "@type": {"type": "string"},
                    "from": {"type": "integer", "readOnly": True},
                    "secret": {"type": "string", "writeOnly": True},
                    "2fa": {"type": "boolean"},
                    "kind": {"type": "string", "enum": ["a", "b"], "default": "a"},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "free": {"type": "object"},
                    "anything": {"type": "array", "items": {}},
                    "status": {"$ref": "#/components/schemas/Status"},
                    "level": {"$ref": "#/components/schemas/Level"},
                    "inline": {"type": "object", "properties": {"deep": {"type": "object", "properties": {"x": {"type": "number"}}}}},
                    "maybe": {"type": "string", "nullable": True},
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def client_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("reach_wire")
    run, out = generate(tmp, SPEC, package="feature_client")
    assert run.code == 0, run.stderr
    with imported(out, "feature_client") as module:
        yield module


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ServerThread, Recorder]]:
    yield from serve()


@pytest.fixture
def recorder(server: tuple[ServerThread, Recorder]) -> Recorder:
    server[1].reset()
    return server[1]


@pytest.fixture
def client(client_module: Any, server: tuple[ServerThread, Recorder]) -> Iterator[Any]:
    c = client_module.Client(token="secret", base_url=server[0].url + "/v1", max_retries=0)
    yield c
    c.close()


def query_pairs(raw: str) -> list[tuple[str, str]]:
    return [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in raw.split("&") if p)]


def test_server_variables_fill_the_default_url(client_module: Any) -> None:
    from importlib import import_module

    assert import_module("feature_client._client").ROOT_SERVERS == ("http://127.0.0.1:9/v1",)


def test_discriminated_union_decodes_to_the_tagged_class(client: Any, recorder: Recorder) -> None:
    models = __import__("feature_client.models", fromlist=["Cat", "Dog"])
    recorder.reply("GET", "/v1/pets/1", Reply(json={"petType": "doggo", "name": "Rex", "good": None, "extra": 1}))
    dog = client.default.get_pet(1)
    assert isinstance(dog, models.Dog)
    assert dog.name == "Rex" and dog.good is None and dog.additional_properties == {"extra": 1}
    recorder.reply("GET", "/v1/pets/2", Reply(json={"petType": "cat", "name": "Tom", "lives": 7}))
    cat = client.default.get_pet(2)
    assert isinstance(cat, models.Cat) and cat.lives == 7
    assert recorder.last.headers["x-api-key"] == "secret"
    assert recorder.last.headers["accept"] == "application/json"


def test_4xx_and_default_responses_raise_with_the_body(client_module: Any, client: Any, recorder: Recorder) -> None:
    recorder.reply("GET", "/v1/pets/3", Reply(status=404, json={"message": "no such pet"}))
    with pytest.raises(client_module.NotFoundError) as info:
        client.default.get_pet(3)
    assert info.value.body == {"message": "no such pet"}
    assert "no such pet" in str(info.value)


def test_parameter_styles_on_the_wire(client_module: Any, client: Any, recorder: Recorder) -> None:
    models = __import__("feature_client.models", fromlist=["Filter"])
    recorder.reply("GET", "/v1/search", Reply(json={"results": [{"name": "a"}]}))
    result = client.default.get_search(
        tags=["a", "b", "c d"],
        ids=[1, 2],
        filter=models.Filter(color="red", size=2),
        pipe=["x", "y"],
        x_trace_ids=["t1", "t2"],
        session="s1",
        class_="k",
    )
    assert result.results[0].name == "a"
    raw = recorder.last.query
    assert "tags=a,b,c%20d" in raw.split("&")  # explode=false: one value, literal commas
    assert query_pairs(raw) == [
        ("tags", "a,b,c d"),
        ("ids", "1"),
        ("ids", "2"),
        ("filter[color]", "red"),
        ("filter[size]", "2"),
        ("pipe", "x|y"),
        ("class", "k"),
    ]
    assert recorder.last.headers["x-trace-ids"] == "t1,t2"
    assert recorder.last.headers["cookie"] == "session=s1"


def test_array_path_parameter_is_comma_separated(client: Any, recorder: Recorder) -> None:
    recorder.reply("GET", "/v1/items/a,b/c", Reply(status=204))  # matched decoded
    assert client.default.get_items(["a", "b/c"]) is None
    assert recorder.last.path == "/v1/items/a,b%2Fc"


def test_multipart_file_upload(client: Any, recorder: Recorder) -> None:
    recorder.reply("POST", "/v1/upload", Reply(status=204))
    client.default.upload(file=("hello.txt", b"hello\x00world", "text/plain"), note="n")
    seen = recorder.last
    assert seen.content_type.startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="hello.txt"' in seen.body
    assert b"hello\x00world" in seen.body
    assert b'name="note"\r\n\r\nn\r\n' in seen.body


def test_form_urlencoded_body_and_text_response(client: Any, recorder: Recorder) -> None:
    recorder.reply("POST", "/v1/form", Reply(content=b"thanks", media_type="text/plain"))
    assert client.default.send_form(name="a b", count=3) == "thanks"
    assert recorder.last.content_type == "application/x-www-form-urlencoded"
    assert query_pairs(recorder.last.body.decode().replace("+", " ")) == [("name", "a b"), ("count", "3")]


def test_octet_stream_both_directions(client: Any, recorder: Recorder) -> None:
    recorder.reply("PUT", "/v1/blob", Reply(content=b"\x00\xffback", media_type="application/octet-stream"))
    assert client.default.put_blob(b"\x01\x02") == b"\x00\xffback"
    assert recorder.last.body == b"\x01\x02"
    assert recorder.last.content_type == "application/octet-stream"
    assert recorder.last.headers["accept"] == "application/octet-stream"


def test_text_plain_both_directions(client: Any, recorder: Recorder) -> None:
    recorder.reply("POST", "/v1/text", Reply(content="réponse".encode(), media_type="text/plain; charset=utf-8"))
    assert client.default.echo_text("grüße") == "réponse"
    assert recorder.last.body == "grüße".encode()
    assert recorder.last.content_type.startswith("text/plain")


def test_deprecated_operation_warns_at_call_time(client: Any, recorder: Recorder) -> None:
    recorder.reply("GET", "/v1/old", Reply(status=204))
    with pytest.warns(DeprecationWarning, match="oldThing is deprecated"):
        client.default.old_thing()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        recorder.reply("GET", "/v1/pets/1", Reply(json={"petType": "cat", "name": "x"}))
        client.default.get_pet(1)  # not deprecated: no warning


def test_keyword_and_odd_property_names_round_trip(client: Any, recorder: Recorder) -> None:
    models = __import__("feature_client.models", fromlist=["Thing"])
    answer = {
        "class": "c", "@type": "t", "from": 5, "2fa": True, "kind": "b", "counts": {"x": 1},
        "free": {"any": ["thing"]}, "anything": [1, "two", None], "status": "in stock",
        "level": -3, "inline": {"deep": {"x": 1}}, "maybe": None,
    }
    recorder.reply("POST", "/v1/things", Reply(status=201, json=answer, media_type="application/vnd.api+json"))
    thing = client.default.create_thing(
        class_="c", type="t", secret="s", field_2fa=True, status=models.Status.IN_STOCK, level=models.Level.NEGATIVE_3,
        counts={"x": 1}, anything=[1, "two", None], inline=models.ThingInline(deep=models.ThingInlineDeep(x=1.5)),
        maybe=None,
    )
    sent = json.loads(recorder.last.body)
    assert sent == {
        "class": "c", "@type": "t", "secret": "s", "2fa": True, "status": "in stock", "level": -3,
        "counts": {"x": 1}, "anything": [1, "two", None], "inline": {"deep": {"x": 1.5}}, "maybe": None,
    }
    assert recorder.last.content_type == "application/vnd.api+json"
    assert recorder.last.headers["accept"] == "application/vnd.api+json"
    assert isinstance(thing, models.Thing)
    assert (thing.class_, thing.type, thing.from_, thing.field_2fa) == ("c", "t", 5, True)
    assert thing.status is models.Status.IN_STOCK and thing.level is models.Level.NEGATIVE_3
    assert isinstance(thing.inline.deep.x, float) and thing.maybe is None
    assert thing.to_dict() == {**answer, "inline": {"deep": {"x": 1.0}}}


def test_odd_enum_values_get_distinct_members_and_unknown_values_are_kept(client_module: Any) -> None:
    models = __import__("feature_client.models", fromlist=["Status"])
    assert [m.value for m in models.Status] == ["in stock", "1st", "class", "a-b", "A_B", "a b", "None", ""]
    assert len({m.name for m in models.Status}) == 8
    assert all(m.name.isidentifier() for m in models.Status)
    assert models.Status("brand new").value == "brand new"
    assert models.Level(7).value == 7


def test_recursive_and_mutually_recursive_models_round_trip(client: Any, recorder: Recorder) -> None:
    models = __import__("feature_client.models", fromlist=["Tree", "Forest"])
    tree = {"value": "root", "children": [{"value": "leaf", "children": []}], "forest": {"trees": [{"value": "t"}]}}
    recorder.reply("PUT", "/v1/things", Reply(json=tree))
    body = models.Tree.from_dict(tree)
    assert isinstance(body.forest, models.Forest) and isinstance(body.forest.trees[0], models.Tree)
    result = client.default.replace_thing(value=body.value, children=body.children, forest=body.forest)
    assert json.loads(recorder.last.body) == tree
    assert isinstance(result.children[0], models.Tree) and result.to_dict() == tree


def test_generated_package_passes_mypy_strict(client_module: Any, tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    package = Path(client_module.__file__).parent
    copy = tmp_path / "feature_client"
    shutil.copytree(package, copy)
    for stub in copy.rglob("*.pyi"):
        stub.unlink()
    for folder in (tmp_path, package.parent):
        proc = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "feature_client"],
            cwd=folder, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
