"""Text rendered from the built-in templates, remembered per output file across runs.

Rendering a template is a deterministic function of the values it reads: the context
names it resolves and, of `api`, the attributes it takes (the built-in templates use `api`
in no other way; tests/test_render_memo.py holds them to that). A render records what it
read and keeps its text in the cache with a digest of those values. The next run takes
the text when the same reads of its own IR give the same digest: the template would take
the same path through the same values and write the same bytes. After a one-operation
edit that leaves the models and every other resource as they were.

Only runs without template overlays use it: an overlay may use `api` in any way.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import operator
import pickle
from typing import Any, Callable, Iterable

import jinja2
from jinja2.runtime import Context

from .cache import Cache, digest, generator_fingerprint, tree_digest

KIND = "render"
TEXT_KIND = "render-text"  # rendered texts, by text_key


@functools.lru_cache(maxsize=None)
def _ir_reducers() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """Pickle reductions to their fields of the IR's classes with a cached property (its
    value in an instance's __dict__ depends on whether it was asked for yet); the others
    pickle their __dict__, which holds their fields only, by pickle's own (faster) way."""
    from .model import operation, types

    table: dict[type, Callable[[Any], tuple[Any, ...]]] = dict(copyreg.dispatch_table)  # type: ignore[arg-type]
    for module in (operation, types):
        for cls in vars(module).values():
            if (
                isinstance(cls, type)
                and dataclasses.is_dataclass(cls)
                and cls.__module__ == module.__name__
                and any(isinstance(v, functools.cached_property) for c in cls.__mro__ for v in vars(c).values())
            ):
                table[cls] = _by_fields(cls, tuple(f.name for f in dataclasses.fields(cls)))
    return table


def _by_fields(cls: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) > 1:
        values = operator.attrgetter(*names)
        return lambda obj: (cls, values(obj))
    return lambda obj: (cls, tuple(getattr(obj, n) for n in names))


def value_bytes(value: Any) -> bytes:
    """Bytes that differ for values a template could tell apart, and are the same in
    every run for equal values: the value pickled (IR objects as their class and
    fields), which is exact and fast; `value_text` where pickling is not exact across
    runs (a set's order follows string hashes, a function pickles by name) or fails.
    The pickler keeps no memo ("fast" mode): an object met twice is written twice, so
    that how equal values share objects does not show (the IR read back from the model
    memo shares one-letter strings that the build made apart)."""
    if not (isinstance(value, (set, frozenset)) or callable(value)):
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _ir_reducers()
        pickler.fast = True  # (a cycle fails: then its text)
        try:
            pickler.dump(value)
        except Exception:  # a value pickle cannot write: its text
            pass
        else:
            return b"p" + out.getvalue()
    return b"t" + value_text(value).encode("utf-8", "surrogatepass")


def value_digest(value: Any) -> bytes:
    """What a render's inputs digest takes of a value: a scalar's repr; for a list or
    tuple of other values, a digest of its elements' (`sequence_digest`), so that an
    element's digest serves both the files that read it alone and those that read all
    (a resource, and the list of resources); else the digest of its `value_bytes`."""
    return _scalar_digest(value) if _is_scalar(value) else digest_by(value, value_digest)


def digest_by(value: Any, element: Callable[[Any], bytes]) -> bytes:
    """value_digest of a value that is not a scalar, taking the digests of the values it
    is made of (a Derived value's source, a sequence's elements) from `element`."""
    if isinstance(value, Derived):
        return derived_digest(value, element)
    if _composed(value):
        return sequence_digest(value, element)
    return b"d" + hashlib.sha256(value_bytes(value)).digest()


def _is_scalar(value: Any) -> bool:
    return type(value) in (str, int, float, bool) or value is None


def _scalar_digest(value: Any) -> bytes:
    return b"r" + repr(value).encode("utf-8", "surrogatepass")


def _composed(value: Any) -> bool:
    return type(value) in (tuple, list) and not all(_is_scalar(v) for v in value)


def sequence_digest(value: list[Any] | tuple[Any, ...], element: Callable[[Any], bytes]) -> bytes:
    """The digest of a list or tuple by its type and each element's `element` digest."""
    h = hashlib.sha256(type(value).__name__.encode())
    for v in value:
        text = element(v)
        h.update(len(text).to_bytes(8, "little"))
        h.update(text)
    return b"s" + h.digest()


def derived_digest(value: Derived, digest_of: Callable[[Any], bytes]) -> bytes:
    return b"v" + hashlib.sha256(value.name.encode() + digest_of(value.source)).digest()


@dataclasses.dataclass(frozen=True)
class Derived:
    """A context value computed from another (`source`) only when a template is rendered:
    the memo digests it as `name` of `source`, which is exact for a pure function."""

    name: str
    source: Any
    compute: Callable[[], Any]


def value_text(value: Any) -> str:
    """A text that differs for values a template could tell apart, the same in every
    run for equal values (the IR's dataclasses print every field; sets are sorted and
    functions named, as their default reprs vary between runs)."""
    if isinstance(value, (set, frozenset)):
        return type(value).__name__ + "{" + ", ".join(sorted(value_text(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "dict{" + ", ".join(f"{value_text(k)}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and not all(isinstance(v, (str, int, float)) for v in value):
        return type(value).__name__ + "(" + ", ".join(value_text(v) for v in value) + ")"
    if callable(value) and hasattr(value, "__code__"):
        cells = [c.cell_contents for c in value.__closure__ or ()]
        return f"<{value.__module__}.{value.__qualname__} {value_text(value.__defaults__)} {value_text(cells)}>"
    return repr(value)


class Reads:
    """What one render took from its context."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.names: set[str] = set()
        self.attrs: set[str] = set()


class TrackingContext(Context):
    def resolve_or_missing(self, key: str) -> Any:
        reads = getattr(self.environment, "reads", None)
        if reads is not None:
            reads.names.add(key)
        return super().resolve_or_missing(key)


class TrackingEnvironment(jinja2.Environment):
    """Records, while `reads` is set, the names a template resolves and the attributes
    it takes of `reads.api`."""

    context_class = TrackingContext
    reads: Reads | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:
        if self.reads is not None and obj is self.reads.api:
            self.reads.attrs.add(str(attribute))
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if self.reads is not None and obj is self.reads.api:
            self.reads.attrs.add(str(argument))
        return super().getitem(obj, argument)


class RenderMemo:
    """The remembered renders of one run (kind `render`, one slot per template and
    output file)."""

    def __init__(
        self, cache: Cache, templates_root: Any, known: Iterable[tuple[Any, bytes]] = (), kept_texts: bool = True
    ) -> None:
        self.cache = cache
        self.kept_texts = kept_texts  # whether `recall` gives kept texts (else each file is rendered, and kept)
        self.root = templates_root
        self.prefix = digest(generator_fingerprint(), KIND, tree_digest(templates_root))
        self.reused = 0
        # value_digest of the objects seen this run (several files read the same ones),
        # and of those `known` to be valued as before (model_memo.Slot.known_digests);
        # each object is held, so that its id stays its own
        self.texts: dict[int, tuple[Any, bytes]] = {id(value): (value, text) for value, text in known}

    def text_of(self, value: Any) -> bytes:
        """`value_digest(value)`, each object's digest taken once per run."""
        if _is_scalar(value):
            return _scalar_digest(value)
        known = self.texts.get(id(value))
        if known is None or known[0] is not value:
            known = self.texts[id(value)] = (value, digest_by(value, self.text_of))
        return known[1]

    def inputs_digest(self, env: jinja2.Environment, context: dict[str, Any], names: list[str], attrs: list[str]) -> str:
        """The digest of what `names` and `attrs` (of context["api"]) hold in this run."""
        api = context.get("api")
        parts: list[str | bytes] = []
        for name in sorted(names):
            if name == "api":
                continue  # read through its attributes, below
            if name in context:
                parts += [name, self.text_of(context[name])]
            elif name in env.globals:
                parts += [name, self.text_of(env.globals[name])]
            else:
                parts += [name, "missing"]
        for attr in sorted(attrs):
            parts += [f"api.{attr}", self.text_of(getattr(api, attr)) if hasattr(api, attr) else "missing"]
        return digest(*parts)

    def grouped_names(self, api: Any, limit: int) -> list[list[str]]:
        """model_parts.grouped_names, kept under the digest of the models and enums: an
        edit that leaves them as they were does not split them again."""
        from .model_parts import grouped_names

        slot = digest(self.prefix, "model parts", str(limit), self.text_of((api.models, api.enums)))
        kept = self.cache.get_plain(KIND, slot)
        if type(kept) is list and all(type(group) is list and group and all(type(n) is str for n in group) for group in kept):
            if not kept:
                return kept  # one module
            every = sorted([m.name for m in api.models] + [e.name for e in api.enums])
            if sorted(n for group in kept for n in group) == every:
                return kept
        groups = grouped_names(api, limit)
        self.cache.put_plain(KIND, slot, groups)
        return groups

    def keep_loaded(self, names: list[str]) -> None:
        """Remember which templates this run loaded (rendered, or imported by those);
        a run that loaded none leaves the last list."""
        if names and loaded_templates(self.cache) != names:
            self.cache.put_plain(KIND, _loaded_slot(), names)

    def template_file(self, template: str) -> str:
        """The file of a built-in template (the memo serves renders of those only)."""
        return os.path.join(str(self.root), *template.split("/"))

    def slot(self, template: str, output: str) -> str:
        return digest(self.prefix, template, output)

    def recall(
        self, env: jinja2.Environment, template: str, output: str, context: dict[str, Any]
    ) -> tuple[str, int, Callable[[], str]] | None:
        """The text kept for this render, when the render would read what it read then:
        its `text_key`, its length, and a function that reads it (the text is kept apart,
        under kind `render-text`: most recalled texts are formatted already, and never read)."""
        if not self.kept_texts:
            return None
        entry = self.cache.get_plain(KIND, self.slot(template, output))
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and type(entry.get("size")) is int):
            return None
        names, attrs = entry.get("names"), entry.get("attrs")
        if not (isinstance(names, list) and isinstance(attrs, list) and all(isinstance(n, str) for n in names + attrs)):
            return None
        key: str = entry["key"]
        if entry.get("inputs") != self.inputs_digest(env, context, names, attrs) or not self.cache.mark_used(TEXT_KIND, key):
            return None
        self.reused += 1
        return key, entry["size"], functools.partial(_kept_text, self.cache, key)

    def keep(self, env: jinja2.Environment, template: str, output: str, context: dict[str, Any], reads: Reads, text: str) -> None:
        names, attrs = sorted(reads.names), sorted(reads.attrs)
        key = text_key(text)
        self.cache.put_plain(TEXT_KIND, key, text)
        self.cache.put_plain(
            KIND,
            self.slot(template, output),
            {"names": names, "attrs": attrs, "inputs": self.inputs_digest(env, context, names, attrs), "key": key, "size": len(text)},
        )


def text_key(text: str) -> str:
    """A digest of a text, one for each text (lone surrogates kept apart)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _kept_text(cache: Cache, key: str) -> str:
    """The text kept under `key` (RecalledOutput reads it); StoredGone when it is gone."""
    from .render import StoredGone

    text = cache.get_plain(TEXT_KIND, key)
    if type(text) is not str or text_key(text) != key:
        raise StoredGone(key)
    return text


def _loaded_slot() -> str:
    return digest(generator_fingerprint(), KIND, "loaded")


def loaded_templates(cache: Cache) -> list[str] | None:
    """The built-in templates the last run with this cache loaded: what the next one
    will likely render again (an edit's few files), compiled first. None when unknown."""
    names = cache.get_plain(KIND, _loaded_slot())
    return names if type(names) is list and all(type(n) is str for n in names) else None
