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
from dataclasses import dataclass
from functools import lru_cache

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
    def; a lone parameter gets a trailing comma), the return annotation split as
    `returns_line` splits it. Anything wider is left on one line for black to break."""
    pad = " " * indent
    one = f"{pad}def {name}({', '.join(params)}) -> {returns}:"
    if len(one) <= LINE_LENGTH or not params or not _fits(f"{pad}def {name}("):
        return one
    # black adds a trailing comma to a lone parameter (commas inside its annotation do
    # not count), and leaves several on one line when they fit there
    body = f"{pad}    {', '.join(params)}" + ("," if len(params) == 1 else "")
    tail = _return_lines(returns, indent)
    if not _fits(body) or tail is None:
        return one
    return "\n".join([f"{pad}def {name}(", body, *tail])


def returns_line(annotation: str, indent: int, suffix: str = ":") -> str:
    """The `) -> annotation:` line that closes an exploded signature at `indent`, as
    black lays it out: one line when it fits, else the annotation split as a type
    hint (see `_annotation_lines`). Left on one line for black when that fails.
    `suffix` is what follows the annotation (`: ...` in a stub)."""
    lines = _return_lines(annotation, indent, suffix)
    return "\n".join(lines) if lines else f"{' ' * indent}) -> {annotation}{suffix}"


def _return_lines(annotation: str, indent: int, suffix: str = ":") -> list[str] | None:
    pad = " " * indent
    one = f"{pad}) -> {annotation}{suffix}"
    if _fits(one):
        return [one]
    # black wraps a return annotation in optional parentheses, kept for a bare name
    return _annotation_lines(f"{pad}) -> ", annotation, suffix, indent, bare_name=True)


def _fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


# --- type hints too wide ---------------------------------------------------------
#
# A type hint as the generator writes it (names, `X[...]`, `A | B`, string literals)
# is a small tree; black splits it where it splits any expression, and these follow
# its steps for just that grammar:
# - a hint wrapped in black's optional parentheses (any field or return annotation; a
#   parameter's only when it is a union) keeps them, on lines of their own, when it is
#   a union; a subscript `X[...]` is split at its own brackets instead, and a bare name
#   goes in the parentheses only where black added them;
# - the text between brackets goes on one line when it fits, else one union member a
#   line (`| ` leading the ones after the first), each member that is still too wide
#   split at its own last bracket, recursively.
# Brackets holding several items (`dict[str, X]`) are never split here: black adds a
# trailing comma there, which changes its second pass. Anything not laid out returns
# None, and the caller leaves the statement on one line for black.


@dataclass(frozen=True)
class _Hint:
    """A type hint: a name (or a literal), `name[args]` ("sub"), or the union of
    `args`."""

    kind: str  # name | sub | union
    name: str = ""
    args: tuple[_Hint, ...] = ()

    @property
    def text(self) -> str:
        if self.kind == "name":
            return self.name
        if self.kind == "sub":
            return f"{self.name}[{', '.join(a.text for a in self.args)}]"
        return " | ".join(a.text for a in self.args)

    @property
    def item(self) -> _Hint | None:
        """The one thing between a subscript's brackets (None for several: black adds a
        trailing comma when it splits them, which changes its second pass)."""
        return self.args[0] if self.kind == "sub" and len(self.args) == 1 else None


@lru_cache(maxsize=4096)  # (a module's methods repeat their hints: each parsed once)
def _type_hint(annotation: str) -> _Hint | None:
    """`annotation` as a `_Hint`; None when it is made of anything else, or not spelled
    as black spells it."""
    if not annotation.isascii():  # black measures wide characters; keep to ASCII
        return None
    try:
        node = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return None
    hint = _hint_of(node, annotation)
    return hint if hint is not None and hint.text == annotation else None


def _hint_of(node: ast.expr, source: str) -> _Hint | None:
    if isinstance(node, ast.Name):
        return _Hint("name", node.id)
    if isinstance(node, ast.Constant):  # None, or a string in `Literal[...]`
        segment = ast.get_source_segment(source, node)
        return _Hint("name", segment) if segment else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        args = [_hint_of(item, source) for item in items]
        if not args or any(a is None for a in args):
            return None
        return _Hint("sub", node.value.id, tuple(a for a in args if a is not None))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _hint_of(node.left, source), _hint_of(node.right, source)
        if left is None or right is None or right.kind == "union":
            return None  # `A | (B | C)`: parenthesised, not black's flat union
        return _Hint("union", args=(*(left.args if left.kind == "union" else (left,)), right))
    return None


def _bracket_body(hint: _Hint, indent: int) -> list[str] | None:
    """The text between brackets on lines of its own at `indent`: one line when it
    fits, else split at each `|` (black's delimiter split), each piece split further
    when still too wide."""
    pad = " " * indent
    if _fits(pad + hint.text):
        return [pad + hint.text]
    if hint.kind != "union":
        return _piece("", hint, indent)
    lines: list[str] = []
    for i, member in enumerate(hint.args):
        piece = _piece("| " if i else "", member, indent)
        if piece is None:
            return None
        lines += piece
    return lines


def _piece(prefix: str, hint: _Hint, indent: int) -> list[str] | None:
    """`prefix + hint` on a line inside brackets: as it is when it fits, else a
    subscript split at its brackets (black's right-hand split)."""
    pad = " " * indent
    line = pad + prefix + hint.text
    if _fits(line):
        return [line]
    head = f"{pad}{prefix}{hint.name}["
    if hint.item is None or not _fits(head):
        return None  # a name too long (black leaves it), or several items
    inner = _bracket_body(hint.item, indent + 4)
    return None if inner is None else [head, *inner, f"{pad}]"]


def _annotation_lines(head: str, annotation: str, rest: str, indent: int, bare_name: bool) -> list[str] | None:
    """`head + annotation + rest` (a line at `indent`) with the type hint split as
    black splits it when it is too wide: a union in parentheses, a subscript at its
    brackets, a bare name in parentheses when `bare_name` (black put optional ones
    around it). None when black would not lay it out that way."""
    hint = _type_hint(annotation)
    if hint is None:
        return None
    pad = " " * indent
    if hint.kind == "union" or hint.kind == "name" and bare_name:
        if not _fits(head + "("):
            return None
        inner = [f"{pad}    {hint.text}"] if hint.kind == "name" else _bracket_body(hint, indent + 4)
        if inner is None or not _fits(inner[0]):
            return None
        return [head + "(", *inner, f"{pad}){rest}"]
    if hint.item is not None and _fits(f"{head}{hint.name}["):
        inner = _bracket_body(hint.item, indent + 4)
        return None if inner is None else [f"{head}{hint.name}[", *inner, f"{pad}]{rest}"]
    return None


def parameter(name: str, annotation: str, default: str, indent: int) -> str:
    """One `name: annotation = default,` line of an exploded signature, as black lays it
    out: a type hint too wide split (a union in parentheses on lines of its own, a
    subscript at its brackets); left on one line for black when that does not fit."""
    pad = " " * indent
    one = f"{pad}{name}: {annotation}{default},"
    if _fits(one):
        return one
    # black puts optional parentheses around a parameter's annotation only when it is
    # an expression such as a union, not around a name or a subscript
    lines = _annotation_lines(f"{pad}{name}: ", annotation, default + ",", indent, bare_name=False)
    return "\n".join(lines) if lines else one


def annotated(name: str, annotation: str, default: str, indent: int) -> str:
    """A field `name: annotation = default` as black lays it out when too wide: the
    default in parentheses when that alone makes it fit, else the type hint split."""
    pad = " " * indent
    one = f"{pad}{name}: {annotation}{default}"
    if _fits(one):
        return one
    if default and _fits(f"{pad}{name}: {annotation} = ("):
        return f"{pad}{name}: {annotation} = (\n{pad}    {default.removeprefix(' = ')}\n{pad})"
    lines = _annotation_lines(f"{pad}{name}: ", annotation, default, indent, bare_name=True)
    return "\n".join(lines) if lines else one


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


def keyword_dict_call(keyword: str, functions: list[str], items: list[str], indent: int) -> str:
    """`keyword=f(g({items})),` (a dict display in nested calls, `functions` outermost
    first) as an argument line inside brackets, laid out as black lays it out: one
    line when it fits, else each call's argument on lines of its own while it does
    not fit, the dict last with one item a line (and a trailing comma). Left on one
    line for black when a line would still be too wide."""
    pad = " " * indent
    one = f"{pad}{keyword}={_nested_call(functions, items)},"
    if _fits(one) or not functions or not all(item.isascii() for item in items):
        return one
    head = f"{pad}{keyword}={functions[0]}("
    inner = _call_argument_lines(functions[1:], items, indent + 4)
    if inner is None or not _fits(head):
        return one
    return "\n".join([head, *inner, f"{pad}),"])


def _nested_call(functions: list[str], items: list[str]) -> str:
    value = "{" + ", ".join(items) + "}"
    for function in reversed(functions):
        value = f"{function}({value})"
    return value


def _call_argument_lines(functions: list[str], items: list[str], indent: int) -> list[str] | None:
    """The argument of a call split by black's right-hand split, at `indent`: on one
    line when it fits, else split at its own brackets. A dict display with several
    items is exploded one a line with a trailing comma (black always explodes a
    collection it splits)."""
    pad = " " * indent
    line = pad + _nested_call(functions, items)
    if _fits(line):
        return [line]
    if functions:
        head = f"{pad}{functions[0]}("
        inner = _call_argument_lines(functions[1:], items, indent + 4)
        return None if inner is None or not _fits(head) else [head, *inner, f"{pad})"]
    if not items:
        return None
    body = [f"{pad}    {item}," for item in items] if len(items) > 1 else [f"{pad}    {items[0]}"]
    return [f"{pad}{{", *body, f"{pad}}}"] if all(map(_fits, body)) else None


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
        assert isinstance(node, ast.Call) and isinstance(node.args[0], ast.GeneratorExp)
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

