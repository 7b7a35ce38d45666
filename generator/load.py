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
from typing import Any

import yaml

from .bundle import Bundle, Bundler, has_file_refs
from .diagnostics import Diagnostics, GenerationFailed, Level, pointer_join, pointer_tokens

try:  # the C loader is a hard requirement for speed, but fall back rather than crash
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class SpecLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that keeps timestamps as strings."""


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", _BaseLoader.construct_yaml_str)

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
    """JSON pointer -> line, built on first use from the composed YAML node tree."""

    path: str
    text: str
    _lines: dict[str, int] | None = field(default=None, repr=False)

    def line_of(self, pointer: str) -> int:
        if self._lines is None:
            self._lines = _line_map(self.text)
        tokens = pointer_tokens(pointer)
        # Fall back to the closest ancestor that has a line.
        while True:
            key = pointer_join("", *tokens)
            if key in self._lines:
                return self._lines[key]
            if not tokens:
                return 0
            tokens.pop()


def _line_map(text: str) -> dict[str, int]:
    try:
        root = yaml.compose(text, Loader=SpecLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    stack: list[tuple[str, yaml.Node]] = [("", root)] if root is not None else []
    seen: set[int] = set()
    while stack:
        pointer, node = stack.pop()
        lines.setdefault(pointer, node.start_mark.line + 1)
        if id(node) in seen:  # aliases: each node once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = pointer_join(pointer, key.value)
                lines.setdefault(child, key.start_mark.line + 1)
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                stack.append((pointer_join(pointer, index), value))
    return lines


@dataclass
class Document:
    """A loaded spec: its data plus where it came from. For a multi-file document,
    `bundle` maps pointers under the bundled files back to their own file and line."""

    path: str
    data: Any
    source: SourceMap
    bundle: Bundle | None = None

    def locate(self, pointer: str) -> tuple[str, int]:
        if self.bundle is not None:
            found = self.bundle.locate(pointer)
            if found is not None:
                shown, source = self.bundle.sources[found[0]]
                return shown, source.line_of(found[1])
        return self.source.path, self.source.line_of(pointer)


def parse_text(text: str, path: str) -> Any:
    stripped = text.lstrip()
    if path.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if path.endswith(".json"):
                raise LoadError("parse-error", f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    try:
        return yaml.load(text, Loader=SpecLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise LoadError("parse-error", f"invalid YAML: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError("parse-error", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise LoadError("too-deep", "document nesting is too deep to parse") from None


def check_bounds(data: Any) -> None:
    """Refuse alias bombs and absurd nesting before any stage walks the data."""
    count = 0
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        node, depth, pointer = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise LoadError(
                "too-large",
                f"document expands to more than {MAX_NODES:,} nodes (YAML alias bomb?)",
            )
        if depth > MAX_DEPTH:
            raise LoadError("too-deep", f"nesting deeper than {MAX_DEPTH} levels", pointer)
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1, pointer_join(pointer, key) if depth < 64 else pointer))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1, pointer_join(pointer, index) if depth < 64 else pointer))


def read_file(path: Path) -> str:
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise LoadError("file-error", f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise LoadError("too-large", f"{path} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError("file-error", f"cannot read {path}: {exc}") from None


def load(path: str | Path, diagnostics: Diagnostics) -> Document:
    """Load one document; on failure record a located error and raise GenerationFailed."""
    path = Path(path)
    shown = str(path)
    try:
        text = read_file(path)
        data = parse_text(text, shown)
        check_bounds(data)
    except LoadError as exc:
        diagnostics.add(exc.code, Level.ERROR, exc.message, exc.pointer, shown, exc.line)
        raise GenerationFailed from None
    doc = Document(shown, data, SourceMap(shown, text))
    diagnostics.locator = doc.locate
    if has_file_refs(data):
        bundle_files(doc, path, diagnostics)
    return doc


def _load_referenced(path: Path, shown: str) -> tuple[Any, SourceMap]:
    try:
        text = read_file(path)
        data = parse_text(text, shown)
    except LoadError as exc:
        raise _ReferencedFileError(shown, exc) from None
    return data, SourceMap(shown, text)


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

