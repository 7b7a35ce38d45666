"""Drop imported names a module never uses.

Templates import what a file might need; the renderer cannot know which runtime helpers
a given API ends up using. Pruning the rendered text keeps every module (and its stub)
free of unused imports, which strict type checkers reject.
"""

from __future__ import annotations

import ast
import gc
import re

from .layout import from_import
from typing import Any

def parse(source: str) -> ast.Module:
    """ast.parse with the cyclic garbage collector paused: a large module allocates
    hundreds of thousands of nodes, which trigger full collections that find nothing
    (a syntax tree holds no cycles) and cost about as much as the parse itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source)
    finally:
        if enabled:
            gc.enable()


# Fields that hold only context or operator nodes, which never contain a name.
_NO_NAMES = frozenset({"ctx", "op"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_WORD = re.compile(r"\w+")  # \w is exactly str.isalnum() or "_"


def _used_names(tree: ast.AST) -> set[str]:
    """Names loaded anywhere in `tree`, and identifiers inside string constants of up
    to 200 characters (names listed in __all__ and in string annotations).

    The same set ast.walk would give, but walked by hand: on a large module ast.walk's
    generators cost several times the checks themselves."""
    used: set[str] = set()
    strings: set[str] = set()
    stack: list[Any] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        cls = type(node)
        if cls is ast.Name:
            if isinstance(node.ctx, ast.Load):
                used.add(node.id)
        elif cls is ast.Constant:
            if isinstance(node.value, str):
                strings.add(node.value)
        elif isinstance(node, ast.AST):  # list items may be str (global) or None (dict **)
            fields = _FIELDS.get(cls)
            if fields is None:
                fields = _FIELDS[cls] = tuple(f for f in cls._fields if f not in _NO_NAMES)
            for field in fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    extend(value)
                elif isinstance(value, ast.AST):
                    push(value)
    for text in strings:
        if len(text) <= 200:
            used.update(_WORD.findall(text))
    return used


def prune_imports(source: str, tree: ast.Module | None = None) -> str:
    """`source` without the imported names it never uses; `tree` is its syntax tree,
    when the caller has it already. Returns `source` itself when nothing is unused."""
    return pruned(source, tree)[0]


def pruned(source: str, tree: ast.Module | None = None) -> tuple[str, ast.Module | None]:
    """prune_imports, and the syntax tree of its result when that is `source` (None
    when imports were removed and the text changed), so callers need not parse again."""
    if tree is None:
        tree = parse(source)
    used = _used_names(tree)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks
            candidates = node.body
        else:
            candidates = [node]
        for stmt in candidates:
            if isinstance(stmt, ast.Import):
                if all(a.asname is None for a in stmt.names) and not any(
                    a.name.split(".")[0] in used for a in stmt.names
                ):
                    edits.append((stmt.lineno - 1, stmt.end_lineno or stmt.lineno, ""))
                continue
            if not isinstance(stmt, ast.ImportFrom) or stmt.module == "__future__":
                continue
            keep = [a for a in stmt.names if (a.asname or a.name) in used or a.asname == a.name]
            if len(keep) == len(stmt.names):
                continue
            indent = " " * stmt.col_offset
            text = ""
            if keep:
                names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in keep]
                text = from_import(f"{'.' * stmt.level}{stmt.module or ''}", names, indent) + "\n"
            elif isinstance(node, ast.If) and len(node.body) == 1:
                text = f"{indent}pass\n"
            edits.append((stmt.lineno - 1, stmt.end_lineno or stmt.lineno, text))
    if not edits:
        return source, tree
    body_start = next(
        (n.lineno - 1 for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.If, ast.Expr))),
        len(lines),
    )
    header_end = max(body_start, max(end for _, end, _ in edits))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text] if text else []
        header_end -= (end - start) - (1 if text else 0)
    # a removed import group leaves its blank separators behind: keep one
    header = re.sub(r"\n{3,}", "\n\n", "".join(lines[:header_end]))
    return header + "".join(lines[header_end:]), None
