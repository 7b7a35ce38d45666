"""The memos kept per part of the spec (generator/part_memo.py) must give what walking
the whole document gives.

The references memo (refs_memo.py): the same `(pointer, target)` pairs in the same
order, so that the core checks report the same findings in the same order.

- Over Beam and ten corpus documents, under the model memo's edits (one path item,
  components, path items added, dropped or moved), forth and back, and with a
  reference put into an extension and into a new path item.
- Containers shared within one part are walked as the whole walk meets them; shared
  across parts, the memo is not used.
- A damaged entry is a miss; the pipeline uses the memo only where the loader knows the
  sharing.

The spec's JSON as the revision record holds it (revisions.remembered_spec_json): the
same text, or None for data JSON cannot hold as it is, under the same edits.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest

from generator import part_memo, refs_memo
from generator.cache import Cache
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.load_memo import shared_places
from generator.pipeline import _refs
from generator.spec_parts import spec_parts
from generator.revisions import _plain_json, remembered_spec_json
from generator.validate import check_core, iter_refs

from .test_model_memo import EDITS, _documents, _middle


def _through_memo(cache: Cache, data: dict[str, Any]) -> list[tuple[str, str]]:
    found = list(refs_memo.remembered_refs(cache, "spec.yml", spec_parts(data), shared_places(data))(data))
    cache.write_later()  # as the run's keeper does
    return found


def _same(cache: Cache, data: dict[str, Any]) -> None:
    assert _through_memo(cache, data) == list(iter_refs(data))


def _new_path_item(data: dict[str, Any]) -> None:
    data["paths"]["/added-by-the-edit"] = {"get": {"responses": {"200": {"$ref": "#/components/responses/Nowhere"}}}}


def _extension_ref(data: dict[str, Any]) -> None:
    _middle(data)["x-sample"] = {"$ref": "#/nowhere"}


@pytest.mark.parametrize("name, data", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_remembered_references_are_the_whole_walk(name: str, data: dict[str, Any], tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    _same(cache, data)
    _same(cache, data)
    for label, edit in _all_edits().items():
        edited = copy.deepcopy(data)
        edit(edited)
        assert _through_memo(cache, edited) == list(iter_refs(edited)), label
        assert _through_memo(cache, data) == list(iter_refs(data)), label
        # the core checks report the same, in the same order
        whole, remembered = Diagnostics(), Diagnostics()
        found_whole: set[str] = set()
        found_remembered: set[str] = set()
        check_core(edited, whole, found_whole)
        check_core(edited, remembered, found_remembered, refs_memo.remembered_refs(cache, "spec.yml", spec_parts(edited), []))
        cache.write_later()
        assert remembered.items == whole.items and found_remembered == found_whole, label


def test_an_unchanged_document_is_read_from_the_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy.deepcopy(_documents()[0][1])
    cache = Cache(tmp_path)
    _same(cache, data)
    walked: list[tuple[Any, ...]] = []
    original = refs_memo.iter_refs

    def counting(node: Any, at: tuple[Any, ...] = ()) -> Any:
        walked.append(at)
        return original(node, at)

    monkeypatch.setattr(refs_memo, "iter_refs", counting)
    _same(cache, data)
    assert walked == []
    first = next(iter(data["paths"]))
    data["paths"][first]["x-edited"] = {"$ref": "#/components"}
    _same(cache, data)
    assert walked == [("paths", first)], "only the edited path item is walked"


def _shared_document(across: bool) -> dict[str, Any]:
    shared = {"schema": {"$ref": "#/components/schemas/S"}}
    data: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "a", "content": {"application/json": shared}}}}},
            "/b": {"get": {"responses": {"200": {"description": "b", "content": {"application/json": {"schema": {}}}}}}},
        },
        "components": {"schemas": {"S": {"type": "string"}}},
    }
    if across:
        data["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"] = shared
    else:
        data["paths"]["/a"]["post"] = {"responses": {"200": {"description": "a", "content": {"application/json": shared}}}}
    return data


@pytest.mark.parametrize("across", [False, True])
def test_containers_shared_within_a_part_only(across: bool, tmp_path: Path) -> None:
    data = _shared_document(across)
    places = shared_places(data)
    assert places
    cache = Cache(tmp_path)
    for _ in range(2):
        assert list(refs_memo.remembered_refs(cache, "spec.yml", spec_parts(data), places)(data)) == list(iter_refs(data))
        cache.write_later()
    kept = list((tmp_path / refs_memo.KIND).rglob("*"))
    assert bool([p for p in kept if p.is_file()]) is not across, "shared across path items: no memo"


def _samples(shared: bool, where: str) -> dict[str, Any]:
    """Two equal `$ref` containers in one part (a path item or the components), one
    container at both places or two copies."""
    one = {"$ref": "#/nope"}
    two = one if shared else dict(one)
    data: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}, "/b": {"get": {"summary": "b"}}},
        "components": {"schemas": {"S": {"type": "string"}}},
    }
    if where == "path item":
        data["paths"]["/a"]["get"]["x-samples"] = {"one": one, "two": two}
    else:
        data["components"]["schemas"]["T"] = {"properties": {"one": one, "two": two}}
    return data


@pytest.mark.parametrize("where", ["path item", "components"])
def test_equal_data_shared_otherwise_is_walked_again(where: str, tmp_path: Path) -> None:
    """iter_refs meets a shared container once: the same data with its sharing changed
    (an anchor and alias put in, or taken out) gives another walk."""
    cache = Cache(tmp_path)
    for shared in (False, True, False, True):
        for summary in ("b", "bc"):  # (an edit elsewhere: the part itself is not edited)
            data = _samples(shared, where)
            data["paths"]["/b"]["get"]["summary"] = summary
            assert bool(shared_places(data)) is shared
            assert _through_memo(cache, data) == list(iter_refs(data)), (shared, summary)


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    data = _documents()[0][1]
    cache = Cache(tmp_path)
    _same(cache, data)
    slot = part_memo.slot(refs_memo.KIND, "spec.yml")
    parts = spec_parts(data)
    assert parts is not None
    for damaged in (
        b"not a pickle",
        pickle.dumps({"rest": parts.rest, "outside": {"'info'": [("/x", 1)]}, "items": {}}),
        pickle.dumps({"rest": parts.rest, "outside": {}, "items": {"k": [("/x", "#/y", "extra")]}}),
        pickle.dumps({"rest": parts.rest, "outside": {"'nothing'": []}, "items": {}}),
        pickle.dumps({"rest": parts.rest, "outside": [], "items": {}}),
        pickle.dumps({"outside": {}, "items": {}}),
    ):
        cache.put_bytes(refs_memo.KIND, slot, damaged)
        _same(cache, data)


def test_the_pipeline_uses_the_memo_only_where_the_loader_knows_the_sharing(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    plain = tmp_path / "plain.yaml"
    plain.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    anchored = tmp_path / "anchored.yaml"
    anchored.write_text("openapi: 3.1.0\ninfo: &i {title: t, version: '1'}\nx-info: *i\npaths: {}\n")
    as_json = tmp_path / "spec.json"
    as_json.write_text('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}')
    for path, remembered in ((plain, True), (anchored, False), (as_json, True)):
        document = load(path, Diagnostics())
        parts = spec_parts(document.data)
        assert (_refs(cache, document, parts) is not iter_refs) is remembered, path.name
        assert _refs(cache, document, None) is iter_refs


def _json_through_memo(cache: Cache, data: Any) -> str | None:
    text = remembered_spec_json(cache, "spec.yml", spec_parts(data), data)
    cache.write_later()  # as the run's keeper does
    return text


def _all_edits() -> dict[str, Any]:
    edits = {label: edit for label, (edit, _) in EDITS.items()}
    edits.update({"new path item": _new_path_item, "reference in an extension": _extension_ref})
    return edits


@pytest.mark.parametrize("name, data", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_remembered_spec_json_is_the_whole_text(name: str, data: dict[str, Any], tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    whole = _plain_json(data)
    assert whole is not None
    assert _json_through_memo(cache, data) == whole
    assert _json_through_memo(cache, data) == whole
    for label, edit in _all_edits().items():
        edited = copy.deepcopy(data)
        edit(edited)
        assert _json_through_memo(cache, edited) == _plain_json(edited), label
        assert _json_through_memo(cache, data) == whole, label


@pytest.mark.parametrize(
    "label, edit",
    [
        ("an integer key", lambda d: d["paths"][next(iter(d["paths"]))].__setitem__(200, {})),
        ("a set", lambda d: d["info"].__setitem__("x-set", {1})),
        ("an integer too long to print", lambda d: d["info"].__setitem__("x-big", 10**5000)),
        ("an empty document", lambda d: d.clear()),
        ("no paths", lambda d: d.__setitem__("paths", {})),
        ("paths not a mapping", lambda d: d.__setitem__("paths", ["a"])),
    ],
)
def test_remembered_spec_json_of_data_json_cannot_hold(label: str, edit: Any, tmp_path: Path) -> None:
    data = copy.deepcopy(_documents()[0][1])
    cache = Cache(tmp_path)
    assert _json_through_memo(cache, data) == _plain_json(data)
    edit(data)
    assert _json_through_memo(cache, data) == _plain_json(data), label
    assert _json_through_memo(cache, data) == _plain_json(data), label


def test_only_the_edited_path_item_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import revisions

    data = copy.deepcopy(_documents()[0][1])
    cache = Cache(tmp_path)
    _json_through_memo(cache, data)
    written: list[int] = []
    original = revisions._text

    def counting(value: Any, level: int) -> str:
        written.append(level)
        return original(value, level)

    monkeypatch.setattr(revisions, "_text", counting)
    assert _json_through_memo(cache, data) == _plain_json(data)
    assert written == []
    data["paths"][next(iter(data["paths"]))]["summary"] = "edited"
    assert _json_through_memo(cache, data) == _plain_json(data)
    assert written == [3]
