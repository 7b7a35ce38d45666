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
(`SpecParts.rest`), and those of each path item, under its key and digest; each with
the places its part shares containers at (equal data shared otherwise is walked
otherwise). The next walk takes each from there, in the order `iter_refs` meets them,
and walks only what it does not find."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .cache import Cache
from .part_memo import PartMemo
from .spec_parts import SpecParts
from .validate import iter_refs

KIND = "refs"
Refs = list[tuple[str, str]]


def remembered_refs(
    cache: Cache, path: str, parts: SpecParts | None, shared: list[list[list[str | int]]]
) -> Callable[[Any], Iterable[tuple[str, str]]]:
    """`iter_refs` for check_core, through the memo of the spec file at `path`, for
    data whose `parts` are given and whose containers sit at two places only at the
    `shared` places (as load_memo.shared_places gives them)."""

    def refs(data: Any) -> Iterable[tuple[str, str]]:
        sharing = _sharing(shared)
        if parts is None or type(data) is not dict or "$ref" in data or sharing is None:
            return iter_refs(data)
        paths = data.get("paths")
        items = list(paths.items()) if type(paths) is dict else []
        if len(items) != len(parts.items) or (type(paths) is dict and "$ref" in paths):
            return iter_refs(data)
        # equal data shared otherwise is walked otherwise: the sharing salts each part
        outside = [pair for part, pairs in sharing.items() if not (part[0] == "paths" and items) for pair in pairs]
        memo = PartMemo(cache, KIND, path, parts, _is_refs, repr(outside))
        found: Refs = []
        # iter_refs takes a mapping's containers last to first, each whole before the next
        for key, value in reversed(data.items()):
            if not isinstance(value, (dict, list)):
                continue
            if key == "paths" and type(value) is dict:
                for index in range(len(items) - 1, -1, -1):
                    name, item = items[index]
                    if isinstance(item, (dict, list)):
                        salt = repr(sharing.get(("paths", name), []))
                        found += memo.item(index, lambda: list(iter_refs(item, ("paths", name))), salt)
            else:
                found += memo.outside(key, lambda: list(iter_refs(value, (key,))))
        memo.save()
        return found

    return refs


def _part(place: list[str | int]) -> list[str | int] | None:
    """The part a place lies in (None: the place is a part, or holds one)."""
    size = 2 if place[:1] == ["paths"] else 1
    return place[:size] if len(place) > size else None


def _sharing(shared: list[list[list[str | int]]]) -> dict[tuple[str | int, ...], list[list[list[str | int]]]] | None:
    """The shared places by the part they lie in; None when a container sits in two
    parts (or is a part)."""
    out: dict[tuple[str | int, ...], list[list[list[str | int]]]] = {}
    for place, first in shared:
        part = _part(place)
        if part is None or part != _part(first):
            return None
        out.setdefault(tuple(part), []).append([place, first])
    return out


def _is_refs(value: Any) -> bool:
    return type(value) is list and all(
        type(r) is tuple and len(r) == 2 and type(r[0]) is str and type(r[1]) is str for r in value
    )
