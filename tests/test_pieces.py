"""Large modules are parsed a piece at a time (imports.pruned_in_pieces,
stubs._fast_stub_in_pieces): the chunks and stubs are those of the whole module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator import format as fmt
from generator import imports, stubs
from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import build_api
from generator.render import load_template_set, render
from tests.helpers import ROOT
from tests.test_stub_fast import TRICKY

GENERATED = sorted((ROOT / "generated").rglob("*.py"))
SIZES = [1, 300, 4096]


def whole_prepare(text: str) -> list[tuple[int, str]]:
    """format._prepare on the whole syntax tree."""
    source, tree = imports.pruned(text)
    if len(source) < fmt.CHUNK_MIN_CHARS:
        return [(1, source)]
    return fmt.split_chunks(source, tree)


def whole_pruned(text: str) -> str:
    return imports.pruned(text)[0]


def black_pyi(text: str) -> str:
    return fmt.format_source(text, stub=True)


def whole_stub(module: str) -> list[stubs.StubChunk]:
    return stubs.fast_stub_chunks(module, black_pyi, tree=imports.parse(module))


def assert_same_prepare(text: str, sizes: list[int] = SIZES) -> None:
    """Cut into pieces at every size, pruned and chunked as the whole would be (chunks
    are compared even below CHUNK_MIN_CHARS)."""
    expected = whole_pruned(text)
    tree = imports.parse(expected)
    expected_chunks = fmt.split_chunks(expected, tree)
    for size in sizes:
        found = imports.pruned_in_pieces(text, fmt._outline, size)
        assert found is not None, size
        source, outlines, lost = found
        assert source == expected
        body = [t._replace(start=t.start - lost, end=t.end - lost) for tops in outlines for t in tops]
        assert fmt._split(source.splitlines(keepends=True), body) == expected_chunks
        assert fmt._prepare_in_pieces(text, size) == whole_prepare(text)


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """The Beam client as rendered, before pruning and black."""
    config = load_config(ROOT / "pyproject.toml")
    diagnostics = Diagnostics()
    api = build_api(load(config.spec, diagnostics).data, config, diagnostics)
    files = render(api, diagnostics, templates=load_template_set(config.templates, diagnostics))
    return {f.path: f.content for f in files if f.is_python}


def test_rendered_modules(rendered: dict[str, str]) -> None:
    assert any(whole_pruned(text) != text for text in rendered.values())  # pruning happens
    for text in rendered.values():
        assert_same_prepare(text)


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_generated_modules(path: Path) -> None:
    module = path.read_text()
    assert_same_prepare(module)
    expected = whole_stub(module)
    for size in SIZES:
        assert stubs._fast_stub_in_pieces(module, black_pyi, size) in (expected, None)
    if module.count("\n\nclass ") > 2:
        assert stubs._fast_stub_in_pieces(module, black_pyi, 300) == expected


MODULE = '''"""Doc."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from decimal import Decimal
    import json

__all__ = ["A", "B"]

TEXT = """
class NotAClass:
    x = 1

def not_a_function():

@not_a_decorator
"""


class A:
    x: int = 1
    y: Decimal | None = None


# a comment between classes


@decorator(
    1,
)
@other
class B(A):
    """B."""

    def f(self) -> Any:
        return os.getcwd()


matrix = (
    a

@b
)


def g() -> None:
    pass


async def h() -> None:
    pass
class C:
    pass

class D:
    """Only a docstring."""


class E:
    z = """

class Inside:
    pass
"""
'''


# the same without strings and brackets that hold what looks like a cut
PLAIN = MODULE[: MODULE.index('TEXT = """')] + MODULE[MODULE.index("class A:") :]
PLAIN = PLAIN.replace("matrix = (\n    a\n\n@b\n)", "matrix = a @ b")
PLAIN = PLAIN.replace('"""\n\nclass Inside:\n    pass\n"""', "1")


@pytest.mark.parametrize("size", [1, 50, 200, 400, 10_000])
def test_tricky_text(size: int) -> None:
    """Decorators over several lines, comments between classes, a class with no blank
    line before it, pruned imports in the header and in an `if TYPE_CHECKING` block."""
    assert whole_pruned(PLAIN) != PLAIN
    assert_same_prepare(PLAIN, [size])
    assert imports.pruned_in_pieces(PLAIN * 3, fmt._outline, size) is None  # unused imports after classes


@pytest.mark.parametrize("size", [1, 50, 200, 400, 10_000])
def test_what_looks_like_a_cut_inside_a_string_or_brackets(size: int) -> None:
    """A piece cut there does not parse: the whole module is parsed instead."""
    found = imports.pruned_in_pieces(MODULE, fmt._outline, size)
    assert found is None or found[0] == whole_pruned(MODULE)
    lines = MODULE.splitlines(keepends=True)
    cut = {lines[begin] for begin, _ in imports.pieces(lines, 1)}
    assert {"def not_a_function():\n", "@not_a_decorator\n", "@b\n", "class Inside:\n"} <= cut
    for start in ("def not_a_function", "@b\n", "class Inside"):
        text = MODULE[: MODULE.index(start)]
        assert imports.pruned_in_pieces(text + MODULE[MODULE.index(start) :], fmt._outline, 1) is None
    assert fmt._prepare(MODULE * 150) == whole_prepare(MODULE * 150)


def test_pieces_cover_the_lines() -> None:
    lines = MODULE.splitlines(keepends=True)
    for size in (1, 100, 10_000):
        ranges = imports.pieces(lines, size)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(lines)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        assert all(imports.can_start_piece(lines, begin) for begin, _ in ranges[1:])


def test_odd_line_breaks_parse_whole() -> None:
    text = "import os\n\nclass A:\n    '''a\x0cb'''\n\n\nclass B:\n    pass\n"
    assert imports.pruned_in_pieces(text, fmt._outline, 1) is None
    assert stubs._fast_stub_in_pieces(text, None, 1) is None


def test_imports_after_the_first_statement_parse_whole() -> None:
    text = "import os\n\n\nclass A:\n    x: int\n\n\nimport sys\n\n\nclass B:\n    y: int\n"
    assert imports.pruned_in_pieces(text, fmt._outline, 1) is None
    # no cut before B: one chunk, pruned whole
    assert stubs._fast_stub_in_pieces(text, None, 1) == stubs.fast_stub_chunks(text, tree=ast.parse(text))
    later = text.replace("import sys", "class A2:\n    x: int\n\n\nimport sys")
    assert stubs._fast_stub_in_pieces(later, None, 1) is None
    kept = text.replace("    y: int", "    y = sys.argv").replace("    x: int", "    x = os.sep")
    assert imports.pruned_in_pieces(kept, fmt._outline, 1) is not None  # nothing to prune there


def test_errors_are_left_to_the_whole_module() -> None:
    bad = "import os\n\n\nclass A:\n    x: int\n\n\nclass B:\n    y = f(\n"
    assert imports.pruned_in_pieces(bad, fmt._outline, 1) is None
    with pytest.raises(SyntaxError) as error:
        fmt._prepare(bad * 1000)
    with pytest.raises(SyntaxError) as expected:
        ast.parse(bad * 1000)
    assert (error.value.lineno, error.value.msg) == (expected.value.lineno, expected.value.msg)
    assert stubs._fast_stub_in_pieces(bad, None, 1) is None
    unstubbable = "class A:\n    x: int\n\n\nclass B:\n    y: int\n\n\nz = f()\n"
    assert stubs._fast_stub_in_pieces(unstubbable, None, 1) is None
    with pytest.raises(stubs.StubError, match="line 9"):
        stubs.fast_stub_chunks(unstubbable * 1 + "\n" * 200_000)


@pytest.mark.parametrize("size", [1, 100, 1000, 100_000])
def test_tricky_stub(size: int) -> None:
    module = fmt.format_source(TRICKY)
    expected = whole_stub(module)
    assert stubs._fast_stub_in_pieces(module, black_pyi, size) == expected
    assert stubs._fast_stub_in_pieces(module, None, size) == stubs.fast_stub_chunks(module, None, tree=imports.parse(module))


def test_stub_of_classes_pruned() -> None:
    """Imports the stub no longer needs are pruned with every piece's names known; the
    first lines of later chunks count the lines pruning took out."""
    module = fmt.format_source(
        "import os\nimport sys\nfrom typing import Any, Literal\n\n\n"
        + "".join(f"class C{i}:\n    x: Literal[{i}]\n\n    def f(self) -> Any:\n        return os.sep\n\n\n" for i in range(30))
    )
    expected = whole_stub(module)
    assert "import os" not in expected[0].text and len(expected) > 2
    for size in (1, 100, 300):
        assert stubs._fast_stub_in_pieces(module, black_pyi, size) == expected


def test_large_modules_are_never_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # black's style, written directly (black takes seconds over this much)
    classes = (f"class C{i}:\n    x: int = {i}\n\n    def f(self) -> Any:\n        return {i}\n" for i in range(3000))
    module = "from typing import Any\n\n\n" + "\n\n".join(classes)
    assert len(module) > 2 * imports.PIECE_CHARS
    sizes: list[int] = []
    parse = imports.parse

    def recording(source: str) -> ast.Module:
        sizes.append(len(source))
        return parse(source)

    monkeypatch.setattr(imports, "parse", recording)
    monkeypatch.setattr(stubs, "parse", recording)
    monkeypatch.setattr(fmt, "parse", recording)
    chunks = fmt._prepare(module)
    stub = stubs.fast_stub_chunks(module, black_pyi)
    assert sizes and max(sizes) < 3 * imports.PIECE_CHARS
    monkeypatch.undo()
    assert chunks == whole_prepare(module)
    assert stub == whole_stub(module)


def _positions(body: list[ast.stmt]) -> list[tuple[int, int | None, list[int]]]:
    return [(s.lineno, s.end_lineno, [d.lineno for d in getattr(s, "decorator_list", ())]) for s in body]


@pytest.mark.parametrize("path", GENERATED[:12], ids=lambda p: p.name)
def test_stub_statements_are_placed_as_parsing_places_them(path: Path) -> None:
    _assert_placed(path.read_text())


def test_stub_statements_of_tricky_text() -> None:
    _assert_placed(fmt.format_source(TRICKY))
    _assert_placed("@a\n@b.c(1)\nclass A:\n    x: int = 1\n\n\nasync def f() -> None:\n    pass\n\n\nX = 1\nT = TypeVar('T')\n")


def _assert_placed(module: str) -> None:
    """The stub's text is derive_stub's; its statements sit where parsing that text puts
    them; the module's tree is left as it was."""
    tree = imports.parse(module)
    before = ast.dump(tree, include_attributes=True)
    text, body = stubs._stub_statements(tree.body)
    assert text == stubs.derive_stub(module)
    assert _positions(body) == _positions(imports.parse(text).body)
    assert ast.dump(ast.Module(body, []))  # a whole tree
    assert imports._used_names(ast.Module(body, [])) == imports._used_names(imports.parse(text))
    assert ast.dump(tree, include_attributes=True) == before
