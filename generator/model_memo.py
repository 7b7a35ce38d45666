"""The last model build for an output folder, kept in the cache, so that after an edit
only the path items that changed are modelled again; and the IR the revision compares
against (revisions.py) is taken from it instead of modelling the recorded spec again.

The builder (model/build.py) works in units: the start (component names, servers,
security schemes: what it gives besides the log is kept too), then each path item in
document order, then the component schemas no operation reached. What one unit leaves
for the next (class names taken, schemas finished, models, enums, operation ids) lives
in logged containers, so each unit's share of the builder's state is a slice of one
log. A unit is a function of the spec data it reads and of that state.

After a build, the log, each unit's slice, diagnostics and operations, and the IR are
kept under kind `model`, one slot per output folder. The next build takes a unit from
the memo while it can know the unit would do the same:
- everything outside the path items is the same (spec_parts.py: digests that tell 1
  from 1.0 from True and follow key order), and the path keys are the same, in the
  same order; the config and the generator are the same (slot and header);
- no `$ref` reaches into `paths` (the only part of the document that differs), as the
  core checks found the references;
- the state before it is the one it met last time: every unit before it was taken,
  or was built again and changed the state as it did last time. A path item built
  again may change its own models and enums (keyed by pointers under the path item,
  which no other unit reads: models are found by name only through a `$ref`'s class,
  and a `$ref` cannot point there); any other difference, a class name taken or a
  schema finished otherwise, and every unit after it is built too.
- its own path item reads the same.

The payload is a pickle of IR objects. It is read back by an unpickler that builds only
the IR's own classes (frozen dataclasses, diagnostics and their level): no other class
or function can be named in it.
"""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import os
import pickle
import struct
import sys
from typing import TYPE_CHECKING, Any, Sequence

from .cache import Cache, digest, generator_fingerprint, text_digest
from .canonical import canonical
from .config import Config
from .diagnostics import Diagnostics, pointer_join
from .spec_parts import SpecParts

if TYPE_CHECKING:
    from .model.build import Builder
    from .model.operation import Api, Operation

# the IR's collections whose render-memo digests the entry keeps (see known_digests),
# besides each resource's
DIGESTED = ("models", "enums")
KIND = "model"
FORMAT = 4
# containers whose values a rebuilt path item may change under its own pointer
_OWN = ("models", "enums")


def slot(config: Config) -> str:
    return digest(generator_fingerprint(), KIND, str(FORMAT), os.path.abspath(config.output))


def _config_digest(config: Config) -> str:
    return digest(repr(config))


class _IrUnpickler(pickle.Unpickler):
    """Builds the IR's own classes and nothing else."""

    _MODULES = ("generator.model.operation", "generator.model.types", "generator.diagnostics")

    def find_class(self, module: str, name: str) -> Any:
        found = getattr(sys.modules.get(module), name, None) if module in self._MODULES else None
        if (
            isinstance(found, type)
            and found.__module__ == module
            and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum))
        ):
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class of the IR")


def load_ir(payload: bytes) -> Any:
    from .model import operation, types  # noqa: F401 - the classes find_class looks up

    return _IrUnpickler(io.BytesIO(payload)).load()


class Slot:
    """The memo of one output folder: its header read at once, its payload on demand."""

    def __init__(self, cache: Cache, config: Config) -> None:
        self.header: dict[str, Any] = {}
        self._payload = b""
        self._entry: dict[str, Any] | None = None
        raw = cache.get_bytes(KIND, slot(config))
        if raw is None:
            return
        head, _, self._payload = raw.partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            return
        if isinstance(header, dict) and header.get("format") == FORMAT and header.get("config") == _config_digest(config):
            self.header = header

    def serves_record(self, record_digest: str) -> bool:
        """Whether the kept IR is that of the spec recorded in the record whose text has
        `record_digest` (the record the kept build wrote, its spec the very data built)."""
        return bool(self.header.get("plain")) and self.header.get("record") == record_digest

    def entry(self) -> dict[str, Any] | None:
        if self._entry is None and self.header:
            try:
                entry = load_ir(self._payload)
            except Exception:  # a damaged or foreign payload is a miss
                entry = None
            self._payload = b""
            self._entry = entry if isinstance(entry, dict) and entry.get("format") == FORMAT else {}
        return self._entry or None

    def api(self) -> Api | None:
        entry = self.entry()
        return entry.get("api") if entry is not None else None

    def known_digests(self, api: Api) -> list[tuple[Any, bytes]]:
        """The render memo's digests (`value_digest`) of those of `api`'s models and
        enums, and of their tuples, that are valued as in the kept IR, taken from there:
        what the build took from the memo is the kept objects themselves, and what it
        built again is compared by its own bytes (a model by its name's kept one). Only
        when the kept IR was read in this run."""
        from .render_memo import value_bytes

        entry = self._entry
        old, digests = (entry.get("api"), entry.get("digests")) if entry else (None, None)
        if old is None or type(digests) is not dict:
            return []
        known: list[tuple[Any, bytes]] = []
        for name in DIGESTED:
            new_value, old_value, text = getattr(api, name), getattr(old, name), digests.get(name)
            items = digests.get(name + " items")
            if not (type(new_value) is tuple and type(old_value) is tuple and type(text) is bytes and type(items) is list):
                continue
            if len(items) != len(old_value) or not all(type(t) is bytes for t in items):
                continue
            kept = {v.name: (v, t) for v, t in zip(old_value, items)}
            alike = len(new_value) == len(old_value)
            for k, value in enumerate(new_value):
                was, item = kept.get(value.name, (None, b""))
                if was is not None and (was is value or value_bytes(was) == value_bytes(value)):
                    known.append((value, item))
                    alike = alike and was is old_value[k]
                else:
                    alike = False
            if alike:
                known.append((new_value, text))
        # each resource alike the kept one (see _same)
        texts = digests.get("resources")
        if type(texts) is list and type(old.resources) is tuple and len(texts) == len(old.resources):
            kept = {r.module: (r, t) for r, t in zip(old.resources, texts) if type(t) is bytes}
            for resource in api.resources:
                was, text = kept.get(resource.module, (None, b""))
                if was is not None and _same(resource, was):
                    known.append((resource, text))
        return known

    def replay(self, parts: SpecParts | None, into_paths: bool) -> Replay | None:
        """What the build can take from the memo for the spec of `parts`, or None;
        `into_paths`: some `$ref` reaches into `paths` (spec_parts.reaches_paths)."""
        if parts is None or into_paths or self.header.get("rest") != parts.rest:
            return None
        entry = self.entry()
        if entry is None:
            return None
        items = entry.get("items")
        if not isinstance(items, tuple) or [k for k, _ in items] != [k for k, _ in parts.items]:
            return None
        return Replay(entry, parts)


class Replay:
    """Feeds the builder the units it can take (see the module docstring)."""

    def __init__(self, entry: dict[str, Any], parts: SpecParts) -> None:
        self.log: list[Any] = entry["log"]
        self.units: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = entry["units"]
        self.old_items: tuple[tuple[str, str], ...] = entry["items"]
        self.items = parts.items
        self.in_step = len(self.units) == len(self.items) + 2
        self.head: Any = entry.get("head")
        self.head_taken = False
        self.taken = 0

    def _old(self, unit: int) -> list[Any]:
        return self.log[self.units[unit - 1][0] if unit else 0 : self.units[unit][0]]

    def take_head(self, builder: Builder) -> tuple[Any, Any] | None:
        """What the start of the build left (its changes and diagnostics replayed into
        `builder`): everything it reads lies outside the path items, the same as then;
        None when it must be built."""
        head = self.head
        if not (self.in_step and type(head) is tuple and len(head) == 2 and all(type(h) is tuple for h in head)):
            return None
        containers = builder.containers
        for tag, key, value in self._old(0):
            containers[tag].replay(key, value)
        builder.diag.items.extend(self.units[0][1])
        self.head_taken = True
        return head

    def after_head(self, builder: Builder) -> None:
        self.in_step = self.in_step and builder.log == self._old(0)

    def take(self, builder: Builder) -> tuple[tuple[str, Operation], ...] | None:
        """The operations of the next unit, its changes and diagnostics replayed into
        `builder`; None when it must be built."""
        unit = len(builder.units)
        if not self.in_step or (unit <= len(self.items) and self.items[unit - 1] != self.old_items[unit - 1]):
            return None
        containers = builder.containers
        for tag, key, value in self._old(unit):
            containers[tag].replay(key, value)
        _, diagnostics, operations = self.units[unit]
        builder.diag.items.extend(diagnostics)
        self.taken += 1
        return operations

    def after_fresh(self, builder: Builder, path: Any) -> None:
        """After a path item was built again: whether it changed the state as before."""
        unit = len(builder.units) - 1
        new = builder.log[builder.units[unit - 1].log_end : builder.units[unit].log_end]
        self.in_step = self.in_step and _same_effect(new, self._old(unit), pointer_join("/paths", path) + "/")


def _same_effect(new: list[Any], old: list[Any], own: str) -> bool:
    if len(new) != len(old):
        return False
    for (tag, key, value), (old_tag, old_key, old_value) in zip(new, old):
        if tag != old_tag or key != old_key or type(key) is not type(old_key):
            return False
        if value is not old_value and value != old_value and not (tag in _OWN and key.startswith(own)):
            return False
    return True


def build(
    data: Any, config: Config, diagnostics: Diagnostics, memo: Slot | None, parts: SpecParts | None, into_paths: bool
) -> tuple[Api, Builder]:
    """The IR of `data`, taking what it can from `memo`; and the builder, to keep."""
    from .model.build import Builder

    builder = Builder(data, config, diagnostics, memo.replay(parts, into_paths) if memo is not None else None)
    return builder.build(), builder


def _same(new: Any, old: Any) -> bool:
    """Whether two IR values are alike down to the objects they hold: each the same
    object, or equal strings, ints or floats (bit for bit) of one type, or tuples or IR
    objects of such (not `==`, which finds 1 and True equal where a template shows them
    apart). The operations the build took from the memo hold the kept objects
    themselves, named again."""
    if new is old:
        return True
    kind = type(new)
    if kind is not type(old):
        return False
    if kind is str or kind is int:
        return bool(new == old)
    if kind is float:  # (as pickle writes it: -0.0 and 0.0 apart)
        return struct.pack("<d", new) == struct.pack("<d", old)
    if kind is tuple:
        return len(new) == len(old) and all(_same(a, b) for a, b in zip(new, old))
    return dataclasses.is_dataclass(new) and all(_same(getattr(new, f.name), getattr(old, f.name)) for f in dataclasses.fields(new))


def _digests(api: Api, known: Sequence[tuple[Any, bytes]]) -> dict[str, Any]:
    """The render memo's digests of `api`'s models and enums (each and their tuples)
    and of each resource, those in `known` (Slot.known_digests) taken from there."""
    from .render_memo import digest_by, value_digest

    texts = {id(value): text for value, text in known}  # (`known` holds the objects)

    def digest_of(value: Any) -> bytes:
        text = texts.get(id(value))
        return text if text is not None else value_digest(value)

    out: dict[str, Any] = {}
    for name in DIGESTED:
        values = getattr(api, name)
        items = [digest_of(v) for v in values]
        texts.update((id(v), t) for v, t in zip(values, items))
        out[name] = texts.get(id(values)) or digest_by(values, digest_of)
        out[name + " items"] = items
    out["resources"] = [digest_of(resource) for resource in api.resources]
    return out


def keep(
    cache: Cache,
    config: Config,
    builder: Builder,
    api: Api,
    parts: SpecParts,
    record_text: str,
    plain: bool,
    known: Sequence[tuple[Any, bytes]] = (),
) -> None:
    """Remember the build for the next run (in a child: pickling and writing the IR
    takes about a tenth of a second on a large spec)."""
    entry = {
        "format": FORMAT,
        "items": parts.items,
        "log": builder.log,
        "units": [tuple(u) for u in builder.units],
        "head": builder.head,
        "api": api,
        "digests": _digests(api, known),
    }
    for op in api.operations:
        # kept computed: the next run's README asks it of every operation, most of them
        # the kept objects themselves
        op.arguments  # noqa: B018
    replay = builder.memo
    if replay is None or replay.taken * 2 < len(builder.units):
        # a build mostly made anew: its equal values merged once, here (canonical.py);
        # one that took most units from the memo holds the merged objects themselves
        entry = canonical(entry)
    payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    header = {
        "format": FORMAT,
        "config": _config_digest(config),
        "rest": parts.rest,
        "record": text_digest(record_text),
        "plain": plain,
    }
    cache.put_bytes(KIND, slot(config), json.dumps(header).encode() + b"\n" + payload)
