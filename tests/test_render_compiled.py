"""The built-in templates' code, compiled in a forked child while the spec loads
(render.compile_builtin_templates), renders exactly what compiling in place renders; it
is taken only for the very source it was compiled from."""

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
