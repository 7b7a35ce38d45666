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
    """`target = expr` at `indent` as black lays it out: one line when it fits; for a
    plain name, see `statement`; otherwise a conditional expression that does not fit
    is wrapped in parentheses, then split before each `if` and `else` when even that is
    too wide. Anything else is left on one line for black to break (the formatter
    sends it there)."""
    pad = " " * indent
    one = f"{pad}{target} = {expr}"
    if len(one) <= LINE_LENGTH:
        return one
    if target.isidentifier():
        return statement(f"{target} = ", expr, indent)
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


# --- expressions too wide for one line ----------------------------------------------
#
# The decoders of unions are chains of conditional expressions, inside comprehensions
# for arrays of unions. Black breaks such a line by two rules, applied again to each
# line they produce while it is too wide:
# - brackets: `head(` / the contents one level deeper / `)tail`. A conditional
#   expression after `=`, `return` or `else` gets parentheses of its own for that;
# - delimiters, inside brackets: one line per part, split before the operators of the
#   lowest binding found at the outermost level (`for` of a comprehension, then
#   `if`/`else` of a conditional expression, then `and`/`or`).
# `_lines` follows those rules for the shapes the decoders are built from; anything
# else returns None and the statement stays on one line for black.


def statement(head: str, expr: str, indent: int) -> str:
    """`head` + `expr` at `indent`, with `head` a simple `name = ` or `return `, as
    black lays it out (left on one line for black when the shape is not one
    `_lines` knows)."""
    pad = " " * indent
    one = f"{pad}{head}{expr}"
    if len(one) <= LINE_LENGTH or not expr.isascii():  # ast offsets count bytes
        return one
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return one
    source = _Source(expr)
    if isinstance(node, ast.IfExp) and not source.grouped(node):
        lines = _wrapped(source, node, indent, head, "")
    elif isinstance(node, (ast.ListComp, ast.DictComp)):
        lines = _lines(source, node, indent, head, "")
    else:
        lines = None
    return "\n".join(lines) if lines else one


class _Source:
    """An expression's text, with the span of each node and whether it is written in
    parentheses of its own."""

    def __init__(self, text: str) -> None:
        self.text = text

    def span(self, node: ast.expr) -> tuple[int, int]:
        start, end = node.col_offset, node.end_col_offset or 0
        return start, end

    def grouped(self, node: ast.expr) -> bool:
        start, end = self.span(node)
        before = self.text[:start].rstrip()
        after = self.text[end:].lstrip()
        return before.endswith("(") and after.startswith(")")

    def of(self, node: ast.expr) -> str:
        """The node's text with its own parentheses, if any."""
        start, end = self.span(node)
        if self.grouped(node):
            start = self.text.rindex("(", 0, start)
            end = self.text.index(")", end) + 1
        return self.text[start:end]


def _lines(source: _Source, node: ast.expr, indent: int, head: str, tail: str) -> list[str] | None:
    """`head` + node + `tail` on lines at `indent`: one line when it fits, else split
    as black splits it (None when this is not a shape followed here)."""
    pad = " " * indent
    text = source.of(node)
    one = f"{pad}{head}{text}{tail}"
    if len(one) <= LINE_LENGTH:
        return [one]
    if source.grouped(node):
        if text.startswith("((") or not isinstance(node, (ast.IfExp, ast.BoolOp)):
            return None
        return _wrapped(source, node, indent, head, tail)
    if isinstance(node, (ast.ListComp, ast.DictComp)):
        opening, closing = text[0], text[-1]
        inner = _comprehension(source, node, indent + 4)
    elif _is_generator_call(node):
        assert isinstance(node, ast.Call)
        opening, closing = source.of(node.func) + "(", ")"
        inner = _comprehension(source, node.args[0], indent + 4)
    else:
        return None
    first = f"{pad}{head}{opening}"
    if inner is None or len(first) > LINE_LENGTH:
        return None
    return [first, *inner, f"{pad}{closing}{tail}"]


def _is_generator_call(node: ast.expr) -> bool:
    """`f(x for x in y)`: a call whose one argument is a bare generator expression."""
    return (
        isinstance(node, ast.Call)
        and not node.keywords
        and len(node.args) == 1
        and isinstance(node.args[0], ast.GeneratorExp)
    )


def _wrapped(source: _Source, node: ast.expr, indent: int, head: str, tail: str) -> list[str] | None:
    """`head(` / the node split by its delimiters / `)tail`."""
    pad = " " * indent
    first = f"{pad}{head}("
    if len(first) > LINE_LENGTH:
        return None
    inner = _delimited(source, node, indent + 4)
    return None if inner is None else [first, *inner, f"{pad}){tail}"]


def _delimited(source: _Source, node: ast.expr, indent: int) -> list[str] | None:
    """The node alone on a line inside brackets, else one line per part."""
    pad = " " * indent
    start, end = source.span(node)
    one = pad + source.text[start:end]
    if len(one) <= LINE_LENGTH:
        return [one]
    parts: list[tuple[str, ast.expr]]
    if isinstance(node, ast.IfExp):
        parts = [("", node.body), ("if ", node.test), ("else ", node.orelse)]
    elif isinstance(node, ast.BoolOp):
        word = "and " if isinstance(node.op, ast.And) else "or "
        parts = [("" if i == 0 else word, value) for i, value in enumerate(node.values)]
    else:
        return None
    out: list[str] = []
    for head, part in parts:
        if head == "else " and isinstance(part, ast.IfExp) and not source.grouped(part):
            # a conditional expression in the `else` branch gets parentheses of its own
            if len(f"{pad}else {source.of(part)}") <= LINE_LENGTH:
                lines: list[str] | None = [f"{pad}else {source.of(part)}"]
            else:
                lines = _wrapped(source, part, indent, head, "")
        elif isinstance(part, (ast.IfExp, ast.BoolOp)) and not source.grouped(part):
            return None  # binds tighter than its parent only in parentheses
        else:
            lines = _lines(source, part, indent, head, "") or _compared(source, part, indent, head)
        if lines is None:
            return None
        out += lines
    return out


def _compared(source: _Source, node: ast.expr, indent: int, head: str) -> list[str] | None:
    """`a in b` too wide inside brackets: split before the operator."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        return None
    pad = " " * indent
    right = node.comparators[0]
    start = source.span(node.left)[1]
    operator = source.text[start : source.span(right)[0]].strip(" ()")
    if source.grouped(node.left) or source.grouped(right) and not isinstance(right, ast.Tuple):
        return None
    lines = [f"{pad}{head}{source.of(node.left)}", f"{pad}{operator} {source.of(right)}"]
    return None if any(len(line) > LINE_LENGTH for line in lines) else lines


def _comprehension(
    source: _Source, node: ast.ListComp | ast.DictComp | ast.GeneratorExp, indent: int
) -> list[str] | None:
    """The inside of a comprehension (a generator expression: its text between the
    call's parentheses): one line, else the element and then its `for` clause."""
    pad = " " * indent
    text = source.text[slice(*source.span(node))]
    one = pad + text[1:-1]
    if len(one) <= LINE_LENGTH:
        return [one]
    if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
        return None
    generator = node.generators[0]
    clause = f"{pad}for {source.of(generator.target)} in {source.of(generator.iter)}"
    if len(clause) > LINE_LENGTH:
        return None
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        element = _lines(source, node.elt, indent, "", "") or _compared(source, node.elt, indent, "")
    else:
        element = _lines(source, node.value, indent, source.of(node.key) + ": ", "")
    return None if element is None else [*element, clause]


def returning_def(name: str, parameter: str, returns: str) -> str:
    """`def name(parameter) -> returns:` at the top level as black lays it out: one
    line; else the parameter on a line of its own (with a trailing comma), then the
    return annotation after `) -> `, in parentheses on lines of its own when still too
    wide (one union member a line, a `list[...]` member broken inside its brackets).
    Left on one line for black when the annotation has another shape."""
    one = f"def {name}({parameter}) -> {returns}:"
    if len(one) <= LINE_LENGTH:
        return one
    head = [f"def {name}(", f"    {parameter},"]
    if len(f") -> {returns}:") <= LINE_LENGTH:
        return "\n".join([*head, f") -> {returns}:"])
    members = _union_members(returns)
    if len(members) < 2:
        return one
    if len(f"    {returns}") <= LINE_LENGTH:
        return "\n".join([*head, ") -> (", f"    {returns}", "):"])
    body: list[str] = []
    for i, member in enumerate(members):
        prefix = "    " + ("| " if i else "")
        if len(prefix + member) <= LINE_LENGTH:
            body.append(prefix + member)
            continue
        inner = member[5:-1] if member.startswith("list[") and member.endswith("]") else ""
        if not inner:
            return one
        if len(f"        {inner}") <= LINE_LENGTH:
            inner_lines = [f"        {inner}"]
        else:
            parts = _union_members(inner)
            inner_lines = [f"        {'| ' if j else ''}{part}" for j, part in enumerate(parts)]
            if len(parts) < 2 or any(len(line) > LINE_LENGTH for line in inner_lines):
                return one
        body += [f"{prefix}list[", *inner_lines, "    ]"]
    return "\n".join([*head, ") -> (", *body, "):"])
