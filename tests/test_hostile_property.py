"""Property: for any valid spec with arbitrary names and strings, the output parses,
imports, and keeps every wire name exactly (model keys, enum values, parameter names)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import imported, run_cli, tree_bytes

# Any text, including quotes, backslashes, line breaks, control and format characters
# and lone surrogates; JSON carries them all.
TEXT = st.text(max_size=14)
PATH_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    props = draw(st.dictionaries(TEXT, st.sampled_from(["string", "integer", "boolean", "number"]), min_size=1, max_size=6))
    required = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=len(props)))
    enum_values = draw(st.lists(TEXT, min_size=1, max_size=5, unique=True))
    path_param = draw(PATH_NAME)
    query = draw(st.lists(TEXT, max_size=4, unique=True))
    headers = draw(st.lists(TEXT.filter(lambda s: s.lower() not in ("accept", "user-agent", "content-type")), max_size=3, unique=True))
    params: list[dict[str, Any]] = [{"name": path_param, "in": "path", "required": True, "schema": {"type": "string"}}]
    params += [{"name": q, "in": "query", "schema": {"type": "string"}, "description": draw(TEXT)} for q in query]
    params += [{"name": h, "in": "header", "schema": {"type": "string"}} for h in headers]
    return {
        "openapi": "3.0.3",
        "info": {"title": draw(TEXT), "version": draw(TEXT), "description": draw(TEXT)},
        "servers": [{"url": "http://example.invalid/" + draw(TEXT)}],
        "paths": {
            f"/things/{{{path_param}}}": {
                "post": {
                    "operationId": draw(TEXT),
                    "tags": [draw(TEXT)],
                    "summary": draw(TEXT),
                    "parameters": params,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    },
                    "responses": {
                        "200": {
                            "description": draw(TEXT),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": draw(TEXT),
                    "required": required,
                    "properties": {
                        **{name: {"type": kind, "description": draw(TEXT)} for name, kind in props.items()},
                    },
                },
                "Choice": {"type": "string", "enum": enum_values, "description": draw(TEXT)},
                "Holder": {"type": "object", "properties": {"choice": {"$ref": "#/components/schemas/Choice"}}},
            }
        },
    }


SAMPLE = {"string": "s", "integer": 7, "boolean": True, "number": 1.5}
COUNTER = iter(range(10**9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(spec=specs())
def test_any_names_generate_parse_import_and_keep_wire_names(tmp_path: Path, spec: dict[str, Any]) -> None:
    work = tmp_path / f"case{next(COUNTER)}"
    work.mkdir()
    (work / "openapi.json").write_text(json.dumps(spec))
    (work / "pyproject.toml").write_text("[tool.generator]\n")
    package = f"prop_client_{next(COUNTER)}"
    run = run_cli("--config", work / "pyproject.toml", "generate", work / "openapi.json", "-o", work / "out",
                  "--package", package)
    assert run.code == 0, run.stderr
    for path, content in tree_bytes(work / "out").items():
        if path.endswith((".py", ".pyi")):
            ast.parse(content.decode("utf-8"), path)

    with imported(work / "out", package) as client:
        models = importlib.import_module(f"{package}.models")
        props = spec["components"]["schemas"]["Thing"]["properties"]
        wire = {name: SAMPLE[p["type"]] for name, p in props.items()}
        thing = models.Thing.from_dict(wire)
        assert thing.to_dict() == wire
        assert models.Thing.from_dict({**wire, "extra\n'": 1}).to_dict() == {**wire, "extra\n'": 1}

        for value in spec["components"]["schemas"]["Choice"]["enum"]:
            assert models.Choice(value).value == value
            assert models.Holder.from_dict({"choice": value}).to_dict() == {"choice": value}

        resources = importlib.import_module(f"{package}.resources")
        calls = []
        for mod in Path(resources.__file__).parent.glob("*.py"):
            if mod.stem == "__init__":
                continue
            module = importlib.import_module(f"{package}.resources.{mod.stem}")
            calls += [f for n, f in vars(module).items() if n.startswith("_") and n.endswith("_call") and callable(f)]
        assert len(calls) == 1
        (make_call,) = calls
        signature = inspect.signature(make_call)
        args = {n: (thing if p.annotation == "Thing" else "v") for n, p in signature.parameters.items()}
        call = make_call(**args)
        op = spec["paths"][next(iter(spec["paths"]))]["post"]
        by_location: dict[str, list[str]] = {}
        for p in op["parameters"]:
            by_location.setdefault(p["in"], []).append(p["name"])
        assert sorted(p.name for p in call.path_params) == sorted(by_location.get("path", []))
        assert sorted(p.name for p in call.query) == sorted(by_location.get("query", []))
        assert sorted(p.name for p in call.headers) == sorted(by_location.get("header", []))
        assert call.path == next(iter(spec["paths"]))
        assert sorted(call.json) == sorted(props)  # the body is flattened: one argument per property
