"""The built-in templates' code, compiled in a forked child while the spec loads
(render.compile_builtin_templates) or kept in the cache (template_code.py), renders
exactly what compiling in place renders; it is taken only for the very source it was
compiled from."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator import forked, render
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import build_api

from .helpers import BEAM_SPEC


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    real = jinja2.Environment.compile

    def compile(self: Any, source: Any, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        names.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return names


@pytest.mark.skipif(not forked.can_fork(), reason="compiled in a forked child only where fork exists")
def test_code_from_the_child_renders_what_compiling_here_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    code = forked.Child(render.compile_builtin_templates).result()
    assert len(code) == len(render.template_names(render.BUILTIN_TEMPLATES))
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    compiles = _compiles(monkeypatch)
    with_code = render.render(api, Diagnostics(), compiled=dict(code))
    assert compiles == []
    assert with_code == render.render(api, Diagnostics())
    assert len(compiles) == len(code)


def test_code_is_taken_only_for_the_source_it_came_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt.jinja").write_text("first {{ x }}")
    code: dict[str, bytes] = {}

    def environment() -> jinja2.Environment:
        env = render.make_environment(jinja2.FileSystemLoader(str(tmp_path)))
        env.bytecode_cache = render._Compiled(code)
        return env

    assert environment().get_template("a.txt.jinja").render(x=1) == "first 1"
    assert len(code) == 1
    compiles = _compiles(monkeypatch)
    assert environment().get_template("a.txt.jinja").render(x=2) == "first 2"
    assert compiles == []
    (tmp_path / "a.txt.jinja").write_text("second {{ x }}")
    assert environment().get_template("a.txt.jinja").render(x=3) == "second 3"
    assert compiles == ["a.txt.jinja"]


def test_code_for_some_templates_renders_the_rest_compiled_here(monkeypatch: pytest.MonkeyPatch) -> None:
    some = ["README.md.jinja", "{package}/_version.py.jinja", "no/such.jinja"]
    code = render.compile_builtin_templates(some)
    assert len(code) == 2  # (a name that is no template is left out)
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    compiles = _compiles(monkeypatch)
    assert render.render(api, Diagnostics(), compiled=dict(code)) == render.render(api, Diagnostics())
    names = set(render.template_names(render.BUILTIN_TEMPLATES))
    assert len(compiles) == 2 * len(names) - 2  # the others compiled as they were loaded


def test_a_run_remembers_the_templates_it_loaded(tmp_path: Path) -> None:
    from generator.cache import Cache
    from generator.render_memo import KIND, _loaded_slot, loaded_templates

    cache = Cache(tmp_path)
    assert loaded_templates(cache) is None
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    files = render.render(api, Diagnostics(), cache=cache)
    assert loaded_templates(cache) == sorted(render.template_names(render.BUILTIN_TEMPLATES))  # every one, the first time
    edited = dataclasses.replace(api, title="Edited")
    render.render(edited, Diagnostics(), cache=cache)
    loaded = loaded_templates(cache)
    assert loaded and len(loaded) < len(render.template_names(render.BUILTIN_TEMPLATES))  # those rendered again
    assert render.render(edited, Diagnostics(), cache=cache) is not None
    assert loaded_templates(cache) == loaded  # none loaded: the list stays
    for damaged in (["a", 1], "x", None):
        cache.put_plain(KIND, _loaded_slot(), damaged)
        assert loaded_templates(cache) is None



def _generate(spec: Path, out: Path, *args: str | Path) -> None:
    from .helpers import run_cli

    config = out.parent / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    run = run_cli("--config", config, "generate", spec, "-o", out, "--package", "beam", *args)
    assert run.code == 0, run.stderr


def _watch_children(monkeypatch: pytest.MonkeyPatch, children: list[Any]) -> None:
    real_child = forked.Child

    def child(work: Any, **kwargs: Any) -> Any:
        children.append(work)
        return real_child(work, **kwargs)

    monkeypatch.setattr(forked, "Child", child)


def _compiles_templates(work: Any) -> bool:
    return "_compile_templates" in getattr(getattr(work, "__code__", None), "co_names", ())


@pytest.mark.skipif(not forked.can_fork(), reason="compiled in a forked child only where fork exists")
def test_a_run_keeps_the_template_code_and_the_next_takes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code is kept in the cache; a later run forks no compiling child, compiles
    nothing, and writes what a run without any cache writes."""
    from generator import pipeline, template_code
    from generator.cache import Cache

    from .helpers import tree_bytes

    cache = Cache(tmp_path / "cache")
    assert template_code.kept(cache) is None
    _generate(BEAM_SPEC, tmp_path / "first", "--cache-dir", tmp_path / "cache")
    kept = template_code.kept(cache)
    assert kept is not None and len(kept) == len(render.template_names(render.BUILTIN_TEMPLATES))
    children: list[Any] = []
    monkeypatch.setattr(template_code, "KIND", "elsewhere")
    _watch_children(monkeypatch, children)
    _generate(BEAM_SPEC, tmp_path / "missed", "--cache-dir", tmp_path / "cache")
    assert any(_compiles_templates(w) for w in children)  # (what is watched for below)
    monkeypatch.undo()
    children.clear()
    _watch_children(monkeypatch, children)
    compiles = _compiles(monkeypatch)
    _generate(BEAM_SPEC, tmp_path / "second", "--cache-dir", tmp_path / "cache")
    assert compiles == []
    assert children and not any(_compiles_templates(w) for w in children)
    assert tree_bytes(tmp_path / "second") == tree_bytes(tmp_path / "first")
    monkeypatch.undo()
    _generate(BEAM_SPEC, tmp_path / "plain", "--no-cache")
    assert tree_bytes(tmp_path / "plain") == tree_bytes(tmp_path / "first")
    assert pipeline._TemplateCode(None, None).take() == {}


def test_kept_template_code_is_taken_only_for_its_source_and_mended(tmp_path: Path) -> None:
    """Kept code for other sources (each template's entry holds another's code, as if
    every template were edited since) renders as compiled here, and the fresh code
    replaces it; a damaged entry is no entry."""
    from jinja2.bccache import bc_magic

    from generator import template_code
    from generator.cache import Cache, bytes_digest

    cache = Cache(tmp_path)
    api = build_api(load(BEAM_SPEC, Diagnostics()).data, Config(), Diagnostics())
    expected = render.render(api, Diagnostics())
    fresh = render.compile_builtin_templates()
    keys = sorted(fresh)
    stale = {key: fresh[keys[i - 1]] for i, key in enumerate(keys)}
    template_code.keep(cache, stale)
    cache.write_later()
    code = template_code.kept(cache)
    assert code == stale
    assert render.render(api, Diagnostics(), compiled=code) == expected
    assert code == fresh
    template_code.keep(cache, code)
    cache.write_later()
    assert template_code.kept(cache) == fresh
    for damaged in ({}, {"a": "text"}, {1: b""}, {"a": b"code"}, ["x"], "x"):
        cache.put_plain(template_code.KIND, template_code._key(), damaged)
        assert template_code.kept(cache) is None
    # code changed in the cache after it was kept: not taken
    some = next(iter(fresh))
    flipped = {key: [bytes_digest(data), data] for key, data in fresh.items()}
    flipped[some][1] = flipped[some][1][:-1] + bytes([flipped[some][1][-1] ^ 1])
    cache.put_plain(template_code.KIND, template_code._key(), flipped)
    assert template_code.kept(cache) is None
    # code that Jinja cannot read (a damaged checksum): compiled again, as without it
    unreadable = {key: data[: len(bc_magic)] + b"\xff" + data[len(bc_magic) + 1 :] for key, data in fresh.items()}
    assert render.render(api, Diagnostics(), compiled=unreadable) == expected
    assert unreadable == fresh
