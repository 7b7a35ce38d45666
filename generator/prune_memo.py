"""A large module's pruned imports and top-level outline, remembered by its layout, so
that an edit of docstrings alone (an operation's summary) parses no module again.

Formatting a module first prunes its unused imports and outlines its top-level
statements (format._prepare), which takes a syntax tree of the whole module: for
OpenAI's 184 KB resource modules, about 0.02 s. The layout of a module is its skeleton
(stub_memo.skeleton: the text without the contents of its triple-quoted strings) with
the lines each such string spans. Two modules of one layout differ only inside those
strings, on the same lines. When each of them lies inside a docstring (read from the
syntax tree of the module kept), none is code or a type a checker reads, so both
modules use the same names, prune the same imports and have their statements on the
same lines; and pruning changes only the lines before the first statement that is not
an import, an `if` or a bare expression (imports.pruned_in_pieces), the header. The
memo keeps the header as it was and as pruned, and the outline; a module of that
layout whose text begins with that very header takes it pruned, and the outline (what
pruning does there depends on the header's text alone)."""

from __future__ import annotations

import ast
from typing import Any, NamedTuple

from .cache import Cache
from .imports import on_own_lines
from .stub_memo import SkeletonMemo, shown_only_outside

KIND = "prune"
FORMAT = "1"


class Prepared(NamedTuple):
    head: str  # the module's header (the lines before its body), as rendered
    pruned: str  # those lines, unused imports pruned
    outline: list[tuple[bool, bool, int, int | None]]  # format._Top fields, of the pruned text


def docstring_lines(body: list[ast.stmt], shift: int, lines: list[str]) -> list[tuple[int, int]]:
    """The (first, last) lines of the string statements among these top-level
    statements and in the bodies of the classes and functions they hold (of a piece
    `shift` lines into the module, whose lines are `lines`), each alone on its lines:
    docstrings, and the docstrings of attributes that follow a model's fields. None is
    code, or a type a checker reads; a line it shared with another statement (a
    one-line def, a semicolon) could hold one."""
    spans: list[tuple[int, int]] = []

    def strings(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
                if on_own_lines(lines, statement, shift):
                    spans.append((statement.lineno + shift, (statement.end_lineno or statement.lineno) + shift))

    strings(body)
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                strings(node.body)
    return spans


class PruneMemo(SkeletonMemo):
    """The prepared modules of one run (kind `prune`), keyed by their layout."""

    LINES = True

    def __init__(self, cache: Cache) -> None:
        super().__init__(cache, KIND, FORMAT)

    def recall(self, key: str, module: str) -> tuple[str, list[tuple[bool, bool, int, int | None]]] | None:
        """The module pruned, and its outline."""
        entry = self.cache.get_plain(KIND, key)
        if not (type(entry) is list and len(entry) == 3):
            return None
        head, pruned, outline = entry
        if not (type(head) is str and type(pruned) is str and type(outline) is list and module.startswith(head)):
            return None
        if not all(_is_top(top) for top in outline):
            return None
        self.reused += 1
        return pruned + module[len(head) :], [(top[0], top[1], top[2], top[3]) for top in outline]

    def keep(self, key: str, places: list[tuple[int, int]], docstrings: list[tuple[int, int]], prepared: Prepared) -> None:
        if shown_only_outside(places, docstrings):
            self.cache.put_plain(KIND, key, [prepared.head, prepared.pruned, [list(top) for top in prepared.outline]])


def _is_top(value: Any) -> bool:
    return (
        type(value) is list
        and len(value) == 4
        and type(value[0]) is bool
        and type(value[1]) is bool
        and type(value[2]) is int
        and (value[3] is None or type(value[3]) is int)
    )
