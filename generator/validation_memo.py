"""openapi-spec-validator's document-schema check, remembered per part of the document.

Before its own checks, the validator checks the whole document against the OpenAPI
schema with jsonschema: about 1.2 s of a large document's validation, nine tenths of it
under `paths`. The errors jsonschema finds under one part of the document (a path item,
a webhook, a component) are a pure function of that part's content, of its place, and of
the schema, base URI and dynamic scope it is checked with. So each part's findings are
kept in the cache under a digest of all of these (`Parts`), and a regeneration after an
edit checks again only the parts that changed.

A remembered part must give exactly what checking it would give. Its findings are kept
only when every error it yielded came out at the top as itself: jsonschema hands an error
up unchanged through `properties`, `$ref` and the like, and each step adds the same path
prefix that the part's place names. A combinator above (`anyOf`, `oneOf`, `not`) or an
`is_valid` would instead wrap or drop it. When a remembered part's stand-in does not come
out at the top, the check runs again without the memo."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from .cache import Cache, digest, generator_fingerprint
from .diagnostics import pointer_join

Finding = tuple[str, str, str, str]
KIND = "validation-parts"
# Entries kept from earlier runs besides this run's own (several specs can share a cache).
MAX_KEPT = 20000


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
        self.map_key = digest(generator_fingerprint(), KIND, validator_name)
        known = cache.get(KIND, self.map_key)
        self.known: dict[str, list[Finding]] = {}
        if isinstance(known, dict):
            for key, found in known.items():
                if isinstance(found, list) and all(isinstance(f, list) and len(f) == 4 for f in found):
                    self.known[key] = [(str(c), str(m), str(p), str(lv)) for c, m, p, lv in found]
        self.used: dict[str, list[Finding]] = {}
        self.reused = self.checked = 0  # parts taken from the memo / checked again

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
        places = part_places(document)
        prefix = digest(generator_fingerprint(), cls.__qualname__)
        original = cls.descend
        digests: dict[int, str] = {}
        stand_ins: list[Any] = []
        yielded: dict[str, list[Any]] = {}  # a part's errors, once it yielded them all
        looked_up: set[str] = set()

        def key_of(checker: Any, place: tuple[str, ...], instance: Any, schema: Any, path: Any, resolver: Any) -> str:
            text = digests.get(id(instance))
            if text is None:
                text = digests[id(instance)] = digest(repr(instance))
            return digest(
                prefix,
                pointer_join("", *place),
                repr(schema),
                repr(path),
                _scope(checker._resolver),
                "" if resolver is None else _scope(resolver),
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

        with _patched(cls, "descend", descend):
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

    def save(self) -> None:
        """This run's parts, then earlier ones up to MAX_KEPT, written back."""
        if not self.used:
            return
        kept = dict(self.used)
        for key, found in reversed(list(self.known.items())):
            if len(kept) >= MAX_KEPT:
                break
            kept.setdefault(key, found)
        self.cache.put(KIND, self.map_key, kept)


@contextlib.contextmanager
def _patched(cls: Any, name: str, value: Any) -> Iterator[None]:
    from .validator_speedups import patched

    with patched(cls, name, value):
        yield
