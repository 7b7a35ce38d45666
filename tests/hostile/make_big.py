"""Hostile documents too large to commit: built on demand by tests/test_hostile.py.

`python -m tests.hostile.make_big DIR` writes them to DIR to look at.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

DEPTH = 10_000


def billion_laughs() -> str:
    """Ten aliases of ten aliases ... nine levels deep: 10**9 strings once expanded."""
    lines = ["openapi: 3.0.3", "info: {title: lol, version: '1'}", "paths: {}"]
    lines.append("x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]")
    for level in range(1, 10):
        lines.append(f"x-l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def alias_fanout() -> str:
    """An alias bomb hidden inside a schema, where every stage would walk it."""
    lines = [
        "openapi: 3.0.3",
        "info: {title: fanout, version: '1'}",
        "paths: {}",
        "components:",
        "  schemas:",
        "    S0: &s0 {type: object, properties: {a: {type: string}, b: {type: string}}}",
    ]
    for level in range(1, 8):
        props = ", ".join(f"p{i}: *s{level - 1}" for i in range(12))
        lines.append(f"    S{level}: &s{level} {{type: object, properties: {{{props}}}}}")
    return "\n".join(lines) + "\n"


def deep_yaml_flow() -> str:
    return "openapi: 3.0.3\ninfo: {title: deep, version: '1'}\npaths: {}\nx-deep: " + "[" * DEPTH + "]" * DEPTH + "\n"


def deep_yaml_block() -> str:
    # "- - - ... x" nests one block sequence per dash.
    head = "openapi: 3.0.3\ninfo: {title: deep, version: '1'}\npaths: {}\nx-deep:\n"
    return head + "  " + "- " * DEPTH + "x\n"


def deep_json() -> str:
    return '{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "x-deep": ' + (
        "[" * DEPTH + "]" * DEPTH
    ) + "}"


def deep_json_objects() -> str:
    return '{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "x-deep": ' + (
        '{"a": ' * DEPTH + "1" + "}" * DEPTH
    ) + "}"


def _schema_chain(depth: int) -> dict[str, object]:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"child": schema}}
    return schema


def _spec(schema: object, components: dict[str, object] | None = None) -> dict[str, object]:
    spec: dict[str, object] = {
        "openapi": "3.0.3",
        "info": {"title": "deep", "version": "1"},
        "servers": [{"url": "http://example.invalid"}],
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
                    },
                }
            }
        },
    }
    if components:
        spec["components"] = {"schemas": components}
    return spec


def deep_schemas() -> str:
    """Inline schemas nested past what the model stage builds, within the load bound."""
    return json.dumps(_spec(_schema_chain(240)))


def deep_schemas_10k() -> str:
    """10 000 nested inline schemas: refused by the loader's depth bound. (Written by
    hand: json.dumps itself cannot nest that deep.)"""
    schema = '{"type": "object", "properties": {"child": ' * DEPTH + '{"type": "string"}' + "}}" * DEPTH
    return json.dumps(_spec("@SCHEMA@")).replace('"@SCHEMA@"', schema)


def long_ref_chain() -> str:
    """S0 -> S1 -> ... -> S9999, each a $ref to the next: deep without nesting."""
    components: dict[str, object] = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(DEPTH)}
    components[f"S{DEPTH}"] = {"type": "string"}
    return json.dumps(_spec({"$ref": "#/components/schemas/S0"}, components))


def long_property_chain() -> str:
    """S0.next -> S1.next -> ... 10 000 models, each holding the next: deep recursion
    through named models."""
    components: dict[str, object] = {
        f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}}}
        for i in range(DEPTH)
    }
    components[f"S{DEPTH}"] = {"type": "string"}
    return json.dumps(_spec({"$ref": "#/components/schemas/S0"}, components))


def long_names() -> str:
    """Names far longer than a file name may be."""
    long = "a" * 5000
    spec = _spec({"$ref": f"#/components/schemas/{long}"}, {long: {"type": "object", "properties": {long: {"type": "string"}}}})
    get = spec["paths"]["/a"]["get"]  # type: ignore[index]
    get["operationId"] = "op" + long  # type: ignore[index]
    get["tags"] = ["T" + long, "t" + long]  # type: ignore[index]
    return json.dumps(spec)


BIG: dict[str, Callable[[], str]] = {
    "billion_laughs.yaml": billion_laughs,
    "alias_fanout.yaml": alias_fanout,
    "deep_yaml_flow.yaml": deep_yaml_flow,
    "deep_yaml_block.yaml": deep_yaml_block,
    "deep_json_arrays.json": deep_json,
    "deep_json_objects.json": deep_json_objects,
    "deep_schemas.json": deep_schemas,
    "deep_schemas_10k.json": deep_schemas_10k,
    "long_ref_chain.json": long_ref_chain,
    "long_property_chain.json": long_property_chain,
    "long_names.json": long_names,
}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in BIG.items():
        (folder / name).write_text(make(), encoding="utf-8")
        print(folder / name)
