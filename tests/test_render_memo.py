"""Text of the built-in templates taken from the cache (generator/render_memo.py) is the
text rendering would give:
- after edits of every kind to the Beam spec and a corpus document (an operation's
  summary, a model field, the title, the servers, a security scheme, a new resource),
  the files taken from the cache and those rendered again equal a render without cache,
  and the files the edit cannot reach are taken from the cache;
- the built-in templates use `api` only through its attributes (what the memo records);
- with a template overlay nothing is taken from the cache; a damaged entry is rendered.
"""

from __future__ import annotations

import copy
import pickle
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from generator import render, render_memo
from generator.cache import Cache
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import build_api

from .helpers import BEAM_SPEC
from .test_validation_fast import CORPUS

TEMPLATES = render.BUILTIN_TEMPLATES


def _render(data: dict[str, Any], cache: Cache, monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[dict[str, str], int]:
    made: list[render_memo.RenderMemo] = []

    class Watched(render_memo.RenderMemo):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(render, "RenderMemo", Watched)
    api = build_api(data, Config(), Diagnostics())
    files = render.render(api, Diagnostics(), cache=cache, **options)
    return {f.path: f.content for f in files}, made[0].reused if made else -1


def _edits(data: dict[str, Any]) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    first_path = next(iter(data["paths"]))
    first_op = next(k for k, v in data["paths"][first_path].items() if isinstance(v, dict) and "responses" in v)
    schemas = data.get("components", {}).get("schemas", {})
    a_model = next((n for n, s in schemas.items() if isinstance(s, dict) and s.get("properties")), None)

    def summary(d: dict[str, Any]) -> None:
        d["paths"][first_path][first_op]["summary"] = "Edited summary"

    def field(d: dict[str, Any]) -> None:
        if a_model is not None:
            d["components"]["schemas"][a_model]["properties"]["added_field"] = {"type": "integer"}

    def title(d: dict[str, Any]) -> None:
        d["info"]["title"] = "Another Title"

    def servers(d: dict[str, Any]) -> None:
        d["servers"] = [{"url": "https://elsewhere.example"}]

    def scheme(d: dict[str, Any]) -> None:
        d.setdefault("components", {}).setdefault("securitySchemes", {})["extra_key"] = {
            "type": "apiKey", "in": "header", "name": "X-Extra"
        }

    def resource(d: dict[str, Any]) -> None:
        d["paths"]["/brand-new"] = {"get": {"tags": ["brandnew"], "responses": {"204": {"description": "none"}}}}

    return [("summary", summary), ("field", field), ("title", title), ("servers", servers), ("scheme", scheme), ("resource", resource)]


def _documents() -> list[tuple[str, Path]]:
    out = [("beam", BEAM_SPEC)]
    if CORPUS is not None and (CORPUS / "adyen__checkout__v72.json").exists():
        out.append(("adyen", CORPUS / "adyen__checkout__v72.json"))
    return out


@pytest.mark.parametrize("name, path", _documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_remembered_text_is_what_rendering_gives(name: str, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = load(path, Diagnostics()).data
    cache = Cache(tmp_path)
    files, reused = _render(original, cache, monkeypatch)
    assert reused == 0
    again, reused = _render(original, cache, monkeypatch)
    assert again == files and reused == len(files)
    for label, edit in _edits(original):
        edited = copy.deepcopy(original)
        edit(edited)
        fresh, _ = _render(edited, Cache(None), monkeypatch)
        assert fresh != files, label
        seen: list[str] = []
        remembered, reused = _render(edited, cache, monkeypatch, on_file=lambda f: seen.append(f.path))
        assert remembered == fresh, label
        assert sorted(seen) == sorted(fresh), "the formatter is shown every file, remembered or not"
        if label == "summary":
            # the models and every other resource read nothing the edit changed
            changed = [p for p in fresh if fresh[p] != files[p]]
            assert reused >= len(fresh) - len(changed) - 4, (label, changed)
        back, reused = _render(original, cache, monkeypatch)
        assert back == files, label


def test_built_in_templates_use_api_only_through_its_attributes() -> None:
    """The memo records the attributes a template takes of `api`; any other use (passed
    to a helper, printed, compared) would read it whole, unrecorded."""
    for template in TEMPLATES.rglob("*.jinja"):
        text = template.read_text()
        for statement in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text, flags=re.S):
            assert not re.search(r"\bapi\b(?!\.)", statement), (template.name, statement)


def test_no_memo_with_an_overlay_and_a_damaged_entry_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = load(BEAM_SPEC, Diagnostics()).data
    cache = Cache(tmp_path / "cache")
    files, _ = _render(data, cache, monkeypatch)
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "extra.txt.jinja").write_text("{{ api.title }}\n")
    with_overlay, reused = _render(data, cache, monkeypatch, templates=render.TemplateSet((overlay,), (*render.TemplateSet().names, "extra.txt.jinja")))
    assert reused == -1 and with_overlay["extra.txt"] == "Beam API\n"
    for entry in (tmp_path / "cache" / render_memo.KIND).rglob("*"):
        if entry.is_file():
            entry.write_text('{"names": 5, "text": "broken"}')
    damaged, reused = _render(data, cache, monkeypatch)
    assert damaged == files and reused == 0


def test_value_text_is_the_same_for_equal_values_in_any_run() -> None:
    assert render_memo.value_text(frozenset({"b", "a", "c"})) == render_memo.value_text(frozenset({"c", "a", "b"}))
    assert render_memo.value_text({"x": {1, 2}}) == "dict{'x': set{1, 2}}"
    assert render_memo.value_text({}) != render_memo.value_text(set())

    def helper(x: int = 3) -> int:
        return x

    assert "0x" not in render_memo.value_text(helper) and "helper" in render_memo.value_text(helper)
    assert render_memo.value_text((1, "a")) != render_memo.value_text((1, "b"))


def test_value_bytes_tell_apart_what_a_template_could() -> None:
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    again = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    assert api is not again and render_memo.value_bytes(api) == render_memo.value_bytes(again)
    assert render_memo.value_bytes(api).startswith(b"p")  # pickled, not printed
    op = api.operations[0]
    before = render_memo.value_bytes(op)
    assert op.arguments  # a cached property, now in the instance's __dict__
    assert render_memo.value_bytes(op) == before
    import dataclasses

    for changed in (
        dataclasses.replace(op, summary=op.summary + "."),
        dataclasses.replace(op, deprecated=not op.deprecated),
        dataclasses.replace(op, timeout=int(op.timeout) if op.timeout != int(op.timeout) else op.timeout + 0.5),
    ):
        assert render_memo.value_bytes(changed) != before
    assert len({render_memo.value_bytes(v) for v in (1, 1.0, True, "1", (1,), [1])}) == 6
    # sets (their order follows string hashes) and functions are printed
    assert render_memo.value_bytes(frozenset({"b", "a"})) == render_memo.value_bytes(frozenset({"a", "b"}))
    assert render_memo.value_bytes(frozenset({"b", "a"})).startswith(b"t")

    def helper(x: int = 3) -> int:
        return x

    assert render_memo.value_bytes(helper).startswith(b"t")


def test_value_bytes_do_not_show_how_equal_values_share_objects() -> None:
    one = "".join(["na", "me"])
    other = "".join(["nam", "e"])
    assert one == other and one is not other
    assert render_memo.value_bytes((one, one, [one])) == render_memo.value_bytes((one, other, [other]))
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    copied = pickle.loads(pickle.dumps(api))  # as the model memo reads the IR back
    for name in ("models", "enums", "operations"):
        assert render_memo.value_digest(getattr(copied, name)) == render_memo.value_digest(getattr(api, name))
    assert render_memo.value_bytes((one, "other")) != render_memo.value_bytes(("other", one))


def test_a_run_digests_each_value_as_value_digest_does() -> None:
    """RenderMemo.text_of takes each object's digest once and builds a list's from its
    elements' (a resource's digest serves the list of resources): the same bytes as
    value_digest, which the model memo's keeper uses for the digests it keeps."""
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    memo = render_memo.RenderMemo(Cache(None), render.BUILTIN_TEMPLATES)
    derived = render_memo.Derived("imports", api.resources[0], api.resources[0].imports)
    values = [api.resources, api.models, api.enums, api.operations, list(api.resources), (1, api.resources[0], "x"), (1, "x"), [], api, derived]
    for value in values:
        assert memo.text_of(value) == render_memo.value_digest(value)
    for job in render.plan(api, render.template_names(render.BUILTIN_TEMPLATES), 5.0):
        for value in job.context.values():
            if isinstance(value, render_memo.Derived):
                assert memo.text_of(value) == render_memo.value_digest(value)

    class Text(str):
        pass

    assert render_memo.value_digest([Text("a"), api.resources[0]]) != render_memo.value_digest(["a", api.resources[0]])
    assert memo.text_of(api.resources[0]) == render_memo.value_digest(api.resources[0])
    assert render_memo.value_digest((api.resources[0],)) != render_memo.value_digest([api.resources[0]])
    assert render_memo.value_digest(api.resources) != render_memo.value_digest(api.resources[::-1])
    assert render_memo.value_digest(("ab",)) != render_memo.value_digest(("a", "b"))


def test_a_derived_value_is_digested_by_its_source_and_made_only_to_render() -> None:
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    made: list[int] = []

    def derived(source: Any, name: str = "imports") -> render_memo.Derived:
        return render_memo.Derived(name, source, lambda: made.append(1))

    memo = render_memo.RenderMemo(Cache(None), render.BUILTIN_TEMPLATES)
    first, second = api.resources[0], copy.deepcopy(api.resources[0])
    assert memo.text_of(derived(first)) == memo.text_of(derived(second))
    assert memo.text_of(derived(first)) != memo.text_of(derived(first, "other"))
    assert memo.text_of(derived(first)) != memo.text_of(derived(api.resources[1]))
    assert not made
    jobs = render.plan(api, render.template_names(render.BUILTIN_TEMPLATES), 5.0)
    assert any(isinstance(v, render_memo.Derived) for job in jobs for v in job.context.values())
    files = render.render_jobs(render.make_environment(render.builtin_loader()), jobs, Diagnostics(), str)
    assert "render_imports" not in "".join(f.content for f in files) and "Derived(" not in "".join(f.content for f in files)
