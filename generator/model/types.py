"""Type references of the IR.

Each node knows how to write itself as generated code: its annotation, the imports that
annotation needs, and the Python expressions that decode a JSON value into it and encode
it back. Templates call these methods instead of reasoning about schemas.

Expressions are written against a variable name given by the caller; comprehension
variables are numbered by nesting depth so nested arrays never shadow each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .naming import literal

# An import is (module, name); module "" is a plain `import name`. Modules starting with
# "." are relative to the generated package root and resolved by the renderer.
Import = tuple[str, str]

RUNTIME = "._base"
MODELS = ".models"


@dataclass(frozen=True)
class TypeRef:
    """Base of all type references. Subclasses override what differs."""

    def annotation(self) -> str:
        raise NotImplementedError

    def imports(self) -> frozenset[Import]:
        return frozenset()

    def decode(self, expr: str, depth: int = 0) -> str:
        """Expression turning the JSON value `expr` into this type."""
        return expr

    def encode(self, expr: str, depth: int = 0) -> str:
        """Expression turning a value of this type into JSON-ready data."""
        return expr

    def check(self, expr: str) -> str:
        """Expression that is true when the JSON value `expr` has this type's shape."""
        return "True"

    @property
    def is_identity(self) -> bool:
        """True when decoding is a no-op (the JSON value already is the Python value)."""
        return self.decode("x") == "x"

    @property
    def narrowed_by_check(self) -> bool:
        """True when `check(x)` makes type checkers narrow `x: Any` to this type (or a
        type assignable to it), so that returning `x` needs no cast."""
        return False

    def walk(self) -> tuple[TypeRef, ...]:
        """This node and every node inside it."""
        return (self,)


@dataclass(frozen=True)
class AnyType(TypeRef):
    """Any JSON value (free-form)."""

    def annotation(self) -> str:
        return "Any"

    def imports(self) -> frozenset[Import]:
        return frozenset({("typing", "Any")})


@dataclass(frozen=True)
class NoneType(TypeRef):
    def annotation(self) -> str:
        return "None"

    @property
    def narrowed_by_check(self) -> bool:
        return True

    def check(self, expr: str) -> str:
        return f"{expr} is None"


_JSON_CHECK = {
    "str": "isinstance({e}, str)",
    "int": "(isinstance({e}, int) and not isinstance({e}, bool))",
    "float": "(isinstance({e}, (int, float)) and not isinstance({e}, bool))",
    "bool": "isinstance({e}, bool)",
}

# format -> (annotation, import, decoder call, encoder template)
_FORMATS: dict[str, tuple[str, Import, str, str]] = {
    "date-time": ("datetime", ("datetime", "datetime"), "parse_datetime", "{e}.isoformat()"),
    "date": ("date", ("datetime", "date"), "parse_date", "{e}.isoformat()"),
    "uuid": ("UUID", ("uuid", "UUID"), "UUID", "str({e})"),
}


@dataclass(frozen=True)
class Primitive(TypeRef):
    """str / int / float / bool, with an optional format that changes the Python type."""

    kind: str
    format: str = ""

    @property
    def _special(self) -> tuple[str, Import, str, str] | None:
        return _FORMATS.get(self.format) if self.kind == "str" else None

    def annotation(self) -> str:
        special = self._special
        return special[0] if special else self.kind

    def imports(self) -> frozenset[Import]:
        special = self._special
        if special is None:
            return frozenset()
        decoder = special[2]
        extra: set[Import] = {special[1]}
        if decoder.startswith("parse_"):
            extra.add((RUNTIME, decoder))
        return frozenset(extra)

    def decode(self, expr: str, depth: int = 0) -> str:
        special = self._special
        if special:
            return f"{special[2]}({expr})"
        if self.kind == "float":
            return f"float({expr})"
        return expr

    def encode(self, expr: str, depth: int = 0) -> str:
        special = self._special
        return special[3].format(e=expr) if special else expr

    @property
    def narrowed_by_check(self) -> bool:
        return True

    def check(self, expr: str) -> str:
        return _JSON_CHECK[self.kind].format(e=expr)


@dataclass(frozen=True)
class Binary(TypeRef):
    """Raw bytes: file parts in multipart bodies, octet-stream bodies and responses."""

    def annotation(self) -> str:
        return "FileContent"

    def imports(self) -> frozenset[Import]:
        return frozenset({(RUNTIME, "FileContent")})


@dataclass(frozen=True)
class Bytes(TypeRef):
    """A raw response body."""

    def annotation(self) -> str:
        return "bytes"


def _tuple_display(items: list[str]) -> str:
    """A one-line tuple as black spells it (a trailing comma only for one item)."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


@dataclass(frozen=True)
class LiteralType(TypeRef):
    """A `const` value."""

    value: str | int | bool

    def annotation(self) -> str:
        return f"Literal[{literal(self.value)}]"

    def imports(self) -> frozenset[Import]:
        return frozenset({("typing", "Literal")})

    def check(self, expr: str) -> str:
        return f"{expr} == {literal(self.value)}"


@dataclass(frozen=True)
class ModelRef(TypeRef):
    """A generated model class. `required` lists the wire names a JSON object must have."""

    name: str
    required: tuple[str, ...] = ()

    def annotation(self) -> str:
        return self.name

    def imports(self) -> frozenset[Import]:
        return frozenset({(MODELS, self.name)})

    def decode(self, expr: str, depth: int = 0) -> str:
        return f"{self.name}.from_dict({expr})"

    def encode(self, expr: str, depth: int = 0) -> str:
        return f"{expr}.to_dict()"

    def check(self, expr: str) -> str:
        if not self.required:
            return f"is_object({expr})"
        return f"is_object({expr}, {_tuple_display([literal(k) for k in self.required])})"


@dataclass(frozen=True)
class EnumRef(TypeRef):
    """A generated open enum class (unknown values are kept, never raised)."""

    name: str
    kind: str  # "str" or "int"

    def annotation(self) -> str:
        return self.name

    def imports(self) -> frozenset[Import]:
        return frozenset({(MODELS, self.name)})

    def decode(self, expr: str, depth: int = 0) -> str:
        return f"{self.name}({expr})"

    def encode(self, expr: str, depth: int = 0) -> str:
        return f"{expr}.value"

    @property
    def narrowed_by_check(self) -> bool:
        return True

    def check(self, expr: str) -> str:
        return _JSON_CHECK[self.kind].format(e=expr)


@dataclass(frozen=True)
class Array(TypeRef):
    item: TypeRef

    def annotation(self) -> str:
        return f"list[{self.item.annotation()}]"

    def imports(self) -> frozenset[Import]:
        return self.item.imports()

    def _each(self, expr: str, depth: int, convert: str) -> str:
        """A list comprehension applying the item's `convert` ("decode"/"encode")."""
        var = f"_i{depth}"
        inner: str = getattr(self.item, convert)(var, depth + 1)
        return expr if inner == var else f"[{inner} for {var} in {expr}]"

    def decode(self, expr: str, depth: int = 0) -> str:
        return self._each(expr, depth, "decode")

    def encode(self, expr: str, depth: int = 0) -> str:
        return self._each(expr, depth, "encode")

    def check(self, expr: str) -> str:
        return f"is_array({expr})"

    def walk(self) -> tuple[TypeRef, ...]:
        return (self, *self.item.walk())


@dataclass(frozen=True)
class Map(TypeRef):
    """An object with arbitrary keys and typed values."""

    value: TypeRef

    def annotation(self) -> str:
        return f"dict[str, {self.value.annotation()}]"

    def imports(self) -> frozenset[Import]:
        return self.value.imports()

    def _each(self, expr: str, depth: int, convert: str) -> str:
        """A dict comprehension applying the value's `convert` ("decode"/"encode")."""
        k, v = f"_k{depth}", f"_v{depth}"
        inner: str = getattr(self.value, convert)(v, depth + 1)
        return expr if inner == v else f"{{{k}: {inner} for {k}, {v} in {expr}.items()}}"

    def decode(self, expr: str, depth: int = 0) -> str:
        return self._each(expr, depth, "decode")

    def encode(self, expr: str, depth: int = 0) -> str:
        return self._each(expr, depth, "encode")

    def check(self, expr: str) -> str:
        return f"is_object({expr})"

    def walk(self) -> tuple[TypeRef, ...]:
        return (self, *self.value.walk())


@dataclass(frozen=True)
class Nullable(TypeRef):
    inner: TypeRef

    def annotation(self) -> str:
        return f"{self.inner.annotation()} | None"

    def imports(self) -> frozenset[Import]:
        return self.inner.imports()

    def decode(self, expr: str, depth: int = 0) -> str:
        inner = self.inner.decode(expr, depth)
        return expr if inner == expr else f"(None if {expr} is None else {inner})"

    def encode(self, expr: str, depth: int = 0) -> str:
        inner = self.inner.encode(expr, depth)
        return expr if inner == expr else f"(None if {expr} is None else {inner})"

    @property
    def narrowed_by_check(self) -> bool:
        return self.inner.narrowed_by_check

    def check(self, expr: str) -> str:
        return f"({expr} is None or {self.inner.check(expr)})"

    def walk(self) -> tuple[TypeRef, ...]:
        return (self, *self.inner.walk())


@dataclass(frozen=True)
class Union(TypeRef):
    """oneOf / anyOf. With a discriminator, decoding dispatches on the tag property;
    without, on the first variant whose JSON shape matches (the last is the fallback)."""

    variants: tuple[TypeRef, ...]
    discriminator: str = ""
    # tag value -> index into variants
    mapping: tuple[tuple[str, int], ...] = field(default=())

    def annotation(self) -> str:
        return " | ".join(dict.fromkeys(v.annotation() for v in self.variants))

    def imports(self) -> frozenset[Import]:
        out: frozenset[Import] = frozenset()
        for variant in self.variants:
            out |= variant.imports()
        return out

    def _branches(self, expr: str) -> list[tuple[str, int]]:
        if self.discriminator and self.mapping:
            by_variant: dict[int, list[str]] = {}
            for tag, index in self.mapping:
                by_variant.setdefault(index, []).append(tag)
            name = literal(self.discriminator)
            return [
                (f"has_tag({expr}, {name}, {_tuple_display([literal(t) for t in tags])})", index)
                for index, tags in sorted(by_variant.items())
            ]
        return [(variant.check(expr), index) for index, variant in enumerate(self.variants)]

    @property
    def decoder_name(self) -> str:
        """The module-level function that decodes this union (see `decoder_branches`).
        Named after a digest of the union, so that the same union shares one function
        and a name does not change when other unions come or go."""
        return "_decode_" + hashlib.sha256(repr(self).encode()).hexdigest()[:12]

    def decode(self, expr: str, depth: int = 0) -> str:
        if all(v.decode(expr, depth) == expr for v in self.variants):
            return expr
        return f"{self.decoder_name}({expr})"

    def decoder_branches(self, var: str) -> list[tuple[str, str]]:
        """The body of the decoder function of parameter `var`: (condition, returned
        expression) for each variant in turn; the last, the fallback, has no condition.
        A value passed through as it is gets a `cast` where the condition does not
        narrow it for type checkers."""
        fallback = len(self.variants) - 1
        out: list[tuple[str, str]] = []
        for condition, index in self._branches(var):
            if index == fallback:
                continue
            out.append((condition, self._returned(index, var, narrowed=True)))
        out.append(("", self._returned(fallback, var, narrowed=False)))
        return out

    def _returned(self, index: int, var: str, *, narrowed: bool) -> str:
        variant = self.variants[index]
        decoded = variant.decode(var)
        if decoded != var or (narrowed and variant.narrowed_by_check):
            return decoded
        if narrowed and isinstance(variant, LiteralType):
            return literal(variant.value)  # the value it was just compared with
        return f"cast({variant.annotation()}, {var})"

    def encode(self, expr: str, depth: int = 0) -> str:
        if all(v.encode(expr, depth) == expr for v in self.variants):
            return expr
        return f"to_jsonable({expr})"

    def check(self, expr: str) -> str:
        # variants of one JSON shape (two string enums, say) need their check once
        return "(" + " or ".join(dict.fromkeys(v.check(expr) for v in self.variants)) + ")"

    def walk(self) -> tuple[TypeRef, ...]:
        out: tuple[TypeRef, ...] = (self,)
        for variant in self.variants:
            out += variant.walk()
        return out


def collect_imports(types: list[TypeRef]) -> frozenset[Import]:
    out: set[Import] = set()
    for t in types:
        out |= t.imports()
        for node in t.walk():
            if isinstance(node, Union) and node.encode("x") != "x":
                out.add((RUNTIME, "to_jsonable"))
    return frozenset(out)
