"""Typed `.pyi` stubs derived from the rendered modules.

The stubs state the public surface exactly as the runtime module defines it, so they are
derived from the module's syntax tree instead of kept as a second template: bodies become
`...`, values of annotated names become `...`, and everything else is kept. A stub can
therefore never drift from its module (stubtest checks that too).
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from .imports import PIECE_CHARS, PIECES_MIN_CHARS, _used_names, can_start_piece, lists_all, parse, paused_gc, piece_lines, pruned, statement_start
from .layout import LINE_LENGTH, annotated, bare, parameter, returns_line


class StubError(ValueError):
    pass


def _strip_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _ellipsis() -> ast.Expr:
    return ast.Expr(ast.Constant(...))


def _is_simple_value(node: ast.expr) -> bool:
    """Values a stub may spell out: literals, names and type expressions."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return True  # negative numbers, e.g. an int enum member `NEGATIVE_1 = -1`
    if isinstance(node, (ast.Name, ast.Attribute)):
        return True
    if isinstance(node, ast.Subscript):
        return _is_simple_value(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _is_simple_value(node.left) and _is_simple_value(node.right)
    if isinstance(node, ast.Tuple):
        return all(_is_simple_value(e) for e in node.elts)
    return False


_N = TypeVar("_N", bound=ast.AST)


def _with(node: _N, **fields: object) -> _N:
    """A shallow copy of `node` with `fields` replaced."""
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


class _Stubber(ast.NodeTransformer):
    """Returns changed copies instead of changing nodes: the module's tree stays intact,
    so the fast stub path can read it without parsing the module again."""

    def __init__(self) -> None:
        self.in_class = 0

    def generic_visit(self, node: ast.AST) -> ast.AST:
        # statements without a visit_ method (imports, try...): NodeTransformer edits
        # in place, so let it edit a copy
        return super().generic_visit(copy.deepcopy(node))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        return _with(node, body=[_ellipsis()])

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        return _with(node, body=[_ellipsis()])

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        self.in_class += 1
        body = [self.visit(stmt) for stmt in _strip_docstring(node.body)]
        self.in_class -= 1
        return _with(node, body=[stmt for stmt in body if stmt is not None] or [_ellipsis()])

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        # attribute docstrings and other bare expressions carry no type information
        return None

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        if lists_all(node.target) and self.in_class == 0:
            return node  # `__all__: list[str] = []`: type checkers read the names listed
        if node.value is not None and not (isinstance(node.value, ast.Constant) and self.in_class == 0):
            return _with(node, value=ast.Constant(...))
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if _is_simple_value(node.value) or (len(node.targets) == 1 and lists_all(node.targets[0])):
            return node
        call = node.value
        # `T = TypeVar("T")`, `NOT_GIVEN = NotGiven()`: keep the call, stubs allow it for
        # TypeVar and it states the type of a module constant.
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            if call.func.id == "TypeVar" or (call.func.id[:1].isupper() and not call.args and not call.keywords):
                if call.func.id == "TypeVar":
                    return node
                target = node.targets[0]
                if len(node.targets) == 1 and isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
                    return ast.AnnAssign(target=target, annotation=ast.Name(call.func.id, ast.Load()), value=None, simple=1)
        raise StubError(f"line {node.lineno}: cannot state the type of this assignment in a stub")

    def visit_If(self, node: ast.If) -> ast.AST:
        body = [s for s in (self.visit(stmt) for stmt in node.body) if s is not None] or [_ellipsis()]
        orelse = [s for s in (self.visit(stmt) for stmt in node.orelse) if s is not None]
        return _with(node, body=body, orelse=orelse)


def derive_stub(source: str, tree: ast.Module | None = None) -> str:
    """The stub source of `source` (ast.unparse style); `tree`, its syntax tree if the
    caller has it, is left unchanged."""
    if tree is None:
        tree = parse(source)
    stubber = _Stubber()
    with paused_gc():  # copies of syntax tree nodes: no cycles
        body = [stubber.visit(stmt) for stmt in _strip_docstring(tree.body)]
        # no fix_missing_locations: unparse reads positions only of parsed nodes (for
        # type comments), never of the ones made here
        return ast.unparse(ast.Module([stmt for stmt in body if stmt is not None], [])) + "\n"


def _stub_statements(module_body: list[ast.stmt]) -> tuple[str, list[ast.stmt]]:
    """derive_stub's text, and the stub's top-level statements placed as parsing that
    text would place them (lineno, end_lineno, decorators' lineno; what split_chunks and
    the pairing read), which spares parsing the stub again. Inside, they keep the
    module's positions; the module's own nodes are copied, not moved.

    The text is ast.unparse of each statement, joined as unparse joins a module's body:
    a newline before each statement, and another before a class or def (its
    `maybe_newline`). Each decorator unparses to one line."""
    stubber = _Stubber()
    parts: list[str] = []
    placed: list[ast.stmt] = []
    start = 1
    with paused_gc():
        for stmt in _strip_docstring(module_body):
            stub = stubber.visit(stmt)
            if stub is None:
                continue
            text = ast.unparse(stub)
            if parts:
                separator = "\n\n" if isinstance(stub, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else "\n"
                parts.append(separator)
                start += len(separator)
            node = copy.copy(stub)
            decorators = getattr(stub, "decorator_list", None)
            if decorators:
                node.decorator_list = [_at(copy.copy(d), start + k) for k, d in enumerate(decorators)]
            node.lineno = start + len(decorators or ())
            node.end_lineno = start + text.count("\n")
            parts.append(text)
            placed.append(node)
            start = node.end_lineno
    return "".join(parts) + "\n", placed


def _at(node: _N, line: int) -> _N:
    node.lineno = node.end_lineno = line  # type: ignore[attr-defined]
    return node


# --- the stub text without black ----------------------------------------------------
#
# Black is the slowest stage, and formatting the stub source (`ast.unparse` output) with
# black in pyi mode mostly re-does work black already did on the module. The module text
# is black output, so its tokens are already normalised (quotes, spacing, numbers); what
# changes in a stub is only which lines exist and how they break. `fast_stub_chunks`
# therefore writes each stub line from the module text and lays lines out with black's
# own pyi rules for the few shapes a stub has (imports, annotated names, one-line
# assignments, decorators, `def ...: ...`, class headers). Every chunk is checked token
# by token against the stub source black would have formatted; a chunk with anything
# the rules do not cover (comments, unusual splits, lines too wide) is returned as stub
# source for black instead.



class StubChunk(NamedTuple):
    """A top-level part of a stub: final text, or (`black` True) stub source black must
    still format. Chunks join with one blank line, exactly as black lays them out."""

    text: str
    black: bool
    first_line: int  # in the stub source, for error messages


class _Fallback(Exception):
    """This part has a shape the fast path does not reproduce: leave it to black."""


class _Line(NamedTuple):
    kind: str  # import, decorator, def, class, stub_class or other
    depth: int
    before: int  # blank lines in black's input (ast.unparse puts one before def/class)
    text: list[str]  # physical lines, indentation included
    check: str | None = None  # for a line black laid out: its source, for the token check


def _fits(text: str) -> bool:
    # black measures East Asian wide characters as 2; be conservative for any non-ASCII
    return (len(text) if text.isascii() else 2 * len(text)) <= LINE_LENGTH


def _check(*lines: str) -> list[str]:
    if not all(_fits(line) for line in lines):
        raise _Fallback
    return list(lines)


def _join(parts: list[str]) -> str:
    """One logical line from the stripped physical lines black split it into: black
    breaks only after an opening bracket, before a closing one (adding a magic trailing
    comma) and at delimiters. The token check catches joins that change tokens."""
    out = parts[0]
    for part in parts[1:]:
        if part.startswith("."):
            raise _Fallback  # a split method chain: spacing would be wrong
        if part[0] in ")]}":
            out = (out[:-1] if out.endswith(",") else out) + part
        elif out[-1] in "([{":
            out += part
        else:
            out += " " + part
    return out


def _split_params(text: str, start: int) -> tuple[list[str], int]:
    """The top-level comma-separated items after the bracket at `start`, and the index
    of its closing bracket."""
    items: list[str] = []
    depth = 0
    item = start + 1
    i = start + 1
    find = _PARAMS_MARK.search
    while True:
        mark = find(text, i)
        if mark is None:
            raise _Fallback
        i = mark.start()
        ch = text[i]
        if ch in "\"'":
            if text.startswith(ch * 3, i):
                raise _Fallback
            end = i + 1
            while text[end] != ch:
                end += 2 if text[end] == "\\" else 1
            i = end
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                last = text[item:i].strip()
                if last:
                    items.append(last)
                return items, i
            depth -= 1
        elif depth == 0:  # a comma
            items.append(text[item:i].strip())
            item = i + 1
        i += 1


# what _split_params looks at: quotes, brackets and commas
_PARAMS_MARK = re.compile(r"""["'()\[\]{},]""")


def _def_lines(header: str, indent: str) -> tuple[list[str], str]:
    """Black's layout of `header ...` for a def (linegen.left_hand_split), and the def
    on one line with the parentheses black wrapped around type hints in the module
    taken off: the text the stub's tokens are checked against."""
    match = re.match(r"(async )?def \w+\(", header)
    if match is None:
        raise _Fallback  # type parameters or something unexpected
    params, close = _split_params(header, match.end() - 1)
    head, tail = header[: match.end()], header[close:] + " ..."
    check = indent + head + ", ".join(map(_param_check, params)) + _closing_check(header[close:]) + " ..."
    one = indent + head + ", ".join(params) + tail
    if _fits(one):
        return [one], check
    returns = tail.partition("->")[2].strip()
    if not params or returns.startswith(("'", '"')) or re.search(r",\s*[)\]]", tail):
        raise _Fallback  # black would split the return annotation first
    inner = indent + "    "
    body = ", ".join(params)
    closing = _closing_lines(header[close:], indent)
    if len(params) > 1 and _fits(inner + body):
        return _check(indent + head, inner + body, *closing), check
    # one parameter per line; black adds the trailing comma
    lines = [line for p in params for line in _parameter_lines(p, inner).split("\n")]
    return _check(indent + head, *lines, *closing), check


def _parameter_lines(param: str, indent: str) -> str:
    """A parameter on its own line(s), as black lays it out (see layout.parameter)."""
    one = indent + param + ","
    name, colon, rest = param.partition(": ")
    if _fits(one) or not colon:
        return one
    annotation, equals, default = rest.partition(" = ")
    return _same_tokens(one, parameter(name, bare(annotation), " = " + default if equals else "", len(indent)))


def _same_tokens(before: str, after: str) -> str:
    """`after`, a layout of `before` that may only add or drop parentheses and change
    whitespace (the token check of the chunk compares the unwrapped one-line form)."""
    if re.sub(r"[\s()]", "", before) != re.sub(r"[\s()]", "", after):
        raise _Fallback
    return after


def _param_check(param: str) -> str:
    name, colon, rest = param.partition(": ")
    if not colon:
        return param
    annotation, equals, default = rest.partition(" = ")
    return f"{name}: {bare(annotation)}" + (" = " + default if equals else "")


def _closing_check(tail: str) -> str:
    if tail.startswith(") -> ") and tail.endswith(":"):
        return ") -> " + bare(tail[len(") -> ") : -1]) + ":"
    return tail


def _closing_lines(tail: str, indent: str) -> list[str]:
    """`) -> returns: ...` closing a stub def, its annotation split as black splits a
    return annotation (see layout.returns_line) when too wide."""
    one = indent + tail + " ..."
    if _fits(one) or not (tail.startswith(") -> ") and tail.endswith(":")):
        return [one]
    return _same_tokens(one, returns_line(bare(tail[len(") -> ") : -1]), len(indent), ": ...")).split("\n")


def _exploded(lines: list[str]) -> bool:
    """A collection black exploded one element per line with a trailing comma: black
    lays it out the same way from one line when it does not fit."""
    if len(lines) < 3 or lines[0][-1:] not in ("[", "(", "{") or lines[-1].strip() not in ("]", ")", "}"):
        return False
    return all(line.endswith(",") and not re.search(r"[\[\](){}#]", line) for line in lines[1:-1])


class _FastStub:
    def __init__(self, module: str, black: Callable[[str], str] | None) -> None:
        self.lines = module.split("\n")
        self.black = black

    def _segment(self, first: ast.AST, last: ast.AST) -> list[str]:
        """Source lines from the start of `first` to the end of `last` (offsets are
        UTF-8 byte offsets)."""
        lines = [line.encode() for line in self.lines[first.lineno - 1 : last.end_lineno]]  # type: ignore[attr-defined]
        lines[-1] = lines[-1][: last.end_col_offset]  # type: ignore[attr-defined]
        lines[0] = lines[0][first.col_offset :]  # type: ignore[attr-defined]
        return [line.decode().strip() for line in lines]

    def _header(self, node: ast.stmt) -> str:
        """A def or class header, from its keyword to the `:` before the body."""
        body = node.body[0]  # type: ignore[attr-defined]
        lines = self.lines[node.lineno - 1 : body.lineno]
        before_body = lines[-1].encode()[: body.col_offset].decode()
        if before_body.strip():
            lines[-1] = before_body  # `def f(): ...` on one line
        else:
            lines.pop()
        header = _join([line.strip() for line in lines])
        if not header.endswith(":") or "#" in header:
            raise _Fallback
        return header

    def _decorators(self, node: ast.stmt, depth: int, before: int, out: list[_Line]) -> int:
        for deco in node.decorator_list:  # type: ignore[attr-defined]
            text = self.lines[deco.lineno - 1].strip()
            if deco.lineno != deco.end_lineno or not text.startswith("@"):
                raise _Fallback
            out.append(_Line("decorator", depth, before, _check("    " * depth + text)))
            before = 0
        return before

    def statement(self, m: ast.stmt | None, s: ast.stmt, depth: int, out: list[_Line]) -> None:
        """Lines for stub statement `s`, written from module statement `m`."""
        indent = "    " * depth
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in s.names]
            if isinstance(s, ast.Import):
                out.append(_Line("import", depth, 0, _check(indent + "import " + ", ".join(names))))
                return
            head = f"{indent}from {'.' * s.level}{s.module or ''} import "
            one = head + ", ".join(names)
            text = [one] if _fits(one) else _check(head + "(", *(indent + "    " + n + "," for n in names), indent + ")")
            out.append(_Line("import", depth, 0, text))
            return
        if isinstance(s, ast.Pass):
            out.append(_Line("other", depth, 0, [indent + "pass"]))
            return
        if m is None:
            raise _Fallback
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and type(m) is type(s):
            before = self._decorators(m, depth, 1, out)
            try:
                header = self._header(m)
                out.append(_Line("def", depth, before, *_def_lines(header, indent)))
            except _Fallback:
                if self.black is None:
                    raise
                # e.g. a parameter too long for its own line: black lays out this def
                # alone (its decorators are lines of their own, written above)
                decorators, s.decorator_list = s.decorator_list, []
                try:
                    out.append(_Line("def", depth, before, self._by_black(s, depth), ast.unparse(s)))
                finally:
                    s.decorator_list = decorators
        elif isinstance(s, ast.ClassDef) and isinstance(m, ast.ClassDef):
            before = self._decorators(m, depth, 1, out)
            header = self._header(m)
            if len(s.body) == 1 and isinstance(s.body[0], ast.Expr):  # the lone `...`
                out.append(_Line("stub_class", depth, before, _check(indent + header + " ...")))
                return
            if _fits(indent + header):
                out.append(_Line("class", depth, before, [indent + header]))
            else:  # black's split of the module's header, the same in the stub
                physical = self.lines[m.lineno - 1 : m.body[0].lineno - 1]
                if not physical or not physical[-1].rstrip().endswith(":"):
                    raise _Fallback
                out.append(_Line("class", depth, before, _check(*physical), indent + header))
            module_body = [n for n in _strip_docstring(m.body) if not isinstance(n, ast.Expr)]
            if len(module_body) != len(s.body):
                raise _Fallback
            for mm, ss in zip(module_body, s.body):
                self.statement(mm, ss, depth + 1, out)
        elif isinstance(s, ast.If) and isinstance(m, ast.If) and not s.orelse:
            header = self.lines[m.lineno - 1].strip()
            if m.test.lineno != m.test.end_lineno or not header.endswith(":") or "#" in header:
                raise _Fallback
            out.append(_Line("other", depth, 0, [indent + header]))
            for ss in s.body:
                self.statement(None, ss, depth + 1, out)  # imports and `pass` only
        elif isinstance(s, (ast.AnnAssign, ast.Assign)) and isinstance(m, (ast.AnnAssign, ast.Assign)):
            try:
                out.append(_Line("other", depth, 0, *self._assignment(m, s, indent)))
            except _Fallback:
                if self.black is None:
                    raise
                # e.g. a long annotation black wraps in parentheses: black lays out this
                # one line alone, the rest of the chunk stays on the fast path
                out.append(_Line("other", depth, 0, self._by_black(s, depth), ast.unparse(s)))
        else:
            raise _Fallback

    def _assignment(self, m: ast.stmt, s: ast.stmt, indent: str) -> tuple[list[str], str | None]:
        """The lines, and the one-line text to check tokens against when it differs."""
        if isinstance(s, ast.AnnAssign) and isinstance(m, ast.Assign):  # `X = Cls()` as `X: Cls`
            target = _join(self._segment(m.targets[0], m.targets[0]))
            return _check(f"{indent}{target}: {s.annotation.id}"), None  # type: ignore[attr-defined]
        if isinstance(s, ast.AnnAssign) and isinstance(m, ast.AnnAssign):
            if s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is ...):
                default = " = ..." if s.value else ""
                text = indent + _join(self._segment(m.target, m.annotation)) + default
                if not _fits(text):
                    # a type hint too wide: split as black splits a field's (the module
                    # may hold it in black's parentheses, which the stub's text lacks)
                    name = _join(self._segment(m.target, m.target))
                    hint = _join(self._segment(m.annotation, m.annotation))
                    text = f"{indent}{name}: {hint}{default}"
                    return _check(*_same_tokens(text, annotated(name, hint, default, len(indent))).split("\n")), text
                return _check(text), None
            return self._simple(m, s, indent)  # a module constant keeps its value
        if isinstance(s, ast.Assign) and isinstance(m, ast.Assign):
            return self._simple(m, s, indent)
        raise _Fallback

    def _by_black(self, s: ast.stmt, depth: int) -> list[str]:
        """Black's layout of one statement without decorators, formatted inside `depth` dummy classes
        so that it has its real indentation (black splits each line on its own)."""
        wrappers = ["    " * i + "class _:" for i in range(depth)]
        assert self.black is not None
        try:
            source = "\n".join(wrappers + ["    " * depth + line for line in ast.unparse(s).split("\n")])
            lines = self.black(source + "\n").split("\n")
        except Exception:  # black's own errors belong to the chunk-level fallback
            raise _Fallback from None
        if lines[:depth] != wrappers or lines[-1] != "" or len(lines) < depth + 2:
            raise _Fallback
        return lines[depth:-1]

    def _simple(self, m: ast.stmt, s: ast.stmt, indent: str) -> tuple[list[str], str | None]:
        """A statement kept whole: one line if it fits, else black's exploded form, else
        the module's own lines (with the stub's text to check tokens against)."""
        lines = self._segment(m, m)
        one = indent + _join(lines)
        if _fits(one):
            return [one], None
        if _exploded(lines):
            return _check(indent + lines[0], *(indent + "    " + line for line in lines[1:-1]), indent + lines[-1]), None
        # the same statement at the same depth: black's layout of it in the module (a
        # stub differs from a module in blank lines and bodies, not in such lines)
        physical = self.lines[m.lineno - 1 : m.end_lineno]
        if m.col_offset == len(indent) and all(line.startswith(indent) for line in physical):
            return _check(*physical), indent + ast.unparse(s)
        raise _Fallback


def _blank_lines(lines: list[_Line]) -> str:
    """Join logical lines with the blank lines black's EmptyLineTracker puts between
    them in pyi mode (lines.py `_maybe_empty_lines`, no preview features), for the line
    kinds a stub has."""
    out: list[str] = []
    prev: _Line | None = None
    defs: list[_Line] = []
    prev_after = 0
    for line in lines:
        before = min(line.before, 1)
        user_had_newline = bool(before)
        previous_def = None
        while defs and defs[-1].depth >= line.depth:
            previous_def = defs.pop()
        if line.kind in ("def", "class", "stub_class"):
            defs.append(line)
        after = 0
        if prev is None:
            before = 0
        else:
            if previous_def is not None:
                if previous_def.kind == "class":
                    before = 1
                elif line.depth and line.kind != "def" and prev.kind == "def":
                    before = 1 if user_had_newline else 0
                else:
                    before = 0 if line.depth else 1
            if line.kind in ("decorator", "def", "class", "stub_class"):
                before, after = _class_or_def(prev, line, before)
            elif prev.kind == "import" and prev.depth == 0 and line.depth == 0 and line.kind != "import":
                before = 1
            elif prev.kind == "import" and line.kind != "import" and line.depth == prev.depth:
                before = before or 1
        before = max(0, before - prev_after)
        out.extend([""] * (prev_after + before))
        out.extend(line.text)
        prev, prev_after = line, after
    return "\n".join(out) + "\n"


def _class_or_def(prev: _Line, line: _Line, before: int) -> tuple[int, int]:
    """lines.py `_maybe_empty_lines_for_class_or_def`, pyi branch."""
    if prev.kind == "decorator":
        return (0, 1) if line.kind == "stub_class" else (0, 0)
    if prev.depth < line.depth and prev.kind in ("class", "def"):
        return 0, 0
    if line.kind in ("class", "stub_class") or prev.kind in ("class", "stub_class"):
        if prev.depth != line.depth:
            return int(prev.depth > line.depth), 0
        return int(not (line.kind == "stub_class" and prev.kind == "stub_class")), 0
    if prev.depth > line.depth:
        return 1, 0
    if prev.kind != "def":
        return (min(1, before) if line.depth else 1), 0
    return 0, 0


def _tokens(text: str) -> list[str]:
    """The tokens black keeps, to compare the fast text with the stub source black would
    format (a regular expression: the tokenize module costs more than the rest of the
    fast path). Black adds a trailing comma when it explodes brackets one item per line
    (a comma at a line end before a closing bracket): drop those. ast.unparse quotes
    strings with repr(), black prefers double quotes: a string without quotes inside
    compares by content. Triple-quoted strings are not compared: give up on them."""
    if '"""' in text or "'''" in text:
        raise _Fallback
    out: list[str] = []
    in_import = False
    for value in _TOKEN.findall(_EXPLODED_COMMA.sub(r"\1", text)):
        # black wraps a long `from x import a, b` in parentheses
        if value == "(" and out and out[-1] == "import":
            in_import = True
            continue
        if value == ")" and in_import:
            in_import = False
            continue
        if value[:1] == "'" and value[-1:] == "'":
            inner = value[1:-1]
            if '"' not in inner and "'" not in inner:
                value = '"' + inner + '"'
        out.append(value)
    return out


# strings (with prefixes), names and numbers, or any other single character
_TOKEN = re.compile(r"""[rbuRBUfF]*(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|[\w.]+|\S""")
_EXPLODED_COMMA = re.compile(r",\n\s*([)\]}])")


def _same_import(m: ast.stmt, s: ast.stmt) -> bool:
    if isinstance(m, ast.Import) and isinstance(s, ast.Import):
        return [a.name for a in m.names] == [a.name for a in s.names]
    if isinstance(m, ast.ImportFrom) and isinstance(s, ast.ImportFrom):
        return (m.module, m.level) == (s.module, s.level) and {a.name for a in s.names} <= {a.name for a in m.names}
    return False


def fast_stub_chunks(
    module: str,
    black: Callable[[str], str] | None = None,
    tree: ast.Module | None = None,
    dropped: list[tuple[int, int]] | None = None,
) -> list[StubChunk]:
    """The stub of black-formatted `module` as top-level chunks, in black pyi style
    where the fast path can guarantee it, else as stub source for black. Chunks are cut
    where format.split_chunks cuts, so joining them with one blank line (`"\\n"`) gives
    black's whole-file output. With `black` (stub source -> pyi text), a simple
    statement the fast path cannot lay out goes to it alone instead of its whole chunk.
    Raises StubError/SyntaxError like derive_stub. `tree` is the syntax tree of
    `module` if the caller has it (left unchanged); without it a large module is
    parsed a piece at a time (`_fast_stub_in_pieces`). `dropped`, when given, is given
    the line ranges of the module that no stub shows (see `_dropped_lines`)."""
    from .format import split_chunks

    if tree is None and len(module) >= PIECES_MIN_CHARS:
        found = _fast_stub_in_pieces(module, black, dropped=dropped)
        if found is not None:
            return found
        if dropped is not None:
            dropped.clear()
    module_tree = tree or parse(module)
    if dropped is not None:
        _dropped_lines(module_tree.body, module.split("\n"), 0, dropped)
    source, tree = pruned(derive_stub(module, module_tree))
    if tree is None:  # pruning changed the text
        tree = parse(source)
    if not tree.body:
        # black leaves nothing as nothing, and blank lines as one newline
        return [StubChunk("\n" if source else "", False, 1)]
    found = _fast_chunks(module, module_tree.body, source, tree, black)
    return found if found is not None else [StubChunk(text, True, first) for first, text in split_chunks(source, tree)]


def _fast_chunks(
    module: str, module_body: list[ast.stmt], source: str, tree: ast.Module, black: Callable[[str], str] | None
) -> list[StubChunk] | None:
    """The chunks of stub source `source` (`tree`), derived from the statements
    `module_body` of module text `module`, written by the fast path where it can; None
    when the statements do not pair up."""
    from .format import split_chunks

    chunks = split_chunks(source, tree)
    pairs = _pairs(module_body, tree.body)
    if pairs is None:
        return None
    fast = _FastStub(module, black)
    starts = [first for first, _ in chunks[1:]] + [len(source.splitlines()) + 2]
    out = []
    position = 0
    for (first, text), end in zip(chunks, starts):
        mine = []
        while position < len(pairs) and statement_start(pairs[position][1]) < end:
            mine.append(pairs[position])
            position += 1
        out.append(_fast_chunk(fast, mine, first, text))
    return out


def _pairs(module: list[ast.stmt], stub: list[ast.stmt]) -> list[tuple[ast.stmt, ast.stmt]] | None:
    """Each top-level stub statement with the module statement it came from (imports
    the stub pruned have no partner); None when they do not pair up."""
    module_body = [n for n in _strip_docstring(module) if not isinstance(n, ast.Expr)]
    pairs: list[tuple[ast.stmt, ast.stmt]] = []
    i = 0
    for s in stub:
        while i < len(module_body) and isinstance(module_body[i], (ast.Import, ast.ImportFrom)) and not _same_import(module_body[i], s):
            i += 1
        if i == len(module_body):
            return None
        pairs.append((module_body[i], s))
        i += 1
    return pairs


def _fast_chunk(fast: _FastStub, pairs: list[tuple[ast.stmt, ast.stmt]], first: int, text: str) -> StubChunk:
    """The chunk of stub source `text` (its statements paired in `pairs`) in black pyi
    style, or `text` itself for black when the fast path cannot vouch for it."""
    lines: list[_Line] = []
    try:
        for m, s in pairs:
            fast.statement(m, s, 0, lines)
        result = _blank_lines(lines) if lines else None
        checked = "\n".join(line.check if line.check is not None else "\n".join(line.text) for line in lines)
        if result is None or _tokens(checked) != _tokens(text):
            raise _Fallback
        return StubChunk(result, False, first)
    except (_Fallback, IndexError):
        return StubChunk(text, True, first)


def _fast_stub_in_pieces(
    module: str, black: Callable[[str], str] | None, size: int = PIECE_CHARS, dropped: list[tuple[int, int]] | None = None
) -> list[StubChunk] | None:
    """fast_stub_chunks without the syntax tree of the whole module (see
    imports.pruned_in_pieces): the module is parsed a piece at a time, and each
    piece's stub derived, parsed and cut into chunks as the whole stub would be. The
    last chunk of a piece may go on past it, so the next piece begins with that
    chunk's module statements (parsed again). The first chunk, which holds the
    imports, is pruned last, with the names every piece uses. Gives what
    fast_stub_chunks gives, or None when the module does not parse in pieces or has
    imports past its first chunk (the caller then works on the whole)."""
    part = stub_part(module, black, True, size, dropped)
    return None if part is None else joined_stub([part], black)


def run_cut(module: str) -> int | None:
    """Where to cut black-formatted `module` in two runs for stub_part, about half way:
    before a `class` or decorator line whose last non-blank line before it is indented,
    the end of a class body most likely. joined_stub checks that the stubs meet there;
    a cut inside a string or brackets leaves a first run that does not parse."""
    found = _RUN_START.search(module, len(module) // 2)
    while found is not None:
        end = found.start()
        while end > 0 and module[end - 1] == "\n":
            end -= 1
        if module.startswith("    ", module.rfind("\n", 0, end) + 1):
            return found.start() + 2
        found = _RUN_START.search(module, found.end())
    return None


_RUN_START = re.compile(r"\n\n(?=class |@)")


class StubPart(NamedTuple):
    """The stub of a run of a module's top-level statements (`stub_part`), its first
    chunk not yet pruned: `joined_stub` joins the runs of a whole module."""

    head: _Head | None  # the module's first chunk, in the run that begins the module
    used: set[str]  # the names its stub uses
    done: list[tuple[StubChunk, int]]  # its other chunks, with their stub source lines
    opens: bool  # its first stub statement is a class or def
    closes: bool  # its last stub statement is a class with an indented body


def stub_part(
    text: str,
    black: Callable[[str], str] | None,
    first: bool,
    size: int = PIECE_CHARS,
    dropped: list[tuple[int, int]] | None = None,
) -> StubPart | None:
    """The stub of `text`, whole top-level statements of a module (all of it, or a run
    that begins with `first`), derived a piece at a time; None when it does not parse
    in pieces, or has imports past the module's first chunk."""
    lines = piece_lines(text)
    if lines is None:
        return None
    starts = [i for i in range(len(lines)) if can_start_piece(lines, i)]
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    used: set[str] = set()
    head: _Head | None = None
    done: list[tuple[StubChunk, int]] = []
    edges: list[tuple[ast.stmt, ast.stmt]] = []  # each piece's first and last stub statements
    begin = 0
    grow = size
    while True:
        end = next((i for i in starts if offsets[i] >= offsets[begin] + grow), len(lines))
        last = end == len(lines)
        opening = first and head is None
        with paused_gc():  # the piece's trees are gone before the collector would walk them
            step = _stub_piece("".join(lines[begin:end]), black, opening, last, used, done, dropped, begin, edges)
        if step is None:
            return None
        if step == 0:
            grow *= 2  # no chunk ends in this piece: take a larger one
            continue
        if isinstance(step, _Head):
            head, step = step, step.after
        if last:
            break
        begin += step
        grow = size
    from .format import _has_indented_tail

    if not edges:
        return None
    blocks = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return StubPart(head, used, done, isinstance(edges[0][0], blocks), _has_indented_tail(edges[-1][1]))


def joined_stub(parts: list[StubPart], black: Callable[[str], str] | None) -> list[StubChunk] | None:
    """The stub chunks of a module from the stub parts of consecutive runs of its
    statements, the first pruned with every part's names: what fast_stub_chunks gives.
    None when the runs do not meet where the whole stub's chunks meet (a class with a
    body before, a class or def after), or the first has no first chunk."""
    head = parts[0].head
    if head is None or any(not (a.closes and b.opens) for a, b in zip(parts, parts[1:])):
        return None
    used = set().union(*(part.used for part in parts))
    pairs = head.pairs
    source, tree = pruned(head.stub, ast.Module([s for _, s in pairs], []), used)
    if tree is None:
        tree = parse(source)
    if not tree.body:
        return None
    # (more than one chunk when pruning took out an import that kept two classes apart)
    out = _fast_chunks(head.module, [m for m, _ in pairs], source, tree, black)
    if out is None:
        return None
    line = 1 + source.count("\n")
    for k, part in enumerate(parts):
        for chunk, count in part.done:
            out.append(chunk._replace(first_line=line))
            line += count
        if k + 1 < len(parts):  # the whole's chunk takes in the blank line before the next run
            line += 1
            if out[-1].black:
                out[-1] = out[-1]._replace(text=out[-1].text + "\n")
    return out


class _Head(NamedTuple):
    """The first chunk of a stub derived in pieces, to prune once all names are known."""

    stub: str  # its stub source
    pairs: list[tuple[ast.stmt, ast.stmt]]  # its module and stub statements
    module: str  # the module text of the piece it is in
    after: int  # where the next piece begins (lines after this one's beginning)


def _stub_piece(
    text: str,
    black: Callable[[str], str] | None,
    first: bool,
    last: bool,
    used: set[str],
    done: list[tuple[StubChunk, int]],
    dropped: list[tuple[int, int]] | None = None,
    shift: int = 0,
    edges: list[tuple[ast.stmt, ast.stmt]] | None = None,
) -> _Head | int | None:
    """One piece of _fast_stub_in_pieces: adds the names its stub uses to `used` and its
    chunks that end in it (but the first chunk of the module) to `done`. Returns the
    first chunk (for the first piece), or where the next piece begins (lines after this
    one's beginning, -1 after the last piece); 0 when no chunk ends in the piece, None
    when it does not parse or pair up. `edges` is given the piece's first and last
    stub statements."""
    from .format import split_chunks

    try:
        module_body = parse(text).body
        if first:  # the imports it prunes are read at their lines inside `if` blocks too
            stub = derive_stub(text, ast.Module(module_body, []))
            stub_body = parse(stub).body
        else:  # a piece with an import or `if` is refused below
            stub, stub_body = _stub_statements(module_body)
    except (SyntaxError, StubError):  # the whole module reports it, at its line
        return None
    if edges is not None and stub_body:
        edges.append((stub_body[0], stub_body[-1]))
    chunks = split_chunks(stub, ast.Module(stub_body, []))
    if len(chunks) < 2 and not last:
        return 0
    if dropped is not None:  # (statements parsed again in the next piece add the same)
        _dropped_lines(module_body, text.split("\n"), shift, dropped)
    used |= _used_names(ast.Module(stub_body, []))
    pairs = _pairs(module_body, stub_body)
    if pairs is None:
        return None
    ends = [line for line, _ in chunks[1:]] + [len(stub.splitlines()) + 2]
    mine: list[list[tuple[ast.stmt, ast.stmt]]] = [[] for _ in chunks]
    k = 0
    for pair in pairs:
        while statement_start(pair[1]) >= ends[k]:
            k += 1
        mine[k].append(pair)
    if any(isinstance(s, (ast.Import, ast.ImportFrom, ast.If)) for own in mine[first:] for _, s in own):
        return None  # imports past the first chunk: pruned on the whole
    fast = _FastStub(text, black)
    for k, (_, chunk) in enumerate(chunks if last else chunks[:-1]):
        if k or not first:
            done.append((_fast_chunk(fast, mine[k], 0, chunk), chunk.count("\n")))
    # the next piece begins with the module statements of this one's last chunk
    after = -1 if last else statement_start(mine[-1][0][0]) - 1  # (at least 1: a chunk is before)
    return _Head(chunks[0][1], mine[0], text, after) if first else after


def _dropped_lines(body: list[ast.stmt], lines: list[str], shift: int, out: list[tuple[int, int]]) -> None:
    """Add to `out` the (first, last) lines, 1-based and `shift` lines on, that `body`'s
    stub never shows, whatever they hold: bare expression statements (docstrings) alone
    on their lines, and function bodies that begin on a line of their own. `lines` are
    the text `body` was parsed from."""

    def alone(node: ast.stmt) -> bool:  # nothing before it on its first line
        return not lines[node.lineno - 1].encode()[: node.col_offset].strip()

    for k, node in enumerate(body):
        if isinstance(node, ast.Expr):
            after = statement_start(body[k + 1]) if k + 1 < len(body) else None
            if alone(node) and node.end_lineno is not None and (after is None or after > node.end_lineno):
                out.append((node.lineno + shift, node.end_lineno + shift))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if alone(node.body[0]) and node.end_lineno is not None:
                out.append((node.body[0].lineno + shift, node.end_lineno + shift))
        elif isinstance(node, ast.ClassDef):
            _dropped_lines(node.body, lines, shift, out)
        elif isinstance(node, ast.If):
            _dropped_lines(node.body, lines, shift, out)
            _dropped_lines(node.orelse, lines, shift, out)
