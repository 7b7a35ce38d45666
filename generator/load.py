"""Stage 1: read a YAML or JSON document into plain Python data.

YAML goes through libyaml (the C loader) with timestamp resolution switched off, so
`2023-01-01` stays the string the author wrote. Line numbers are not collected while
loading: a `SourceMap` composes the node tree only when a diagnostic needs a line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import yaml

from .bundle import Bundle, Bundler, is_file_ref, has_file_refs
from .cache import DISABLED, Cache, note_read
from .diagnostics import Diagnostics, GenerationFailed, Level, is_index, pointer_join, pointer_tokens
from .marks import opened

if TYPE_CHECKING:
    from .prose_edit import ProseEdit
    from .spec_parts import SpecParts

try:  # the C loader is a hard requirement for speed, but fall back rather than crash
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class SpecLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loader that keeps timestamps as strings."""


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", _BaseLoader.construct_yaml_str)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    """Mapping keys as the text the author wrote: OpenAPI is JSON, whose keys are strings,
    so `200:` is "200" and `true:` is "true", and a list or mapping as a key is an error
    rather than a crash later on."""
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found a non-scalar key", key_node.start_mark
            )
        mapping[str(key_node.value)] = loader.construct_object(value_node, deep=deep)
    return mapping


SpecLoader.construct_mapping = _construct_mapping

# Bounds that keep a hostile document from exhausting memory or the stack.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NODES = 5_000_000
MAX_DEPTH = 500


class LoadError(Exception):
    def __init__(self, code: str, message: str, pointer: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.pointer = pointer
        self.line = line


@dataclass
class SourceMap:
    """JSON pointer -> line: from the lines read while parsing (`marks`, see
    load._from_events), else from the composed YAML node tree, which is built on first
    use (only a run with diagnostics to locate needs it)."""

    path: str
    # the text, or None while only its bytes (`encoded`, valid UTF-8) were needed:
    # decoding a large spec's megabytes is left to the first reader of `text`
    known_text: str | None
    marks: Any = field(default=None, repr=False)
    _root: yaml.Node | None | bool = field(default=None, repr=False)  # False: not YAML
    encoded: bytes | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self.known_text is None:
            self.known_text = self.encoded.decode("utf-8") if self.encoded is not None else ""
        return self.known_text

    def line_of(self, pointer: str) -> int:
        """The line of the node at `pointer` (of its key, in a mapping), else of its
        closest ancestor found; 0 when the text does not compose."""
        if self.marks is not None:
            try:
                return _line_in_marks(self.marks, pointer)
            except (ValueError, EOFError, TypeError):  # a packed part's marks damaged in the cache
                self.marks = None  # (lines from the node tree instead)
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=SpecLoader) or False
            except yaml.YAMLError:
                self._root = False
        if not isinstance(self._root, yaml.Node):
            return 0
        node: yaml.Node = self._root
        line = node.start_mark.line + 1
        for token in pointer_tokens(pointer):
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == token), None)
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and is_index(token) and int(token) < len(node.value):
                node = node.value[int(token)]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _line_in_marks(root: tuple[int, Any], pointer: str) -> int:
    """`SourceMap.line_of`'s walk over the node tree, made over the marks (see marks.py)."""
    line, marks = root[0] + 1, root[1]
    for token in pointer_tokens(pointer):
        key: str | int = token
        if isinstance(marks, dict):
            found = marks.get(token)
        elif isinstance(marks, list) and is_index(token) and int(token) < len(marks):
            key = int(token)
            found = marks[key]
        else:
            break
        if found is None:
            break
        line, marks = found[0] + 1, opened(marks, key)
    return line


@dataclass
class Document:
    """A loaded spec: its data plus where it came from. For a multi-file document,
    `bundle` maps pointers under the bundled files back to their own file and line."""

    path: str
    data: Any
    source: SourceMap
    bundle: Bundle | None = None
    parsed: Parsed | None = field(default=None, repr=False)  # how the text was read
    recalled: bool = False  # read from the load memo (load_memo.recall)
    encoded: bytes | None = field(default=None, repr=False)  # the file's bytes, when they are the text in UTF-8

    def locate(self, pointer: str) -> tuple[str, int]:
        if self.bundle is not None:
            found = self.bundle.locate(pointer)
            if found is not None:
                shown, source = self.bundle.sources[found[0]]
                return shown, source.line_of(found[1])
        return self.source.path, self.source.line_of(pointer)


class Parsed(NamedTuple):
    data: Any
    bounded: bool  # known to pass `check_bounds`
    marks: Any = None  # lines, when read while parsing (see _from_events)
    file_refs: bool | None = None  # whether a `$ref` names another file (None: not known)
    nodes: int | None = None  # as `_from_events` counts them (None: not known)
    recalled: bool = False  # the very load the cache holds (load_memo)
    # the text of the load the cache holds (load_memo.Entry.text), when spliced from it
    # (the keeper patches it, in its own process)
    spliced_from: bytes | None = None
    tidy: bool = False  # no repeated key, no flow collection over lines (see _from_events)
    # each place where a container met before sits, with the place it was met first
    # (YAML aliases, as load_memo.shared_places gives them); None when not known
    shared: list[list[list[str | int]]] | None = None
    # `spec_parts(data)`, when the load memo knows it (load_memo.py); None when not known
    parts: SpecParts | None = None
    # the edit since the kept load, when it changed prose only (prose_edit.py)
    prose: ProseEdit | None = None


def parse_bounded(text: str, path: str) -> Parsed:
    """The document's data, through `check_bounds` (which YAML read by `_from_events`
    can often skip)."""
    parsed = _parse(text, path)
    if not parsed.bounded:
        check_bounds(parsed.data)
    return parsed


def _parse(text: str, path: str) -> Parsed:
    stripped = text.lstrip()
    if path.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return Parsed(json.loads(text), False, shared=[])
        except RecursionError:
            raise LoadError(
                "too-deep", f"nesting deeper than {MAX_DEPTH} levels", line=_json_depth_line(text)
            ) from None
        except json.JSONDecodeError as exc:
            if path.endswith(".json"):
                raise LoadError("parse-error", f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    return _parse_yaml(text)


def _parse_yaml(text: str) -> Parsed:
    """The YAML's data. Read by `_from_events`, it is `bounded` (`check_bounds` has
    nothing to find there) when it nests at most MAX_DEPTH deep, has at most MAX_NODES
    nodes counting those aliases repeat, and aliases only scalars and closed containers
    of scalars."""
    parsed = _from_events(text)
    if parsed is not _UNSUPPORTED:
        data, bounded, marks, file_refs, nodes, anchored, tidy = parsed
        return Parsed(data, bounded, marks, file_refs, nodes, tidy=tidy, shared=None if anchored else [])
    try:
        return Parsed(yaml.load(text, Loader=SpecLoader), False)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = str(exc.problem or exc)
        code = "too-deep" if "nesting depth" in problem else "parse-error"
        raise LoadError(code, f"invalid YAML: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError("parse-error", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise LoadError("too-deep", "document nesting is too deep to parse") from None


_UNSUPPORTED: Any = object()
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


def _from_events(text: str, depth: int = 0) -> Any:
    """Build the data straight from libyaml's events, which is about three times faster
    than composing a node tree and constructing from it. It gives the loader's result
    (a test compares the two on every corpus document) for the YAML an OpenAPI document
    uses: mappings, sequences, untagged scalars and anchors. Anything else (a tag, a
    merge key, a non-scalar or anchored key, several documents, a parse error) returns
    `_UNSUPPORTED`, and the full loader then builds the data or reports the error.

    Returns (data, bounded, marks, file_refs, nodes, anchored, tidy): `bounded` as in
    `_parse_yaml`; `marks` the lines a `SourceMap` would read from the node tree, so
    locating needs no second parse; `file_refs` what `has_file_refs` would answer;
    `nodes` the count `bounded` holds to MAX_NODES; `anchored` whether any node has an
    anchor; `tidy` that no mapping repeats a key and no flow collection spans lines.
    `depth`: how deep the text's root sits in a larger document (load_memo reads a
    piece of one), for the MAX_DEPTH limit.
    A container's marks are a dict (key -> (line of the key, marks of the value)) or a
    list ((line of the item, its marks)); a scalar's marks are None; the root is
    (line, marks). A plain scalar resolves and constructs exactly as the loader does
    it, memoised per text (`type: string` is written thousands of times)."""
    loader = SpecLoader(text)
    try:
        get_event = loader.get_event
        get_event()  # StreamStartEvent
        if type(get_event()) is not yaml.DocumentStartEvent:
            return _UNSUPPORTED
        resolve, constructors = loader.resolve, loader.yaml_constructors
        plain: dict[str, Any] = {}
        anchors: dict[str, tuple[Any, int, Any]] = {}  # name -> (value, line, marks)
        stack: list[tuple[Any, Any, Any, int]] = []
        root: Any = _UNSUPPORTED
        root_marks: tuple[int, Any] = (0, None)
        top: Any = None  # the open mapping or sequence
        marks: Any = None  # its marks
        key: str | None = None  # in a mapping, the key awaiting its value
        key_line = 0
        events = 0
        repeated = 0  # the nodes aliases repeat (MAX_NODES + 1: unknown, or a cycle)
        ref_holders: list[dict[str, Any]] = []
        tidy = True  # no key repeated in a mapping, no flow collection over several lines
        flows: list[int] = []  # per open container, its first line if in flow style, else -1
        while True:
            event = get_event()
            kind = type(event)
            events += 1
            opens = kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent
            if kind is yaml.AliasEvent:
                if (key is None and type(top) is dict) or event.anchor not in anchors:
                    return _UNSUPPORTED
                value, line, child = anchors[event.anchor]
                if type(value) is dict or type(value) is list:
                    repeated += _repeated_size(value, len(stack), top, stack)
            elif kind is yaml.ScalarEvent or opens:
                if event.tag is not None:
                    return _UNSUPPORTED
                line = event.start_mark.line
                if key is None and type(top) is dict:  # a key
                    if opens or event.anchor is not None or (event.value == "<<" and event.implicit[0]):
                        return _UNSUPPORTED
                    key, key_line = event.value, line
                    if key == "$ref":
                        ref_holders.append(top)
                    continue
                if opens:
                    value, child = ({}, {}) if kind is yaml.MappingStartEvent else ([], [])
                else:
                    value, child = event.value, None
                    if event.implicit[0]:
                        try:
                            value = plain[value]
                        except KeyError:
                            tag = resolve(yaml.ScalarNode, value, (True, False))
                            if tag not in _PLAIN_TAGS:
                                return _UNSUPPORTED
                            value = plain[value] = constructors[tag](loader, yaml.ScalarNode(tag, value))
                if event.anchor is not None:
                    if event.anchor in anchors:
                        return _UNSUPPORTED
                    anchors[event.anchor] = (value, line, child)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                top, marks, _, _ = stack.pop()
                flow_line = flows.pop()
                if flow_line >= 0 and event.start_mark.line != flow_line:
                    tidy = False
                key = None
                continue
            elif kind is yaml.DocumentEndEvent:
                break
            else:
                return _UNSUPPORTED
            if type(top) is dict:
                top[key] = value
                if key not in marks:  # a repeated key: lines are the first one's
                    marks[key] = (key_line, child)
                else:
                    tidy = False
            elif top is not None:
                top.append(value)
                marks.append((line, child))
            else:
                root, root_marks = value, (line, child)
            if opens:
                stack.append((top, marks, key, key_line))
                flows.append(line if event.flow_style else -1)
                top, marks = value, child
                if len(stack) + depth > MAX_DEPTH:
                    return _UNSUPPORTED
            key = None
        if type(get_event()) is not yaml.StreamEndEvent:
            return _UNSUPPORTED
        file_refs = any(isinstance(d["$ref"], str) and is_file_ref(d["$ref"]) for d in ref_holders)
        return root, events + repeated <= MAX_NODES, root_marks, file_refs, events + repeated, bool(anchors), tidy
    except yaml.YAMLError:
        return _UNSUPPORTED
    finally:
        loader.dispose()


def _repeated_size(value: dict[str, Any] | list[Any], depth: int, top: Any, stack: list[Any]) -> int:
    """The nodes an alias of the container `value` adds, placed at `depth`; more than
    MAX_NODES unless it is a closed container of scalars that stays within MAX_DEPTH,
    the one case that needs no `check_bounds` (OpenAPI documents alias `required` lists)."""
    items = value.values() if isinstance(value, dict) else value
    if (
        value is top
        or any(value is frame[0] for frame in stack)
        or depth + 1 > MAX_DEPTH
        or any(isinstance(item, (dict, list)) for item in items)
    ):
        return MAX_NODES + 1
    return 1 + len(value)


def _json_depth_line(text: str) -> int:
    """The line where JSON text first nests deeper than MAX_DEPTH (0 if it does not)."""
    depth, line, in_string, escaped = 0, 1, False, False
    for c in text:
        if c == "\n":
            line += 1
        elif in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif c in "]}":
            depth -= 1
    return 0


def check_bounds(data: Any) -> None:
    """Refuse alias bombs, self-containing aliases and absurd nesting before any stage
    walks the data.

    YAML aliases make the loaded data a graph whose nodes are shared, so a few kilobytes
    can stand for billions of nodes once walked as a tree. Sizes and heights are
    computed once per distinct container (post-order, memoised by identity), so the check
    costs the size of the document as written, not as expanded.
    """
    if not isinstance(data, (dict, list)):
        return  # a scalar document (the stages after report it as not an object)
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            values = list(node.values()) if isinstance(node, dict) else node
            size[key] = 1 + sum(size.get(id(v), 1) if isinstance(v, (dict, list)) else 1 for v in values)
            height[key] = 1 + max((height.get(id(c), 0) for c in _children(node)), default=0)
            on_stack.discard(key)
            if size[key] > MAX_NODES:
                raise LoadError(
                    "too-large",
                    f"document expands to more than {MAX_NODES:,} nodes (YAML alias bomb?)",
                )
            continue
        if key in size:
            continue
        if key in on_stack:
            raise LoadError("cyclic-alias", "a YAML alias refers to a node that contains it")
        on_stack.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_stack:
                raise LoadError("cyclic-alias", "a YAML alias refers to a node that contains it")
            if id(child) not in size:
                stack.append((child, False))
    if height.get(id(data), 0) > MAX_DEPTH:
        raise LoadError("too-deep", f"nesting deeper than {MAX_DEPTH} levels", _deepest_pointer(data, height))


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [v for v in node.values() if isinstance(v, (dict, list))]
    if isinstance(node, list):
        return [v for v in node if isinstance(v, (dict, list))]
    return []


def _deepest_pointer(data: Any, height: dict[int, int], limit: int = 64) -> str:
    """A pointer down the deepest branch (its first `limit` steps), for the error."""
    pointer, node = "", data
    for _ in range(limit):
        best: tuple[int, Any, Any] | None = None
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for token, child in items:
            h = height.get(id(child), 0) if isinstance(child, (dict, list)) else 0
            if h and (best is None or h > best[0]):
                best = (h, token, child)
        if best is None:
            break
        pointer, node = pointer_join(pointer, best[1]), best[2]
    return pointer


def read_file(path: Path) -> str:
    text, data = _read_file(path)
    return text if text is not None else _decoded(path, data)


def _read_file(path: Path) -> tuple[str | None, bytes]:
    """The file's text, as text mode reads it (each line break a \n), and its bytes.
    The text is None when it is those bytes in UTF-8 (no other line break), not decoded
    yet: `_decoded` decodes them, or fails as the read would have (a load spliced from
    the kept one decodes only the lines it changed: see load_memo.recall)."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise LoadError("file-error", f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise LoadError("too-large", f"{path} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except OSError as exc:
        raise LoadError("file-error", f"cannot read {path}: {exc}") from None
    if b"\r" in data:
        text = _decoded(path, data)
        note_read(path, st, data)
        return text.replace("\r\n", "\n").replace("\r", "\n"), data
    note_read(path, st, data)
    return None, data


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError("file-error", f"cannot read {path}: {exc}") from None


def load(
    path: str | Path,
    diagnostics: Diagnostics,
    cache: Cache = DISABLED,
    on_text: Callable[[str, str | None, bytes | None], None] | None = None,
) -> Document:
    """Load one document; on failure record a located error and raise GenerationFailed.
    With a cache, the last load of the file is reused where the text is unchanged
    (load_memo.py). `on_text` is told the path as shown and the text, once read (and
    the file's bytes, when they are the text in UTF-8)."""
    path = Path(path)
    shown = str(path)
    text: str | None = ""
    encoded: bytes | None = None
    recalled = False
    try:
        text, data = _read_file(path)
        encoded = data if text is None else None  # (the bytes, when they are the text in UTF-8)
        if on_text is not None:
            on_text(shown, text, encoded)
        parsed = None
        if cache.enabled:
            from .load_memo import recall

            parsed = recall(cache, shown, text, encoded)
            recalled = parsed is not None
        if parsed is None:
            if text is None:
                text = _decoded(path, data)
            parsed = parse_bounded(text, shown)
    except LoadError as exc:
        line = exc.line
        if exc.pointer and not line:
            try:
                line = SourceMap(shown, text or "").line_of(exc.pointer)
            except Exception:  # too deep to compose: the pointer alone locates it
                line = 0
        diagnostics.add(exc.code, Level.ERROR, exc.message, exc.pointer, shown, line)
        raise GenerationFailed from None
    source = SourceMap(shown, text, parsed.marks, encoded=encoded)
    doc = Document(shown, parsed.data, source, parsed=parsed, recalled=recalled, encoded=encoded)
    diagnostics.locator = doc.locate
    if parsed.file_refs or (parsed.file_refs is None and has_file_refs(doc.data)):
        bundle_files(doc, path, diagnostics)
    return doc


def _load_referenced(path: Path, shown: str) -> tuple[Any, SourceMap]:
    try:
        text = read_file(path)
        parsed = _parse(text, shown)
    except LoadError as exc:
        raise _ReferencedFileError(shown, exc) from None
    return parsed.data, SourceMap(shown, text, parsed.marks)


class _ReferencedFileError(Exception):
    def __init__(self, shown: str, error: LoadError) -> None:
        super().__init__(error.message)
        self.shown = shown
        self.error = error


def bundle_files(doc: Document, path: Path, diagnostics: Diagnostics) -> None:
    """Resolve relative-file `$ref`s into `doc` (see bundle.py). A file that cannot be
    read or parsed is an error at that file; a reference that cannot be followed is an
    error where the `$ref` is written."""
    try:
        bundle = Bundler(path, doc.data, doc.path, _load_referenced).run()
    except _ReferencedFileError as exc:
        err = exc.error
        diagnostics.add(err.code, Level.ERROR, f"{exc.shown}: {err.message}", err.pointer, exc.shown, err.line)
        raise GenerationFailed from None
    doc.data = bundle.data
    doc.bundle = bundle
    for problem in bundle.problems:
        diagnostics.add(problem.code, Level.ERROR, problem.message, problem.pointer)
    if bundle.problems:
        raise GenerationFailed
    try:
        check_bounds(doc.data)
    except LoadError as exc:
        diagnostics.add(exc.code, Level.ERROR, exc.message, exc.pointer)
        raise GenerationFailed from None

