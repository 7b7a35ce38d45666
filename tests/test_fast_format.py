"""Templates that emit black's style are taken as they are; the output must be exactly
what black over everything (`--full-black`) gives. Checked on the Beam client with its
overlay, on hostile documents (odd strings, names, titles) and on real documents."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import black
import pytest
from black.strings import normalize_string_quotes
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.format import MODE, fits, format_files
from generator.model.naming import _escape_invisible, literal
from generator.pipeline import generate_files
from generator.render import OutputFile, docblock
from tests.helpers import ROOT, run_cli

HOSTILE = ROOT / "tests" / "hostile"
CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
# documents with many odd strings, names, titles and long identifiers
HOSTILE_DOCS = [
    "code_in_title.yaml",
    "code_in_descriptions.yaml",
    "code_in_enum_values.yaml",
    "code_in_defaults.yaml",
    "control_chars.json",
    "lone_surrogates.json",
    "rtl_marks.yaml",
    "keywords_and_builtins.yaml",
    "no_operations.yaml",
    "security_schemes.yaml",
]
CORPUS_DOCS = [
    "fixture-readme__polymorphism__3.0.json",
    "fixture-opc__enums__3.1.yaml",
    "fixture-readme__parameters-style__3.0.json",
    "realworld__conduit__1.1.0.yml",
]


def _outputs(spec: Path | None, full: bool) -> dict[str, str]:
    config = load_config(ROOT / "pyproject.toml")
    if spec is not None:
        config = replace(config, spec=spec, package="pkg", templates=(), overlays=())
    result = generate_files(replace(config, full_black=full), Diagnostics())
    return {f.path: f.content for f in result.files}


def _assert_same(spec: Path | None) -> None:
    fast, full = _outputs(spec, False), _outputs(spec, True)
    assert fast.keys() == full.keys()
    differing = [path for path in fast if fast[path] != full[path]]
    assert not differing, f"black would change: {differing}"


def test_beam_client_with_its_overlay_is_black_output() -> None:
    _assert_same(None)


@pytest.mark.parametrize("name", HOSTILE_DOCS)
def test_hostile_documents_give_black_output(name: str) -> None:
    _assert_same(HOSTILE / name)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus sits beside the checkout")
@pytest.mark.parametrize("name", CORPUS_DOCS)
def test_real_documents_give_black_output(name: str) -> None:
    _assert_same(CORPUS / name)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab'\"\\\n\t {}\u200f\x00\u00e9\U0001f600")), max_size=16))
def test_string_literals_are_spelled_as_black_spells_them(text: str) -> None:
    assert literal(text) == normalize_string_quotes(_escape_invisible(repr(text)))


@pytest.mark.parametrize("value", [1e16, 1.5e-07, -2.5, 1e100, 0.1, 3, -1, True, None, float("nan"), float("-inf")])
def test_scalar_literals_are_unchanged_by_black(value: object) -> None:
    source = f"x = {literal(value)}\n"
    assert black.format_str(source, mode=MODE) == source


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\"'\\\u00a0*-")), min_size=1, max_size=40))
def test_docstrings_are_laid_out_as_black_lays_them_out(text: str) -> None:
    source = f"def f() -> None:\n    {docblock(text, 4)}\n"
    assert black.format_str(source, mode=MODE) == source


def test_fits_ignores_docstrings_but_not_code() -> None:
    long = "x" * 120
    assert fits(f'def f() -> None:\n    """{long}\n    {long}\n    """\n    return None\n')
    assert fits(f'"""{long}"""\n')
    assert not fits(f"y = {long!r}\n")
    assert not fits(f'"""doc"""\ny = {long!r}\n')
    # wide characters take two columns
    assert not fits("y = '" + "\u4e00" * 60 + "'\n")


def test_text_not_declared_black_style_goes_through_black() -> None:
    ugly = "x=1\ny = [\n    1, 2\n]\n"
    styled, plain = format_files(
        [OutputFile("a.py", ugly, black_style=True), OutputFile("b.py", ugly, black_style=False)],
        Diagnostics(),
        stubs=False,
    )
    assert styled.content == ugly  # trusted: taken as it is
    assert plain.content == "x = 1\ny = [1, 2]\n"


def test_an_overlay_that_does_not_declare_black_style_is_formatted(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    (overlay / "{package}").mkdir(parents=True)
    (overlay / "template-api.toml").write_text("version = 1\n")
    (overlay / "{package}" / "extra.py.jinja").write_text(
        textwrap.dedent(
            """\
            VALUES: dict[str, int] = {'a':1,
                'b':2}
            """
        )
    )
    out = tmp_path / "out"
    run = run_cli("--config", ROOT / "pyproject.toml", "generate", "--no-cache", "--templates", overlay, "-o", out)
    assert run.code == 0, run.stderr
    assert (out / "beam_api" / "extra.py").read_text() == 'VALUES: dict[str, int] = {"a": 1, "b": 2}\n'
