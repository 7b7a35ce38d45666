"""Multi-file documents: relative-file `$ref`s gathered into the root document.

Every file a `$ref` names (relative to the file holding the `$ref`) is loaded once and
placed whole under `/x-generator-bundled/<key>` of the root document, and the reference
is rewritten to point there: `models/droplet.yml#/properties/id` becomes
`#/x-generator-bundled/droplet/properties/id`. References inside a bundled file that
point into that same file (`#/...`) are rewritten the same way. The rest of the
pipeline then sees one self-contained document with local references only.

Each bundled file keeps its own line map, so a diagnostic whose pointer lies under the
bundle key is reported at the right file and line.

Rules:
- no network: `http(s)://` references are left alone (the validator reports them);
- only files inside the root document's folder are read;
- a target that is not a mapping (a string such as a `description`, a list) is inlined
  in place of the `$ref` object, since nothing can refer to it by pointer anyway;
- an operation behind a `$ref` (`get: {$ref: ...}`, which OpenAPI does not allow but
  real trees use) is inlined too, and its new pointer is mapped back to its file;
- a file that is not YAML or JSON (code samples) is inlined as its text;
- references inside specification extensions (`x-codeSamples`, ...) are not followed;
- discriminator `mapping` values naming files are rewritten like `$ref`s.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .cache import record_input
from .diagnostics import is_index, pointer_join, pointer_tokens

if TYPE_CHECKING:
    from .load import SourceMap

BUNDLE_KEY = "x-generator-bundled"
DATA_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILES = 20_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_KEY_CHARS = re.compile(r"[^0-9A-Za-z_.-]+")


# Maps whose keys are names chosen by the author, so `x-foo` there is a name, not an
# extension.
_NAMED_MAPS = frozenset(
    {"properties", "patternProperties", "schemas", "responses", "parameters", "examples", "requestBodies",
     "headers", "securitySchemes", "links", "callbacks", "pathItems", "variables", "mapping", "content",
     "encoding", "scopes", "webhooks", "$defs", "definitions", "dependentSchemas"}
)


def is_extension(key: object, parent_key: object) -> bool:
    """Whether `key` (under `parent_key`) is a specification extension such as
    `x-codeSamples`: tooling data that no client needs."""
    return isinstance(key, str) and key.startswith("x-") and parent_key not in _NAMED_MAPS


def in_extension(pointer: str) -> bool:
    """Whether the pointer lies inside a specification extension."""
    if "x-" not in pointer:
        return False  # (most pointers: no token can start so)
    tokens = pointer_tokens(pointer)
    if tokens[:1] == [BUNDLE_KEY]:
        tokens = tokens[2:]
    return any(is_extension(t, tokens[i - 1] if i else None) for i, t in enumerate(tokens))


class BundleError(Exception):
    """A reference that cannot be followed; `pointer` is where the `$ref` sits."""

    def __init__(self, code: str, message: str, pointer: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.pointer = pointer


@dataclass
class _File:
    path: Path
    key: str  # "" for the root document
    data: Any
    source: SourceMap | None


@dataclass
class Bundle:
    """The root document with every referenced file placed under BUNDLE_KEY."""

    data: Any
    # key -> (path shown in diagnostics, line map)
    sources: dict[str, tuple[str, SourceMap]] = field(default_factory=dict)
    problems: list[BundleError] = field(default_factory=list)
    # pointer where a file's content was inlined -> the pointer it came from
    inlined: dict[str, str] = field(default_factory=dict)

    def locate(self, pointer: str) -> tuple[str, str] | None:
        """(bundle key, pointer inside that file) when `pointer` lies in a bundled file."""
        tokens = pointer_tokens(pointer)
        for cut in range(len(tokens), 0, -1):
            origin = self.inlined.get(pointer_join("", *tokens[:cut]))
            if origin is not None:
                tokens = pointer_tokens(origin) + tokens[cut:]
                break
        if len(tokens) >= 2 and tokens[0] == BUNDLE_KEY and tokens[1] in self.sources:
            return tokens[1], pointer_join("", *tokens[2:])
        return None


def is_file_ref(ref: str) -> bool:
    return not ref.startswith("#") and not _URL.match(ref)


def _split(ref: str) -> tuple[str, str]:
    file_part, _, fragment = ref.partition("#")
    return file_part, fragment


class Bundler:
    def __init__(self, root_path: Path, root_data: Any, shown_root: str, load_file: Any) -> None:
        self.root_path = root_path.resolve()
        self.base_dir = self.root_path.parent
        self.shown_dir = os.path.dirname(shown_root)
        self.load_file = load_file  # Path -> (data, SourceMap)
        self.files: dict[Path, _File] = {self.root_path: _File(self.root_path, "", root_data, None)}
        self.keys: set[str] = set()
        self.bundled: dict[str, Any] = {}
        self.bundle = Bundle(root_data)
        self.total_bytes = 0
        self.queue: list[_File] = []

    # -------------------------------------------------------------- files
    def _key_for(self, path: Path) -> str:
        stem = path.name
        for suffix in DATA_SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        base = _KEY_CHARS.sub("_", stem).strip("_") or "file"
        key, n = base, 1
        while key in self.keys or key == BUNDLE_KEY:
            n += 1
            key = f"{base}_{n}"
        self.keys.add(key)
        return key

    def _file(self, path: Path, where: str) -> _File:
        known = self.files.get(path)
        if known is not None:
            return known
        if len(self.files) >= MAX_FILES:
            raise BundleError("too-large", f"more than {MAX_FILES:,} referenced files", where)
        try:
            self.total_bytes += path.stat().st_size
        except OSError as exc:
            raise BundleError("file-error", f"cannot read {path}: {exc.strerror}", where) from None
        if self.total_bytes > MAX_TOTAL_BYTES:
            raise BundleError("too-large", f"referenced files exceed {MAX_TOTAL_BYTES:,} bytes", where)
        shown = os.path.join(self.shown_dir, os.path.relpath(path, self.base_dir))
        key = self._key_for(path)
        if path.name.endswith(DATA_SUFFIXES):
            data, source = self.load_file(path, shown)
        else:  # a code sample or other text: the reference stands for the text
            record_input(path)  # (whatever its name: `sample.py` is an input too)
            data, source = path.read_text(encoding="utf-8", errors="replace"), None
        entry = _File(path, key, data, source)
        self.files[path] = entry
        if source is not None:
            self.bundle.sources[key] = (shown, source)
            self.bundled[key] = data
            self.queue.append(entry)
        return entry

    def _target_path(self, holder: _File, file_part: str, where: str) -> Path:
        raw = file_part
        candidate = (holder.path.parent / raw).resolve()
        if not candidate.exists() and "%" in raw:
            candidate = (holder.path.parent / unquote(raw)).resolve()
        if candidate != self.base_dir and self.base_dir not in candidate.parents:
            raise BundleError(
                "external-ref",
                f"$ref {file_part!r} leaves the document's folder; only files under "
                f"{self.shown_dir or '.'} are read",
                where,
            )
        if not candidate.is_file():
            raise BundleError("dangling-ref", f"$ref names file {file_part!r}, which does not exist", where)
        return candidate

    # -------------------------------------------------------------- references
    def _prefix(self, entry: _File) -> str:
        return pointer_join("", BUNDLE_KEY, entry.key) if entry.key else ""

    def _rewrite(self, holder: _File, ref: str, where: str) -> tuple[str, Any]:
        """The local form of `ref` written in `holder`, plus the target when it must be
        inlined (not a mapping), else None."""
        if ref.startswith("#"):
            return ("#" + self._prefix(holder) + ref[1:]) if holder.key else ref, None
        file_part, fragment = _split(ref)
        if not file_part:
            return "#" + self._prefix(holder) + fragment, None
        path = self._target_path(holder, file_part, where)
        target = self._file(path, where)
        local = "#" + self._prefix(target) + fragment
        if not isinstance(target.data, dict) or fragment:
            value = resolve(target.data, fragment)
            if value is MISSING:
                raise BundleError("dangling-ref", f"$ref {ref!r}: {fragment!r} is not in {file_part}", where)
            if not isinstance(value, dict):
                return local, value
        return local, None

    def _walk(self, entry: _File) -> None:
        prefix = self._prefix(entry)
        root_holder: list[Any] = [entry.data]
        stack: list[tuple[Any, Any, str]] = [(root_holder, 0, prefix)]
        while stack:
            parent, slot, pointer = stack.pop()
            node = parent[slot]
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and (entry.key or is_file_ref(ref)) and not _URL.match(ref):
                    where = pointer_join(pointer, "$ref")
                    try:
                        local, inline = self._rewrite(entry, ref, where)
                    except BundleError as exc:
                        self.bundle.problems.append(exc)
                    else:
                        if inline is None and slot in _METHODS:
                            inline = self._operation_at(local)
                            if inline is not None:
                                self.bundle.inlined[pointer] = local[1:]
                        if inline is not None:
                            parent[slot] = inline
                            continue
                        node["$ref"] = local
                mapping = node.get("mapping") if isinstance(node.get("propertyName"), str) else None
                if isinstance(mapping, dict):
                    self._rewrite_mapping(entry, mapping, pointer_join(pointer, "mapping"))
                parent_key = slot if isinstance(slot, str) else None
                for key, value in node.items():
                    # Extensions are not followed: their `$ref`s (code samples, vendor
                    # policies) are not needed for a client and are often broken.
                    if isinstance(value, (dict, list)) and not is_extension(key, parent_key):
                        stack.append((node, key, pointer_join(pointer, key)))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    if isinstance(value, (dict, list)):
                        stack.append((node, index, pointer_join(pointer, index)))
        entry.data = root_holder[0]
        if entry.key:
            self.bundled[entry.key] = entry.data

    def _operation_at(self, local: str) -> dict[str, Any] | None:
        tokens = pointer_tokens(local[1:])
        if len(tokens) < 2 or tokens[0] != BUNDLE_KEY or tokens[1] not in self.bundled:
            return None
        target = resolve(self.bundled[tokens[1]], pointer_join("", *tokens[2:]))
        if isinstance(target, dict) and ("responses" in target or "operationId" in target):
            return target
        return None

    def _rewrite_mapping(self, entry: _File, mapping: dict[Any, Any], pointer: str) -> None:
        for tag, value in list(mapping.items()):
            if not isinstance(value, str) or _URL.match(value):
                continue
            if not (value.startswith("#") or "/" in value or value.endswith(DATA_SUFFIXES)):
                continue  # a bare schema name
            if value.startswith("#") and not entry.key:
                continue
            try:
                mapping[tag], _ = self._rewrite(entry, value, pointer_join(pointer, tag))
            except BundleError as exc:
                self.bundle.problems.append(exc)

    def run(self) -> Bundle:
        root = self.files[self.root_path]
        self._walk(root)
        while self.queue:
            self._walk(self.queue.pop(0))
        if self.bundled and isinstance(root.data, dict):
            root.data[BUNDLE_KEY] = self.bundled
        self.bundle.data = root.data
        return self.bundle


MISSING = object()


def child(node: Any, token: object) -> Any:
    """The member or item `token` (a pointer token, or an index) of `node`, else MISSING."""
    if isinstance(node, dict):
        return node.get(str(token), MISSING)
    if isinstance(node, list) and is_index(str(token)) and int(str(token)) < len(node):
        return node[int(str(token))]
    return MISSING


def resolve(data: Any, fragment: str) -> Any:
    """The node at JSON pointer `fragment` in `data`, else MISSING."""
    node = data
    for token in pointer_tokens(fragment):
        node = child(node, token)
        if node is MISSING:
            break
    return node


def has_file_refs(data: Any) -> bool:
    """Cheap pre-check: does any `$ref` name another file? (Most documents: no.)"""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and is_file_ref(ref):
                return True
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return False
