"""An edit of prose only (generator/prose_edit.py): the validator's findings for the
document before it are taken, unless one of them prints a string the edit replaced.

- `prose_changes` tells such an edit from any other: a changed value, key, type or
  order, a change inside data (`default`, `example`, `enum`, extensions) or under a
  data key, and no change at all are not prose edits;
- `prints_any` finds a string printed as written, as repr or JSON escape it, or cut
  short; an empty string is printed by every message;
- through the command line, after prose edits of a path item and of a schema, a run
  with the cache reports and writes what a run without it does; the findings kept for
  the document before the edit are what is reported (a stand-in put in their place
  shows), except where a finding prints the replaced text: then it is checked again.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.cache import Cache
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.prose_edit import prints_any, prose_changes, reaches_prose
from generator.spec_parts import spec_parts
from generator.validate import _whole_key
from tests.helpers import run_cli, tree_bytes

BEFORE = {
    "summary": "List the items",
    "parameters": [{"name": "limit", "in": "query", "description": "How many.", "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "The items."}},
}


def _with(**changes: Any) -> dict[str, Any]:
    """BEFORE with values replaced at places whose steps `__` joins."""
    import copy

    data = copy.deepcopy(BEFORE)
    for place, value in changes.items():
        *steps, last = place.split("__")
        node: Any = data
        for step in steps:
            node = node[int(step)] if isinstance(node, list) else node[step]
        node[last] = value
    return data


def _changes(place: list[Any], old: Any, new: Any) -> tuple[str, ...] | None:
    """prose_changes of an entry at `place` in a document of mappings."""
    document: dict[str, Any] = {}
    node = document
    for key in place[:-1]:
        node = node.setdefault(key, {})
    return prose_changes(document, place, old, new)


def test_prose_changes_names_the_replaced_texts() -> None:
    new = _with(summary="List them all", parameters__0__description="How many to list.")
    assert sorted(_changes(["paths", "/items", "get"], BEFORE, new) or ()) == ["How many.", "List the items"]
    assert _changes(["paths", "/items", "get"], BEFORE, _with(responses__200__description="All.")) == ("The items.",)
    # an entry that is itself a prose field
    assert _changes(["info", "description"], "Old text.", "New text.") == ("Old text.",)


@pytest.mark.parametrize(
    "new",
    [
        _with(),  # nothing changed
        _with(parameters__0__name="count"),  # a value other than prose
        _with(parameters__0__schema={"type": "number"}),
        _with(summary=3),  # prose no longer a string
        _with(parameters__0__schema={"type": "integer", "default": 1}),  # a key added
        {key: BEFORE[key] for key in reversed(list(BEFORE))},  # keys in another order
        _with(responses={200: {"description": "The items."}}),  # a key of another type
        _with(parameters__0__schema={"type": "integer", "description": "Integer."}),
        _with(parameters__0__schema={"type": "integer", "minimum": 0.0}),
    ],
)
def test_anything_but_a_prose_change_is_not_one(new: Any) -> None:
    assert _changes(["paths", "/items", "get"], BEFORE, new) is None


def test_the_inside_of_data_is_not_prose() -> None:
    schema = {"type": "object", "default": {"description": "one"}, "example": {"summary": "a"}, "x-doc": {"description": "d"}}
    for key, inner in (("default", "description"), ("example", "summary"), ("x-doc", "description")):
        changed = {**schema, key: {inner: "changed"}}
        assert _changes(["components", "schemas", "Item"], schema, changed) is None
    # a data key on the way to the entry: nothing below is prose
    assert _changes(["components", "examples", "One", "value"], {"summary": "a"}, {"summary": "b"}) is None
    assert _changes(["components", "schemas", "Item"], {"enum": ["a"]}, {"enum": ["b"]}) is None
    # -0.0 and 0.0 are equal, yet print apart
    assert _changes(["components", "schemas", "Item"], {"minimum": 0.0, "description": "a"}, {"minimum": -0.0, "description": "b"}) is None


def test_a_list_that_a_prose_edit_leaves_with_two_equal_items_is_not_a_prose_edit() -> None:
    """uniqueItems compares whole items (the 3.0 schema asks it of `parameters`)."""
    one = {"name": "a", "in": "query", "description": "Same text"}
    other = {**one, "description": "Other text"}
    before, after = {"parameters": [one, other]}, {"parameters": [one, dict(one)]}
    assert _changes(["paths", "/a", "get"], before, after) is None
    assert _changes(["paths", "/a", "get"], before, {"parameters": [one, {**one, "description": "New"}]}) == ("Other text",)
    # the list holds the edited entry: the parameter's own description, an entry of its own
    document = {"paths": {"/a": {"get": after}}}
    place = ["paths", "/a", "get", "parameters", 1, "description"]
    assert prose_changes(document, place, "Other text", "Same text") is None
    document["paths"]["/a"]["get"]["parameters"][1]["description"] = "New"
    assert prose_changes(document, place, "Other text", "New") == ("Other text",)


def test_a_reference_that_names_a_prose_field_is_found_through_its_escapes() -> None:
    assert reaches_prose(["#/components/schemas/X/properties/p%2Fdescription%2F0"])
    assert reaches_prose(["#/components/schemas/X/description/0", "#/info/summar%79"])
    assert not reaches_prose(["#/components/schemas/X", "#/components/schemas/description~1x", "other.yaml#/a"])


def test_prints_any_finds_the_start_of_a_string_as_written_or_escaped() -> None:
    messages = ["'ten' is not of type 'integer'", "'line\\none' is not valid", '"caf\\u00e9" is long']
    assert prints_any(messages, ["ten"])
    assert prints_any(messages, ["line\none"])  # as repr escapes it
    assert prints_any(messages, ["café"])  # as JSON escapes it
    assert prints_any(messages, ["is not of type 'integer' and more besides"[:16] + " in a longer text"])
    assert prints_any(messages, [""])
    assert not prints_any(messages, ["eleven", "The items."])
    assert not prints_any([], ["ten"])


SPEC = """\
openapi: 3.0.3
info:
  title: Prose
  version: "1.0"
  description: The API described.
paths:
  /items:
    get:
      summary: List the items
      description: Lists every item there is.
      operationId: listItems
      parameters:
        - name: limit
          in: query
          description: How many to list.
          schema:
            type: integer
            default: "ten"
      responses:
        "200":
          description: The items.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Item"
components:
  schemas:
    Item:
      type: object
      description: One item.
      properties:
        name:
          type: string
          description: The item's name.
        description: Alpha words here
"""


def _document_key(spec: Path) -> str:
    document = load(spec, Diagnostics())
    parts = spec_parts(document.data)
    assert parts is not None
    return _whole_key(parts.whole)


EDITS = [
    ("summary: List the items", "summary: List every item"),  # a path item's operation
    ("description: How many to list.", "description: At most this many."),  # its parameter
    ("description: One item.", "description: An item."),  # a schema
    ("description: The API described.", "description: An API."),  # info
    # a finding prints the replaced text: checked again
    ("description: Alpha words here", "description: Beta words"),
]


def _generating(tmp_path: Path) -> tuple[Path, Any]:
    spec = tmp_path / "spec.yml"
    spec.write_text(SPEC)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.generator]\npackage = "prose"\n')

    def gen(out: str, *extra: str) -> tuple[int, str]:
        run = run_cli("--config", config, "generate", spec, "-o", tmp_path / out, *extra)
        return run.code, run.stderr

    return spec, gen


def test_after_prose_edits_a_cached_run_is_a_cold_one(tmp_path: Path) -> None:
    spec, gen = _generating(tmp_path)
    for old, new in [("", ""), *EDITS]:
        spec.write_text(spec.read_text().replace(old, new, 1))
        warm = gen("warm", "--cache-dir", str(tmp_path / "cache"))
        shutil.rmtree(tmp_path / "cold", ignore_errors=True)
        shutil.copytree(tmp_path / "warm", tmp_path / "cold")
        assert warm == gen("cold", "--no-cache")
        assert tree_bytes(tmp_path / "warm") == tree_bytes(tmp_path / "cold")
        shown = "Beta words" if "Beta" in new else "Alpha words here"
        assert f"'{shown}' is not valid under any of the given schemas" in warm[1]


def test_a_prose_edit_takes_the_findings_from_before_it(tmp_path: Path) -> None:
    spec, gen = _generating(tmp_path)
    cache_dir = tmp_path / "cache"
    assert gen("out", "--cache-dir", str(cache_dir))[0] == 0
    cache = Cache(cache_dir)
    stand_in = ["spec-invalid", "a stand-in finding", "/info", "warning"]
    for old, new in EDITS:
        cache.put("validation", _document_key(spec), [stand_in])
        spec.write_text(spec.read_text().replace(old, new, 1))
        code, shown = gen("out", "--cache-dir", str(cache_dir))
        assert code == 0
        if "Beta" in new:
            assert "a stand-in finding" not in shown and "'Beta words' is not valid under any" in shown
        else:
            assert "a stand-in finding" in shown, f"{new}: the findings before the edit are taken"


# the start of each document below: one operation
_GET_A = """\
openapi: 3.0.3
info:
  title: t
  version: "1"
paths:
  /a:
    get:
      operationId: getA
"""
_UNIQUE_ITEMS = _GET_A + """\
      parameters:
        - name: a
          in: query
          description: Same text
          schema:
            type: string
        - name: a
          in: query
          description: Other text
          schema:
            type: string
      responses:
        "200":
          description: ok
"""
_CUT_SHORT = _GET_A + f"""\
      parameters:
        - name: {"n" * 251}
          in: query
          description: Alpha words here
      responses:
        "200":
          description: ok
"""
_REFERENCE_INTO_PROSE = _GET_A + """\
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/X/properties/p%2Fdescription%2F0'
components:
  schemas:
    X:
      type: object
      properties:
        p:
          type: string
          description: Alpha words here
        p%2Fdescription%2F0:
          type: string
"""


@pytest.mark.parametrize(
    "text, old, new",
    [
        # two parameters alike but for their descriptions, made alike: uniqueItems fails
        (_UNIQUE_ITEMS, "description: Other text", "description: Same text"),
        # a finding cut short at the validator's message limit, in the replaced text
        (_CUT_SHORT, "Alpha words here", "Beta words here"),
        # a reference stepping into a description (the validator's resolver decodes %2F)
        (_REFERENCE_INTO_PROSE, "Alpha words here", "Beta words here"),
    ],
    ids=["unique-items", "cut-short", "reference-into-prose"],
)
def test_prose_edits_whose_findings_the_document_before_does_not_tell(tmp_path: Path, text: str, old: str, new: str) -> None:
    spec, gen = _generating(tmp_path)
    spec.write_text(text)
    assert gen("warm", "--cache-dir", str(tmp_path / "cache"))[0] == 0
    spec.write_text(text.replace(old, new, 1))
    warm = gen("warm", "--cache-dir", str(tmp_path / "cache"))
    shutil.copytree(tmp_path / "warm", tmp_path / "cold")
    assert warm == gen("cold", "--no-cache")
    assert tree_bytes(tmp_path / "warm") == tree_bytes(tmp_path / "cold")
