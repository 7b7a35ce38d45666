"""The model memo (generator/model_memo.py) must give the very build of modelling the
whole spec: the same IR, the same diagnostics in the same order, and the same log and
units (what the next run's memo is made of).

- Edits of one path item that leave the state other path items meet as it was (a
  summary, an inline body's new property, a new parameter with a warning): every other
  unit is taken from the memo.
- Edits that change that state (an operation id taken twice or renamed, a schema first
  reached from another path item, an inline class name that now collides): the units
  after the edited one are built again; the result is still the whole build's.
- Edits outside the path items, path items added, dropped or moved, a `$ref` into
  `paths`: nothing is taken.
- Each is checked both ways: the edited spec through the original's memo, and back.
- The payload is read back by an unpickler that builds only the IR's classes.
- The revision takes the recorded spec's IR from the memo when the record is the one
  the kept build wrote, and models it otherwise.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any, Callable

import pytest

from generator import model_memo
from generator.cache import Cache
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import Builder, build_api
from generator.model_memo import Slot
from generator.render_memo import value_digest
from generator.spec_parts import reaches_paths, spec_parts
from generator.validate import check_core
from generator.revisions import Previous, model_quietly

from .helpers import BEAM_SPEC
from .test_validation_fast import CORPUS, corpus
from .test_validation_memo import _operations

CANDIDATES = [sorted(name for name, size in corpus(v).items() if 8_000 < size < 300_000) for v in ("3.0", "3.1")]


def _middle(data: dict[str, Any]) -> dict[str, Any]:
    ops = _operations(data)
    return ops[len(ops) // 2]


def _summary(data: dict[str, Any]) -> None:
    _middle(data)["summary"] = "An edited summary"


def _body_property(data: dict[str, Any]) -> None:
    _middle(data)["requestBody"] = {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"edited": {"type": "string"}, "more": {"type": "integer"}}}
            }
        }
    }


def _bad_parameter(data: dict[str, Any]) -> None:
    _middle(data).setdefault("parameters", []).append({"in": "query", "schema": {"type": "string"}})


def _duplicate_id(data: dict[str, Any]) -> None:
    ops = _operations(data)
    ops[len(ops) // 2]["operationId"] = ops[-1].get("operationId", "taken")


def _renamed_id(data: dict[str, Any]) -> None:
    _middle(data)["operationId"] = "renamedByTheEdit"


def _first_reach(data: dict[str, Any]) -> None:
    """The first path item now reaches the last component schema first."""
    schemas = list((data.get("components") or {}).get("schemas") or {})
    target = "#/components/schemas/" + (schemas[-1] if schemas else "Missing").replace("~", "~0").replace("/", "~1")
    _operations(data)[0].setdefault("responses", {})["299"] = {
        "description": "x",
        "content": {"application/json": {"schema": {"$ref": target}}},
    }


def _colliding_class(data: dict[str, Any]) -> None:
    """An inline model of the first operation named like the last one's would be."""
    ops = _operations(data)
    ops[0]["operationId"] = str(ops[-1].get("operationId", "last"))
    ops[0]["requestBody"] = {"content": {"application/json": {"schema": {"type": "object", "properties": {"a": {}}}}}}


def _component(data: dict[str, Any]) -> None:
    data.setdefault("components", {}).setdefault("schemas", {})["AddedByTheEdit"] = {"type": "string"}


def _dropped(data: dict[str, Any]) -> None:
    del data["paths"][next(iter(data["paths"]))]


def _moved(data: dict[str, Any]) -> None:
    items = list(data["paths"].items())
    data["paths"] = dict([items[-1], *items[:-1]])


def _ref_into_paths(data: dict[str, Any]) -> None:
    first = next(iter(data["paths"])).replace("~", "~0").replace("/", "~1")
    _middle(data)["x-alias"] = {"$ref": f"#/paths/{first}"}


# edit -> whether every unit but the edited one is taken from the memo
EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], bool]] = {
    "summary": (_summary, True),
    "inline body property": (_body_property, False),
    "parameter with a warning": (_bad_parameter, True),
    "duplicate operation id": (_duplicate_id, False),
    "renamed operation id": (_renamed_id, False),
    "schema first reached elsewhere": (_first_reach, False),
    "colliding inline class": (_colliding_class, False),
    "component added": (_component, False),
    "path item dropped": (_dropped, False),
    "path item moved": (_moved, False),
    "$ref into paths": (_ref_into_paths, False),
}


def _into_paths(data: dict[str, Any]) -> bool:
    """As the pipeline tells it: from the references the core checks found."""
    found: set[str] = set()
    check_core(data, Diagnostics(), found)
    return any(reaches_paths(ref) for ref in found)


def _build(data: dict[str, Any], config: Config, slot: Slot | None) -> tuple[Any, Diagnostics, Builder, Any]:
    diagnostics = Diagnostics()
    parts = spec_parts(data)
    replay = slot.replay(parts, _into_paths(data)) if slot is not None else None
    builder = Builder(data, config, diagnostics, replay)
    return builder.build(), diagnostics, builder, replay


def _keep(cache: Cache, config: Config, data: dict[str, Any]) -> None:
    api, _, builder, _ = _build(data, config, None)
    parts = spec_parts(data)
    assert parts is not None
    model_memo.keep(cache, config, builder, api, parts, "record", True)


KNOWN: list[str] = []  # the collections whose digests the memo offered, over the tests


def _same_build(data: dict[str, Any], config: Config, cache: Cache) -> Any:
    """Build `data` through the memo in `cache` and compare with the whole build; the
    render-memo digests it offers are those of the values built."""
    slot = Slot(cache, config)
    api, diagnostics, builder, replay = _build(data, config, slot)
    whole_api, whole_diagnostics, whole, _ = _build(data, config, None)
    assert api == whole_api
    assert diagnostics.items == whole_diagnostics.items
    assert builder.log == whole.log
    assert builder.units == whole.units
    for value, text in slot.known_digests(api):
        name = next((n for n in model_memo.DIGESTED if getattr(api, n) is value), None)
        held = next((n for n in model_memo.DIGESTED if any(value is v for v in getattr(api, n))), None)
        if name is not None:
            assert text == value_digest(value) == value_digest(getattr(whole_api, name))
        elif held is not None:  # a model or an enum
            whole = next(v for v in getattr(whole_api, held) if v.name == value.name)
            assert text == value_digest(value) == value_digest(whole)
            name = held + " items"
        else:  # a resource
            assert any(value is r for r in api.resources)
            whole = next(r for r in whole_api.resources if r.module == value.module)
            assert text == value_digest(value) == value_digest(whole)
            name = "resources"
        KNOWN.append(name)
    return replay


def _documents() -> list[tuple[str, dict[str, Any]]]:
    """Beam, and five documents of each version with operations in their path items."""
    out = [("beam", load(BEAM_SPEC, Diagnostics()).data)]
    assert CORPUS is not None
    for names in CANDIDATES:
        chosen = 0
        for name in names:
            data = load(CORPUS / name, Diagnostics()).data
            if chosen < 5 and isinstance(data.get("paths"), dict) and len(_operations(data)) >= 4:
                out.append((name, data))
                chosen += 1
    assert len(out) == 11
    return out


@pytest.mark.parametrize("name, data", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_builds_through_the_memo_are_the_whole_build(name: str, data: dict[str, Any], tmp_path: Path) -> None:
    config = Config(output=tmp_path / "out")
    cache = Cache(tmp_path / "cache")
    items = len(data["paths"])
    _keep(cache, config, data)
    unchanged = _same_build(data, config, cache)
    assert unchanged is not None and unchanged.taken == items + 1, "an unchanged spec takes every unit"
    assert unchanged.head_taken, "and the start"
    taken_all = 0
    for label, (edit, takes_the_rest) in EDITS.items():
        edited = copy.deepcopy(data)
        edit(edited)
        _keep(cache, config, data)
        forth = _same_build(edited, config, cache)
        _keep(cache, config, edited)
        back = _same_build(data, config, cache)
        for replay in (forth, back):
            if takes_the_rest:
                assert replay is not None and replay.taken == items and replay.head_taken, label
                taken_all += 1
            elif label in ("component added", "path item dropped", "path item moved"):
                assert replay is None, label
        if label == "$ref into paths":
            # back: the reference was in the one path item that changed, built again
            assert forth is None and back is not None
    assert taken_all == 4
    assert {"models", "enums", "resources"} <= set(KNOWN), "a summary's edit leaves the models' and enums' digests known"
    assert {"models items", "enums items"} <= set(KNOWN)


def test_a_schema_edit_leaves_the_other_models_digests_known(tmp_path: Path) -> None:
    """Each model keeps its digest apart (a split models module renders again only the
    part whose models changed): an edit of one schema's description leaves every other
    model's known, not the edited one's nor the tuple's."""
    config = Config(output=tmp_path / "out")
    cache = Cache(tmp_path / "cache")
    checked = 0
    for _, data in _documents():
        schemas = (data.get("components") or {}).get("schemas") or {}
        objects = [k for k, v in schemas.items() if isinstance(v, dict) and v.get("type") == "object" and v.get("properties")]
        if len(objects) < 3:
            continue
        _keep(cache, config, data)
        edited = copy.deepcopy(data)
        edited["components"]["schemas"][objects[1]]["description"] = "Edited."
        slot = Slot(cache, config)
        api = _build(edited, config, slot)[0]  # (not replayed: the edit is outside the path items)
        assert slot.entry() is not None  # (the revision reads it: revisions.derive)
        known = {id(v): t for v, t in slot.known_digests(api)}
        assert id(api.models) not in known
        kept = {m.name: m for m in slot.api().models}  # type: ignore[union-attr]
        alike = 0
        for model in api.models:
            was = kept.get(model.name)
            if was is not None and value_digest(was) == value_digest(model):
                assert known.get(id(model)) == value_digest(model)
                alike += 1
            else:  # the edited one, and those that took its description (allOf)
                assert id(model) not in known
        assert 2 <= alike < len(api.models)
        checked += 1
    assert checked >= 3


def test_a_rebuilt_path_item_may_change_only_its_own_models(tmp_path: Path) -> None:
    """A new property of an inline body changes that path item's model: the units after
    it are still taken."""
    config = Config(output=tmp_path / "out")
    cache = Cache(tmp_path / "cache")
    rebuilt = 0
    for _, data in _documents():
        _keep(cache, config, data)
        for index, op in enumerate(_operations(data)):
            content = (op.get("requestBody") or {}).get("content") or {}
            properties = content.get("application/json", {}).get("schema", {}).get("properties")
            if not (isinstance(properties, dict) and properties):  # (else it becomes a model now)
                continue
            edited = copy.deepcopy(data)
            schema = _operations(edited)[index]["requestBody"]["content"]["application/json"]["schema"]
            schema["properties"]["edited_property"] = {"type": "string", "description": "new"}
            replay = _same_build(edited, config, cache)
            assert replay is not None and replay.taken == len(data["paths"])
            rebuilt += 1
    assert rebuilt >= 3


def test_the_payload_builds_only_ir_classes(tmp_path: Path) -> None:
    config = Config(output=tmp_path / "out")
    cache = Cache(tmp_path / "cache")
    data = load(BEAM_SPEC, Diagnostics()).data
    _keep(cache, config, data)
    assert Slot(cache, config).api() == _build(data, config, None)[0]
    path = cache._path(model_memo.KIND, model_memo.slot(config))
    head = path.read_bytes().partition(b"\n")[0]
    for foreign in (pickle.dumps(Path("x")), pickle.dumps({"format": 1, "api": print}), b"\x80\x05not a pickle"):
        path.write_bytes(head + b"\n" + foreign)
        slot = Slot(cache, config)
        assert slot.header and slot.entry() is None and slot.api() is None
        assert slot.replay(spec_parts(data), False) is None
    with pytest.raises(pickle.UnpicklingError):
        model_memo.load_ir(pickle.dumps(Path("x")))


def test_spec_parts_tell_apart_what_differs_and_only_that() -> None:
    beam = load(BEAM_SPEC, Diagnostics()).data
    parts = spec_parts(beam)
    assert parts is not None
    assert spec_parts(copy.deepcopy(beam)) == parts  # not shared alike: the same parts
    shared = {"x": [1]}
    assert spec_parts({"a": shared, "b": shared}) == spec_parts({"a": {"x": [1]}, "b": {"x": [1]}})
    edited = copy.deepcopy(beam)
    _summary(edited)
    changed = spec_parts(edited)
    assert changed is not None and changed.rest == parts.rest and changed.whole != parts.whole
    assert sum(a != b for a, b in zip(changed.items, parts.items)) == 1
    wholes = {
        spec_parts({"openapi": "3.1.0", "paths": {"/a": {"x": v}}})
        for v in (1, 1.0, True, "1", [1], (1,), {"1": 1}, -0.0, 0.0, None)
    }
    assert len({p.whole for p in wholes if p is not None}) == 10
    assert spec_parts({"paths": {}}) != spec_parts({"paths": []}) != spec_parts({})
    assert spec_parts({"x": Path("no marshal")}) is None


@pytest.mark.parametrize(
    "ref, into",
    [
        ("#/paths/~1a", True),
        ("#paths/~1a", True),
        ("#", True),
        ("#/paths", True),
        ("#//paths/~1a", True),
        ("#///paths", True),
        ("#/", False),  # the key "" at the top
        ("#//", False),
        ("#/pathsAside", False),
        ("#/p%61ths", False),  # (not decoded where references are resolved)
        ("#/components/schemas/paths", False),
    ],
)
def test_refs_that_reach_into_paths(ref: str, into: bool) -> None:
    assert reaches_paths(ref) is into


def test_the_revision_takes_the_recorded_ir_from_the_memo(tmp_path: Path) -> None:
    from generator.revisions import Record, record_file

    data = json.loads(json.dumps(load(BEAM_SPEC, Diagnostics()).data))
    config = Config(output=tmp_path / "out")
    cache = Cache(tmp_path / "cache")
    api, _, builder, _ = _build(data, config, None)
    record = record_file(Record("1.0.0", (), data))
    config.output.mkdir()
    (config.output / record.path).write_text(record.content)
    parts = spec_parts(data)
    assert parts is not None
    for plain, content, served in (
        (True, record.content, True),
        (False, record.content, False),  # the record's spec is not the data built
        (True, record.content + " ", False),  # another record
    ):
        model_memo.keep(cache, config, builder, api, parts, content, plain)
        previous = Previous(config, beside=True, memo=Slot(cache, config))
        try:
            assert (previous.memo is not None) is served
            assert (previous.child is None) is served
            assert previous.api() == model_quietly(data, config)
        finally:
            previous.close()


def test_alike_values_are_those_a_template_cannot_tell_apart() -> None:
    """model_memo._same, which lets a resource keep its digest: the same objects, or
    strings, ints and floats alike as pickle writes them, in tuples and IR objects."""
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    resource = api.resources[0]
    copied = copy.deepcopy(resource)
    assert model_memo._same(resource, copied) and model_memo._same((1, "a", 2.5), (1, "a", 2.5))
    for a, b in [(1, True), (0.0, -0.0), (1, 1.0), ("a", "b"), ((1,), (1, 2)), ([1], [1]), ((1,), [1])]:
        assert not model_memo._same(a, b), (a, b)
    other = dataclasses.replace(resource, operations=(dataclasses.replace(resource.operations[0], summary="other"), *resource.operations[1:]))
    assert not model_memo._same(other, resource)
