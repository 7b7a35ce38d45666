"""Work openapi-spec-validator does again and again, spared while it runs (validate.py
`schema_findings`), each without changing a finding: memos of pure lookups, sets beside
lists it searches, and a proof (dialect_check.py) that stands in for the meta-schema
check of a schema it shows valid. Each patch is undone when the validator is done, and
stands aside when the library is not the one it was written against."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


@contextmanager
def crawl_once() -> Iterator[None]:
    """Memoise `referencing.Registry.crawl` while the validator runs.

    Every `$dynamicRef` of the 3.1 schema dialect looks up an anchor in a registry that
    still holds the document uncrawled, and `anchor()` re-crawls the whole document each
    time without keeping the result: a third of a large document's validation time. A
    registry is immutable and `crawl` a pure function of it, so the result for the
    same registry object can be handed out again."""
    import referencing

    original = referencing.Registry.crawl
    crawled: dict[int, tuple[Any, Any]] = {}

    def crawl(self: Any) -> Any:
        hit = crawled.get(id(self))
        if hit is not None and hit[0] is self:
            return hit[1]
        result = original(self)
        crawled[id(self)] = (self, result)  # holding `self` keeps its id from being reused
        return result

    try:
        with patched(referencing.Registry, "crawl", crawl):
            yield
    finally:
        crawled.clear()


@contextmanager
def patched(cls: Any, name: str, value: Any) -> Iterator[None]:
    """`cls.name = value` for a while; then as it was (an inherited attribute inherited again)."""
    own = name in vars(cls)
    before = vars(cls).get(name)
    setattr(cls, name, value)
    try:
        yield
    finally:
        if own:
            setattr(cls, name, before)
        else:
            delattr(cls, name)


@contextmanager
def lookup_once() -> Iterator[None]:
    """Memoise `referencing.Resolver.lookup` of a same-document reference while the
    validator runs.

    jsonschema resolves each `$ref` of the OpenAPI schema (`#/$defs/...`) afresh every
    time it applies, walking the JSON pointer and rebuilding the resolver: a third of
    the whole-document validation. When the resolver's own resource is in its registry
    already, nothing is crawled for it or retrieved: the result depends only on the
    reference, the base URI, the dynamic scope and the (immutable) registry, and that
    very result is handed out again. Other lookups, and those that raise, run as they
    would."""
    import attrs
    from referencing._core import Registry, Resolver

    fields = {*attrs.fields_dict(Resolver), *attrs.fields_dict(Registry)}  # type: ignore[arg-type]
    if not {"_base_uri", "_registry", "_previous", "_resources"} <= fields:
        yield  # not the referencing this was written against
        return
    original = Resolver.lookup
    found: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    def lookup(self: Any, ref: str) -> Any:
        registry = self._registry
        if not ref.startswith("#") or registry._resources.get(self._base_uri) is None:
            return original(self, ref)
        key = (ref, self._base_uri, self._previous, id(registry))
        hit = found.get(key)
        if hit is not None and hit[0] is registry:
            return hit[1]
        result = original(self, ref)
        found[key] = (registry, result)  # holding the registry keeps its id from being reused
        return result

    try:
        with patched(Resolver, "lookup", lookup):
            yield
    finally:
        found.clear()


class IdList(list):  # type: ignore[type-arg]
    """A list of ints whose `in` is a set lookup: the same answer, in constant time."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item: Any) -> bool:
        return item in self._members


@contextmanager
def visited_as_sets() -> Iterator[None]:
    """openapi-spec-validator's schema walk keeps the ids of the schemas it has visited
    and meta-checked in lists, and asks `id in list` for every schema it meets: quadratic
    in the schemas of a document (thousands in a large one). Those lists only ever get
    `append` and `in`, so they are given a set beside them while the validator runs."""
    from openapi_spec_validator.validation.keywords import SchemaValidator

    original = SchemaValidator.__init__

    def init(self: Any, registry: Any) -> None:
        original(self, registry)
        visited, checked = getattr(self, "visited_schema_ids", None), getattr(self, "meta_checked_schema_ids", None)
        if type(visited) is list and type(checked) is list:
            self.visited_schema_ids = IdList(self.visited_schema_ids)
            self.meta_checked_schema_ids = IdList(self.meta_checked_schema_ids)

    with patched(SchemaValidator, "__init__", init):
        yield


@contextmanager
def meta_check_proved() -> Iterator[None]:
    """Skip the meta-schema check of a schema that `dialect_check` proves valid.

    openapi-spec-validator checks each top-level schema against its dialect's meta-schema
    with jsonschema: in 3.1 it resolves a `$dynamicRef` at every nesting level, two
    thirds of a large document's validation time (a fifth in 3.0). Where the schema keeps
    to the default dialect and `proves_valid` shows that check would raise nothing, it is
    not run; any other schema (a `$schema` or `jsonSchemaDialect` of its own, a value the
    proof does not model) goes through the real check, so the findings are the same."""
    from openapi_schema_validator import OAS31_BASE_DIALECT_ID, OAS30Validator, OAS31Validator, oas31_format_checker
    from openapi_schema_validator.validators import check_openapi_schema
    from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator, OpenAPIV31SchemaValidator

    from .dialect_check import OAS_30, OAS_31, proves_valid

    checks = (OAS30Validator.check_schema, OAS31Validator.check_schema)
    if any(getattr(check, "__func__", None) is not check_openapi_schema for check in checks):
        yield  # not the check the proof models
        return
    original_31 = OpenAPIV31SchemaValidator._validate_schema_meta
    original_30 = OpenAPIV30SchemaValidator._validate_schema_meta

    def validate_schema_meta_31(self: Any, schema: Any, schema_value: Any) -> Any:
        if type(self) is OpenAPIV31SchemaValidator and self.schema_validator_format_checker is oas31_format_checker:
            dialect: Any = None
            checker: Any = None
            try:
                dialect = self._get_schema_dialect_id(schema, schema_value)
                checker = self._get_validator_class_for_dialect(dialect)
            except Exception:  # the real check reports it
                pass
            if dialect == OAS31_BASE_DIALECT_ID and checker is OAS31Validator:
                if proves_valid(schema_value, oas31_format_checker, OAS_31):
                    return None
        return original_31(self, schema, schema_value)

    def validate_schema_meta_30(self: Any, schema: Any, schema_value: Any) -> Any:
        # the check: OAS30Validator.check_schema(schema_value), its own format checker
        if type(self) is OpenAPIV30SchemaValidator and self.schema_validator_cls is OAS30Validator:
            if proves_valid(schema_value, OAS30Validator.FORMAT_CHECKER, OAS_30):
                return None
        return original_30(self, schema, schema_value)

    with patched(OpenAPIV31SchemaValidator, "_validate_schema_meta", validate_schema_meta_31):
        with patched(OpenAPIV30SchemaValidator, "_validate_schema_meta", validate_schema_meta_30):
            yield


@contextmanager
def protocol_checks_by_type() -> Iterator[None]:
    """Answer pathable's `isinstance(node, Subscriptable)` per built-in type.

    Every step of the validator into the document asks whether the node is
    `Subscriptable`, a runtime-checkable Protocol: Python looks up the protocol's members
    on the object each time (a tenth of the validation). The nodes of a loaded document
    are dicts, lists, strings, numbers, booleans and None, whose members come from their
    type alone, so the answer for one instance of such a type is the answer for all.
    Other objects are asked as before."""
    try:
        import pathable.accessors as accessors

        protocol = accessors.Subscriptable  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        yield  # not the pathable this was written against
        return
    kinds: tuple[Any, ...] = (dict, list, str, int, float, bool, type(None))
    known = {kind: isinstance(kind(), protocol) for kind in kinds}

    class _ByType(type):
        def __instancecheck__(cls, instance: Any) -> bool:
            answer = known.get(type(instance))
            return isinstance(instance, protocol) if answer is None else answer

    class Subscriptable(metaclass=_ByType):
        pass

    with patched(accessors, "Subscriptable", Subscriptable):
        yield


@contextmanager
def faster() -> Iterator[None]:
    """What spares the validator work without changing a finding."""
    with meta_check_proved(), lookup_once(), visited_as_sets(), protocol_checks_by_type():
        yield
