"""Two IRs -> classified changes.

Each change is one of three levels:

- breaking:   code written against the old client, or the old client itself talking to
              the new server, may stop working (major version bump);
- compatible: something was added or widened in a way old callers never notice
              (minor version bump);
- patch:      anything else a reader of the client would see — documentation, defaults,
              the spec's own version (patch version bump).

Direction matters for types: a request may widen (accept more) and a response may narrow
(promise more) without breaking anybody; the opposite breaks. Enum values added are
compatible both ways (generated enums keep unknown values); a value removed breaks
requests only (a response merely stops sending it).

Changes are grouped by operation (`METHOD /path`), then `servers`, `security`, `models`.
Only the IR is read here: no spec dicts, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model.operation import Api, Enum, Model, Operation, RequestBody, Server
from .model.types import (
    AnyType,
    Array,
    EnumRef,
    LiteralType,
    Map,
    ModelRef,
    Nullable,
    Primitive,
    TypeRef,
    Union,
)

BREAKING, COMPATIBLE, PATCH = "breaking", "compatible", "patch"
LEVELS = (BREAKING, COMPATIBLE, PATCH)
BUMPS = {BREAKING: "major", COMPATIBLE: "minor", PATCH: "patch"}
REQUEST, RESPONSE = "request", "response"

# Group order in reports: API-wide first, then operations (by path, method), then models.
_API, _SERVERS, _SECURITY, _MODELS = "api", "servers", "security", "models"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def show(text: object) -> str:
    """A spec string fit for a one-line message: control characters become spaces and
    backticks are dropped so a name can sit inside `code` marks."""
    return _CONTROL.sub(" ", str(text)).replace("`", "'")[:200]


@dataclass(frozen=True)
class Change:
    group: str  # "GET /v2/task/{task_id}/", "servers", "security", "models" or "api"
    level: str  # breaking | compatible | patch
    kind: str  # machine-readable: operation-removed, parameter-added, field-removed ...
    message: str
    subject: str = ""  # for operations, the client call: tasks.get_task_status

    def line(self) -> str:
        """One line for a changelog: where, then what."""
        where = f"`{self.group}`" + (f" (`{self.subject}`)" if self.subject else "")
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {
            "group": self.group,
            "subject": self.subject,
            "level": self.level,
            "kind": self.kind,
            "message": self.message,
        }


@dataclass(frozen=True)
class Report:
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> bool:
        return any(c.level == BREAKING for c in self.changes)

    def count(self, level: str) -> int:
        return sum(1 for c in self.changes if c.level == level)

    @property
    def bump(self) -> str:
        """major | minor | patch, or "" when nothing changed."""
        for level in LEVELS:
            if self.count(level):
                return BUMPS[level]
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "breaking": self.breaking,
            "bump": self.bump or "none",
            "summary": {level: self.count(level) for level in LEVELS},
            "changes": [c.to_json() for c in self.changes],
        }

    def text(self) -> str:
        if not self.changes:
            return "No changes to the client's API.\n"
        summary = ", ".join(f"{self.count(level)} {level}" for level in LEVELS)
        lines = [f"{summary}: a {self.bump} version bump"]
        current = None
        width = max(len(level) for level in LEVELS) + 2
        for change in self.changes:
            heading = (change.group, change.subject)
            if heading != current:
                current = heading
                lines.append("")
                lines.append(change.group + (f"  ({change.subject})" if change.subject else ""))
            lines.append(f"  {change.level.ljust(width)}{change.message}")
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ helpers
def _widened(direction: str, wider: bool) -> str:
    """Level of a type that now accepts more (wider) or fewer values."""
    if direction == REQUEST:
        return COMPATIBLE if wider else BREAKING
    return BREAKING if wider else COMPATIBLE


def _ann(t: TypeRef | None) -> str:
    return "None" if t is None else t.annotation()


def _named(t: TypeRef) -> str:
    return t.name if isinstance(t, (ModelRef, EnumRef)) else ""


def _unchanged_classes(
    old_models: dict[str, Model], new_models: dict[str, Model], old_enums: dict[str, Any], new_enums: dict[str, Any]
) -> set[str]:
    """The models and enums defined alike on both sides, naming only such classes."""
    # (a class the build took from the model memo is the kept object itself: `is` first)
    same = {name for name, enum in old_enums.items() if (e := new_enums.get(name)) is enum or e == enum}
    models = {name: model for name, model in old_models.items() if (m := new_models.get(name)) is model or m == model}
    if len(models) == len(old_models) and len(same) == len(old_enums):
        # every class alike: each names only classes the old side defines, all alike
        return same | set(models)
    names = {name: {_named(node) for f in model.fields for node in f.type.walk()} | {_named(node) for node in model.additional.walk()} for name, model in models.items()}
    same |= set(models)
    while True:
        dropped = {name for name, named in names.items() if name in same and any(n and n not in same for n in named)}
        if not dropped:
            return same
        same -= dropped


def _variants(t: TypeRef) -> tuple[TypeRef, ...]:
    return t.variants if isinstance(t, Union) else (t,)


class _Differ:
    def __init__(self, old: Api, new: Api) -> None:
        self.old, self.new = old, new
        self.old_models = {m.name: m for m in old.models}
        self.new_models = {m.name: m for m in new.models}
        self.old_enums = {e.name: e for e in old.enums}
        self.new_enums = {e.name: e for e in new.enums}
        self.unchanged = _unchanged_classes(self.old_models, self.new_models, self.old_enums, self.new_enums)
        # both sides define the same classes, each alike
        self.classes_alike = len(self.unchanged) == len(old.models) + len(old.enums) == len(new.models) + len(new.enums)
        self.out: list[Change] = []
        self.group = ""
        self.subject = ""

    def add(self, level: str, kind: str, message: str) -> None:
        self.out.append(Change(self.group, level, kind, message, self.subject))

    def at(self, group: str, subject: str = "") -> None:
        self.group, self.subject = group, subject

    # ------------------------------------------------------------------ types
    def types(self, old: TypeRef, new: TypeRef, direction: str, label: str, path: str, seen: set[Any]) -> None:
        """Record how `old` became `new` at `label`/`path`, read in `direction`."""
        if (old is new or old == new) and all(_named(node) in self.unchanged for node in old.walk() if _named(node)):
            return  # nothing it names changed either: no change to find below
        where = f"{label} field `{path}`" if path else label
        old_null, new_null = isinstance(old, Nullable), isinstance(new, Nullable)
        if old_null != new_null:
            self.add(
                _widened(direction, new_null),
                "nullable-changed",
                f"{where}: {'may now be null' if new_null else 'is no longer nullable'}",
            )
        o = old.inner if isinstance(old, Nullable) else old
        n = new.inner if isinstance(new, Nullable) else new
        if isinstance(o, AnyType) and isinstance(n, AnyType):
            return
        if isinstance(o, AnyType) or isinstance(n, AnyType):
            self.add(
                _widened(direction, isinstance(n, AnyType)),
                "type-changed",
                f"{where}: type changed from `{_ann(o)}` to `{_ann(n)}`",
            )
            return
        if isinstance(o, Union) or isinstance(n, Union):
            self._unions(o, n, direction, label, path, where, seen)
            return
        if type(o) is not type(n):
            relation = self._relation(o, n)
            level = BREAKING if relation is None else _widened(direction, relation)
            self.add(level, "type-changed", f"{where}: type changed from `{_ann(o)}` to `{_ann(n)}`")
            return
        if isinstance(o, Primitive) and isinstance(n, Primitive):
            if o.kind != n.kind:
                relation = self._relation(o, n)
                level = BREAKING if relation is None else _widened(direction, relation)
                self.add(level, "type-changed", f"{where}: type changed from `{_ann(o)}` to `{_ann(n)}`")
            elif o.annotation() != n.annotation():
                self.add(BREAKING, "type-changed", f"{where}: type changed from `{_ann(o)}` to `{_ann(n)}`")
            elif o.format != n.format:
                self.add(PATCH, "format-changed", f"{where}: format changed from {o.format or 'none'!r} to {n.format or 'none'!r}")
        elif isinstance(o, LiteralType) and isinstance(n, LiteralType):
            if o.value != n.value:
                self.add(BREAKING, "type-changed", f"{where}: constant changed from {o.value!r} to {n.value!r}")
        elif isinstance(o, EnumRef) and isinstance(n, EnumRef):
            self._enums(o, n, direction, where, seen)
        elif isinstance(o, ModelRef) and isinstance(n, ModelRef):
            self._models(o, n, direction, label, path, seen)
        elif isinstance(o, Array) and isinstance(n, Array):
            self.types(o.item, n.item, direction, label, f"{path}[]" if path else "[]", seen)
        elif isinstance(o, Map) and isinstance(n, Map):
            self.types(o.value, n.value, direction, label, f"{path}{{}}" if path else "{}", seen)

    @staticmethod
    def _relation(o: TypeRef, n: TypeRef) -> bool | None:
        """True when `n` accepts every value of `o` (wider), False when the reverse
        holds (narrower), None when neither does."""
        if isinstance(o, Primitive) and isinstance(n, Primitive):
            if (o.kind, n.kind) == ("int", "float"):
                return True
            if (o.kind, n.kind) == ("float", "int"):
                return False
            return None
        kinds = {bool: "bool", int: "int", str: "str"}
        if isinstance(o, LiteralType) and isinstance(n, (Primitive, EnumRef)):
            return True if kinds.get(type(o.value)) == n.kind else None
        if isinstance(n, LiteralType) and isinstance(o, (Primitive, EnumRef)):
            return False if kinds.get(type(n.value)) == o.kind else None
        if isinstance(o, EnumRef) and isinstance(n, Primitive) and o.kind == n.kind and not n.format:
            return True
        if isinstance(n, EnumRef) and isinstance(o, Primitive) and o.kind == n.kind and not o.format:
            return False
        return None

    def _unions(
        self, o: TypeRef, n: TypeRef, direction: str, label: str, path: str, where: str, seen: set[Any]
    ) -> None:
        old_v = {v.annotation(): v for v in _variants(o)}
        new_v = {v.annotation(): v for v in _variants(n)}
        added = [a for a in new_v if a not in old_v]
        removed = [a for a in old_v if a not in new_v]
        if added and removed:
            self.add(BREAKING, "type-changed", f"{where}: type changed from `{_ann(o)}` to `{_ann(n)}`")
        elif added:
            self.add(_widened(direction, True), "variant-added", f"{where}: now also `{' | '.join(added)}`")
        elif removed:
            self.add(_widened(direction, False), "variant-removed", f"{where}: no longer `{' | '.join(removed)}`")
        if isinstance(o, Union) and isinstance(n, Union) and o.discriminator != n.discriminator:
            self.add(BREAKING, "discriminator-changed", f"{where}: discriminator changed from {o.discriminator!r} to {n.discriminator!r}")
        for key in old_v:
            if key in new_v:
                self.types(old_v[key], new_v[key], direction, label, path, seen)

    def _enums(self, o: EnumRef, n: EnumRef, direction: str, where: str, seen: set[Any]) -> None:
        key = ("enum", o.name, n.name, direction, where)
        if key in seen:
            return
        seen.add(key)
        old_enum: Enum | None = self.old_enums.get(o.name)
        new_enum: Enum | None = self.new_enums.get(n.name)
        if o.kind != n.kind:
            self.add(BREAKING, "type-changed", f"{where}: enum values changed from {o.kind} to {n.kind}")
            return
        if old_enum is None or new_enum is None:
            return
        old_values = [m.value for m in old_enum.members]
        new_values = [m.value for m in new_enum.members]
        added = [v for v in new_values if v not in old_values]
        removed = [v for v in old_values if v not in new_values]
        if added:
            self.add(COMPATIBLE, "enum-value-added", f"{where}: enum value(s) {', '.join(map(show, added))} added")
        if removed:
            if direction == REQUEST:
                self.add(BREAKING, "enum-value-removed", f"{where}: enum value(s) {', '.join(map(show, removed))} no longer accepted")
            else:
                self.add(COMPATIBLE, "enum-value-removed", f"{where}: enum value(s) {', '.join(map(show, removed))} no longer sent")

    def _models(self, o: ModelRef, n: ModelRef, direction: str, label: str, path: str, seen: set[Any]) -> None:
        key = ("model", o.name, n.name, direction)
        if key in seen:
            return
        seen.add(key)
        old_model: Model | None = self.old_models.get(o.name)
        new_model: Model | None = self.new_models.get(n.name)
        if old_model is None or new_model is None:
            return
        skip = "read_only" if direction == REQUEST else "write_only"
        old_fields = {f.wire_name: f for f in old_model.fields if not getattr(f, skip)}
        new_fields = {f.wire_name: f for f in new_model.fields if not getattr(f, skip)}
        prefix = f"{path}." if path else ""
        side = "request body" if direction == REQUEST else "response"
        for wire, old_field in old_fields.items():
            where = f"{label} field `{prefix}{show(wire)}`"
            new_field = new_fields.get(wire)
            if new_field is None:
                self.add(BREAKING, "field-removed", f"{where} removed from the {side}")
                continue
            if old_field.required != new_field.required:
                if direction == REQUEST:
                    level = BREAKING if new_field.required else COMPATIBLE
                    what = "is now required" if new_field.required else "is now optional"
                else:
                    level = COMPATIBLE if new_field.required else BREAKING
                    what = "is now always present" if new_field.required else "may now be absent"
                self.add(level, "field-required-changed", f"{where} {what}")
            if old_field.py_name != new_field.py_name:
                self.add(BREAKING, "field-renamed", f"{where}: Python attribute renamed from `{old_field.py_name}` to `{new_field.py_name}`")
            self.types(old_field.type, new_field.type, direction, label, prefix + show(wire), seen)
            if new_field.deprecated and not old_field.deprecated:
                self.add(COMPATIBLE, "deprecated", f"{where} is deprecated")
            if old_field.default != new_field.default:
                self.add(PATCH, "default-changed", f"{where}: default changed from {old_field.default or 'none'} to {new_field.default or 'none'}")
            if old_field.description != new_field.description:
                self.add(PATCH, "docs-changed", f"{where}: description changed")
        for wire, new_field in new_fields.items():
            if wire in old_fields:
                continue
            where = f"{label} field `{prefix}{show(wire)}`"
            if direction == REQUEST and new_field.required:
                self.add(BREAKING, "field-added", f"{where} added to the {side}, required")
            else:
                self.add(COMPATIBLE, "field-added", f"{where} added to the {side}")
        self.types(old_model.additional, new_model.additional, direction, label, prefix + "*", seen)

    # ------------------------------------------------------------- operations
    def operation(self, o: Operation, n: Operation, o_call: str, n_call: str) -> None:
        if o is n and o_call == n_call and self.classes_alike:
            # An operation the build took from the model memo is the kept one itself.
            # With the same classes alike on both sides, everything compared below is
            # the same on both, each value equal to itself (a timeout is never NaN:
            # config._number).
            return
        if o_call != n_call:
            self.add(BREAKING, "operation-renamed", f"renamed from `{o_call}` to `{n_call}`")
        if (o.method, o.path) != (n.method, n.path):
            self.add(BREAKING, "operation-moved", f"moved from `{o.method} {show(o.path)}`")
        self.parameters(o, n)
        self.body(o.body, n.body)
        self.result(o, n)
        old_status = [r.status for r in o.responses]
        new_status = [r.status for r in n.responses]
        for status in new_status:
            if status not in old_status:
                self.add(COMPATIBLE, "response-added", f"response `{show(status)}` documented")
        for status in old_status:
            if status not in new_status:
                self.add(PATCH, "response-removed", f"response `{show(status)}` no longer documented")
        self.security(o.security, n.security)
        if self._own_servers(o, self.old) or self._own_servers(n, self.new):
            self.servers(o.servers, n.servers)
        if n.deprecated != o.deprecated:
            if n.deprecated:
                self.add(COMPATIBLE, "deprecated", "operation deprecated")
            else:
                self.add(PATCH, "undeprecated", "operation no longer deprecated")
        if (o.summary, o.description) != (n.summary, n.description):
            self.add(PATCH, "docs-changed", "summary or description changed")
        if o.timeout != n.timeout:
            self.add(PATCH, "timeout-changed", f"default timeout changed from {o.timeout:g}s to {n.timeout:g}s")

    @staticmethod
    def _own_servers(op: Operation, api: Api) -> bool:
        return op.servers != (api.servers or (Server("/", ""),))

    def parameters(self, o: Operation, n: Operation) -> None:
        def key(p: Any) -> tuple[str, str]:
            return (p.location, p.wire_name.lower() if p.location == "header" else p.wire_name)

        old = {key(p): p for p in o.parameters}
        new = {key(p): p for p in n.parameters}
        removed = [k for k in old if k not in new]
        added = [k for k in new if k not in old]
        for k in list(removed):
            moved_to = next((a for a in added if a[1] == k[1]), None)
            if moved_to is None:
                continue
            removed.remove(k)
            added.remove(moved_to)
            self.add(
                BREAKING,
                "parameter-moved",
                f"parameter `{show(k[1])}` moved from {k[0]} to {moved_to[0]}",
            )
            self.parameter(old[k], new[moved_to], moved=True)
        for k in removed:
            self.add(BREAKING, "parameter-removed", f"parameter `{show(k[1])}` ({k[0]}) removed")
        for k in added:
            p = new[k]
            if p.required:
                self.add(BREAKING, "parameter-added", f"required parameter `{show(k[1])}` ({k[0]}) added")
            else:
                self.add(COMPATIBLE, "parameter-added", f"optional parameter `{show(k[1])}` ({k[0]}) added")
        for k in old:
            if k in new:
                self.parameter(old[k], new[k])

    def parameter(self, o: Any, n: Any, moved: bool = False) -> None:
        where = f"parameter `{show(n.wire_name)}` ({n.location})"
        if o.py_name != n.py_name:
            self.add(BREAKING, "parameter-renamed", f"{where}: Python argument renamed from `{o.py_name}` to `{n.py_name}`")
        if o.required != n.required:
            if n.required:
                self.add(BREAKING, "parameter-required", f"{where} is now required")
            else:
                self.add(COMPATIBLE, "parameter-optional", f"{where} is now optional")
        self.types(o.type, n.type, REQUEST, where, "", set())
        if not moved and (o.style, o.explode) != (n.style, n.explode):
            self.add(BREAKING, "parameter-style-changed", f"{where}: serialisation changed from {o.style}/explode={o.explode} to {n.style}/explode={n.explode}")
        if n.deprecated and not o.deprecated:
            self.add(COMPATIBLE, "deprecated", f"{where} deprecated")
        if o.default != n.default:
            self.add(PATCH, "default-changed", f"{where}: default changed from {o.default or 'none'} to {n.default or 'none'}")
        if o.description != n.description:
            self.add(PATCH, "docs-changed", f"{where}: description changed")

    def body(self, o: RequestBody | None, n: RequestBody | None) -> None:
        if o is None and n is None:
            return
        if o is None and n is not None:
            if n.required:
                self.add(BREAKING, "body-added", "required request body added")
            else:
                self.add(COMPATIBLE, "body-added", "optional request body added")
            return
        if n is None:
            self.add(BREAKING, "body-removed", "request body removed")
            return
        assert o is not None
        if o.kind != n.kind:
            self.add(BREAKING, "body-media-changed", f"request body media type changed from {show(o.media_type)} to {show(n.media_type)}")
        elif o.media_type != n.media_type:
            self.add(PATCH, "body-media-changed", f"request body media type changed from {show(o.media_type)} to {show(n.media_type)}")
        if o.required != n.required:
            if n.required:
                self.add(BREAKING, "body-required", "request body is now required")
            else:
                self.add(COMPATIBLE, "body-optional", "request body is now optional")
        if o.flattened != n.flattened:
            how = "keyword arguments" if n.flattened else "a single `body` argument"
            self.add(BREAKING, "body-shape-changed", f"request body is now passed as {how}")
        self.types(o.type, n.type, REQUEST, "request body", "", set())
        if o.description != n.description:
            self.add(PATCH, "docs-changed", "request body description changed")

    def result(self, o: Operation, n: Operation) -> None:
        if o.result is None and n.result is None:
            return
        if o.result is None and n.result is not None:
            self.add(COMPATIBLE, "result-added", f"now returns `{_ann(n.result)}`")
            return
        if n.result is None:
            self.add(BREAKING, "result-removed", f"no longer returns a value (was `{_ann(o.result)}`)")
            return
        assert o.result is not None
        if o.result_kind != n.result_kind:
            self.add(BREAKING, "result-kind-changed", f"response changed from {o.result_kind} to {n.result_kind}")
            return
        self.types(o.result, n.result, RESPONSE, "response", "", set())

    def security(self, o: tuple[tuple[str, ...], ...], n: tuple[tuple[str, ...], ...]) -> None:
        old = {frozenset(alt) for alt in o}
        new = {frozenset(alt) for alt in n}
        if old == new:
            return

        def text(alts: set[frozenset[str]]) -> str:
            return " or ".join(sorted("+".join(sorted(map(show, a))) or "none" for a in alts)) or "none"

        if not old or frozenset() in old:
            if new and frozenset() not in new:
                self.add(BREAKING, "security-changed", f"authentication now required ({text(new)})")
            else:
                self.add(COMPATIBLE, "security-changed", f"authentication alternatives changed from {text(old)} to {text(new)}")
        elif new >= old or not new or frozenset() in new:
            self.add(COMPATIBLE, "security-changed", f"authentication alternatives widened from {text(old)} to {text(new)}")
        else:
            self.add(BREAKING, "security-changed", f"authentication changed from {text(old)} to {text(new)}")

    def servers(self, o: tuple[Server, ...], n: tuple[Server, ...]) -> None:
        old = [s.url for s in o]
        new = [s.url for s in n]
        if old[:1] != new[:1]:
            self.add(
                BREAKING,
                "server-changed",
                f"default server changed from {show(old[0]) if old else 'none'} to {show(new[0]) if new else 'none'}",
            )
        for url in new[1:]:
            if url not in old:
                self.add(COMPATIBLE, "server-added", f"server {show(url)} added")
        for url in old[1:]:
            if url not in new and url != (new[0] if new else None):
                self.add(BREAKING, "server-removed", f"server {show(url)} removed")
        old_docs = {s.url: (s.template, s.description) for s in o}
        for s in n:
            if s.url in old_docs and old_docs[s.url] != (s.template, s.description):
                self.add(PATCH, "server-docs-changed", f"server {show(s.url)}: template or description changed")


def _calls(api: Api) -> dict[tuple[str, str], tuple[Operation, str]]:
    """(METHOD, path with variables blanked) -> (operation, `resource.method`)."""
    out: dict[tuple[str, str], tuple[Operation, str]] = {}
    for resource in api.resources:
        for op in resource.operations:
            key = (op.method, re.sub(r"\{[^}]*\}", "{}", op.path))
            out.setdefault(key, (op, f"{resource.attr}.{op.py_name}"))
    return out


def diff_apis(old: Api, new: Api) -> Report:
    d = _Differ(old, new)
    d.at(_API)
    if old.version != new.version:
        d.add(PATCH, "spec-version-changed", f"spec version changed from {show(old.version) or 'none'} to {show(new.version) or 'none'}")
    if old.title != new.title:
        d.add(PATCH, "title-changed", f"title changed from {show(old.title)} to {show(new.title)}")
    if old.description != new.description:
        d.add(PATCH, "docs-changed", "API description changed")
    if old.package != new.package:
        d.add(BREAKING, "package-renamed", f"package renamed from `{old.package}` to `{new.package}`")
    d.at(_SERVERS)
    d.servers(old.servers or (Server("/", ""),), new.servers or (Server("/", ""),))

    d.at(_SECURITY)
    old_schemes = {s.key: s for s in old.security_schemes}
    new_schemes = {s.key: s for s in new.security_schemes}
    for key, scheme in old_schemes.items():
        if key not in new_schemes:
            d.add(BREAKING, "scheme-removed", f"security scheme `{show(key)}` removed")
        elif (scheme.kind, scheme.scheme, scheme.location, scheme.param_name) != (
            (s := new_schemes[key]).kind, s.scheme, s.location, s.param_name
        ):
            d.add(
                BREAKING,
                "scheme-changed",
                f"security scheme `{show(key)}` changed from {scheme.kind} {show(scheme.scheme or scheme.location)} "
                f"{show(scheme.param_name)}".rstrip() + f" to {s.kind} {show(s.scheme or s.location)} {show(s.param_name)}".rstrip(),
            )
    for key in new_schemes:
        if key not in old_schemes:
            d.add(COMPATIBLE, "scheme-added", f"security scheme `{show(key)}` added")

    old_ops, new_ops = _calls(old), _calls(new)
    removed = {k: v for k, v in old_ops.items() if k not in new_ops}
    added = {k: v for k, v in new_ops.items() if k not in old_ops}
    pairs: list[tuple[tuple[Operation, str], tuple[Operation, str]]] = [
        (old_ops[k], new_ops[k]) for k in old_ops if k in new_ops
    ]
    # An operationId that left one method+path and arrived at another moved.
    by_id = {v[0].operation_id: k for k, v in added.items()}
    for k, v in list(removed.items()):
        target = by_id.get(v[0].operation_id)
        if target is not None and target in added:
            pairs.append((v, added.pop(target)))
            del removed[k]
    for op, call in removed.values():
        d.at(f"{op.method} {show(op.path)}", call)
        d.add(BREAKING, "operation-removed", f"operation removed (was `{call}`)")
    for op, call in added.values():
        d.at(f"{op.method} {show(op.path)}", call)
        d.add(COMPATIBLE, "operation-added", f"operation added as `{call}`")
    for (o, o_call), (n, n_call) in pairs:
        d.at(f"{n.method} {show(n.path)}", n_call)
        d.operation(o, n, o_call, n_call)

    d.at(_MODELS)
    old_names = {m.name for m in old.models} | {e.name for e in old.enums}
    new_names = {m.name for m in new.models} | {e.name for e in new.enums}
    for name in sorted(old_names - new_names):
        d.add(BREAKING, "class-removed", f"class `{name}` removed from models")
    for name in sorted(new_names - old_names):
        d.add(COMPATIBLE, "class-added", f"class `{name}` added to models")

    return Report(tuple(sorted(_dedup(d.out), key=_order)))


def _dedup(changes: list[Change]) -> list[Change]:
    return list(dict.fromkeys(changes))


def _order(change: Change) -> tuple[int, str, str, int]:
    rank = {_API: 0, _SERVERS: 1, _SECURITY: 2, _MODELS: 4}.get(change.group, 3)
    method, _, path = change.group.partition(" ")
    return (rank, path if rank == 3 else "", method, LEVELS.index(change.level))
