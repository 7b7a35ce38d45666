"""Stage 2: check the document against the OpenAPI schema and our own core rules.

Two kinds of findings:
- core errors (not OpenAPI 3, a dangling `$ref`, nothing to generate): always fatal;
- schema violations reported by openapi-spec-validator: errors for `validate`, and
  warnings in the tolerant default of `generate`, because many real documents break
  the schema on trifles that do not stop a usable client.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import forked, validator_settings
from .cache import DISABLED, Cache, digest, generator_fingerprint, remember_fingerprint
from .bundle import MISSING, child, in_extension, resolve
from .diagnostics import Diagnostics, Level, is_index, pointer_join, pointer_tokens
from .prose_edit import ProseEdit, prints_any, reaches_prose
from .spec_parts import SpecParts, spec_parts
from .validation_memo import Parts, Walks, prefetch
from .validator_order import document_order, meta_errors_in_document_order
from .validator_speedups import crawl_once, faster, patched

Finding = tuple[str, str, str, str]
Shared = list[list[list[Any]]]  # [place, place of its first occurrence], as load_memo.shared_places
MAX_VALIDATOR_MESSAGE = 300
_STOPPED = "the validator stopped early: "
MAX_VALIDATED_DEPTH = 100


def nesting_depth(data: Any) -> int:
    """How deep mappings and lists nest (shared nodes visited once)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def resolve_pointer(data: Any, pointer: str) -> tuple[bool, Any]:
    node = data
    for token in pointer_tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and is_index(token) and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def iter_refs(data: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[str, str]]:
    """Yield (pointer of the $ref object, target) for every reference in the document
    (or in the part of it found `at`)."""
    # Paths are kept as tuples and joined into a pointer only for a reference: most
    # containers hold none.
    stack: list[tuple[tuple[Any, ...], Any]] = [(at, data)]
    seen: set[int] = set()
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield pointer_join("", *path), ref
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append(((*path, key), value))
        else:
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append(((*path, index), value))


def openapi_version(data: Any) -> str:
    version = data.get("openapi") if isinstance(data, dict) else None
    return version if isinstance(version, str) else ""


def check_core(
    data: Any,
    diagnostics: Diagnostics,
    local_refs: set[str] | None = None,
    refs: Callable[[Any], Iterable[tuple[str, str]]] = iter_refs,
) -> bool:
    """Rules without which no client can be built. Returns False when any fails.
    `local_refs` is given every local `$ref` the document holds; `refs` finds them as
    `iter_refs` does (refs_memo.py remembers them per part)."""
    before = len(diagnostics.items)
    if not isinstance(data, dict):
        diagnostics.error("not-openapi", "the document is not a mapping; expected an OpenAPI object")
        return False
    version = openapi_version(data)
    if "swagger" in data and not version:
        diagnostics.error(
            "swagger-2",
            f"this is a Swagger {data.get('swagger')} document; only OpenAPI 3.0 and 3.1 are "
            "supported (convert it first, e.g. with swagger2openapi)",
            "/swagger",
        )
        return False
    if not version:
        diagnostics.error("not-openapi", "missing the `openapi` version field", "")
        return False
    if not (version.startswith("3.0") or version.startswith("3.1")):
        diagnostics.error(
            "unsupported-version", f"OpenAPI {version} is not supported (3.0.x or 3.1.x)", "/openapi"
        )
        return False
    paths = data.get("paths")
    if paths is None and not data.get("webhooks") and not data.get("components"):
        diagnostics.error("no-paths", "the document has no `paths`: nothing to generate", "")
    elif paths is not None and not isinstance(paths, dict):
        diagnostics.error("no-paths", "`paths` must be a mapping of path templates", "/paths")
    unresolved_in_extensions: list[str] = []
    resolves: dict[str, bool] = {}  # the same targets are named again and again

    def found(ref: str) -> bool:
        known = resolves.get(ref)
        if known is None:
            known = resolves[ref] = resolve_pointer(data, ref[1:])[0]
        return known

    for pointer, ref in refs(data):
        if in_extension(pointer):
            # vendor data (code samples, policies): not needed for a client. Files named
            # there are not read at all; a broken local reference is worth a warning.
            if ref.startswith("#") and not found(ref):
                unresolved_in_extensions.append(pointer_join(pointer, "$ref"))
        elif ref.startswith("#"):
            if not found(ref):
                diagnostics.error(
                    "dangling-ref", f"$ref {ref!r} points at nothing", pointer_join(pointer, "$ref")
                )
        else:
            diagnostics.error(
                "external-ref",
                f"$ref {ref!r} points outside the document and was not resolved",
                pointer_join(pointer, "$ref"),
            )
    if local_refs is not None:
        local_refs.update(resolves)
    if unresolved_in_extensions:
        first = min(unresolved_in_extensions)
        diagnostics.warning(
            "extension-ref",
            f"{len(unresolved_in_extensions)} $ref(s) inside x- extensions point at nothing "
            "(extensions are not used to generate the client); the first is here",
            first,
        )
    return not any(d.level is Level.ERROR for d in diagnostics.items[before:])


_DUPLICATE_ID = re.compile(r"^Operation ID '(.*)' for '([a-z]+)' in '(.*)' is not unique$")


def _is_reference_alternative(error: Any) -> bool:
    """The "or a Reference Object" branch of a oneOf: its complaint is never the point."""
    return getattr(error, "validator", None) == "required" and getattr(error, "validator_value", None) == ["$ref"]


def most_specific(error: Any, document: Any = None) -> Any:
    """Descend from a oneOf/anyOf failure to the sub-error that names the offending field,
    so the diagnostic points at the line to fix rather than the enclosing object. Of the
    deepest sub-errors, the first in `document` as written (then by schema path and
    message): jsonschema gives them in an order that follows string hashes."""
    while getattr(error, "context", None):
        candidates = [c for c in error.context if not _is_reference_alternative(c)]
        depth = len(getattr(error, "absolute_path", ()))
        deeper = [c for c in candidates if len(c.absolute_path) > depth]
        if len(candidates) == 1:
            error = candidates[0]
        elif deeper:
            deepest = max(len(c.absolute_path) for c in deeper)
            error = min(
                (c for c in deeper if len(c.absolute_path) == deepest),
                key=lambda c: (
                    document_order(document, c.absolute_path),
                    [str(step) for step in c.absolute_schema_path],
                    str(c.message),
                ),
            )
        else:
            break
    return error


def _error_pointer(error: Any, data: dict[str, Any], at: tuple[Any, ...] = ()) -> str:
    path: Any = getattr(error, "absolute_path", None) or getattr(error, "path", ())
    if not path:
        # The duplicate-operationId check reports no path; rebuild it from the message.
        match = _DUPLICATE_ID.match(str(getattr(error, "message", "")))
        paths = data.get("paths")
        if match and isinstance(paths, dict) and isinstance(paths.get(match[3]), dict):
            if match[2] in paths[match[3]]:
                return pointer_join("/paths", match[3], match[2], "operationId")
    if at:  # the error's path is inside the node found at `at` (see _located)
        return pointer_join("", *_as_written(data, [*at, *path]))
    return pointer_join("", *path)


def _as_written(data: Any, steps: list[Any]) -> list[Any]:
    """`steps` (a path the validator walked, through `$ref`s) as a path in the document
    as written: where a step is not in an object with a local `$ref`, it continues from
    the referenced node. Unchanged when some step cannot be followed."""
    out: list[Any] = []
    node = data
    jumps = 0
    for step in steps:
        while isinstance(node, dict) and str(step) not in node and jumps < 64:
            ref = node.get("$ref")
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            jumps += 1
            node, out = resolve(data, ref[1:]), pointer_tokens(ref[1:])
        node = child(node, step)
        if node is MISSING:
            return steps
        out.append(step)
    return out


_AT = "_generator_found_at"


@contextlib.contextmanager
def _located() -> Iterator[None]:
    """Mark where in the document the errors of openapi-spec-validator's own checks
    belong. A schema checked against the meta-schema, and a `default` checked against
    its schema, give errors whose paths start at that schema or value; the checks of
    paths, operations, parameters and schemas give errors with no path at all. Without
    a mark they all read as `#`, line 1. The mark is the path the validator walked to
    the node it was checking (through a `$ref`, where it is used); the innermost check
    marks first."""
    try:
        from jsonschema_path import SchemaPath
        from openapi_spec_validator.validation import keywords
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError as wrapped
    except ImportError:  # pragma: no cover - a dependency
        yield
        return
    classes = [
        cls
        for name in ("OpenAPIV30SchemaValidator", "OpenAPIV31SchemaValidator")
        if isinstance(cls := getattr(keywords, name, None), type) and hasattr(cls, "_validate_schema_meta")
    ]
    value_validator = getattr(keywords, "ValueValidator", None)
    if not classes or value_validator is None:
        yield
        return

    def mark(error: Any, schema: Any, *more: str) -> Any:
        parts = getattr(schema, "parts", None)
        if error is not None and isinstance(parts, (list, tuple)) and not hasattr(error, _AT):
            try:
                setattr(error, _AT, (*parts, *more))
            except AttributeError:
                pass
        return error

    def meta_check(original: Any) -> Any:
        def check(self: Any, schema: Any, schema_value: Any) -> Any:
            return mark(original(self, schema, schema_value), schema)

        return check

    original_value = value_validator.__call__

    def value_check(self: Any, schema: Any, value: Any) -> Iterator[Any]:
        for error in original_value(self, schema, value):
            if not isinstance(error, wrapped):
                error = wrapped.create_from(error)  # as the validator wraps it later on
            yield mark(error, schema, "default")

    def node_check(original: Any) -> Any:
        def check(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            node = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            for error in original(self, *args, **kwargs):
                yield error if node is None else mark(error, node)

        return check

    checks = [
        cls
        for cls in vars(keywords).values()
        if isinstance(cls, type)
        and issubclass(cls, getattr(keywords, "KeywordValidator", ()))
        and not issubclass(cls, value_validator)
        and "__call__" in vars(cls)
    ]
    with contextlib.ExitStack() as stack:
        for cls in classes:
            stack.enter_context(patched(cls, "_validate_schema_meta", meta_check(cls._validate_schema_meta)))
        stack.enter_context(patched(value_validator, "__call__", value_check))
        for cls in checks:
            stack.enter_context(patched(cls, "__call__", node_check(vars(cls)["__call__"])))
        yield


def _iter_errors(validator_cls: Any, data: dict[str, Any]) -> Iterator[Any]:
    """The validator's findings, without letting it keep the document alive: its
    `iter_errors` is memoised per instance in a process-wide lru_cache, which would hold
    the resolved spec (hundreds of MB for a large one) until the process ends."""
    try:
        yield from validator_cls(data).iter_errors()
    finally:
        clear = getattr(getattr(validator_cls.iter_errors, "__wrapped__", None), "cache_clear", None)
        if callable(clear):
            clear()


def schema_findings(
    data: dict[str, Any], *, fast: bool = True, cache: Cache = DISABLED, parts: SpecParts | None = None
) -> list[Finding]:
    """Run openapi-spec-validator: (code, message, pointer, level) for each finding; an
    empty level means the caller's (error for `validate`, warning when tolerant).
    `fast=False` leaves out `validator_speedups.faster` (to compare against). With a
    cache, the document-schema check takes unchanged parts' findings from it
    (validation_memo.py); `parts`, the digests of this very data, spare digesting its
    path items again."""
    validator_settings.install()
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_settings.read_schemas_directly()

    validator_cls = (
        OpenAPIV31SpecValidator if openapi_version(data).startswith("3.1") else OpenAPIV30SpecValidator
    )
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError as wrapped

    def finding(error: Any) -> Finding:
        if not isinstance(error, wrapped):
            error = wrapped.create_from(error)  # as the validator's iter_errors does
        at = getattr(error, _AT, ())
        error = most_specific(error, data)
        message = str(getattr(error, "message", error))
        if len(message) > MAX_VALIDATOR_MESSAGE:
            message = message[:MAX_VALIDATOR_MESSAGE] + "..."
        return ("spec-invalid", message, _error_pointer(error, data, at), "")

    findings: list[Finding] = []
    memo = Parts(cache, validator_cls.__name__) if cache.enabled else None
    if memo is not None and parts is not None:
        memo.know_items(data, parts)
    try:
        with crawl_once(), (faster() if fast else contextlib.nullcontext()), _located(), meta_errors_in_document_order():
            remembered = None
            if memo is not None:
                try:
                    remembered = _with_memo(memo, validator_cls, data, finding)
                except Exception:  # the plain run below finds the same, up to where it stops
                    memo = None
            if remembered is None:
                findings.extend(finding(error) for error in _iter_errors(validator_cls, data))
            else:
                findings.extend(remembered)
    except RecursionError:
        if nesting_depth(data) > MAX_VALIDATED_DEPTH:
            findings.append(("too-deep", f"schemas nest more than {MAX_VALIDATED_DEPTH} levels deep", "", ""))
        else:
            # The validator recursed through $ref cycles: the document may well be fine,
            # so this is the validator's limit, not a verdict.
            findings.append(
                (
                    "validator-incomplete",
                    "schema validation stopped early (recursive schemas exceed the validator's "
                    "depth); the rest of the document was not validated",
                    "",
                    Level.WARNING.value,
                )
            )
    except Exception as exc:  # the validator raises on what it cannot resolve
        findings.append(
            ("spec-invalid", f"{_STOPPED}{type(exc).__name__}: {str(exc)[:MAX_VALIDATOR_MESSAGE]}", "", "")
        )
    if memo is not None:
        memo.save()
        if memo.walks is not None:
            memo.walks.save()
    return findings


def _with_memo(memo: Parts, validator_cls: Any, data: dict[str, Any], finding: Callable[[Any], Finding]) -> list[Finding] | None:
    """What `validator_cls(data).iter_errors()` finds, in its order: the document-schema
    check, then the validator's own checks, each through its memo (validation_memo.py).
    None when the validator is not shaped as expected."""
    validator = validator_cls(data)
    checker, root = getattr(validator, "schema_validator", None), getattr(validator, "root_validator", None)
    if checker is None or not callable(root) or not hasattr(validator, "schema_path"):
        return None
    found = memo.check(checker, validator.schema, finding)
    if found is None:
        return None
    walks = memo.walks = Walks(memo.cache, validator_cls.__name__)
    rest = walks.run(validator, data, finding, memo.places, memo.known_digests, memo.rest)
    if rest is None:
        rest = [finding(error) for error in root(validator.schema_path)]
    return [*found, *rest]


def _cache_key(parts: SpecParts | None) -> str | None:
    # the parts' digests keep types apart (200 vs "200") and follow the document's order
    return _whole_key(parts.whole) if parts is not None else None


def _taken_over(findings: list[Finding], prose: ProseEdit) -> bool:
    """Whether the findings before a prose edit are those after it: each the document
    schema's or the validator's own, printed whole, and none printing a replaced text."""
    messages = [message for _, message, _, _ in findings]
    return all(
        code == "spec-invalid" and len(message) <= MAX_VALIDATOR_MESSAGE and not message.startswith(_STOPPED)
        for code, message, _, _ in findings
    ) and not prints_any(messages, prose.strings)


def _whole_key(whole: str) -> str:
    return digest(generator_fingerprint(), "validation", whole)


def _kept_findings(cache: Cache, key: str | None) -> list[Finding] | None:
    cached = cache.get("validation", key) if key else None
    if isinstance(cached, list) and all(isinstance(f, list) and len(f) == 4 for f in cached):
        return [(str(c), str(m), str(p), str(lv)) for c, m, p, lv in cached]
    return None


class SchemaCheck:
    """A started check: called, it waits for the findings; `cancel` stops a check whose
    findings are not wanted."""

    def __init__(self, result: Callable[[], list[Finding]], child: forked.Child | None = None) -> None:
        self._result, self._child = result, child

    def __call__(self) -> list[Finding]:
        return self._result()

    def cancel(self) -> None:
        if self._child is not None:
            self._child.cancel()


class ReadyValidator:
    """The validator's child, forked as the run starts (as the process starts, from the
    command line: see early.py): it imports the validator (a few tenths of a second)
    while this process loads the spec, then takes the document and the cache folder
    (`start_schema_check(ready=...)`). What it takes goes into an anonymous file both
    hold (a pipe's buffer would hold this process up until the child read it all); a
    pipe then carries what it is, where, and the folder.

    The document comes one of two ways. Offered the spec's text as soon as it is read
    (`offer`, `T`), the child loads it from the load memo itself, beside this process's
    own load; when this process's load came from the memo too, the child is told to go
    on with its own (`K`: the memo gives both the same data, see load_memo.py).
    Otherwise the document is pickled to it (`D`)."""

    def __init__(self, started: tuple[forked.Child, int, int] | None = None) -> None:
        """`started`: the child, file and pipe's write end `early.fork_ready` made (a
        new child by default)."""
        from .early import fork_ready

        child, self.file, self.write_end = started if started is not None else fork_ready()
        self.child: forked.Child | None = child
        self.offered = False  # the text was offered (`offer`)
        self.end = 0  # where the file's contents end

    def announce(self, cache: Cache) -> None:
        """Tell the child the cache folder (and the generator's fingerprint) as the run
        starts: it reads the validation memos while it waits for the document."""
        if self.child is None or cache.root is None:
            return
        try:
            _send(self.write_end, b"C", os.fsencode(cache.root) + b"\0" + generator_fingerprint().encode())
        except OSError:
            self.cancel()

    def offer(self, path: str, text: str | None, encoded: bytes | None = None) -> None:
        """Offer the spec's text, read from `path` (as the load shows it; `encoded`:
        the text in UTF-8, when known, and then `text` may be None): the child loads it
        from the memo while this process does."""
        if self.child is None or self.offered:
            return
        try:
            self._write(encoded if encoded is not None else (text or "").encode("utf-8", "surrogatepass"), b"T", os.fsencode(path))
        except OSError:
            self.cancel()
            return
        self.offered = True

    def give(
        self,
        data: Any,
        parts: SpecParts | None,
        cache: Cache = DISABLED,
        shared: Shared | None = None,
        recalled: bool = False,
    ) -> forked.Child | None:
        """Send the document (`parts` its digests) and the cache folder it is checked
        with; the child, or None when the document is not sent (then cancelled).
        `recalled`: the document is the offered text's load from the memo, as is,
        which the child makes too: it is told to go on with its own.

        `shared`, when known, lists every place where a container of the document sits
        that it holds at another place first (load_memo.shared_places): then the data is
        pickled without a memo, about four times faster, and the child puts the one
        container back at each such place.

        Pickle keeps shared containers shared, not shared floats: the loader gives
        repeated scalars one object, and a NaN is equal to itself only as that object
        (`enum: [.nan]` with `default: .nan` checks clean only so). A document that may
        hold a NaN (by its parts, when known) is not pickled."""
        if self.child is None:
            return None
        root = b"\0" + os.fsencode(cache.root) if cache.root is not None else b""
        try:
            if recalled and self.offered:
                _send(self.write_end, b"K", root)
            elif parts is None or parts.may_hold_nan:
                self.cancel()
                return None
            else:
                payload = pickle.dumps((None, data), protocol=pickle.HIGHEST_PROTOCOL) if shared is None else _unshared_pickle((shared, data))
                self._write(payload, b"D", root)
        except Exception:  # too deep to pickle, say: forked again as the document is
            self.cancel()
            return None
        self._close()
        child, self.child = self.child, None
        return child

    def _write(self, payload: bytes, tag: bytes, after: bytes) -> None:
        """Put `payload` in the file, past what it holds, and tell the child: the tag,
        the payload's size and place, then `after`."""
        start, view = self.end, memoryview(payload)
        while view:
            written = os.pwrite(self.file, view, self.end)
            self.end += written
            view = view[written:]
        _send(self.write_end, tag, len(payload).to_bytes(8, "little") + start.to_bytes(8, "little") + after)

    def _close(self) -> None:
        for fd in (self.write_end, self.file):
            if fd >= 0:
                os.close(fd)
        self.write_end = self.file = -1

    def cancel(self) -> None:
        self._close()
        if self.child is not None:
            self.child.cancel()
            self.child = None


def _unshared_pickle(data: Any) -> bytes:
    """A pickle without a memo: each object written where it is met (an object met
    twice would come back as two; a cycle fails)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(data)
    return out.getvalue()


def _send(pipe: int, tag: bytes, payload: bytes) -> None:
    # (children forked later hold this pipe's write end too: its end is never seen while
    # they live, so each message says its length)
    os.write(pipe, tag + len(payload).to_bytes(8, "little") + payload)


def _receive(pipe: Any) -> tuple[bytes, bytes] | None:
    head = pipe.read(9)
    if len(head) < 9:
        return None
    size = int.from_bytes(head[1:], "little")
    payload = pipe.read(size)
    return (head[:1], payload) if len(payload) == size else None


def _when_given(read_end: int, write_end: int, file: int) -> list[Finding] | None:
    """In the ready child: import, then check the document the parent gives (see
    ReadyValidator). Told the cache folder as the run starts (`C`), it reads the
    validation memos meanwhile; offered the spec's text (`T`), it loads it from the load
    memo, to go on with when told so (`K`)."""
    os.close(write_end)
    validator_settings.install()
    validator_settings.defer_urllib()  # (this process validates, then ends)
    import jsonschema_path  # noqa: F401 - what schema_findings imports, while waiting
    import openapi_spec_validator  # noqa: F401

    cache = DISABLED
    own: Any = None  # the offered text's load (see _own_load); None when no text was offered
    with os.fdopen(read_end, "rb") as pipe:
        message = _receive(pipe)
        if message is not None and message[0] == b"C":
            folder, _, fingerprint = message[1].partition(b"\0")
            remember_fingerprint(fingerprint.decode())
            cache = Cache(Path(os.fsdecode(folder)))
            prefetch(cache, ("OpenAPIV30SpecValidator", "OpenAPIV31SpecValidator"))
            from . import load_memo  # noqa: F401 - what an offered text's load imports, while waiting

            message = _receive(pipe)
        if message is not None and message[0] == b"T" and cache.enabled:
            text = _read(file, message[1])
            if text is None:
                return None
            own = _own_load(cache, os.fsdecode(message[1][16:]), text)
            message = _receive(pipe)
    if message is None or message[0] not in (b"D", b"K"):
        return None
    tag, payload = message
    after = payload if tag == b"K" else payload[16:]
    cache = Cache(Path(os.fsdecode(after[1:]))) if after else DISABLED
    if tag == b"K":
        os.close(file)
        loaded = own() if callable(own) else own
        return None if loaded is None else schema_findings(loaded.data, cache=cache, parts=loaded.parts)
    pickled = _read(file, payload)
    os.close(file)
    if pickled is None:
        return None
    shared, data = pickle.loads(pickled)
    if shared is not None:
        from .load_memo import relink

        relink(data, shared)
    return schema_findings(data, cache=cache)


def _read(file: int, place: bytes) -> bytes | None:
    """The bytes a message's size and start (its first 16 bytes) place in the file."""
    if len(place) < 16:
        return None
    size, start = int.from_bytes(place[:8], "little"), int.from_bytes(place[8:16], "little")
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.pread(file, size, start)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
        start += len(chunk)
    return b"".join(chunks)


def _own_load(cache: Cache, path: str, encoded: bytes) -> Any:
    """The load (load.Parsed) of the offered text (`encoded`: in UTF-8): from the memo,
    or, when this process finds no such load (the parent did: the memo changed between
    the two reads), a function that parses the text, called only when the parent says
    to go on."""
    from .load import LoadError, parse_bounded
    from .load_memo import recall

    text = encoded.decode("utf-8", "surrogatepass")
    parsed = recall(cache, path, text, encoded)
    if parsed is not None:
        return parsed

    def parse() -> Any:
        try:
            return parse_bounded(text, path)
        except LoadError:
            return None

    return parse


def start_schema_check(
    data: dict[str, Any],
    cache: Cache = DISABLED,
    *,
    background: bool = False,
    parts: SpecParts | None = None,
    ready: ReadyValidator | None = None,
    shared: Shared | None = None,
    recalled: bool = False,
    prose: ProseEdit | None = None,
    local_refs: Iterable[str] = (),
) -> SchemaCheck:
    """Start openapi-spec-validator on the document (or take its findings for this very
    document from the cache, keyed by `parts`); the returned function waits for the
    findings.

    With `background`, the validator runs in a forked process while the caller goes on
    (modelling, rendering and formatting need no validator verdict in the tolerant
    default): on two cores that takes its import and run off the critical path. The
    child shares the document copy-on-write and sends back only the findings; or,
    given `ready`, that child takes the document (and is cancelled when not needed):
    `recalled` says the document is the load from the memo of the text offered to it.

    `prose`: the document is the one before an edit of prose only, edited (see
    prose_edit.py); that one's findings are taken when none prints a string the edit
    replaced, none was cut short, and none of `local_refs` (every local `$ref` the
    document holds) names a prose field on its way."""
    if cache.enabled and parts is None:
        parts = spec_parts(data)
    key = _cache_key(parts) if cache.enabled else None

    def keep(found: list[Finding]) -> list[Finding]:
        if key:
            cache.put("validation", key, found)
        return found

    findings = _kept_findings(cache, key)
    if findings is None and key and prose is not None and not reaches_prose(local_refs):
        findings = _kept_findings(cache, _whole_key(prose.before))
        if findings is not None and not _taken_over(findings, prose):
            findings = None
        if findings is not None:
            keep(findings)
    if findings is not None:
        if ready is not None:
            ready.cancel()
        kept = findings
        return SchemaCheck(lambda: kept)

    given = ready.give(data, parts if parts is not None else spec_parts(data), cache, shared, recalled) if ready is not None else None
    if given is None and not (background and forked.can_fork()):
        found = keep(schema_findings(data, cache=cache, parts=parts))
        return SchemaCheck(lambda: found)
    child, wait = _waiting(given) if given is not None else _in_child(data, cache, parts)
    done: list[list[Finding]] = []

    def result() -> list[Finding]:
        if not done:
            done.append(wait())
            if not any(code == "validator-crashed" for code, *_ in done[0]):
                keep(done[0])
        return done[0]

    return SchemaCheck(result, child)


def _in_child(
    data: dict[str, Any], cache: Cache = DISABLED, parts: SpecParts | None = None
) -> tuple[forked.Child, Callable[[], list[Finding]]]:
    # At the parent's priority: after an edit, with its memos, the check takes about as
    # long as the parent's own work, and its verdict is waited for.
    return _waiting(forked.Child(lambda: schema_findings(data, cache=cache, parts=parts)))


def _waiting(child: forked.Child) -> tuple[forked.Child, Callable[[], list[Finding]]]:
    def wait() -> list[Finding]:
        try:
            found = child.result()
        except forked.ChildFailed as exc:
            found = str(exc)
        if not isinstance(found, list):
            found = found if isinstance(found, str) else "not a list of findings"
            return [
                (
                    "validator-crashed",
                    f"the schema validator process ended without a result ({found}); "
                    "the document was not validated",
                    "",
                    Level.ERROR.value,
                )
            ]
        return found

    return child, wait


def add_findings(diagnostics: Diagnostics, findings: list[Finding], level: Level) -> None:
    """Each finding as a located diagnostic; `level` unless the finding names its own."""
    for code, message, pointer, own_level in findings:
        diagnostics.add(code, Level(own_level) if own_level else level, message, pointer)


def check_schema(data: dict[str, Any], diagnostics: Diagnostics, level: Level, cache: Cache = DISABLED) -> None:
    """Run openapi-spec-validator (or take its findings for this very document from the
    cache) and turn each finding into a located diagnostic."""
    add_findings(diagnostics, start_schema_check(data, cache)(), level)


def validate(data: Any, diagnostics: Diagnostics, *, tolerant: bool, cache: Cache = DISABLED) -> bool:
    """Return True when the document can go on to the model stage."""
    if not check_core(data, diagnostics):
        return False
    check_schema(data, diagnostics, Level.WARNING if tolerant else Level.ERROR, cache)
    return True
