"""The formatter's syntax-tree shortcuts give what the plain ast routines give."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator import imports
from generator.stubs import StubError, derive_stub
from tests.helpers import ROOT

# the committed client, its stubs and the templates' runtime helpers: real generated text
MODULES = sorted((ROOT / "generated").rglob("*.py*")) + sorted((ROOT / "generator").rglob("*.py"))


def walked_names(tree: ast.AST) -> set[str]:
    """The reference, by ast.walk over every node: names loaded, and the names spelt in
    the strings of type expressions (annotations, returns, `cast`'s type, a TypeVar's
    bound and constraints) and of `__all__`, each string read as an expression (its
    words if it is none), Literal values aside."""
    used: set[str] = set()
    typed: list[ast.AST] = []

    def lists_all(target: ast.AST) -> bool:
        return isinstance(target, ast.Name) and target.id == "__all__"

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            typed += [x.annotation for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x and x.annotation]
            typed += [node.returns] if node.returns else []
        elif isinstance(node, ast.AnnAssign):
            typed += [node.annotation] + ([node.value] if node.value and lists_all(node.target) else [])
        elif isinstance(node, ast.Assign) and any(lists_all(t) for t in node.targets):
            typed.append(node.value)
        elif isinstance(node, ast.AugAssign) and lists_all(node.target):
            typed.append(node.value)
        elif isinstance(node, ast.Call):
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func == "cast" and node.args:
                typed.append(node.args[0])
            elif func == "TypeVar":
                typed += node.args[1:] + [k.value for k in node.keywords if k.arg == "bound"]

    def spelt(root: ast.AST, depth: int) -> None:
        literal = {
            id(x)
            for n in ast.walk(root)
            if isinstance(n, ast.Subscript)
            and (getattr(n.value, "id", None) == "Literal" or getattr(n.value, "attr", None) == "Literal")
            for x in ast.walk(n.slice)
        }
        for n in ast.walk(root):
            if id(n) in literal or not (isinstance(n, ast.Constant) and isinstance(n.value, str)) or depth >= 8:
                continue
            try:
                inner = ast.parse(n.value.strip(), mode="eval").body
            except (SyntaxError, ValueError):
                used.update(re.findall(r"\w+", n.value))
                continue
            used.update(x.id for x in ast.walk(inner) if isinstance(x, ast.Name))
            spelt(inner, depth + 1)

    for root in typed:
        spelt(root, 0)
    return used


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_used_names(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert imports._used_names(tree) == walked_names(tree)


def test_used_names_odd_nodes() -> None:
    source = 'global g\nx = {**a, "k": b}\nf"{c!r:>{w}}"\ndef h(*, p=d): nonlocal q\ns = "é_1 ü2 ﬁ"\nt = "' + "y " * 150 + '"\n'
    tree = ast.parse(source)
    assert imports._used_names(tree) == walked_names(tree)


def test_pruned_returns_tree_only_when_unchanged() -> None:
    kept = "import os\n\nos.getcwd()\n"
    text, tree = imports.pruned(kept)
    assert text is kept and tree is not None and ast.dump(tree) == ast.dump(ast.parse(kept))
    text, tree = imports.pruned("import os\nimport sys\n\nos.getcwd()\n")
    assert text == "import os\n\nos.getcwd()\n" and tree is None


@pytest.mark.parametrize("path", [p for p in MODULES if p.suffix == ".py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_derive_stub_leaves_the_tree_alone(path: Path) -> None:
    source = path.read_text()
    tree = ast.parse(source)
    before = ast.dump(tree, include_attributes=True)
    try:
        stub = derive_stub(source, tree)
    except StubError:
        return
    assert ast.dump(tree, include_attributes=True) == before
    assert stub == derive_stub(source)


def test_derive_stub_copies_statements_it_has_no_method_for() -> None:
    source = 'try:\n    import x\n    """doc"""\nexcept ImportError:\n    x = None\nclass C:\n    a: int = 1\n    def f(self) -> None:\n        pass\n'
    tree = ast.parse(source)
    before = ast.dump(tree, include_attributes=True)
    assert derive_stub(source, tree) == "try:\n    import x\nexcept ImportError:\n    x = None\n\nclass C:\n    a: int = ...\n\n    def f(self) -> None:\n        ...\n"
    assert ast.dump(tree, include_attributes=True) == before


def test_a_block_left_empty_by_pruning_keeps_a_pass() -> None:
    """A plain `import x` alone in an `if` block, as a `from` import there: the pruned
    text parses, and its stub is black's."""
    from generator import format as fmt
    from generator.imports import prune_imports
    from tests.test_stub_fast import assert_same

    for line in ("    import os\n", "    from os import path\n", "    import os\n    from os import path\n    import sys\n"):
        module = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n" + line + "\nX: int\n"
        pruned = prune_imports(module)
        assert "    pass\n" in pruned and "os" not in pruned
        ast.parse(pruned)
        assert_same(fmt.format_source(module))
    # a block indented with a tab keeps its tab
    assert prune_imports("if True:\n\tfrom m import a, b\n\tx = a\n") == "if True:\n\tfrom m import a\n\tx = a\n"


def test_pruning_closes_up_blank_lines_where_imports_went_only() -> None:
    """Where a removed import's blank lines above and below meet, the larger run stays
    (two imports a blank line apart stay so; the two before a class, decorated or under
    a comment, stay). Blank lines elsewhere are left as they are, those inside the
    header's strings (a module docstring, a class docstring under `if TYPE_CHECKING:`,
    an f-string) above all; whole or in pieces."""
    from generator import format as fmt

    header = (
        '"""Module.\n\n\n\nMore."""\n\nfrom typing import TYPE_CHECKING\n\nimport os\n\nimport sys\n\nimport re\n\n\n'
        'if TYPE_CHECKING:\n    class P:\n        """A\n\n\n        B"""\n\n        y = f"""x\n\n\n{TYPE_CHECKING}{re}"""\n\n\n'
    )
    module = header + "".join(f"class R{i}:\n    x = {i}\n\n\n" for i in range(3000))
    pruned = imports.prune_imports(module)
    assert pruned == module.replace("import os\n\nimport sys\n\n", "")
    found = imports.pruned_in_pieces(module, fmt._outline, 1000)
    assert found is not None and found[0] == pruned
    for before in ("", "@final\n", "# About A.\n"):  # black's two blank lines before a class
        plain = f"from typing import final\nimport os\nimport sys\n\n\n{before}class A:\n    x = os.sep\n"
        assert fmt.format_source(plain) == plain
        assert imports.prune_imports(plain) == fmt.format_source(imports.prune_imports(plain))
        kept = "from typing import final\nimport os\n" if before == "@final\n" else "import os\n"
        assert imports.prune_imports(plain) == f"{kept}\n\n{before}class A:\n    x = os.sep\n"


def test_pruning_leaves_lines_it_cannot_take_out_alone() -> None:
    """An import that shares its line with another statement stays; a line break ast
    does not count (a form feed in a docstring) does not shift the lines pruning takes."""
    assert imports.prune_imports("import sys; import os\nX = os\n") == "import sys; import os\nX = os\n"
    assert imports.prune_imports("X = 1; import sys\nY = X\n") == "X = 1; import sys\nY = X\n"
    assert imports.prune_imports("import sys  # why\nimport os\nX = os\n") == "import os\nX = os\n"
    text = '"""a\x0cb\u2028c"""\nimport sys\nimport os\nX = os\n'
    assert imports.prune_imports(text) == '"""a\x0cb\u2028c"""\nimport os\nX = os\n'
    assert imports.prune_imports(text.replace("\n", "\r\n")) == '"""a\x0cb\u2028c"""\r\nimport os\r\nX = os\r\n'


@pytest.mark.parametrize(
    "use, kept",
    [
        ('def f() -> None:\n    """Returns a Model."""\n', False),
        ('x = call(path="/Model")\n', False),
        ('x: Literal["Model"] = "Model"\n', False),
        ('x: "Model | None" = None\n', True),
        ('def f(a: "list[Model]") -> None: ...\n', True),
        ('def f() -> "Model": ...\n', True),
        ('y = cast("dict[str, Model]", z)\n', True),
        ('T = TypeVar("T", bound="Model")\n', True),
        ('__all__ = ["Model"]\n', True),
        ('__all__: list[str] = []\n__all__ += ["Model"]\n', True),
    ],
)
def test_only_type_expressions_and_all_name_things_in_strings(use: str, kept: bool) -> None:
    """An import named only in a docstring, a path or a Literal value is pruned (strict
    checkers report it unused); one named in a string annotation, a `cast`, a TypeVar
    bound or `__all__` is kept."""
    source = "from .models import Model\n\n" + use
    assert ("import Model" in imports.prune_imports(source)) == kept


def test_a_stub_refuses_what_it_cannot_annotate() -> None:
    """`X = Foo()` states X's type; several targets at once cannot be: a stub error
    naming the line, not an internal one."""
    assert derive_stub("X = Foo()\n") == "X: Foo\n"
    for source in ("X, Y = Foo()\n", "[X, Y] = Foo()\n", "X = Y = Foo()\n", "X.y, Z = Foo()\n"):
        with pytest.raises(StubError, match="line 1: cannot state the type"):
            derive_stub(source)


def test_array_indexes_in_pointers_are_ascii_digits() -> None:
    from generator.bundle import MISSING, child
    from generator.validate import resolve_pointer

    data = {"a": [10, 20]}
    assert resolve_pointer(data, "/a/1") == (True, 20)
    for token in ("\u00b2", "\u0661", "-1", "x"):  # superscript two, Arabic-Indic one
        assert resolve_pointer(data, f"/a/{token}") == (False, None)
        assert child(data["a"], token) is MISSING
