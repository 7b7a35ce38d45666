"""The memos of openapi-spec-validator's checks (generator/validation_memo.py) must give
the very findings of checking the whole document, in the same order.

The document-schema check, remembered per part:
- on the Beam spec and on corpus documents (3.0 and 3.1), unchanged and after edits
  that add or remove findings in some parts, with the memo filled by the other revision;
- where a remembered part's stand-in would be wrapped by a combinator above it (the
  check runs again without the memo), and where a part's errors do not reach the top
  (they are not remembered);
- it is used only with a cache, and a damaged memo reads as empty.

The validator's own checks, replayed per path item from a trace of what each walk asked
of the state the checks share: after edits that change those answers for other path items
(an operation id made a duplicate, a schema first visited elsewhere, path items dropped
or moved first, a bad default), the findings equal the whole check's; an unchanged
document replays every walk.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import Draft202012Validator

from generator import validate, validation_memo
from generator.cache import Cache, plain_dumps, plain_loads
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.validation_memo import Parts, part_places

from .helpers import BEAM_SPEC
from .test_validation_fast import CORPUS, corpus, needs_corpus

MEMO_DOCUMENTS = sorted(name for name, size in corpus("3.1").items() if 10_000 < size < 120_000)[:6]
MEMO_DOCUMENTS += sorted(name for name, size in corpus("3.0").items() if 10_000 < size < 60_000)[:6]


def _findings(data: dict[str, Any], cache: Cache, monkeypatch: pytest.MonkeyPatch, parts: Any = None) -> tuple[list[Any], Parts]:
    made: list[Parts] = []

    class Watched(Parts):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(validate, "Parts", Watched)
    found = validate.schema_findings(data, cache=cache, parts=parts)
    assert len(made) == 1
    return found, made[0]


METHODS = ("get", "put", "post", "delete", "patch")


def _operations(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        op
        for item in data["paths"].values()
        if isinstance(item, dict)
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]


def _walk_edits(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Edits that change what other path items' walks are told, each on a copy."""
    out = []
    schemas = list((data.get("components") or {}).get("schemas") or {})
    paths = list(data["paths"])
    edited = copy.deepcopy(data)
    ops = _operations(edited)
    ops[-1]["operationId"] = ops[0].get("operationId", "same")
    ops[0]["operationId"] = ops[-1]["operationId"]
    out.append(("duplicate operation id", edited))
    if schemas:
        edited = copy.deepcopy(data)
        target = "#/components/schemas/" + schemas[-1].replace("~", "~0").replace("/", "~1")
        _operations(edited)[0].setdefault("responses", {})["299"] = {
            "description": "x",
            "content": {"application/json": {"schema": {"$ref": target}}},
        }
        out.append(("a schema first visited by the first path item", edited))
    edited = copy.deepcopy(data)
    parameters = _operations(edited)[-1].setdefault("parameters", [])
    parameters.append({"name": "zz", "in": "query", "schema": {"type": "integer", "default": "not a number"}})
    out.append(("a bad default", edited))
    edited = copy.deepcopy(data)
    del edited["paths"][paths[0]]
    out.append(("first path item dropped", edited))
    edited = copy.deepcopy(data)
    items = list(edited["paths"].items())
    edited["paths"] = dict([items[-1], *items[:-1]])
    out.append(("last path item moved first", edited))
    return out


def _edited(data: dict[str, Any], every: int) -> dict[str, Any]:
    """Some path items and components given what the OpenAPI schema refuses."""
    edited = copy.deepcopy(data)
    for index, item in enumerate((edited.get("paths") or {}).values()):
        if index % every == 0 and isinstance(item, dict):
            operation = next((v for k, v in item.items() if k in ("get", "post", "put", "delete") and isinstance(v, dict)), None)
            if operation is not None:
                operation["summary"] = 5
                operation["not-a-field"] = True
            else:
                item["not-a-field"] = True
    for section in (edited.get("components") or {}).values():
        if isinstance(section, dict):
            for index, value in enumerate(section.values()):
                if index % every == 1 and isinstance(value, dict) and "$ref" not in value:
                    value["not-a-field"] = True
    return edited


def _documents() -> list[tuple[str, dict[str, Any]]]:
    out = [("beam", load(BEAM_SPEC, Diagnostics()).data)]
    for name in MEMO_DOCUMENTS:
        assert CORPUS is not None
        out.append((name, load(CORPUS / name, Diagnostics()).data))
    return out


@needs_corpus
@pytest.mark.parametrize("name, data", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_remembered_parts_give_the_whole_check(
    name: str, data: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    edited = _edited(data, 3)
    whole, whole_edited = validate.schema_findings(data), validate.schema_findings(edited)
    assert whole_edited != whole  # the edits add findings

    # a document with a reference the memos cannot follow exactly (one escaped with
    # %, say, or naming a file) is checked whole every time
    used = validation_memo._places(data) is not None and validation_memo._places(edited) is not None
    first, parts = _findings(data, cache, monkeypatch)
    assert first == whole and parts.reused == 0 and (parts.checked > 0) == used
    again, parts = _findings(data, cache, monkeypatch)
    assert again == whole and parts.checked == 0 and (parts.reused > 0) == used
    after_edit, parts = _findings(edited, cache, monkeypatch)
    assert after_edit == whole_edited and (parts.checked > 0 and parts.reused > 0) == used
    back, parts = _findings(data, cache, monkeypatch)
    assert back == whole and parts.checked == 0
    # a memo filled by the edited revision alone serves the original
    other = Cache(tmp_path / "other")
    assert _findings(edited, other, monkeypatch)[0] == whole_edited
    assert _findings(data, other, monkeypatch)[0] == whole


def test_a_part_shared_by_alias_is_not_a_part() -> None:
    item = {"get": {"responses": {}}}
    data = {"paths": {"/a": item, "/b": item, "/c": {"get": {}}}, "components": {"schemas": {"s": {}}}}
    places = part_places(data)
    assert sorted(places.values()) == [("components", "schemas", "s"), ("paths", "/c")]


def _finding(error: Any) -> tuple[str, str, str, str]:
    return ("e", error.message, "/".join(map(str, error.absolute_path)), "")


# A document schema that wraps the part's errors in an anyOf when `wrap` is true, and
# hands them up as they are otherwise; the part is checked with the same schema both times.
PART = {"required": ["a"]}
WRAPPING = {
    "if": {"properties": {"wrap": {"const": True}}},
    "then": {"properties": {"paths": {"anyOf": [{"additionalProperties": PART}, {"type": "string"}]}}},
    "else": {"properties": {"paths": {"additionalProperties": PART}}},
}


def test_a_stand_in_wrapped_above_runs_the_check_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    validator = Draft202012Validator(WRAPPING)
    plain = {"wrap": False, "paths": {"/p": {"b": 1}, "/q": {"a": 1}}}
    wrapped = {"wrap": True, "paths": {"/p": {"b": 1}, "/q": {"a": 1}}}

    def whole(document: dict[str, Any]) -> list[Any]:
        return [_finding(e) for e in validator.iter_errors(document)]

    memo = Parts(cache, "test")
    assert memo.check(validator, plain, _finding) == whole(plain) == [("e", "'a' is a required property", "paths//p", "")]
    memo.save()
    memo = Parts(cache, "test")
    assert memo.check(validator, wrapped, _finding) == whole(wrapped)
    assert memo.reused == 2  # both parts were remembered; /p's stand-in was wrapped
    assert len(whole(wrapped)) == 1 and whole(wrapped)[0][1] != "1 remembered finding(s)"


def test_errors_that_do_not_reach_the_top_are_not_remembered(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    validator = Draft202012Validator(WRAPPING)
    wrapped = {"wrap": True, "paths": {"/p": {"b": 1}}}
    memo = Parts(cache, "test")
    found = memo.check(validator, wrapped, _finding)
    # the part's error, wrapped in the anyOf, is not kept; `paths`, which holds the part
    # and is remembered as a part too, keeps the anyOf's error, which reaches the top
    assert found == [("e", "{'/p': {'b': 1}} is not valid under any of the given schemas", "paths", "")]
    assert memo.reused == 0 and list(memo.used.values()) == [found]


def _beam_edit(data: dict[str, Any], summary: str) -> dict[str, Any]:
    edited = copy.deepcopy(data)
    _operations(edited)[0]["summary"] = summary
    return edited


def test_an_edit_inside_paths_takes_the_components_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = load(BEAM_SPEC, Diagnostics()).data
    cache = Cache(tmp_path)
    _findings(data, cache, monkeypatch)
    edited = _beam_edit(data, "Edited")
    found, parts = _findings(edited, cache, monkeypatch)
    assert found == validate.schema_findings(edited)
    # the edited path item and `paths` are checked again (each under a `$ref` and the
    # schema it names); `components` is one part, its schemas are not looked up one by
    # one, and the other path items are each one part
    assert parts.checked == 4 and parts.reused == len(data["paths"]) - 1 + 1


def test_the_memo_needs_a_cache_and_survives_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = load(BEAM_SPEC, Diagnostics()).data
    whole = validate.schema_findings(data)
    assert not any(tmp_path.iterdir())
    cache = Cache(tmp_path)
    _findings(data, cache, monkeypatch)
    entries = [p for p in (tmp_path / validation_memo.KIND).rglob("*") if p.is_file()]
    assert len(entries) == 2  # the parts' findings and the walks' traces
    damages = [
        b"not a pickle",
        pickle.dumps({"x": [[1, 2]], "y": "no"}),
        pickle.dumps({"x": [("a", "b", "c", 4)], "y": "no", "z": {"events": [[1]], "findings": []}}),
        pickle.dumps({"z": {"events": [["q", "v", 7, True]], "findings": [["a", "b", "c", "d"]]}}),
        plain_dumps({"x": [("a", "b", "c", 4)], "z": {"events": [[1]], "findings": []}}),
        plain_dumps({"z": {"events": [["q", "v", 7, True]], "findings": [["a", "b", "c", "d"]]}})[:-3],  # cut short
    ]
    for damage in damages:
        for entry in entries:
            assert isinstance(plain_loads(entry.read_bytes()), dict)
            entry.write_bytes(damage)
        found, parts = _findings(data, cache, monkeypatch)
        assert found == whole and parts.reused == 0
        assert parts.walks is not None and parts.walks.reused == 0


@needs_corpus
@pytest.mark.parametrize(
    "name, data",
    [(n, d) for n, d in _documents() if len(_operations(d)) >= 2],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_replayed_walks_give_the_whole_check(
    name: str, data: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = validate.schema_findings(data)
    cache = Cache(tmp_path)
    assert _findings(data, cache, monkeypatch)[0] == whole
    again, parts = _findings(data, cache, monkeypatch)
    used = validation_memo._places(data) is not None
    assert again == whole and (parts.walks is not None and parts.walks.checked == 0 and parts.walks.reused > 0) == used
    differs = 0
    for label, edited in _walk_edits(data):
        expected = validate.schema_findings(edited)
        differs += expected != whole
        assert _findings(edited, cache, monkeypatch)[0] == expected, label
        assert _findings(data, cache, monkeypatch)[0] == whole, label
    assert differs >= 2


def test_saving_keeps_this_runs_entries_then_the_most_recent_earlier_ones(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    validation_memo._save(cache, "k", {"new": 1}, {"newer": 2, "older": 3, "oldest": 4, "new": 0}, 3)
    assert cache.get_plain(validation_memo.KIND, "k") == {"new": 1, "newer": 2, "older": 3}
    validation_memo._save(cache, "k", {}, {"x": 1}, 3)
    assert cache.get_plain(validation_memo.KIND, "k") == {"new": 1, "newer": 2, "older": 3}


def _doc(paths: dict[str, Any], version: str = "3.1.0") -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}


def _ok(**operation: Any) -> dict[str, Any]:
    return {"get": {"responses": {"200": {"description": "ok"}}, **operation}}


def _json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"responses": {"201": {"description": "x", "content": {"application/json": {"schema": schema}}}}}}


def _alias_into_callback(extra: bool, version: str) -> dict[str, Any]:
    shared = {"get": {"responses": {"200": {}}}}
    paths: dict[str, Any] = {"/a": shared, "/b": {"post": {"responses": {"200": {"description": "ok"}}, "callbacks": {"cb": {"/a": shared}}}}}
    if extra:
        paths["/c"] = _ok()
    return _doc(paths, version)


@pytest.mark.parametrize(
    "first, then",
    [
        # a path item aliased into a callback: one object, two places
        (_alias_into_callback(False, "3.1.0"), _alias_into_callback(True, "3.1.0")),
        (_alias_into_callback(False, "3.0.3"), _alias_into_callback(True, "3.0.3")),
        # a reference into another path item, its `a` escaped as %61
        (
            _doc({"x-a": _json_schema({"$ref": "#/p%61ths/~1b/get/responses/201/content/application~1json/schema"}), "/b": _json_schema({"type": "integer"})}),
            _doc({"x-a": _json_schema({"$ref": "#/p%61ths/~1b/get/responses/201/content/application~1json/schema"}), "/b": _json_schema({"type": "integer", "default": "not-an-int"})}),
        ),
        # a duplicate operation id placed from a URL another path item can change
        (
            _doc({"/a' for 'get' in '/b": _ok(operationId="dup"), "/c": _ok(operationId="dup")}),
            _doc({"/a' for 'get' in '/b": _ok(operationId="dup"), "/c": _ok(operationId="dup"), "/b": _ok()}),
        ),
        # the validator stops early: what it found before that is kept
        (_doc({"/a": {"get": {"parameters": [{"in": "query"}], "responses": {"200": {"description": "ok"}}}}}),) * 2,
    ],
    ids=["alias-3.1", "alias-3.0", "escaped-ref", "duplicate-id-url", "stops-early"],
)
def test_documents_the_memos_must_not_shortcut(first: dict[str, Any], then: dict[str, Any], tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert validate.schema_findings(first, cache=cache) == validate.schema_findings(first)
    assert validate.schema_findings(then, cache=cache) == validate.schema_findings(then)


def test_memos_read_ahead_are_the_memos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = load(BEAM_SPEC, Diagnostics()).data
    cache = Cache(tmp_path)
    _findings(data, cache, monkeypatch)
    name = "OpenAPIV30SpecValidator"
    plain = Parts(cache, name).known, validation_memo.Walks(cache, name).known
    validation_memo.prefetch(cache, [name, "NoSuchValidator"])
    reads: list[str] = []
    real = cache.get_plain
    monkeypatch.setattr(cache, "get_plain", lambda kind, key: reads.append(key) or real(kind, key))
    assert (Parts(cache, name).known, validation_memo.Walks(cache, name).known) == plain and plain[0]
    assert reads == []  # read ahead
    Parts(cache, name)
    assert reads == [Parts.key(name)]  # once only


def test_the_spec_parts_digests_key_the_memos_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the document's spec parts, the memos take the path items' digests and the
    rest's from them (not digesting them again) and key alike: what a check without
    them kept serves one with them whole, and the other way round."""
    from generator.spec_parts import spec_parts

    data = load(BEAM_SPEC, Diagnostics()).data
    edited = _edited(data, 2)
    for first_parts, then_parts in ((False, True), (True, False)):
        cache = Cache(tmp_path / str(first_parts))
        for document in (data, edited):
            whole = validate.schema_findings(document)
            found, parts = _findings(document, cache, monkeypatch, spec_parts(document) if first_parts else None)
            assert found == whole and parts.checked > 0
            again, parts = _findings(document, cache, monkeypatch, spec_parts(document) if then_parts else None)
            assert again == whole and parts.checked == 0 and parts.reused > 0
            assert parts.walks is not None and parts.walks.checked == 0 and parts.walks.reused > 0
            assert bool(parts.known_digests) == then_parts
