"""IR nodes for the API surface: servers, operations, parameters, bodies, responses,
security, models and enums. Frozen dataclasses, no I/O; these fields are the template
contract (see docs/template-contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .types import AnyType, Import, NoneType, TypeRef, Union, collect_imports


@dataclass(frozen=True)
class ServerVariable:
    name: str
    default: str
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Server:
    """A server URL as declared; `url` has its variables filled with their defaults."""

    template: str
    url: str
    description: str = ""
    variables: tuple[ServerVariable, ...] = ()


@dataclass(frozen=True)
class Field:
    """A property of a model, or a flattened request-body property."""

    wire_name: str  # exactly as on the wire
    py_name: str  # safe identifier
    type: TypeRef  # includes Nullable when the schema allows null
    required: bool
    description: str = ""
    default: str = ""  # a Python literal, or "" when the schema has none
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False

    @property
    def annotation(self) -> str:
        """The attribute annotation: optional fields may be absent (NotGiven) and, because
        servers send null where specs forget `nullable`, may be None."""
        ann = self.type.annotation()
        if self.required:
            return ann
        if not ann.endswith("| None") and ann != "Any":
            ann += " | None"
        return f"{ann} | NotGiven" if ann != "Any" else "Any"


@dataclass(frozen=True)
class Model:
    name: str
    pointer: str
    fields: tuple[Field, ...]
    description: str = ""
    additional: TypeRef = field(default_factory=AnyType)
    deprecated: bool = False

    @property
    def required_wire_names(self) -> tuple[str, ...]:
        return tuple(f.wire_name for f in self.fields if f.required)

    def imports(self) -> frozenset[Import]:
        return collect_imports([f.type for f in self.fields] + [self.additional])


@dataclass(frozen=True)
class EnumMember:
    name: str  # constant identifier
    value: str  # Python literal of the wire value


@dataclass(frozen=True)
class Enum:
    name: str
    pointer: str
    kind: str  # "str" or "int"
    members: tuple[EnumMember, ...]
    description: str = ""


@dataclass(frozen=True)
class Parameter:
    wire_name: str
    py_name: str
    location: str  # path | query | header | cookie
    type: TypeRef
    required: bool
    style: str
    explode: bool
    description: str = ""
    deprecated: bool = False
    default: str = ""


@dataclass(frozen=True)
class RequestBody:
    media_type: str
    kind: str  # json | form | multipart | binary | text
    type: TypeRef
    required: bool
    description: str = ""
    # Object bodies are flattened into keyword arguments, one per property.
    fields: tuple[Field, ...] = ()
    other_media_types: tuple[str, ...] = ()

    @property
    def flattened(self) -> bool:
        return bool(self.fields)


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX" or "default"
    description: str
    media_type: str  # "" when the response has no content
    kind: str  # json | binary | text | none
    type: TypeRef | None

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


@dataclass(frozen=True)
class SecurityScheme:
    key: str  # the name under components/securitySchemes
    kind: str  # apiKey | http | oauth2 | openIdConnect | mutualTLS
    scheme: str = ""  # bearer | basic for http
    location: str = ""  # header | query | cookie for apiKey
    param_name: str = ""  # the header/query/cookie name for apiKey
    description: str = ""


@dataclass(frozen=True)
class Argument:
    """One argument of a generated method, in signature order."""

    name: str
    annotation: str
    default: str  # " = NOT_GIVEN", " = None" or ""
    positional: bool
    source: str  # path | query | header | cookie | body | field
    wire_name: str = ""


def _optional(annotation: str) -> str:
    return annotation if annotation == "Any" else f"{annotation} | NotGiven"


@dataclass(frozen=True)
class Operation:
    operation_id: str  # as in the spec (or derived from method + path)
    py_name: str
    method: str  # upper case
    path: str  # the path template as declared
    pointer: str
    servers: tuple[Server, ...]  # effective: operation over path item over root
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: tuple[Response, ...]
    security: tuple[tuple[str, ...], ...]  # alternatives, each a set of scheme keys
    result: TypeRef | None  # decoded type of the success response(s); None: no content
    result_kind: str  # json | binary | text | none
    timeout: float
    summary: str = ""
    description: str = ""
    deprecated: bool = False
    tags: tuple[str, ...] = ()

    @cached_property  # templates ask for it several times per operation
    def arguments(self) -> tuple[Argument, ...]:
        """Path parameters first (positional, in path order), then the body when it is not
        flattened, then keyword-only: required before optional."""
        path = sorted(self.params_in("path"), key=lambda p: self.path.find("{" + p.wire_name + "}"))
        out = [Argument(p.py_name, p.type.annotation(), "", True, "path", p.wire_name) for p in path]
        body = self.body
        if body is not None and not body.flattened:
            ann = body.type.annotation()
            if body.required:
                out.append(Argument("body", ann, "", True, "body"))
            else:
                ann = ann if ann == "Any" or ann.endswith("| None") else f"{ann} | None"
                out.append(Argument("body", ann, " = None", True, "body"))
        keyword: list[Argument] = []
        for p in self.parameters:
            if p.location == "path":
                continue
            ann = p.type.annotation()
            if p.required:
                keyword.append(Argument(p.py_name, ann, "", False, p.location, p.wire_name))
            else:
                keyword.append(Argument(p.py_name, _optional(ann), " = NOT_GIVEN", False, p.location, p.wire_name))
        if body is not None:
            for f in body.fields:
                ann = f.type.annotation()
                if f.required:
                    keyword.append(Argument(f.py_name, ann, "", False, "field", f.wire_name))
                else:
                    keyword.append(Argument(f.py_name, _optional(ann), " = NOT_GIVEN", False, "field", f.wire_name))
        keyword.sort(key=lambda a: bool(a.default))
        return tuple(out + keyword)

    @property
    def server(self) -> Server:
        return self.servers[0]

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def idempotent(self) -> bool:
        return self.method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")

    @property
    def accept(self) -> str:
        """The Accept header: the media types of the success responses that carry the
        result, as the spec names them (so `application/vnd.api+json` is asked for)."""
        if self.result_kind == "none":
            return ""
        types = [r.media_type for r in self.responses if r.is_success and r.kind == self.result_kind and r.media_type]
        return ", ".join(dict.fromkeys(types))

    @property
    def result_annotation(self) -> str:
        return self.result.annotation() if self.result is not None else "None"

    def imports(self) -> frozenset[Import]:
        types: list[TypeRef] = [p.type for p in self.parameters]
        if self.body is not None:
            types.append(self.body.type)
            types.extend(f.type for f in self.body.fields)
        if self.result is not None:
            types.append(self.result)
        return collect_imports(types)


@dataclass(frozen=True)
class Resource:
    """Operations grouped by their first tag; one resource class per group."""

    tag: str
    attr: str  # attribute on the client, e.g. web_endpoints
    class_name: str  # e.g. WebEndpoints
    module: str  # file name under resources/
    description: str
    operations: tuple[Operation, ...]

    def imports(self) -> frozenset[Import]:
        out: set[Import] = set()
        for op in self.operations:
            out.update(op.imports())
        return frozenset(out)


@dataclass(frozen=True)
class Release:
    """One entry of the generated CHANGELOG: a client version and what changed in it.
    Each list holds one line per change (see generator/diff.py)."""

    version: str  # the client version, semver
    spec_version: str  # the spec's info.version at this release
    bump: str  # initial | major | minor | patch
    breaking: tuple[str, ...] = ()  # one line per breaking change
    added: tuple[str, ...] = ()  # one line per compatible addition
    other: tuple[str, ...] = ()  # one line per other (patch-level) change


@dataclass(frozen=True)
class Api:
    """The root of the IR: everything a template may use."""

    title: str
    version: str
    description: str
    openapi_version: str
    package: str
    dist_name: str
    client_version: str
    env_prefix: str
    servers: tuple[Server, ...]
    resources: tuple[Resource, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    security_schemes: tuple[SecurityScheme, ...]
    # Newest first; filled from the revision record in the output folder (revisions.py).
    releases: tuple[Release, ...] = ()  # newest first; from the revision record in the output folder

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for r in self.resources for op in r.operations)

    @property
    def all_servers(self) -> tuple[str, ...]:
        """Every distinct server URL any operation may use, root servers first."""
        urls = [s.url for s in self.servers] + [s.url for op in self.operations for s in op.servers]
        return tuple(dict.fromkeys(urls))

    @property
    def default_server(self) -> str:
        return self.servers[0].url if self.servers else ""


def union_of(types: list[TypeRef]) -> TypeRef | None:
    unique = list(dict.fromkeys(types))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    if any(isinstance(t, AnyType) for t in unique):
        return AnyType()
    return Union(tuple(unique))


__all__ = [
    "Api",
    "Argument",
    "Enum",
    "EnumMember",
    "Field",
    "Model",
    "NoneType",
    "Operation",
    "Parameter",
    "Release",
    "RequestBody",
    "Resource",
    "Response",
    "SecurityScheme",
    "Server",
    "ServerVariable",
    "union_of",
]
