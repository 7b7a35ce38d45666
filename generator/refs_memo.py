"""The document's `$ref`s, remembered per part, so that the core checks after an edit
walk only the path items that changed.

`check_core` walks the whole document for its references (a large spec: a few hundredths
of a second). The parts here are each path item and each other top-level value. The
references under a part are a pure function of the part's data and its place, as long
as no container sits in two parts (the walk visits a shared one once, wherever it
meets it first: within one part, that is where a walk of the part alone meets it).
So, when the loader knows where the document shares containers (YAML aliases) and
each is shared within one part, the last walk of a spec file is kept (kind `refs`, one
slot per file): the references of everything outside `paths`, under the digest of that
(`SpecParts.rest`), and those of each path item, under its key and digest. The next
walk takes each from there, in the order `iter_refs` meets them, and walks only what
it does not find."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable

from .cache import Cache, digest, generator_fingerprint
from .spec_parts import SpecParts
from .validate import iter_refs

KIND = "refs"
Refs = list[tuple[str, str]]


def slot(path: str) -> str:
    return digest(generator_fingerprint(), KIND, os.path.abspath(path))


def remembered_refs(
    cache: Cache, path: str, parts: SpecParts | None, shared: list[list[list[str | int]]]
) -> Callable[[Any], Iterable[tuple[str, str]]]:
    """`iter_refs` for check_core, through the memo of the spec file at `path`, for
    data whose `parts` are given and whose containers sit at two places only at the
    `shared` places (as load_memo.shared_places gives them)."""

    def refs(data: Any) -> Iterable[tuple[str, str]]:
        if parts is None or type(data) is not dict or "$ref" in data or not _within_parts(shared):
            return iter_refs(data)
        paths = data.get("paths")
        items = list(paths.items()) if type(paths) is dict else []
        if len(items) != len(parts.items) or (type(paths) is dict and "$ref" in paths):
            return iter_refs(data)
        kept = _entry(cache.get_plain(KIND, slot(path)))
        # iter_refs takes a mapping's containers last to first, each whole before the next
        order = [(key, value) for key, value in reversed(data.items()) if isinstance(value, (dict, list))]
        outside = [repr(key) for key, value in order if not (key == "paths" and type(value) is dict)]
        known_rest = kept[1] if kept is not None and kept[0] == parts.rest else None
        if known_rest is not None and [place for place, _ in known_rest] != outside:
            known_rest = None
        known_items = kept[2] if kept is not None else {}
        rest: list[tuple[str, Refs]] = []
        found: Refs = []
        mine: dict[str, Refs] = {}
        for key, value in order:
            if key == "paths" and type(value) is dict:
                for (name, item), (shown, item_digest) in zip(reversed(items), reversed(parts.items)):
                    if not isinstance(item, (dict, list)):
                        continue
                    item_key = digest(shown, item_digest)
                    own = known_items.get(item_key)
                    if own is None:
                        own = list(iter_refs(item, ("paths", name)))
                    mine[item_key] = own
                    found += own
                continue
            own = known_rest[len(rest)][1] if known_rest is not None else list(iter_refs(value, (key,)))
            rest.append((repr(key), own))
            found += own
        if known_rest is None or len(mine) != len(known_items) or any(k not in known_items for k in mine):
            cache.put_plain(KIND, slot(path), {"rest": parts.rest, "parts": rest, "items": mine})
        return found

    return refs


def _part(place: list[str | int]) -> list[str | int] | None:
    """The part a place lies in (None: the place is a part, or holds one)."""
    size = 2 if place[:1] == ["paths"] else 1
    return place[:size] if len(place) > size else None


def _within_parts(shared: list[list[list[str | int]]]) -> bool:
    for place, first in shared:
        part = _part(place)
        if part is None or part != _part(first):
            return False
    return True


def _entry(raw: Any) -> tuple[str, list[tuple[str, Refs]], dict[str, Refs]] | None:
    """A kept walk, or None when damaged or unlike what this module writes."""
    if not isinstance(raw, dict):
        return None
    rest, parts, items = raw.get("rest"), raw.get("parts"), raw.get("items")
    if not (type(rest) is str and type(parts) is list and type(items) is dict):
        return None
    if not all(type(p) is tuple and len(p) == 2 and _refs(p[1]) for p in parts):
        return None
    if not all(type(k) is str and _refs(v) for k, v in items.items()):
        return None
    return rest, parts, items


def _refs(value: Any) -> bool:
    return type(value) is list and all(
        type(r) is tuple and len(r) == 2 and type(r[0]) is str and type(r[1]) is str for r in value
    )
