"""Drop imported names a module never uses.

Templates import what a file might need; the renderer cannot know which runtime helpers
a given API ends up using. Pruning the rendered text keeps every module (and its stub)
free of unused imports, which strict type checkers reject.
"""

from __future__ import annotations

import ast
import re

# black's line length for generated code (format.MODE)
LINE_LENGTH = 100


def from_import(module: str, names: list[str], indent: str = "") -> str:
    """`from module import names` laid out as black lays it out: on one line when it
    fits, else one name per line with a trailing comma."""
    line = f"{indent}from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"{indent}    {name},\n" for name in names)
    return f"{indent}from {module} import (\n{inner}{indent})"


def _used_names(tree: ast.Module) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # names listed in __all__ and in string annotations
            used.update(part for part in _identifiers(node.value))
    return used


def _identifiers(text: str) -> list[str]:
    if len(text) > 200:
        return []
    out, word = [], []
    for ch in text + " ":
        if ch.isalnum() or ch == "_":
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    return out


def prune_imports(source: str) -> str:
    tree = ast.parse(source)
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
        return source
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
    return header + "".join(lines[header_end:])
