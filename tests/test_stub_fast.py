"""The fast stub path (stubs.fast_stub_chunks) gives black's pyi output byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import format as fmt
from generator.stubs import fast_stub_chunks
from tests.helpers import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
SPECS = [
    ROOT / "tests/hostile/code_in_defaults.yaml",
    ROOT / "tests/hostile/keywords_and_builtins.yaml",
    ROOT / "tests/hostile/lone_surrogates.json",
    ROOT / "tests/hostile/homoglyphs.yaml",
    ROOT / "tests/hostile/dunder_names.yaml",
    CORPUS / "oai__petstore__1.0.0.yaml",
    CORPUS / "fixture-readme__polymorphism__3.0.json",
    CORPUS / "fixture-opc__enums__3.1.yaml",
    CORPUS / "xero__projects__16.1.0.yaml",
    CORPUS / "ory__keto__v25.4.0.yaml",
]


def black_pyi(text: str) -> str:
    return fmt.format_source(text, stub=True)


def fast_stub(module: str, lines_by_black: bool = True) -> str:
    chunks = fast_stub_chunks(module, black_pyi if lines_by_black else None)
    return "\n".join(fmt.format_source(c.text, stub=True) if c.black else c.text for c in chunks)


def assert_same(module: str) -> None:
    slow = fmt.slow_stub(module)
    assert fast_stub(module) == slow
    assert fast_stub(module, lines_by_black=False) == slow


@pytest.mark.parametrize("path", sorted((ROOT / "generated").rglob("*.py")), ids=lambda p: p.name)
def test_committed_client(path: Path) -> None:
    module = path.read_text()
    assert_same(module)
    assert fast_stub(module) == path.with_suffix(".pyi").read_text()


@pytest.mark.parametrize("spec", [s for s in SPECS if s.exists()], ids=lambda p: p.name)
def test_generated_clients(spec: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "generator", "generate", str(spec), "-o", str(tmp_path), "--package", "pkg", "--no-cache"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    modules = sorted(tmp_path.rglob("*.py"))
    assert modules
    for path in modules:
        assert_same(path.read_text())


TRICKY = '''
"""Module docstring."""
from __future__ import annotations
import enum
import typing
from typing import TYPE_CHECKING, Any, overload, Protocol, Union, Callable, Generic, TypeVar
from collections.abc import Mapping, Sequence, Iterator
if TYPE_CHECKING:
    from decimal import Decimal
    import os
if TYPE_CHECKING:
    from json import dumps
T = TypeVar("T")
MAX = 10
NEG = -1
HEX = 0x1F
NAME: str = "stub"
ESCAPED = "a\\x00b"
PAIR = ("a", 'b')
Alias = Union[int, str]
__all__ = ["Color", "Empty", "Point", "function_with_a_really_long_name_that_goes_on", "f", "Decorated"]
class Empty:
    pass
class Empty2:
    """Only a docstring."""
class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    """Attribute docstring."""
    BLUE_WITH_A_LONG_NAME_THAT_PUSHES_THE_LINE_PAST_THE_LIMIT_OF_ONE_HUNDRED_COLUMNS_XYZ = "blue"
class Point(Generic[T]):
    """A point."""
    x: int = 0
    y: int
    amount: Decimal | None = None
    label: str = "origin"
    def __init__(self, x: int, y: int, label: str = "origin", *, extra: Mapping[str, Any] | None = None) -> None:
        self.x = x
    @property
    def norm(self) -> float:
        return 0.0
    @overload
    def get(self, key: int) -> int: ...
    @overload
    def get(self, key: str) -> str: ...
    def get(self, key):
        return key
    async def fetch(self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> None:
        pass
    async def fetch_more(self, first_argument: Sequence[Mapping[str, Any]], second_argument: Sequence[Mapping[str, Any]], third: int) -> dict[str, Any]:
        pass
    def abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopqrstuvwxyz(self, value: int = 1) -> int:
        return 1
    def aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa(self) -> int:
        return 1
    def exploded(
        self,
        a: int,
    ) -> int:
        return a
    def one_long_parameter(self, parameter_with_a_very_long_name_that_fills_the_line: Mapping[str, Sequence[Any]] = {}) -> None:
        pass
    def returns_long(self) -> dict[str, tuple[int, int, int, int, int, int, int, int, int, int, int, int, int, int, int]]:
        return {}
    def returns_string(self, aaaaaaaaaaaaaaaaaaaa: int, bbbbbbbbbbbbbbbbbbbbbbbbbbb: int, ccccccccccccccc: int) -> "Point[T]":
        return self
    class Nested:
        z: float = 1.5
        def inner(self) -> None: ...
        class Deeper:
            pass
    w: int = 3
    def last(self) -> None:  # a comment
        pass
@typing.final
class Decorated:
    pass
@typing.final
class Decorated2:
    a: int
def function_with_a_really_long_name_that_goes_on(first: int, second: str, third: bytes) -> None:
    pass
def f(*args: Any, **kwargs: Any) -> Callable[..., Any]:
    return f
def g(a, /, b, *, c=1): ...
class Proto(Protocol):
    def method(self) -> int: ...
    attribute: int
    def other(self) -> int: ...
x: int
class Last(Empty, metaclass=type):
    def m(self) -> None:
        pass
'''


def test_tricky_module() -> None:
    module = fmt.format_source(TRICKY)
    assert_same(module)
    chunks = fast_stub_chunks(module)
    assert any(not c.black for c in chunks)


@pytest.mark.parametrize(
    "snippet",
    [
        "import os\n",
        "x = 1\n",
        "class A:\n    pass\n",
        "@dec\nclass A:\n    pass\nclass B:\n    pass\n",
        "def f(): ...\nclass A:\n    x: int\n\n    def g(self): ...\n    y: int\n    def h(self): ...\n",
        "class A:\n    def f(self) -> None: ...\n    class B:\n        pass\n    class C:\n        pass\n    x: int\n",
        "from a import (\n    b,\n)\nfrom a import c as d, e\n\nclass A(b):\n    y = d\n",
        "def " + "f" * 90 + "(self): ...\n",
        "def " + "f" * 94 + "(a): ...\n",
        "class " + "A" * 93 + ":\n    pass\n",
        "class A:\n    def " + "f" * 86 + "(self, a: int): ...\n",
        "class A:\n    x: " + "T" * 92 + " = 1\n",
        "def f(a='é' * 40, b='日本語' * 12): ...\n",
        "__all__ = [" + ", ".join(f'"name_{i}"' for i in range(20)) + "]\n",
        "from m import (" + ", ".join(f"name_{i}" for i in range(30)) + ")\n__all__ = ['name_1']\nx = name_2\n",
    ],
)
def test_snippets(snippet: str) -> None:
    assert_same(fmt.format_source(snippet))


def test_tricky_module_without_the_fallbacks_is_all_fast() -> None:
    """The same module minus what must go to black (a hex literal, an escape ast.unparse
    spells differently, a comment, a string return annotation, a return annotation too
    long for one line): every chunk is written without black, and still matches."""
    text = TRICKY.replace("HEX = 0x1F\n", "").replace('ESCAPED = "a\\x00b"\n', "").replace("  # a comment", "")
    text = text.replace('-> "Point[T]"', "-> Point[T]")
    start = text.index("    def returns_long")
    text = text[:start] + text[text.index("    def returns_string") :]
    module = fmt.format_source(text)
    assert not any(c.black for c in fast_stub_chunks(module))
    assert_same(module)


def assert_fast_without_black(module: str) -> None:
    calls: list[str] = []
    chunks = fast_stub_chunks(module, lambda text: calls.append(text) or black_pyi(text))
    assert calls == [] and not any(c.black for c in chunks)
    assert_same(module)


def test_a_long_annotation_is_split_without_black() -> None:
    union = " | ".join(f"VeryLongModelNameNumber{i}" for i in range(8))
    module = fmt.format_source(
        f"class A:\n    x: int = 1\n    items: list[{union}] | None = None\n    def f(self) -> None: ...\n"
        f"    class B:\n        items: list[{union}] | None = None\n        y: int\n"
        f"def g(\n    a: list[{union}] | None = None,\n    *,\n    b: {union} = None,\n) -> list[{union}]:\n    pass\n"
    )
    assert_fast_without_black(module)


def test_a_long_annotation_goes_to_black_alone() -> None:
    # several items in the brackets: a shape the layout helpers leave to black
    union = "dict[str, " + " | ".join(f"VeryLongModelNameNumber{i}" for i in range(8)) + "]"
    module = fmt.format_source(
        f"class A:\n    x: int = 1\n    items: list[{union}] | None = None\n    def f(self) -> None: ...\n"
        f"    class B:\n        items: list[{union}] | None = None\n        y: int\n"
    )
    calls: list[str] = []

    def black(text: str) -> str:
        calls.append(text)
        return black_pyi(text)

    chunks = fast_stub_chunks(module, black)
    assert len(calls) == 2 and not any(c.black for c in chunks)
    assert_same(module)


def test_long_headers_constants_and_returns_need_no_black() -> None:
    long = "AVeryLongClassNameThatGoesOnAndOnForMoreThanOneHundredColumnsWhenItsBasesFollow"
    union = " | ".join(f"SomeRatherLongModelName{i}" for i in range(3))
    module = fmt.format_source(
        f"class {long}(str, enum.Enum):\n"
        f"    A_RATHER_LONG_MEMBER_NAME_FOR_A_VALUE = 'a.rather.long.value.that.black.wraps.in.parentheses'\n"
        f"    B = 'b'\n\n"
        f"def _decode_0123456789ab(value: Any) -> {union}:\n    return value\n"
    )
    assert_fast_without_black(module)


def test_an_annotated_all_keeps_its_names() -> None:
    """`__all__: list[str] = []` (a module with nothing to list) keeps its value in the
    stub, as `__all__ = [...]` does: pyright strict refuses an `__all__` of `...`."""
    module = fmt.format_source("from __future__ import annotations\n\n__all__: list[str] = []\n\nclass C:\n    y: list[str] = []\n")
    assert_same(module)
    assert "__all__: list[str] = []\n" in fast_stub(module) and "y: list[str] = ...\n" in fast_stub(module)
