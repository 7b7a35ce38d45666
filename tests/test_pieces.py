"""Large modules are parsed a piece at a time (imports.pruned_in_pieces,
stubs._fast_stub_in_pieces): the chunks and stubs are those of the whole module."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

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


# --- a stub derived in two runs of statements (format._SplitModule) ---------------------


def joined_at(module: str, cut: int, size: int = imports.PIECE_CHARS) -> list[stubs.StubChunk] | None:
    parts = [stubs.stub_part(module[:cut], black_pyi, True, size), stubs.stub_part(module[cut:], black_pyi, False, size)]
    return None if None in parts else stubs.joined_stub(parts, black_pyi)  # type: ignore[arg-type]


def cuts(module: str) -> list[int]:
    """Where each line begins, but the first: those of lines at the left margin or
    after a blank line, and every fifth of the others (a cut inside a statement fails
    to parse, which the test of a cut inside a string covers)."""
    starts = [i + 1 for i, c in enumerate(module) if c == "\n"][:-1]
    return [at for k, at in enumerate(starts) if module[at] not in " \n" or module[at - 2 : at] == "\n\n" or k % 5 == 0]


@pytest.mark.parametrize("name", ["models.py", "_base.py", "tasks.py", "tricky"])
def test_two_runs_join_as_the_whole_or_not_at_all(name: str) -> None:
    """Cut before a line of a module, the two runs' stubs join into the whole stub, or
    the join refuses: where a class with a body ends and a class or def begins, it
    joins."""
    module = fmt.format_source(TRICKY) if name == "tricky" else next(p for p in GENERATED if p.name == name).read_text()
    expected = whole_stub(module)
    joined = 0
    for cut in cuts(module):
        found = joined_at(module, cut, 300)
        assert found in (expected, None), cut
        joined += found is not None
    assert joined > 2 or name == "tasks.py"
    if name == "models.py":  # classes with fields: the cut chosen joins
        assert joined_at(module, stubs.run_cut(module) or 0) == expected


def test_runs_meet_only_where_the_stubs_chunks_meet() -> None:
    """A class whose stub body is `...` keeps the next statement in its chunk; a run
    that begins with an assignment does not begin a chunk: neither joins."""
    module = fmt.format_source(
        "from typing import Any, Literal\n\n\n"
        + "".join(f"class C{i}:\n    x: Literal[{i}]\n\n    def f(self) -> Any:\n        return {i}\n\n\n" for i in range(40))
        + 'class Empty:\n    """Only a docstring."""\n\n\nclass After:\n    y: int\n\n\nX = 1\n\n\nclass Last:\n    z: int\n'
    )
    expected = whole_stub(module)
    assert joined_at(module, module.index("class After")) is None
    assert joined_at(module, module.index("X = 1")) is None
    assert joined_at(module, module.index("class Last")) is None  # after an assignment
    assert joined_at(module, module.index("class C20")) == expected
    cut = stubs.run_cut(module)
    assert cut is not None and module[cut:].startswith("class C2")
    assert joined_at(module, cut) == expected
    # imports past the first run's first chunk are pruned on the whole
    late = module.replace("class C30:", "import os\n\n\nclass C30:")
    assert stubs.stub_part(late[late.index("class C25") :], black_pyi, False) is None


def test_a_cut_inside_a_string_does_not_parse() -> None:
    module = 'class A:\n    """Text.\n\n\nclass Inside:\n    pass\n    """\n\n    x: int\n\n\nclass B:\n    y: int\n'
    assert stubs.stub_part(module[: module.index("class Inside")], black_pyi, True) is None


def test_split_module_gives_what_one_task_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """_SplitModule in a real pool: formatted in one task, its stub in two halves, the
    same module and stub chunks as _module_in_worker; also when the halves do not join
    (the stub is then derived whole) and when there is no cut."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    classes = "".join(f"class C{i}:\n    x: int = {i}\n\n    def f(self, a: int, b: str) -> Any:\n        return {i}\n\n\n" for i in range(400))
    module = "from typing import Any\nimport os\n\n\n" + classes.rstrip("\n") + "\n"
    one_class_empty = module.replace("class C200:\n    x: int = 200\n\n    def f(self, a: int, b: str) -> Any:\n        return 200\n", "class C200:\n    pass\n")
    no_cut = "from typing import Any\n\n\n" + "".join(f"X{i}: Any = {i}\n" for i in range(3000))
    # a first chunk whose syntax tree is too deep to pickle back from the worker
    deep = "def pick(v: int) -> int:\n    if v == 0:\n        return 0\n" + "".join(f"    elif v == {i}:\n        return {i}\n" for i in range(1, 400))
    deep += "    return -1\n\n\n" + classes.rstrip("\n") + "\n"
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    halves: list[bool] = []
    monkeypatch.setattr(fmt._SplitModule, "_submit_halves", _recording(fmt._SplitModule._submit_halves, halves))
    try:
        for text in (module, one_class_empty, no_cut, deep):
            expected = fmt._module_in_worker((text, True, None))
            assert expected is not None
            assert fmt._SplitModule(pool, text).result() == expected
    finally:
        pool.shutdown()
    assert halves == [True, True, False, True]
    assert stubs.run_cut(one_class_empty) is not None
    assert joined_at(one_class_empty, stubs.run_cut(one_class_empty) or 0) in (None, whole_stub(one_class_empty))


def _recording(submit: Any, halves: list[bool]) -> Any:
    def recorded(self: Any, future: Any) -> None:
        submit(self, future)
        halves.append(len(self._stubs) == 2)

    return recorded


def test_split_module_after_the_pool_shut_down() -> None:
    """Halves that cannot be submitted leave the stub to the whole."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    module = "from typing import Any\n\n\n" + "".join(f"class C{i}:\n    x: Any = {i}\n\n\n" for i in range(200)).rstrip("\n") + "\n"
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    split = fmt._SplitModule(pool, module)
    pool.shutdown(wait=False)
    assert split.result() == fmt._module_in_worker((module, True, None))
