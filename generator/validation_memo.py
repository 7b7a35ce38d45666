"""openapi-spec-validator's checks, remembered per part of the document, so that a
regeneration after an edit checks again only what the edit can change.

`Parts`: before its own checks, the validator checks the whole document against the
OpenAPI schema with jsonschema: about 1.2 s of a large document's validation, nine
tenths of it under `paths`. The errors jsonschema finds under one part of the document (a path item,
a webhook, a component) are a pure function of that part's content, of its place, and of
the schema, base URI and dynamic scope it is checked with. So each part's findings are
kept in the cache under a digest of all of these (`Parts`), and a regeneration after an
edit checks again only the parts that changed.

A remembered part must give exactly what checking it would give. Its findings are kept
only when every error it yielded came out at the top as itself: jsonschema hands an error
up unchanged through `properties`, `$ref` and the like, and each step adds the same path
prefix that the part's place names. A combinator above (`anyOf`, `oneOf`, `not`) or an
`is_valid` would instead wrap or drop it. When a remembered part's stand-in does not come
out at the top, the check runs again without the memo.

`Walks`: the validator's own checks (paths, operations, parameters, schemas) walk each
path item and share state from one to the next; each walk is replayed from a trace of
what it asked of that state (see the class)."""

from __future__ import annotations

import hashlib
import marshal
from typing import Any, Callable, Iterable, Iterator

from .cache import Cache, digest, generator_fingerprint
from .diagnostics import pointer_join
from .spec_parts import rest_digest
from .validator_speedups import IdList, patched

Finding = tuple[str, str, str, str]
KIND = "validation-parts"
FORMAT = "2"  # entries are plain data (cache.get_plain)
# Entries kept from earlier runs besides this run's own (several specs can share a cache).
MAX_KEPT = 20000


# entries read ahead of the document (`prefetch`), by map key
_prefetched: dict[str, Any] = {}


def prefetch(cache: Cache, validator_names: Iterable[str]) -> None:
    """Read the memos the check of a document by each of these validators would read
    (the validator's child does so while it waits for the document)."""
    for name in validator_names:
        for key in (Parts.key(name), Walks.key(name)):
            _prefetched[key] = cache.get_plain(KIND, key)


def _known(cache: Cache, key: str) -> Any:
    return _prefetched.pop(key) if key in _prefetched else cache.get_plain(KIND, key)


def part_places(data: dict[str, Any]) -> dict[int, tuple[str, ...]]:
    """The parts of the document by object id: each path item, webhook and component
    that is a mapping found at one place only (a YAML alias shared elsewhere is not a
    part: its id names more than one place)."""
    places: dict[int, tuple[str, ...]] = {}
    shared: set[int] = set()

    def add(section: Any, *where: str) -> None:
        if not isinstance(section, dict):
            return
        for name, value in section.items():
            if isinstance(value, dict) and isinstance(name, str):
                if id(value) in places:
                    shared.add(id(value))
                places[id(value)] = (*where, name)

    add(data.get("paths"), "paths")
    add(data.get("webhooks"), "webhooks")
    components = data.get("components")
    if isinstance(components, dict):
        for kind, section in components.items():
            if isinstance(kind, str):
                add(section, "components", kind)
    for ident in shared:
        del places[ident]
    return places


def holder_places(data: dict[str, Any]) -> dict[int, tuple[str, ...]]:
    """The containers that hold the parts, by object id: `paths`, `webhooks`,
    `components` and each of its sections. Each is remembered as a part too: an edit
    inside `paths` leaves the components' check whole (a thousand parts on a large spec)."""
    held: dict[int, tuple[str, ...]] = {}
    for name in ("paths", "webhooks", "components"):
        value = data.get(name)
        if isinstance(value, dict):
            held[id(value)] = (name,)
    components = data.get("components")
    if isinstance(components, dict):
        for kind, section in components.items():
            if isinstance(kind, str) and isinstance(section, dict):
                held[id(section)] = ("components", kind)
    return held


def _save(cache: Cache, map_key: str, used: dict[str, Any], known: dict[str, Any], limit: int) -> None:
    """This run's entries, then the most recent earlier ones up to `limit` entries (a
    cache can serve several specs), written back."""
    if not used:
        return
    kept = dict(used)
    for key, value in known.items():
        if len(kept) >= limit:
            break
        kept.setdefault(key, value)
    cache.put_plain(KIND, map_key, kept)


def _is_finding(value: Any) -> bool:
    return type(value) is tuple and len(value) == 4 and all(type(part) is str for part in value)


def _scope(resolver: Any) -> str:
    return repr((resolver._base_uri, [uri for uri, _ in resolver.dynamic_scope()]))


class _Remembered(Exception):
    """Stands in for a remembered part's errors on their way up; `Parts.check` makes
    the class a jsonschema ValidationError too (jsonschema is imported only there)."""

    findings: list[Finding]


class Parts:
    """The per-part memo of one run of the document-schema check."""

    def __init__(self, cache: Cache, validator_name: str) -> None:
        self.cache = cache
        self.map_key = self.key(validator_name)
        known = _known(cache, self.map_key)
        self.known: dict[str, list[Finding]] = {}
        if isinstance(known, dict):
            for key, found in known.items():
                if type(found) is list and all(_is_finding(f) for f in found):
                    self.known[key] = found
        self.used: dict[str, list[Finding]] = {}
        # digests of the path items known already (know_items), by object id, and of
        # all but the path items (spec_parts.SpecParts.rest)
        self.known_digests: dict[int, str] = {}
        self.rest: str | None = None
        self.reused = self.checked = 0  # parts taken from the memo / checked again
        self.walks: Walks | None = None  # the memo of the validator's own checks
        # the document's containers by place (see _places), found once for both memos
        self.places: tuple[dict[int, str], dict[str, Any]] | None = None

    @staticmethod
    def key(validator_name: str) -> str:
        return digest(generator_fingerprint(), KIND, FORMAT, validator_name)

    def check(
        self, validator: Any, document: dict[str, Any], finding: Callable[[Any], Finding]
    ) -> list[Finding] | None:
        """The document-schema check's findings, each part's taken from the memo where
        it can be; None when the library is not shaped as expected (no memo then)."""
        cls = getattr(validator, "__class__", None)
        resolver = getattr(validator, "_resolver", None)
        if not (
            isinstance(cls, type)
            and callable(getattr(cls, "descend", None))
            and hasattr(resolver, "_base_uri")
            and callable(getattr(resolver, "dynamic_scope", None))
        ):
            return None
        from jsonschema.exceptions import ValidationError

        stand_in = type("Remembered", (_Remembered, ValidationError), {})
        self.places = _places(document)
        if self.places is None:
            return None  # a part may also sit at another place, where its errors read otherwise
        holders = holder_places(document)
        places = {**part_places(document), **holders}
        prefix = digest(generator_fingerprint(), cls.__qualname__)
        original: Any = getattr(cls, "descend")
        digests: dict[int, str] = dict(self.known_digests)

        def content(value: Any) -> str:
            """The digest of a part's content; a holder's from its entries' (each part
            digested once, not again inside its holder)."""
            found = digests.get(id(value))
            if found is None:
                if id(value) in holders:
                    found = digest("h", *[text for key, item in value.items() for text in (repr(key), content(item))])
                else:
                    found = _content_digest(value)
                digests[id(value)] = found
            return found

        stand_ins: list[Any] = []
        yielded: dict[str, list[Any]] = {}  # a part's errors, once it yielded them all
        looked_up: set[str] = set()

        # texts of the (immutable) schemas and resolvers met again and again; each object
        # is held, so that its id stays its own
        held: dict[int, tuple[Any, str]] = {}

        def text_of(value: Any, show: Callable[[Any], str]) -> str:
            known = held.get(id(value))
            if known is None or known[0] is not value:
                known = held[id(value)] = (value, show(value))
            return known[1]

        def key_of(checker: Any, place: tuple[str, ...], instance: Any, schema: Any, path: Any, resolver: Any) -> str:
            text = content(instance)
            return digest(
                prefix,
                pointer_join("", *place),
                text_of(schema, repr),
                repr(path),
                text_of(checker._resolver, _scope),
                "" if resolver is None else text_of(resolver, _scope),
                text,
            )

        def descend(
            checker: Any, instance: Any, schema: Any, path: Any = None, schema_path: Any = None, resolver: Any = None
        ) -> Iterator[Any]:
            place = places.get(id(instance))
            if place is None or isinstance(schema, bool):  # a boolean schema costs nothing
                yield from original(checker, instance, schema, path, schema_path, resolver)
                return
            key = key_of(checker, place, instance, schema, path, resolver)
            looked_up.add(key)
            known = self.known.get(key)
            if known is not None:
                self.reused += 1
                if known:
                    error = stand_in(f"{len(known)} remembered finding(s)")
                    error.findings = known
                    stand_ins.append(error)
                    yield error
                return
            self.checked += 1
            errors = []
            for error in original(checker, instance, schema, path, schema_path, resolver):
                errors.append(error)
                yield error
            yielded[key] = errors

        with patched(cls, "descend", descend):
            top = list(validator.iter_errors(document))
        surfaced = {id(e) for e in top}
        if not all(id(e) in surfaced for e in stand_ins):
            return [finding(e) for e in validator.iter_errors(document)]
        found_by_error: dict[int, list[Finding]] = {}
        findings: list[Finding] = []
        for error in top:
            own = list(error.findings) if isinstance(error, _Remembered) else [finding(error)]
            found_by_error[id(error)] = own
            findings.extend(own)
        for key in looked_up:
            if key in self.known:
                self.used[key] = self.known[key]
        for key, errors in yielded.items():
            if all(id(e) in found_by_error for e in errors):
                self.used[key] = [f for e in errors for f in found_by_error[id(e)]]
        return findings

    def know_items(self, data: Any, parts: Any) -> None:
        """Take the path items' digests from the document's parts (spec_parts.SpecParts,
        of this very data), instead of digesting them again."""
        paths = data.get("paths") if type(data) is dict else None
        items = getattr(parts, "items", None)
        if type(paths) is not dict or type(items) is not tuple or len(items) != len(paths):
            return
        known = {}
        for (key, value), (shown, item) in zip(paths.items(), items):
            if repr(key) != shown:
                return
            known[id(value)] = "s" + item
        self.known_digests = known
        self.rest = getattr(parts, "rest", None)

    def save(self) -> None:
        """This run's parts, then earlier ones up to MAX_KEPT, written back."""
        _save(self.cache, self.map_key, self.used, self.known, MAX_KEPT)


# ------------------------------------------------- the validator's own checks


class _Traced(IdList):
    """The validator's visited / meta-checked schema ids, telling `Walks` what a path
    item's walk asks of them and adds to them."""

    def __init__(self, items: Any, tag: str, walks: Walks) -> None:
        super().__init__(items)
        self.tag, self.walks = tag, walks

    def append(self, item: Any) -> None:
        super().append(item)
        self.walks.event("a", self.tag, item, None)

    def __contains__(self, item: Any) -> bool:
        answer = super().__contains__(item)
        self.walks.event("q", self.tag, item, answer)
        return answer


class _TracedIds(list):  # type: ignore[type-arg]
    """The operation ids seen so far (a list in the validator), traced the same way."""

    def __init__(self, items: Any, walks: Walks) -> None:
        super().__init__(items)
        self.walks = walks

    def append(self, item: Any) -> None:
        super().append(item)
        self.walks.event("a", "o", item, None)

    def __contains__(self, item: Any) -> bool:
        answer = super().__contains__(item)
        self.walks.event("q", "o", item, answer)
        return answer


def _content_digest(value: Any) -> str:
    """Equal for equal data only (1, 1.0 and True apart; dicts in their order): marshal's
    format 2 writes values faithfully and without back-references, several times faster
    than repr prints them; repr where marshal cannot write the value. A path item's is
    the one its spec part has (spec_parts.item_parts), so the parts' digests serve."""
    try:
        return "s" + hashlib.sha256(marshal.dumps(value, 2)).hexdigest()
    except ValueError:
        return digest(b"r", repr(value))


def _rest(data: dict[str, Any]) -> str:
    try:
        return rest_digest(data)
    except (ValueError, RecursionError):  # (marshal cannot write it)
        return _content_digest({k: v for k, v in data.items() if k != "paths"})


def _places(data: dict[str, Any]) -> tuple[dict[int, str], dict[str, Any]] | None:
    """Each container of the document by id -> its JSON pointer, and back; None when
    a walk could reach a path item from outside it (a `$ref` into `#/paths`) or one
    mapping sits at two places (a YAML alias): the trace names schemas by place."""
    names: dict[int, str] = {id(True): "true", id(False): "false"}
    objects: dict[str, Any] = {"true": True, "false": False}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        if id(node) in names:
            if isinstance(node, list) and not any(isinstance(v, (dict, list)) for v in node):
                continue  # a shared list of scalars: never a schema, read only by value
            return None
        if pointer in objects:
            return None  # keys alike as text (200 and "200"): one name, two places
        names[id(node)] = pointer
        objects[pointer] = node
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append((pointer + "/" + str(key).replace("~", "~0").replace("/", "~1"), value))
            elif key == "$ref" and isinstance(value, str) and not _plain_ref(value):
                return None
    return names, objects


def _plain_ref(ref: str) -> bool:
    """A local JSON pointer outside `paths`, as written (no escapes to decode: `%61`
    would resolve to `a`)."""
    return ref.startswith("#/") and "%" not in ref and not ref.startswith("#/paths")


class Walks:
    """The validator's own checks, remembered per path item (and once for the
    components), each with the trace of what its walk asked of the state the checks
    share: which schemas were visited or meta-checked already, which operation ids
    seen. A walk's findings and what it adds to that state depend only on its path
    item, the document outside `paths` (both in the key) and those answers; a later
    run replays a walk whose recorded questions get the same answers, in order, and
    walks the others."""

    def __init__(self, cache: Cache, validator_name: str) -> None:
        self.cache = cache
        self.map_key = self.key(validator_name)
        known = _known(cache, self.map_key)
        self.known: dict[str, Any] = known if isinstance(known, dict) else {}
        self.used: dict[str, Any] = {}
        self.reused = self.checked = 0
        self.events: list[list[Any]] | None = None
        self.nameless = False
        self.names: dict[int, str] = {}
        self.objects: dict[str, Any] = {}

    @staticmethod
    def key(validator_name: str) -> str:
        return digest(generator_fingerprint(), KIND, FORMAT, "walks", validator_name)

    def event(self, kind: str, tag: str, item: Any, answer: bool | None) -> None:
        if self.events is None:
            return
        if tag == "o":
            name = item
            if not (item is None or isinstance(item, (str, int, float, bool))):
                self.nameless = True
        else:
            name = self.names.get(item)
            if name is None:
                self.nameless = True
        self.events.append([kind, tag, name, answer])

    def run(
        self,
        validator: Any,
        data: dict[str, Any],
        finding: Callable[[Any], Finding],
        places: tuple[dict[int, str], dict[str, Any]] | None,
        known: dict[int, str] | None = None,
        rest: str | None = None,
    ) -> list[Finding] | None:
        """The findings of the validator's own checks, walks replayed where they can
        be (`places`: the document's containers by place, as `Parts.check` found them);
        None when the validator is not shaped as expected (no memo then)."""
        from openapi_spec_validator.validation import keywords
        from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError, OpenAPIValidationError

        registry: Any = getattr(validator, "keyword_validators_registry", None)
        root = getattr(validator, "root_validator", None)
        try:
            schema, operation = registry["schema"], registry["operation"]
            path, components = registry["path"], registry["components"]
        except Exception:
            return None
        visited, checked = getattr(schema, "visited_schema_ids", None), getattr(schema, "meta_checked_schema_ids", None)
        if (
            places is None
            or root is None
            or type(visited) is not IdList
            or type(checked) is not IdList
            or type(getattr(operation, "operation_ids_registry", None)) is not list
            or not isinstance(path, keywords.PathValidator)
            or not isinstance(components, keywords.ComponentsValidator)
            or not isinstance(data.get("paths"), dict)
        ):
            return None
        self.names, self.objects = places
        schema.visited_schema_ids = _Traced(visited, "v", self)
        schema.meta_checked_schema_ids = _Traced(checked, "m", self)
        operation.operation_ids_registry = _TracedIds(operation.operation_ids_registry, self)
        state = {"v": schema.visited_schema_ids, "m": schema.meta_checked_schema_ids, "o": operation.operation_ids_registry}
        # (`rest`, the parts' digest of all but the path items, tells as much)
        outside = rest if rest is not None else _rest(data)
        prefix = digest(generator_fingerprint(), type(validator).__qualname__, outside)
        stand_in = type("Replayed", (_Remembered, OpenAPIValidationError), {})
        pending: list[tuple[str, list[list[Any]], list[Any]]] = []
        walks = self

        def remembered(original: Any, key_of: Callable[..., str | None]) -> Any:
            def call(checker: Any, *args: Any) -> Iterator[Any]:
                key = key_of(*args)
                trace = walks.known.get(key) if key else None
                if trace is not None and walks.replays(trace, state):
                    walks.reused += 1
                    walks.used[str(key)] = trace
                    if trace["findings"]:
                        error = stand_in(f"{len(trace['findings'])} replayed finding(s)")
                        error.findings = list(trace["findings"])
                        yield error
                    return
                walks.checked += 1
                walks.events, walks.nameless = [], False
                errors: list[Any] = []
                try:
                    for error in original(checker, *args):
                        errors.append(error)
                        yield error
                finally:
                    events, walks.events = walks.events, None
                if key and not walks.nameless:
                    pending.append((key, events, errors))

            return call

        def path_key(url: Any, item: Any) -> str | None:
            value = data["paths"].get(url) if isinstance(url, str) else None
            if not isinstance(value, dict):
                return None
            text = known.get(id(value)) if known is not None else None
            return digest(prefix, "path", url, text if text is not None else _content_digest(value))

        findings: list[Finding] = []
        found_by_error: dict[int, Finding] = {}
        path_cls, components_cls = type(path), type(components)
        with patched(path_cls, "__call__", remembered(path_cls.__call__, path_key)), patched(
            components_cls, "__call__", remembered(components_cls.__call__, lambda item: digest(prefix, "components"))
        ):
            for error in root(validator.schema_path):
                if isinstance(error, _Remembered):
                    findings.extend(error.findings)
                    continue
                found = found_by_error[id(error)] = finding(error)
                findings.append(found)
        for key, events, errors in pending:
            # the duplicate-id finding is placed by the URL read back from its message,
            # which another path item can change: such a walk is walked again
            if any(isinstance(e, DuplicateOperationIDError) for e in errors):
                continue
            if all(id(e) in found_by_error for e in errors):
                self.used[key] = {"events": events, "findings": [found_by_error[id(e)] for e in errors]}
        return findings

    def replays(self, trace: Any, state: dict[str, Any]) -> bool:
        """Whether the trace's questions get the same answers now; if so its additions
        to the state are made."""
        events = trace.get("events") if type(trace) is dict else None
        found = trace.get("findings") if type(trace) is dict else None
        if not (type(events) is list and type(found) is list and all(_is_finding(f) for f in found)):
            return False
        added: dict[str, list[Any]] = {"v": [], "m": [], "o": []}
        mine: dict[str, set[Any]] = {"v": set(), "m": set(), "o": set()}
        objects, contains = self.objects, IdList.__contains__
        for event in events:
            if not (type(event) is list and len(event) == 4):
                return False
            kind, tag, name, answer = event
            if tag == "o":
                if not (name is None or type(name) in (str, int, float, bool)):
                    return False
                item = name
            elif tag in ("v", "m") and type(name) is str:
                node = objects.get(name)
                if node is None and name not in ("true", "false"):
                    return False
                item = id(node)
            else:
                return False
            if kind == "q":
                try:
                    present = list.__contains__(state[tag], item) if tag == "o" else contains(state[tag], item)
                except TypeError:
                    return False
                if (present or name in mine[tag]) != answer:
                    return False
            else:
                added[tag].append(item)
                mine[tag].add(name)
        for tag, items in added.items():
            for item in items:
                (list if tag == "o" else IdList).append(state[tag], item)
        return True

    def save(self) -> None:
        """This run's traces, then as many earlier ones, written back."""
        _save(self.cache, self.map_key, self.used, self.known, 2 * len(self.used))
