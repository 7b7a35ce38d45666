"""The formatter's syntax-tree shortcuts give what the plain ast routines give."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator import imports
from generator.stubs import StubError, derive_stub
from tests.helpers import ROOT

# the committed client, its stubs and the templates' runtime helpers: real generated text
MODULES = sorted((ROOT / "generated").rglob("*.py*")) + sorted((ROOT / "generator").rglob("*.py"))


def walked_names(tree: ast.AST) -> set[str]:
    """The reference: ast.walk over every node."""
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 200:
            word = ""
            for ch in node.value + " ":
                if ch.isalnum() or ch == "_":
                    word += ch
                elif word:
                    used.add(word)
                    word = ""
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

    for line in ("    import os\n", "    from os import path\n"):
        module = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n" + line + "\nX: int\n"
        pruned = prune_imports(module)
        assert "    pass\n" in pruned and "os" not in pruned
        ast.parse(pruned)
        assert_same(fmt.format_source(module))
