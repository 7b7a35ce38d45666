"""Reach: document-level behaviour — 3.1 schemas, multi-file documents, Swagger 2.0,
tolerant and strict modes, operation naming, security schemes on the wire."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.beam_server import ServerThread
from tests.helpers import generate, imported, minimal_spec, run_cli
from tests.reach_server import Recorder, Reply, serve


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ServerThread, Recorder]]:
    yield from serve()


def ok(path: str = "/x", op_id: str | None = None, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"204": {"description": "none"}}, **extra}
    if op_id:
        op["operationId"] = op_id
    return op


# -- 3.1 ---------------------------------------------------------------------------


SPEC_31: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "T", "version": "1"},
    "paths": {
        "/shape": {
            "get": {
                "operationId": "getShape",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shape"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Shape": {
                "anyOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Square"}, {"type": "null"}],
                "discriminator": {"propertyName": "kind"},
            },
            "Circle": {
                "type": "object",
                "required": ["kind", "r"],
                "properties": {"kind": {"const": "Circle"}, "r": {"type": ["number", "null"]}, "label": {"type": ["string", "integer"]}},
            },
            "Square": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "Square"}, "side": {"type": "integer"}}},
        }
    },
}


def test_31_type_arrays_null_const_and_implicit_discriminator(tmp_path: Path, server: tuple[ServerThread, Recorder]) -> None:
    run, out = generate(tmp_path, SPEC_31, package="c31")
    assert run.code == 0, run.stderr
    url, recorder = server[0].url, server[1]
    with imported(out, "c31") as module:
        models = __import__("c31.models", fromlist=["Circle"])
        client = module.Client(base_url=url)
        recorder.reply("GET", "/shape", Reply(json={"kind": "Square", "side": 2}))
        assert isinstance(client.default.get_shape(), models.Square)
        recorder.reply("GET", "/shape", Reply(json={"kind": "Circle", "r": None, "label": 3}))
        circle = client.default.get_shape()
        assert isinstance(circle, models.Circle) and circle.r is None and circle.label == 3
        recorder.reply("GET", "/shape", Reply(json=None))
        assert client.default.get_shape() is None
    text = (out / "c31" / "models.py").read_text()
    assert 'kind: Literal["Circle"]' in text
    assert "r: float | None" in text
    assert "label: str | int | None | NotGiven" in text


# -- multi-file --------------------------------------------------------------------


def write_tree(root: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False))
    return root / "openapi.yaml"


TREE: dict[str, Any] = {
    "openapi.yaml": {
        "openapi": "3.0.3",
        "info": {"title": "Tree", "version": "1", "description": {"$ref": "texts.yaml#/intro"}},
        "paths": {
            "/pets": {"$ref": "paths/pets.yaml"},
            "/owners/{id}": {"get": {"$ref": "paths/owner_get.yaml"}},
        },
    },
    "texts.yaml": {"intro": "Pets and their owners."},
    "paths/pets.yaml": {
        "get": {
            "operationId": "listPets",
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "../models/pet.yaml"}}}}}
            },
            "x-codeSamples": [{"lang": "sh", "source": {"$ref": "../samples/list.sh"}}],
        }
    },
    "paths/owner_get.yaml": {
        "operationId": "getOwner",
        "parameters": [{"$ref": "../params.yaml#/OwnerId"}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "../models/owner.yaml"}}}}},
    },
    "params.yaml": {"OwnerId": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}},
    "models/pet.yaml": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "owner": {"$ref": "owner.yaml"}, "kind": {"$ref": "#/definitions/Kind"}},
        "definitions": {"Kind": {"type": "string", "enum": ["cat", "dog"]}},
    },
    "models/owner.yaml": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "pets": {"type": "array", "items": {"$ref": "pet.yaml"}}},
    },
    "samples/list.sh": "curl https://example.invalid/pets\n",
}


def test_multi_file_document_is_bundled(tmp_path: Path, server: tuple[ServerThread, Recorder]) -> None:
    spec = write_tree(tmp_path / "spec", TREE)
    out = tmp_path / "out"
    (tmp_path / "pyproject.toml").write_text("[tool.generator]\n")
    run = run_cli("--config", tmp_path / "pyproject.toml", "generate", spec, "-o", out, "--package", "tree")
    assert run.code == 0, run.stderr
    assert "warning" not in run.stderr, run.stderr
    url, recorder = server[0].url, server[1]
    with imported(out, "tree") as module:
        models = __import__("tree.models", fromlist=["Pet"])
        assert module.__doc__.strip().endswith("Pets and their owners.")
        client = module.Client(base_url=url)
        recorder.reply("GET", "/pets", Reply(json=[{"name": "Tom", "kind": "cat", "owner": {"name": "Ann", "pets": [{"name": "Rex"}]}}]))
        pets = client.default.list_pets()
        assert isinstance(pets[0], models.Pet) and pets[0].kind is models.Kind.CAT
        assert isinstance(pets[0].owner, models.Owner) and isinstance(pets[0].owner.pets[0], models.Pet)
        recorder.reply("GET", "/owners/7", Reply(json={"name": "Ann"}))
        assert client.default.get_owner(7).name == "Ann"


def test_multi_file_diagnostics_name_the_referenced_file(tmp_path: Path) -> None:
    files = dict(TREE)
    files["models/owner.yaml"] = "type: object\nproperties:\n  name:\n    type: string\n  pets:\n    $ref: '#/nowhere'\n"
    spec = write_tree(tmp_path / "spec", files)
    (tmp_path / "pyproject.toml").write_text("[tool.generator]\n")
    run = run_cli("--config", tmp_path / "pyproject.toml", "generate", spec, "-o", tmp_path / "out")
    assert run.code == 2
    assert "models/owner.yaml:6" in run.stderr, run.stderr
    assert "dangling-ref" in run.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("ref", "code"),
    [("missing.yaml", "dangling-ref"), ("../../outside.yaml", "external-ref"), ("texts.yaml#/nope", "dangling-ref")],
)
def test_bad_file_refs_are_located_errors(tmp_path: Path, ref: str, code: str) -> None:
    files = dict(TREE)
    files["paths/pets.yaml"] = {"get": {"operationId": "listPets", "responses": {"200": {"$ref": ref}}}}
    (tmp_path / "outside.yaml").write_text("description: x\n")
    spec = write_tree(tmp_path / "spec", files)
    (tmp_path / "pyproject.toml").write_text("[tool.generator]\n")
    run = run_cli("--config", tmp_path / "pyproject.toml", "generate", spec, "-o", tmp_path / "out")
    assert run.code == 2
    assert f"error[{code}]" in run.stderr
    assert "paths/pets.yaml:" in run.stderr, run.stderr


def test_network_refs_are_never_fetched(tmp_path: Path) -> None:
    spec = minimal_spec({"/x": {"get": {"responses": {"200": {"$ref": "https://example.invalid/r.yaml"}}}}})
    run, out = generate(tmp_path, spec)
    assert run.code == 2
    assert "external-ref" in run.stderr and not out.exists()


# -- bad input, tolerant and strict -------------------------------------------------------


def test_swagger_2_is_a_clear_error(tmp_path: Path) -> None:
    run, out = generate(tmp_path, {"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}})
    assert run.code == 2
    assert "error[swagger-2]" in run.stderr and "Swagger 2.0" in run.stderr
    assert not out.exists()


def test_dangling_ref_is_fatal_even_when_tolerant(tmp_path: Path) -> None:
    spec = minimal_spec({"/x": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}})
    run, out = generate(tmp_path, spec)
    assert run.code == 2
    assert "dangling-ref" in run.stderr and "openapi.yaml:" in run.stderr
    assert not out.exists()


def test_no_paths_is_fatal(tmp_path: Path) -> None:
    run, out = generate(tmp_path, {"openapi": "3.0.0", "info": {"title": "x", "version": "1"}})
    assert run.code == 2 and "no-paths" in run.stderr and not out.exists()


def test_validator_findings_are_warnings_unless_strict(tmp_path: Path) -> None:
    spec = minimal_spec({"/x": {"get": {"operationId": "x", "responses": {"200": {"content": {}}}}}})  # no description
    run, out = generate(tmp_path, spec)
    assert run.code == 0, run.stderr
    assert "warning[spec-invalid]" in run.stderr and out.exists()
    (tmp_path / "strict").mkdir()
    strict_run, strict_out = generate(tmp_path / "strict", spec, "--strict")
    assert strict_run.code == 2
    assert "error[spec-invalid]" in strict_run.stderr
    assert not strict_out.exists()


# -- operations ---------------------------------------------------------------------


def test_missing_and_colliding_operation_ids_get_deterministic_names(tmp_path: Path) -> None:
    paths = {
        "/a/{id}": {"get": ok(), "post": ok(op_id="doIt")},
        "/b": {"get": ok(op_id="doIt"), "put": ok(op_id="do_it")},
    }
    names = []
    for attempt in range(2):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        spec = minimal_spec({k: {m: dict(o, parameters=[{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]) if "{id}" in k else o for m, o in v.items()} for k, v in paths.items()})
        run, out = generate(folder, spec)
        assert run.code == 0, run.stderr
        with imported(out) as module:
            resource = module.Client().default
            names.append(sorted(n for n in dir(resource) if not n.startswith("_") and n != "with_raw_response"))
    assert names[0] == names[1]
    assert names[0] == ["do_it", "do_it_2", "do_it_3", "get_a_id"]


SECURITY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Sec", "version": "1"},
    "paths": {
        f"/{name}": {"get": ok(op_id=name, security=[{name: []}])}
        for name in ("header", "query", "cookie", "bearer", "basic", "oauth")
    }
    | {"/open": {"get": ok(op_id="open", security=[])}},
    "components": {
        "securitySchemes": {
            "header": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "query": {"type": "apiKey", "in": "query", "name": "api_key"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "sid"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://x.invalid/t", "scopes": {}}}},
        }
    },
}


def test_security_schemes_on_the_wire(tmp_path: Path, server: tuple[ServerThread, Recorder]) -> None:
    run, out = generate(tmp_path, SECURITY_SPEC, package="sec")
    assert run.code == 0, run.stderr
    url, recorder = server[0].url, server[1]
    with imported(out, "sec") as module:
        client = module.Client(token="user:pw", base_url=url)
        for name in ("header", "query", "cookie", "bearer", "basic", "oauth", "open"):
            recorder.reply("GET", f"/{name}", Reply(status=204))
            getattr(client.default, name)()
        seen = {s.path: s for s in recorder.seen[-7:]}
    assert seen["/header"].headers["x-key"] == "user:pw"
    assert seen["/query"].query == "api_key=user%3Apw"
    assert seen["/cookie"].headers["cookie"] == "sid=user%3Apw"
    assert seen["/bearer"].headers["authorization"] == "Bearer user:pw"
    assert seen["/basic"].headers["authorization"] == "Basic " + base64.b64encode(b"user:pw").decode()
    assert seen["/oauth"].headers["authorization"] == "Bearer user:pw"
    assert "authorization" not in seen["/open"].headers and seen["/open"].query == ""
