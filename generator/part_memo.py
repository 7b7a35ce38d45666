"""What a walk of a spec's data gave for each of its parts at the last run, kept so that
the next run walks only the parts that changed (refs_memo.py,
revisions.remembered_spec_json).

The parts are each path item, under its key and digest, and each other top-level value,
under the digest of all of those (`SpecParts.rest`: equal, every value outside the path
items is). One slot per spec file (kind given by the user of the memo) holds the last
run's values, a plain pickle; a value of the wrong shape is a miss."""

from __future__ import annotations

import os
from typing import Any, Callable, TypeVar

from .cache import Cache, digest, generator_fingerprint
from .spec_parts import SpecParts

T = TypeVar("T")
FORMAT = "1"


def slot(kind: str, path: str) -> str:
    """The one entry of `kind` for the spec file at `path`."""
    return digest(generator_fingerprint(), kind, FORMAT, os.path.abspath(path))


class PartMemo:
    """One run's values per part, taken from the kept ones where the part is unchanged.
    Where a value depends on more than the part's data, `salt` (of the values outside
    the path items, or of one path item) says what else: a value kept with another
    salt is not taken."""

    def __init__(
        self, cache: Cache, kind: str, path: str, parts: SpecParts, valid: Callable[[Any], bool], salt: str = ""
    ) -> None:
        self.cache, self.kind, self.slot, self.parts = cache, kind, slot(kind, path), parts
        self.rest = digest(parts.rest, salt)
        raw = cache.get_plain(kind, self.slot)
        outside, items = (raw.get("outside"), raw.get("items")) if type(raw) is dict else (None, None)
        if not (type(outside) is dict and type(items) is dict and all(map(valid, [*outside.values(), *items.values()]))):
            outside, items = None, {}
        self.known_outside: dict[str, Any] | None = outside if outside is not None and raw.get("rest") == self.rest else None
        self.known_items: dict[str, Any] = items
        self.outside_values: dict[str, Any] = {}
        self.item_values: dict[str, Any] = {}

    def outside(self, key: Any, compute: Callable[[], T]) -> T:
        """The value for the top-level entry `key` (not the path items)."""
        shown = repr(key)
        known = self.known_outside.get(shown) if self.known_outside is not None else None
        value = compute() if known is None else known
        self.outside_values[shown] = value
        return value

    def item(self, index: int, compute: Callable[[], T], salt: str = "") -> T:
        """The value for the path item at `index` in `paths`."""
        key = digest(*self.parts.items[index], salt)
        known = self.known_items.get(key)
        value = compute() if known is None else known
        self.item_values[key] = value
        return value

    def save(self) -> None:
        """Keep this run's values, unless they are the ones kept (written by the run's
        keeper child, see Cache.put_plain_later)."""
        if (
            self.known_outside is not None
            and self.outside_values.keys() == self.known_outside.keys()
            and self.item_values.keys() == self.known_items.keys()
        ):
            return
        self.cache.put_plain_later(
            self.kind, self.slot, {"rest": self.rest, "outside": self.outside_values, "items": self.item_values}
        )
