"""Python laid out as black lays it out, for the templates and the import pruner.

Black is the slowest stage by far, so the generator writes its style directly and the
formatter sends to black only statements with a line too wide (format.py). These
helpers write black's split for the shapes the built-in templates produce when names
make them too wide; anything they cannot lay out exactly they leave on one line, and
the formatter then sends it to black. tests/test_fast_format.py checks the results
against black.
"""

from __future__ import annotations

import ast

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


def bare(expr: str) -> str:
    """An expression as black writes it after `=` or `return`: without parentheses
    around the whole of it (a tuple keeps them)."""
    if not (expr.startswith("(") and expr.endswith(")")):
        return expr
    try:
        # the inner text parses only when the outer parentheses pair with each other
        inner = ast.parse(expr[1:-1], mode="eval").body
    except SyntaxError:
        return expr
    return expr if isinstance(inner, (ast.Tuple, ast.NamedExpr, ast.Yield, ast.YieldFrom)) else expr[1:-1]


def assign(target: str, expr: str, indent: int) -> str:
    """`target = expr` at `indent` as black lays it out: one line when it fits; a
    conditional expression that does not is wrapped in parentheses, then split before
    each `if` and `else` when even that is too wide. Anything else is left on one line
    for black to break (the formatter sends it there)."""
    pad = " " * indent
    one = f"{pad}{target} = {expr}"
    if len(one) <= LINE_LENGTH:
        return one
    parts = _conditional_parts(expr)
    head, tail = f"{pad}{target} = (", f"{pad})"
    if parts is None or len(head) > LINE_LENGTH:
        return one
    inner = f"{pad}    {expr}"
    if len(inner) <= LINE_LENGTH:
        return f"{head}\n{inner}\n{tail}"
    lines = [f"{pad}    {part}" for part in parts]
    if any(len(line) > LINE_LENGTH for line in lines):
        return one
    return "\n".join([head, *lines, tail])


def _conditional_parts(expr: str) -> list[str] | None:
    """`A if c else B` as ["A", "if c", "else B"]: where black breaks a conditional
    expression. None for anything else, chains included (black parenthesises the
    inner ones)."""
    if not expr.isascii():  # ast offsets count bytes
        return None
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.IfExp) or isinstance(node.orelse, ast.IfExp):
        return None
    at_if = expr.find(" if ", node.body.end_col_offset or 0)
    at_else = expr.find(" else ", node.test.end_col_offset or 0)
    if at_if < 0 or at_else < 0:
        return None
    return [expr[:at_if].strip(), "if " + expr[at_if + 4 : at_else].strip(), "else " + expr[at_else + 6 :].strip()]


def def_header(indent: int, name: str, params: list[str], returns: str) -> str:
    """A `def` line as black lays it out: one line when it fits, else the parameters
    on a line of their own between `name(` and `) -> returns:` (black's split for a
    def). Anything wider is left on one line for black to break."""
    pad = " " * indent
    one = f"{pad}def {name}({', '.join(params)}) -> {returns}:"
    body, tail = f"{pad}    {', '.join(params)}", f"{pad}) -> {returns}:"
    if len(one) <= LINE_LENGTH or len(params) < 2 or len(body) > LINE_LENGTH or len(tail) > LINE_LENGTH:
        return one
    return f"{pad}def {name}(\n{body}\n{tail}"


def _wrapped_annotation(name: str, annotation: str, rest: str, pad: str) -> str | None:
    """`name: (annotation)rest` with the annotation in parentheses on lines of its own,
    as black wraps a type hint too wide: on one line, else one union member a line.
    None when a member is still too wide (black then breaks it further)."""
    members = _union_members(annotation)
    if len(members) < 2 or not members[-1].isidentifier():
        return None  # black breaks inside the last brackets instead
    inner = f"{pad}    {annotation}"
    if len(inner) <= LINE_LENGTH:
        return f"{pad}{name}: (\n{inner}\n{pad}){rest}"
    lines = [f"{pad}    {members[0]}", *(f"{pad}    | {m}" for m in members[1:])]
    if any(len(line) > LINE_LENGTH for line in lines):
        return None
    return f"{pad}{name}: (\n" + "\n".join(lines) + f"\n{pad}){rest}"


def _union_members(annotation: str) -> list[str]:
    """The top-level members of `A | B[C | D] | E`."""
    members, depth, start = [], 0, 0
    for i, ch in enumerate(annotation):
        depth += ch in "[(" and 1 or ch in "])" and -1 or 0
        if depth == 0 and annotation.startswith(" | ", i):
            members.append(annotation[start:i])
            start = i + 3
    return [*members, annotation[start:]]


def parameter(name: str, annotation: str, default: str, indent: int) -> str:
    """One `name: annotation = default,` line of an exploded signature, as black lays it
    out: an annotation too wide goes in parentheses on lines of its own (left on one
    line for black to break when that does not fit, or there is no default)."""
    pad = " " * indent
    one = f"{pad}{name}: {annotation}{default},"
    if len(one) <= LINE_LENGTH or not default:
        return one
    return _wrapped_annotation(name, annotation, default + ",", pad) or one


def annotated(name: str, annotation: str, default: str, indent: int) -> str:
    """A field `name: annotation = default` as black lays it out when too wide: the
    default in parentheses when that alone makes it fit, else the annotation wrapped."""
    pad = " " * indent
    one = f"{pad}{name}: {annotation}{default}"
    if len(one) <= LINE_LENGTH:
        return one
    if default and len(f"{pad}{name}: {annotation} = (") <= LINE_LENGTH:
        return f"{pad}{name}: {annotation} = (\n{pad}    {default.removeprefix(' = ')}\n{pad})"
    return _wrapped_annotation(name, annotation, default, pad) or one


def call_line(function: str, arguments: list[str], indent: int, suffix: str = ",") -> str:
    """`function(arguments)` followed by `suffix`, as black lays out such a line inside
    brackets: one line, else the arguments on one line of their own, else one per line
    with a trailing comma."""
    pad = " " * indent
    one = f"{pad}{function}({', '.join(arguments)}){suffix}"
    if len(one) <= LINE_LENGTH or not arguments:
        return one
    body = f"{pad}    {', '.join(arguments)}"
    if len(body) <= LINE_LENGTH:
        return f"{pad}{function}(\n{body}\n{pad}){suffix}"
    return f"{pad}{function}(\n" + "".join(f"{pad}    {a},\n" for a in arguments) + f"{pad}){suffix}"


def tuple_literal(items: list[str], indent: int = 0, inline: bool = False) -> str:
    """A tuple display as black leaves it: `()`, `(x,)`, or one item per line with a
    trailing comma (which keeps black from joining the lines); `inline` keeps several
    items on one line, for short ones."""
    if len(items) < 2:
        return f"({items[0]},)" if items else "()"
    if inline:
        return "(" + ", ".join(items) + ")"
    pad = " " * indent
    return "(\n" + "".join(f"{pad}    {item},\n" for item in items) + pad + ")"
