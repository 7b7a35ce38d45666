"""spec dict -> IR. The only module that reads the raw spec.

Unsupported or doubtful constructs never vanish silently: each yields a warning that
names its pointer and what was generated instead.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from ..config import Config
from ..diagnostics import Diagnostic, Diagnostics, pointer_join, pointer_tokens
from ..validate import resolve_pointer
from . import naming
from .operation import (
    Api,
    Enum,
    EnumMember,
    Field,
    Model,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    Response,
    SecurityScheme,
    Server,
    ServerVariable,
    union_of,
)
from .types import (
    AnyType,
    Array,
    Binary,
    Bytes,
    EnumRef,
    LiteralType,
    Map,
    ModelRef,
    Nullable,
    Primitive,
    TypeRef,
    Union,
)

if TYPE_CHECKING:
    from ..model_memo import Replay

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_SCHEMA_DEPTH = 120
SCHEMAS = "/components/schemas/"
# Names a generated model must not take: they are used by the runtime or typing.
# Names the generated models and resource modules import or define beside model classes.
MODEL_RESERVED = frozenset(
    {"Any", "Literal", "NotGiven", "NOT_GIVEN", "Mapping", "FileContent", "UUID", "datetime", "date",
     "Call", "Param", "Resource", "AsyncResource", "RawResponse", "TimeoutTypes", "Self", "Callable"}
)
# Resource classes are also imported into _client.py.
RESOURCE_RESERVED = MODEL_RESERVED | {
    "Client", "AsyncClient", "Self", "TYPE_CHECKING", "SecuritySchemes", "SyncTransport", "AsyncTransport",
    "APIError",
}
# Field names the model class body needs: `field(...)` and `dict[...]` run there, and a
# field named like a type would shadow it in the annotations that follow.
FIELD_RESERVED = frozenset(
    {"additional_properties", "from_dict", "to_dict", "field", "dataclass", "dict", "list", "str", "int", "float",
     "bool", "bytes", "date", "datetime"}
)
# Argument names that would shadow what a method or its `_call` function uses.
PARAM_RESERVED = frozenset(
    {"self", "timeout", "extra_headers", "extra_query", "body", "compact", "to_jsonable", "warnings",
     "parse_json", "parse_none", "parse_bytes", "parse_text"}
)
# Top-level names a generated package must not take: it would shadow them for its own
# imports (and for the user's).
SHADOWED_PACKAGES = frozenset(sys.stdlib_module_names) | {"httpx", "typing_extensions", "httpcore", "anyio", "h11", "idna", "certifi", "sniffio"}
_JSON_MEDIA = re.compile(r"^application/([\w.\-]+\+)?json(;.*)?$|^\*/\*$")
_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def media_kind(media_type: str) -> str:
    mt = media_type.lower()
    if _JSON_MEDIA.match(mt) or mt.endswith("+json"):
        return "json"
    if mt.startswith("multipart/"):
        return "multipart"
    if mt == "application/x-www-form-urlencoded":
        return "form"
    if mt.startswith("text/"):
        return "text"
    return "binary"


_KIND_PREFERENCE = {"json": 0, "multipart": 1, "form": 2, "text": 3, "binary": 4}


def pick_media(content: dict[str, Any]) -> str:
    """The media type the client speaks when several are offered: JSON first."""
    return min(content, key=lambda mt: (_KIND_PREFERENCE[media_kind(mt)], list(content).index(mt)))


_MODEL_MARK = "\0model"


class TooDeep(Exception):
    def __init__(self, pointer: str) -> None:
        super().__init__(pointer)
        self.pointer = pointer


@dataclass
class _Pending:
    """A named schema whose definition is being built (so recursion can refer to it)."""

    name: str
    kind: str  # model | enum | alias


class Unit(NamedTuple):
    """One unit of the build as model_memo.py keeps it."""

    log_end: int  # where its changes end in the builder's log
    diagnostics: tuple[Diagnostic, ...]
    operations: tuple[tuple[str, Operation], ...]  # with the tag that groups each


# One change to what the builder keeps across path items: (container, key, value); a
# namer's or a set's key is None and its value the name taken or the item added.
Change = tuple[str, Any, Any]


class LoggedDict(dict):  # type: ignore[type-arg]
    """A dict that logs each item set (the builder sets items and nothing else)."""

    def __init__(self, log: list[Change], tag: str) -> None:
        super().__init__()
        self.log, self.tag = log, tag

    def __setitem__(self, key: Any, value: Any) -> None:
        self.log.append((self.tag, key, value))
        dict.__setitem__(self, key, value)

    def replay(self, key: Any, value: Any) -> None:
        self[key] = value


class LoggedSet(set):  # type: ignore[type-arg]
    def __init__(self, log: list[Change], tag: str) -> None:
        super().__init__()
        self.log, self.tag = log, tag

    def add(self, value: Any) -> None:
        self.log.append((self.tag, None, value))
        set.add(self, value)

    def replay(self, key: Any, value: Any) -> None:
        self.add(value)


class LoggedNamer(naming.Namer):
    def __init__(self, log: list[Change], tag: str, reserved: frozenset[str] = frozenset()) -> None:
        super().__init__(reserved)
        self.log, self.tag = log, tag

    def claim(self, base: str) -> str:
        name = super().claim(base)
        self.log.append((self.tag, None, name))
        return name

    def replay(self, key: Any, value: Any) -> None:
        """Take `value` as a past claim took it."""
        self._taken.add(self._key(value))
        self.log.append((self.tag, None, value))


class Builder:
    def __init__(
        self, spec: dict[str, Any], config: Config, diagnostics: Diagnostics, memo: Replay | None = None
    ) -> None:
        self.spec = spec
        self.config = config
        self.diag = diagnostics
        # What outlives one path item is kept in logged containers: each change is
        # appended to `log`, in order, so that model_memo.py can replay a path item's
        # share of it (see there).
        self.log: list[Change] = []
        self.class_names = LoggedNamer(self.log, "class_names", MODEL_RESERVED)
        self.op_ids = LoggedNamer(self.log, "op_ids")
        self.models: dict[str, Model] = LoggedDict(self.log, "models")  # by pointer
        self.enums: dict[str, Enum] = LoggedDict(self.log, "enums")  # by pointer
        self.named: dict[str, TypeRef] = LoggedDict(self.log, "named")  # finished named schemas, by pointer
        # pointer -> class name claimed up front
        self.reserved_names: dict[str, str] = LoggedDict(self.log, "reserved_names")
        # $ref target -> where it nests too deeply
        self.too_deep: dict[str, str] = LoggedDict(self.log, "too_deep")
        self.reported_too_deep: set[str] = LoggedSet(self.log, "reported_too_deep")
        # Within one schema only (empty between path items):
        self.pending: dict[str, _Pending] = {}
        self.depth = 0
        # $ref targets being expanded, innermost last; _MODEL_MARK where a model began.
        self.trail: list[str] = []
        self.containers: dict[str, LoggedDict | LoggedSet | LoggedNamer] = {
            c.tag: c
            for c in (
                self.class_names, self.op_ids, self.models, self.enums, self.named, self.reserved_names,
                self.too_deep, self.reported_too_deep,
            )
        }
        self.memo = memo
        self.units: list[Unit] = []
        # what the start leaves besides the log (the root servers, the security schemes)
        self.head: tuple[tuple[Server, ...], tuple[SecurityScheme, ...]] = ((), ())
        self._unit_diagnostics = len(diagnostics.items)

    # ----------------------------------------------------------------- helpers
    def warn(self, code: str, message: str, pointer: str) -> None:
        self.diag.warning(code, message, pointer)

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow $refs (chains included) to the node they name."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen:
                return {}, pointer
            seen.add(ref)
            found, target = resolve_pointer(self.spec, ref[1:])
            if not found:
                return {}, pointer
            node, pointer = target, ref[1:]
        return node, pointer

    def claim_class(self, hint: str, pointer: str) -> str:
        if pointer in self.reserved_names:
            return self.reserved_names[pointer]
        name = self.class_names.claim(naming.pascal(hint))
        self.reserved_names[pointer] = name
        return name

    # ----------------------------------------------------------------- schemas
    def schema_type(self, schema: Any, pointer: str, hint: str) -> TypeRef:
        self.depth += 1
        try:
            if self.depth > MAX_SCHEMA_DEPTH:
                raise TooDeep(pointer)
            return self._schema_type(schema, pointer, hint)
        finally:
            self.depth -= 1

    def _schema_type(self, schema: Any, pointer: str, hint: str) -> TypeRef:
        if schema is True or schema == {} or schema is None:
            return AnyType()
        if not isinstance(schema, dict):
            self.warn("schema-type", "schema is not an object; generated `Any`", pointer)
            return AnyType()
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.ref_type(ref, pointer)
        nullable = bool(schema.get("nullable")) and schema.get("nullable") is True
        base = self.base_type(schema, pointer, hint)
        if isinstance(base, Nullable):
            return base
        types = schema.get("type")
        if isinstance(types, list) and "null" in types:
            nullable = True
        enum = schema.get("enum")
        if isinstance(enum, list) and None in enum:
            nullable = True
        return Nullable(base) if nullable and not isinstance(base, AnyType) else base

    def ref_type(self, ref: str, pointer: str) -> TypeRef:
        if not ref.startswith("#"):
            self.warn("external-ref", f"unresolved external $ref {ref!r}; generated `Any`", pointer)
            return AnyType()
        target_pointer = ref[1:]
        found, target = resolve_pointer(self.spec, target_pointer)
        if not found:
            self.diag.error("dangling-ref", f"$ref {ref!r} points at nothing", pointer_join(pointer, "$ref"))
            return AnyType()
        if target_pointer in self.named:
            return self.named[target_pointer]
        pending = self.pending.get(target_pointer)
        if pending is not None:
            if pending.kind == "model":
                return ModelRef(pending.name, self._required_of(target))
            if pending.kind == "enum":
                return EnumRef(pending.name, "str")
            self.warn(
                "recursive-alias",
                f"{ref} refers to itself without an object in between; generated `Any` there",
                pointer,
            )
            return AnyType()
        if self._alias_cycle(target_pointer):
            self.warn(
                "recursive-alias",
                f"{ref} refers to itself without an object in between; generated `Any` there",
                pointer,
            )
            return AnyType()
        hint = pointer_tokens(target_pointer)[-1] if target_pointer else "Model"
        if target_pointer in self.too_deep:  # known to fail: do not walk it again
            raise TooDeep(self.too_deep[target_pointer])
        self.trail.append(target_pointer)
        try:
            result = self.schema_type(target, target_pointer, hint)
        except TooDeep as exc:
            self.too_deep[target_pointer] = exc.pointer
            raise
        finally:
            self.trail.pop()
        self.named[target_pointer] = result
        return result

    def _reset(self) -> None:
        """Forget half-built schemas after a TooDeep unwound them."""
        self.pending.clear()
        self.trail.clear()
        self.depth = 0

    def _alias_cycle(self, target_pointer: str) -> bool:
        """True when `target_pointer` is already being expanded and no model started
        since: expanding it again would never reach a class that ends the recursion."""
        if target_pointer not in self.trail:
            return False
        start = len(self.trail) - 1 - self.trail[::-1].index(target_pointer)
        return _MODEL_MARK not in self.trail[start + 1 :]

    def properties_of(self, schema: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        """A schema's `properties` and their pointer; multi-file documents sometimes
        put the whole map behind a `$ref`."""
        props, props_pointer = self.deref(schema.get("properties"), pointer_join(pointer, "properties"))
        return (props, props_pointer) if isinstance(props, dict) else ({}, props_pointer)

    def _required_of(self, schema: Any) -> tuple[str, ...]:
        req = schema.get("required") if isinstance(schema, dict) else None
        return tuple(dict.fromkeys(r for r in req if isinstance(r, str))) if isinstance(req, list) else ()

    def base_type(self, schema: dict[str, Any], pointer: str, hint: str) -> TypeRef:
        if "const" in schema:
            value = schema["const"]
            if isinstance(value, (str, int, bool)):
                return LiteralType(value)
            self.warn("const", "non-scalar `const`; generated `Any`", pointer)
            return AnyType()
        if isinstance(schema.get("enum"), list):
            return self.enum_type(schema, pointer, hint)
        if isinstance(schema.get("allOf"), list):
            return self.all_of(schema, pointer, hint)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                return self.union_type(schema, key, pointer, hint)
        types = schema.get("type")
        if isinstance(types, list):
            concrete = [t for t in types if t != "null"]
            if len(concrete) == 1:
                return self.typed(concrete[0], schema, pointer, hint)
            if not concrete:
                return AnyType()
            variants = [self.typed(t, schema, pointer, hint) for t in concrete]
            return union_of(variants) or AnyType()
        if types is None:
            if "properties" in schema or "additionalProperties" in schema:
                types = "object"
            elif "items" in schema:
                types = "array"
            else:
                return AnyType()
        return self.typed(types, schema, pointer, hint)

    def typed(self, kind: Any, schema: dict[str, Any], pointer: str, hint: str) -> TypeRef:
        if kind == "string":
            fmt = schema.get("format", "")
            return Primitive("str", fmt if isinstance(fmt, str) else "")
        if kind == "integer":
            return Primitive("int")
        if kind == "number":
            return Primitive("float")
        if kind == "boolean":
            return Primitive("bool")
        if kind == "array":
            items = schema.get("items")
            if isinstance(items, list):  # tuple-style items from old JSON Schema
                self.warn("tuple-items", "array `items` is a list; generated `list[Any]`", pointer)
                return Array(AnyType())
            return Array(self.schema_type(items, pointer_join(pointer, "items"), hint + "Item"))
        if kind == "object":
            return self.object_type(schema, pointer, hint)
        if kind == "null":
            return Nullable(AnyType())
        self.warn("schema-type", f"unknown type {kind!r}; generated `Any`", pointer)
        return AnyType()

    def object_type(self, schema: dict[str, Any], pointer: str, hint: str) -> TypeRef:
        props, _ = self.properties_of(schema, pointer)
        extra = schema.get("additionalProperties", True)
        if not isinstance(props, dict) or not props:
            if isinstance(extra, dict) and extra:
                return Map(self.schema_type(extra, pointer_join(pointer, "additionalProperties"), hint + "Value"))
            return Map(AnyType())
        return self.model(pointer, hint, [(schema, pointer)], schema)

    def model(
        self, pointer: str, hint: str, parts: list[tuple[dict[str, Any], str]], outer: dict[str, Any]
    ) -> TypeRef:
        """A model from one or more object schemas (several for allOf)."""
        pending = self.pending.get(pointer)
        if pending is not None and pending.kind == "model":
            # an inline object reached again through a $ref cycle (an array of objects
            # that hold that array): the class being built ends the recursion
            return ModelRef(pending.name, tuple(dict.fromkeys(r for part, _ in parts for r in self._required_of(part))))
        name = self.claim_class(hint, pointer)
        required: list[str] = []
        props: dict[str, tuple[Any, str]] = {}
        extra: Any = True
        for part, part_pointer in parts:
            required.extend(self._required_of(part))
            part_props, props_pointer = self.properties_of(part, part_pointer)
            for wire, prop in part_props.items():
                props[str(wire)] = (prop, pointer_join(props_pointer, wire))
            if isinstance(part.get("additionalProperties"), dict) and part["additionalProperties"]:
                extra = (part["additionalProperties"], pointer_join(part_pointer, "additionalProperties"))
        self.pending[pointer] = _Pending(name, "model")
        self.trail.append(_MODEL_MARK)
        namer = naming.Namer(FIELD_RESERVED)
        fields = []
        required_set = set(required)
        for wire, (prop, prop_pointer) in props.items():
            ptype = self.schema_type(prop, prop_pointer, name + naming.pascal(wire, "Field"))
            resolved, _ = self.deref(prop, prop_pointer)
            resolved = resolved if isinstance(resolved, dict) else {}
            default = resolved.get("default")
            fields.append(
                Field(
                    wire_name=wire,
                    py_name=namer.claim(naming.snake(wire, "field")),
                    type=ptype,
                    required=wire in required_set,
                    description=_text(resolved.get("description") or resolved.get("title")),
                    default=naming.literal(default) if _is_scalar(default) else "",
                    read_only=resolved.get("readOnly") is True,
                    write_only=resolved.get("writeOnly") is True,
                    deprecated=resolved.get("deprecated") is True,
                )
            )
        additional: TypeRef = AnyType()
        if isinstance(extra, tuple):
            additional = self.schema_type(extra[0], extra[1], name + "Value")
        del self.pending[pointer]
        self.trail.pop()
        ordered = tuple(sorted(fields, key=lambda f: not f.required))
        self.models[pointer] = Model(
            name=name,
            pointer=pointer,
            fields=ordered,
            description=_text(outer.get("description") or outer.get("title")),
            additional=additional,
            deprecated=outer.get("deprecated") is True,
        )
        return ModelRef(name, tuple(dict.fromkeys(f.wire_name for f in ordered if f.required)))

    def all_of(self, schema: dict[str, Any], pointer: str, hint: str) -> TypeRef:
        items = schema["allOf"]
        siblings = {k for k in schema if k not in ("allOf", "description", "title", "nullable", "example")}
        if len(items) == 1 and not siblings:
            return self.schema_type(items[0], pointer_join(pointer, "allOf", 0), hint)
        parts: list[tuple[dict[str, Any], str]] = []
        for index, item in enumerate(items):
            self._collect_parts(item, pointer_join(pointer, "allOf", index), parts, set())
        if schema.get("properties") or schema.get("required"):
            parts.append((schema, pointer))
        if not any(self.properties_of(p, pp)[0] for p, pp in parts):
            non_object = [p for p, _ in parts if p.get("type") not in (None, "object")]
            if non_object:
                return self.schema_type(non_object[0], pointer, hint)
            return Map(AnyType())
        return self.model(pointer, hint, parts, schema)

    def _collect_parts(
        self, node: Any, pointer: str, parts: list[tuple[dict[str, Any], str]], seen: set[str]
    ) -> None:
        target, target_pointer = self.deref(node, pointer)
        if not isinstance(target, dict) or target_pointer in seen:
            return
        seen.add(target_pointer)
        for index, item in enumerate(target.get("allOf") or []):
            self._collect_parts(item, pointer_join(target_pointer, "allOf", index), parts, seen)
        alternatives = [a for key in ("oneOf", "anyOf") for a in target.get(key) or [] if isinstance(a, dict)]
        # `anyOf: [{required: [a]}, {required: [b]}]` only constrains; nothing to merge
        if any(set(a) - {"required", "description", "title"} for a in alternatives):
            self.warn(
                "allof-union",
                "allOf part is a union; its alternatives' properties are not merged",
                target_pointer,
            )
        parts.append((target, target_pointer))

    def union_type(self, schema: dict[str, Any], key: str, pointer: str, hint: str) -> TypeRef:
        variants: list[TypeRef] = []
        nullable = False
        index_by_ref: dict[str, int] = {}
        for index, item in enumerate(schema[key]):
            item_pointer = pointer_join(pointer, key, index)
            if isinstance(item, dict) and (item.get("type") == "null" or item.get("enum") == [None]):
                nullable = True
                continue
            t = self.schema_type(item, item_pointer, f"{hint}{key[:-2].capitalize()}{index}")
            if isinstance(t, Nullable):
                nullable, t = True, t.inner
            if t not in variants:
                variants.append(t)
            if isinstance(item, dict) and isinstance(item.get("$ref"), str):
                index_by_ref[item["$ref"]] = variants.index(t)
        if schema.get("properties"):
            self.warn("union-properties", f"properties beside {key} are ignored", pointer)
        result: TypeRef
        if not variants:
            result = AnyType()
        elif len(variants) == 1:
            result = variants[0]
        elif any(isinstance(v, AnyType) for v in variants):
            result = AnyType()
        else:
            result = self._discriminated(schema, pointer, tuple(variants), index_by_ref)
        return Nullable(result) if nullable and not isinstance(result, AnyType) else result

    def _discriminated(
        self, schema: dict[str, Any], pointer: str, variants: tuple[TypeRef, ...], index_by_ref: dict[str, int]
    ) -> Union:
        disc = schema.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            return Union(variants)
        mapping: dict[str, int] = {}
        explicit: dict[Any, Any] = disc["mapping"] if isinstance(disc.get("mapping"), dict) else {}
        for tag, target in explicit.items():
            ref = target if str(target).startswith("#") else f"#/components/schemas/{target}"
            if ref in index_by_ref:
                mapping[str(tag)] = index_by_ref[ref]
            else:
                self.warn("discriminator", f"mapping {tag!r} names no variant of the union", pointer)
        for ref, index in index_by_ref.items():
            if index not in mapping.values():  # implicit: the schema name is the tag
                mapping[ref.rsplit("/", 1)[-1]] = index
        return Union(variants, disc["propertyName"], tuple(sorted(mapping.items())))

    def enum_type(self, schema: dict[str, Any], pointer: str, hint: str) -> TypeRef:
        values = [v for v in schema["enum"] if v is not None]
        declared = schema.get("type")
        if isinstance(declared, list):
            declared = next((t for t in declared if t != "null"), None)
        if values and all(isinstance(v, bool) for v in values):
            return Primitive("bool")
        if declared in ("integer", None) and values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = "int"
        elif all(isinstance(v, str) for v in values):
            kind = "str"
        elif declared == "string":
            self.warn("enum-values", "enum mixes value types; non-strings were converted to strings", pointer)
            values = [str(v) if not isinstance(v, bool) else str(v).lower() for v in values]
            kind = "str"
        elif declared == "number" and all(isinstance(v, (int, float)) for v in values):
            return Primitive("float")
        else:
            self.warn("enum-values", "enum of mixed or non-scalar values; generated `Any`", pointer)
            return AnyType()
        if not values:
            return AnyType()
        name = self.claim_class(hint, pointer)
        member_namer = naming.Namer({"UNKNOWN"} | {n for n in dir(object)} | {"name", "value"})
        members = []
        for value in dict.fromkeys(values):
            base = naming.constant(str(value), "VALUE")
            if kind == "int":
                base = ("NEGATIVE_" if value < 0 else "VALUE_") + str(abs(value))
            members.append(EnumMember(member_namer.claim(base), naming.literal(value)))
        if len(set(values)) != len(values):
            self.warn("enum-duplicates", "enum lists a value twice; generated it once", pointer)
        self.enums[pointer] = Enum(name, pointer, kind, tuple(members), _text(schema.get("description")))
        return EnumRef(name, kind)

    # -------------------------------------------------------------- operations
    def servers(self, node: Any, pointer: str) -> tuple[Server, ...]:
        out = []
        for index, raw in enumerate(node if isinstance(node, list) else []):
            if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
                self.warn("server", "server without a url; skipped", pointer_join(pointer, index))
                continue
            variables = []
            url = raw["url"]
            for var_name, var in _dict(raw.get("variables")).items():
                default = str(var.get("default", "")) if isinstance(var, dict) else ""
                enum = tuple(str(v) for v in _list(var.get("enum"))) if isinstance(var, dict) else ()
                variables.append(ServerVariable(str(var_name), default, enum))
                url = url.replace("{" + str(var_name) + "}", default)
            if "{" in url:
                self.warn("server-variable", f"server URL {url!r} has an undeclared variable", pointer_join(pointer, index))
            out.append(Server(raw["url"], url.rstrip("/"), _text(raw.get("description")), tuple(variables)))
        return tuple(out)

    def security_schemes(self) -> tuple[SecurityScheme, ...]:
        raw = _dict(_dict(self.spec.get("components")).get("securitySchemes"))
        out = []
        for key, scheme in raw.items():
            pointer = pointer_join("/components/securitySchemes", key)
            scheme, _ = self.deref(scheme, pointer)
            if not isinstance(scheme, dict):
                continue
            kind = str(scheme.get("type", ""))
            if kind not in ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"):
                self.warn("security", f"unknown security scheme type {kind!r}; not generated", pointer)
                continue
            if kind == "http" and str(scheme.get("scheme", "")).lower() not in ("bearer", "basic"):
                self.warn("security", f"http scheme {scheme.get('scheme')!r} is sent as a bearer token", pointer)
            if kind == "mutualTLS":
                self.warn("security", "mutualTLS: configure certificates on the http_client", pointer)
            out.append(
                SecurityScheme(
                    key=str(key),
                    kind=kind,
                    scheme=str(scheme.get("scheme", "bearer" if kind != "apiKey" else "")).lower(),
                    location=str(scheme.get("in", "")),
                    param_name=str(scheme.get("name", "")),
                    description=_text(scheme.get("description")),
                )
            )
        return tuple(out)

    def parameters(self, raw: list[Any], pointer_base: str, namer: naming.Namer) -> list[Parameter]:
        out = []
        for index, param_pointer, param in raw:
            name = param.get("name")
            location = param.get("in")
            if not isinstance(name, str) or location not in _DEFAULT_STYLE:
                self.warn("parameter", "parameter without a valid name/in; skipped", param_pointer)
                continue
            schema = param.get("schema")
            schema_pointer = pointer_join(param_pointer, "schema")
            if schema is None and isinstance(param.get("content"), dict) and param["content"]:
                media = next(iter(param["content"]))
                schema = _dict(param["content"][media]).get("schema")
                schema_pointer = pointer_join(param_pointer, "content", media, "schema")
                self.warn("parameter-content", "parameter given by `content` is serialised by its style from the content's schema, not as a JSON document", param_pointer)
            ptype = self.schema_type(schema, schema_pointer, naming.pascal(name, "Param"))
            style = param.get("style") or _DEFAULT_STYLE[location]
            explode = param.get("explode")
            if not isinstance(explode, bool):
                explode = style == "form"
            resolved_schema, _ = self.deref(schema, schema_pointer)
            default = resolved_schema.get("default") if isinstance(resolved_schema, dict) else None
            out.append(
                Parameter(
                    wire_name=name,
                    py_name="",
                    location=location,
                    type=ptype,
                    required=location == "path" or param.get("required") is True,
                    style=str(style),
                    explode=explode,
                    description=_text(param.get("description")),
                    deprecated=param.get("deprecated") is True,
                    default=naming.literal(default) if _is_scalar(default) else "",
                )
            )
        # Path parameters are named first so they keep their plain names.
        ordered = sorted(out, key=lambda p: (p.location != "path", not p.required))
        return [
            Parameter(**{**p.__dict__, "py_name": namer.claim(naming.snake(p.wire_name, "param"))})
            for p in ordered
        ]

    def merged_parameters(self, path_item: dict[str, Any], op: dict[str, Any], path_ptr: str, op_ptr: str) -> list[Any]:
        merged: dict[tuple[str, str], tuple[int, str, dict[str, Any]]] = {}
        for source, base in ((path_item, path_ptr), (op, op_ptr)):
            for index, raw in enumerate(_list(source.get("parameters"))):
                pointer = pointer_join(base, "parameters", index)
                param, _ = self.deref(raw, pointer)
                if isinstance(param, dict):
                    merged[(str(param.get("name")), str(param.get("in")))] = (index, pointer, param)
        return list(merged.values())

    def request_body(self, raw: Any, pointer: str, hint: str, namer: naming.Namer) -> RequestBody | None:
        body, pointer_resolved = self.deref(raw, pointer)
        if not isinstance(body, dict):
            return None
        content = body.get("content") or {}
        if not isinstance(content, dict) or not content:
            return None
        media = pick_media(content)
        kind = media_kind(media)
        media_pointer = pointer_join(pointer_resolved, "content", media)
        schema = _dict(content[media]).get("schema")
        schema_pointer = pointer_join(media_pointer, "schema")
        if kind == "binary":
            btype: TypeRef = Bytes()
        elif kind == "text":
            btype = Primitive("str")
        else:
            btype = self.schema_type(schema, schema_pointer, hint + "Body")
        fields: tuple[Field, ...] = ()
        target = self._model_of(btype)
        if target is not None and kind in ("json", "form", "multipart") and target.fields:
            fields = tuple(
                Field(**{**f.__dict__, "py_name": namer.claim(f.py_name), "type": self._body_field_type(f.type, kind)})
                for f in target.fields
                if not f.read_only
            )
        return RequestBody(
            media_type=media,
            kind=kind,
            type=btype,
            required=body.get("required") is True,
            description=_text(body.get("description")),
            fields=fields,
            other_media_types=tuple(m for m in content if m != media),
        )

    def _body_field_type(self, t: TypeRef, kind: str) -> TypeRef:
        if kind == "multipart" and isinstance(t, Primitive) and t.format in ("binary", "byte"):
            return Binary()
        if kind == "multipart" and isinstance(t, Array) and isinstance(t.item, Primitive) and t.item.format == "binary":
            return Array(Binary())
        return t

    def _model_of(self, t: TypeRef) -> Model | None:
        if isinstance(t, ModelRef):
            return next((m for m in self.models.values() if m.name == t.name), None)
        return None

    def responses(self, raw: Any, pointer: str, hint: str) -> list[Response]:
        out: list[Response] = []
        if not isinstance(raw, dict):
            return out
        for status in sorted(raw, key=_status_order):
            rpointer = pointer_join(pointer, status)
            resp, resolved_pointer = self.deref(raw[status], rpointer)
            if not isinstance(resp, dict):
                continue
            content = resp.get("content") or {}
            media = pick_media(content) if isinstance(content, dict) and content else ""
            kind = media_kind(media) if media else "none"
            rtype: TypeRef | None = None
            if kind == "json":
                schema = _dict(content[media]).get("schema")
                rtype = self.schema_type(
                    schema, pointer_join(resolved_pointer, "content", media, "schema"), hint + "Response"
                    + ("" if str(status) in ("200", "201") else str(status).capitalize())
                )
            elif kind in ("binary", "multipart", "form"):
                kind, rtype = "binary", Bytes()
            elif kind == "text":
                rtype = Primitive("str")
            out.append(Response(str(status), _text(resp.get("description")), media, kind, rtype))
        return out

    def path_operations(
        self, path: Any, path_item: Any, root_servers: tuple[Server, ...], scheme_keys: set[str]
    ) -> Iterator[tuple[str, Operation]]:
        """The operations of one path item, with the tag that groups each."""
        root_security = self.spec.get("security")
        op_ids = self.op_ids
        path_ptr = pointer_join("/paths", path)
        path_item, path_ptr = self.deref(path_item, path_ptr)
        if isinstance(path_item, dict):
            path_servers = self.servers(path_item.get("servers"), pointer_join(path_ptr, "servers"))
            for method in METHODS:
                op_ptr = pointer_join(path_ptr, method)
                # Multi-file documents often put a whole operation behind a `$ref`.
                op, op_ptr = self.deref(path_item.get(method), op_ptr)
                if not isinstance(op, dict):
                    continue
                raw_id = op.get("operationId")
                if not isinstance(raw_id, str) or not raw_id.strip():
                    given = "operationId" in op and raw_id is not None
                    what = (
                        "no operationId" if not given
                        else "operationId is blank" if isinstance(raw_id, str)
                        else f"operationId {raw_id!r} is not a string"
                    )
                    raw_id = f"{method}_{path}"
                    self.warn(
                        "operation-id",
                        f"{what}; named {naming.snake(raw_id)!r} from method and path",
                        pointer_join(op_ptr, "operationId") if given else op_ptr,
                    )
                unique_id = op_ids.claim(raw_id)
                if unique_id != raw_id:
                    self.warn("duplicate-operation-id", f"operationId {raw_id!r} is used twice; this one is {naming.snake(unique_id)!r}", pointer_join(op_ptr, "operationId"))
                options = self.config.options_for(raw_id)
                namer = naming.Namer(PARAM_RESERVED)
                hint = naming.pascal(raw_id, "Operation")
                try:
                    params = self.parameters(self.merged_parameters(path_item, op, path_ptr, op_ptr), op_ptr, namer)
                    body = self.request_body(op.get("requestBody"), pointer_join(op_ptr, "requestBody"), hint, namer)
                    responses = self.responses(op.get("responses"), pointer_join(op_ptr, "responses"), hint)
                except TooDeep as exc:
                    self._reset()
                    if exc.pointer not in self.reported_too_deep:
                        self.reported_too_deep.add(exc.pointer)
                        self.diag.error("too-deep", f"schema nesting deeper than {MAX_SCHEMA_DEPTH} levels", exc.pointer)
                    continue
                self._check_path_params(path, params, op_ptr)
                success = [r for r in responses if r.is_success]
                result_kind = next((r.kind for r in success if r.kind != "none"), "none")
                result = union_of([r.type for r in success if r.type is not None and r.kind == result_kind])
                if options.response == "any":
                    result, result_kind = AnyType(), "json"
                servers = (
                    self.servers(op.get("servers"), pointer_join(op_ptr, "servers"))
                    or path_servers
                    or root_servers
                    or (Server("/", ""),)
                )
                security_raw = op.get("security", root_security)
                security = []
                for alt in security_raw if isinstance(security_raw, list) else []:
                    if not isinstance(alt, dict):
                        continue
                    keys = tuple(k for k in alt if k in scheme_keys)
                    for missing in (k for k in alt if k not in scheme_keys):
                        self.warn("security", f"security requirement names unknown scheme {missing!r}", op_ptr)
                    security.append(keys)
                tags = tuple(str(t) for t in _list(op.get("tags")) if isinstance(t, (str, int)))
                yield (tags[0] if tags else "default"), Operation(
                    operation_id=unique_id,
                    py_name=naming.snake(unique_id, "operation"),
                    method=method.upper(),
                    path=path,
                    pointer=op_ptr,
                    servers=servers,
                    parameters=tuple(params),
                    body=body,
                    responses=tuple(responses),
                    security=tuple(security),
                    result=result,
                    result_kind=result_kind,
                    timeout=options.timeout or self.config.timeout,
                    summary=_text(op.get("summary")),
                    description=_text(op.get("description")),
                    deprecated=op.get("deprecated") is True,
                    tags=tags,
                )

    def _check_path_params(self, path: str, params: list[Parameter], pointer: str) -> None:
        in_path = set(re.findall(r"{([^}]+)}", path))
        declared = {p.wire_name for p in params if p.location == "path"}
        for missing in sorted(in_path - declared):
            self.diag.error("path-parameter", f"path variable {{{missing}}} has no parameter", pointer)
        for extra in sorted(declared - in_path):
            self.warn("path-parameter", f"path parameter {extra!r} does not appear in the path", pointer)

    # ---------------------------------------------------------------- the API
    def build(self) -> Api:
        spec = self.spec
        info: dict[Any, Any] = spec["info"] if isinstance(spec.get("info"), dict) else {}
        title = _text(info.get("title")) or "API"
        package = self.config.package or naming.module_name(title, "api_client")
        if not package.isidentifier():
            package = naming.module_name(package, "api_client")
        if not self.config.package and package in SHADOWED_PACKAGES:
            package = f"{package}_client"
        env_prefix = self.config.env_prefix or naming.constant(re.sub(r"_(api|client|sdk)$", "", package), "API")
        schemas = _dict(_dict(spec.get("components")).get("schemas"))
        memo = self.memo
        head = memo.take_head(self) if memo is not None else None
        if head is None:
            # Component names are claimed first so inline schemas never take them.
            for name in schemas:
                self.claim_class(str(name), pointer_join("/components/schemas", name))
            head = (self.servers(spec.get("servers"), "/servers"), self.security_schemes())
        self.head = head
        root_servers, schemes = head
        scheme_keys = {s.key for s in schemes}
        self._end_unit(())
        if memo is not None:
            memo.after_head(self)
        grouped: dict[str, list[Operation]] = {}
        for path, path_item in (spec.get("paths") or {}).items():
            taken = memo.take(self) if memo is not None else None
            path_ops = taken if taken is not None else tuple(self.path_operations(path, path_item, root_servers, scheme_keys))
            self._end_unit(path_ops)
            if memo is not None and taken is None:
                memo.after_fresh(self, path)
            for tag, op in path_ops:
                grouped.setdefault(tag, []).append(op)
        if memo is None or memo.take(self) is None:
            self._remaining_schemas(schemas)
        self._end_unit(())
        resources = []
        # The attribute doubles as the module file name: case folded, no device names.
        attrs = naming.Namer({"with_raw_response", "close", "token", "base_url"} | naming.WINDOWS_DEVICES, fold_case=True)
        tag_docs = {str(t.get("name")): _text(t.get("description")) for t in _list(spec.get("tags")) if isinstance(t, dict)}
        # Resource classes share their module with the models it imports and the runtime.
        class_taken = set(RESOURCE_RESERVED) | {m.name for m in self.models.values()} | {e.name for e in self.enums.values()}
        for tag, ops in grouped.items():
            attr = attrs.claim(naming.module_name(tag, "default"))
            method_names = naming.Namer({"with_raw_response"})
            # An operation keeps its own object when its name stays: one taken from the
            # model memo is then the kept one itself (the revision compares such by identity).
            # (`replace` goes by its fields: a kept one may hold a cached property.)
            ops = [op if (name := method_names.claim(op.py_name)) == op.py_name else dataclasses.replace(op, py_name=name) for op in ops]
            class_name = _resource_class(naming.pascal(attr), class_taken)
            resources.append(Resource(tag, attr, class_name, attr, tag_docs.get(tag, ""), tuple(ops)))
        return Api(
            title=title,
            version=_text(info.get("version")),
            description=_text(info.get("description")),
            openapi_version=str(spec.get("openapi", "")),
            package=package,
            dist_name=self.config.dist_name or package.replace("_", "-"),
            client_version="0.1.0",
            env_prefix=env_prefix,
            servers=root_servers,
            resources=tuple(resources),
            models=tuple(self.models.values()),
            enums=tuple(self.enums.values()),
            security_schemes=schemes,
        )


    def _remaining_schemas(self, schemas: dict[Any, Any]) -> None:
        """The component schemas no operation reached."""
        for name in schemas:
            pointer = pointer_join("/components/schemas", name)
            if pointer not in self.named:
                try:
                    # through ref_type, so a cycle back to this schema is recognised
                    self.ref_type("#" + pointer, pointer)
                except TooDeep as exc:
                    self._reset()
                    if exc.pointer not in self.reported_too_deep:
                        self.reported_too_deep.add(exc.pointer)
                        self.diag.error("too-deep", f"schema nesting deeper than {MAX_SCHEMA_DEPTH} levels", exc.pointer)

    def _end_unit(self, yields: tuple[tuple[str, Operation], ...]) -> None:
        """Close a unit of the build (the start, a path item, the remaining schemas): where
        its changes end in the log, its diagnostics and its operations."""
        self.units.append(Unit(len(self.log), tuple(self.diag.items[self._unit_diagnostics :]), yields))
        self._unit_diagnostics = len(self.diag.items)


def _resource_class(base: str, taken: set[str]) -> str:
    """A resource class name whose four variants (sync, async, raw) are all free."""
    name, n = base, 1
    while {name, f"Async{name}", f"{name}WithRawResponse", f"Async{name}WithRawResponse"} & taken:
        n += 1
        name = f"{base}{n}"
    taken.update({name, f"Async{name}", f"{name}WithRawResponse", f"Async{name}WithRawResponse"})
    return name


def _status_order(status: Any) -> tuple[int, str]:
    s = str(status)
    if s.isdigit():
        return (0, s)
    if s.upper().endswith("XX"):
        return (1, s)
    return (2, s)


def _dict(value: Any) -> dict[Any, Any]:
    """`value` when it is a mapping, else empty: a wrong type was reported by validation."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def build_api(spec: dict[str, Any], config: Config, diagnostics: Diagnostics) -> Api:
    return Builder(spec, config, diagnostics).build()
