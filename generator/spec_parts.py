"""The spec data as digests of its parts, made once per run for the caches that key on
the document (validate.py) or on its path items (model_memo.py).

The parts are marshalled (format 2, which writes no back-references: equal data gives
equal bytes however its objects are shared). Marshal writes every value faithfully (1,
1.0 and True apart, dicts in their order), so equal digests mean equal data; and it is
several times faster than printing the data."""

from __future__ import annotations

import hashlib
import marshal
import re
from typing import Any, Iterable, NamedTuple

from .cache import digest
from .diagnostics import pointer_tokens

# a float whose exponent bits are all set (a NaN or an infinity), as marshal writes one:
# "g" and eight bytes, little-endian (also matched by some other bytes: a false alarm)
_NAN_OR_INFINITY = re.compile(rb"g[\x00-\xff]{6}[\xf0-\xff][\x7f\xff]", re.S)


class SpecParts(NamedTuple):
    whole: str  # digest of all the data
    rest: str  # digest of all but the path items' values
    items: tuple[tuple[str, str], ...]  # (repr of a path key, digest of its item), in order
    may_hold_nan: bool  # a NaN may be among the values


def spec_parts(data: Any) -> SpecParts | None:
    """None for data marshal cannot write (a value of another type, nesting too deep)."""
    try:
        paths: Any = data.get("paths") if type(data) is dict else None
        if type(data) is not dict:
            whole = marshal.dumps(data, 2)
            return SpecParts(digest(whole), digest(whole), (), _NAN_OR_INFINITY.search(whole) is not None)
        split = type(paths) is dict
        items = [(repr(k), marshal.dumps(v, 2)) for k, v in paths.items()] if split else []
        top = _top(data, split)
    except (ValueError, RecursionError):
        return None
    rest = digest(*_flat(top))
    item_digests = tuple((k, hashlib.sha256(v).hexdigest()) for k, v in items)
    return SpecParts(
        whole_of(rest, item_digests),
        rest,
        item_digests,
        any(_NAN_OR_INFINITY.search(v) is not None for _, v in [*top, *items]),
    )


def _top(data: dict[Any, Any], split: bool) -> list[tuple[str, bytes]]:
    return [(repr(k), b"" if split and k == "paths" else marshal.dumps(v, 2)) for k, v in data.items()]


def rest_digest(data: dict[Any, Any]) -> str:
    """`SpecParts.rest` of a mapping marshal can write (raises ValueError otherwise)."""
    return digest(*_flat(_top(data, type(data.get("paths")) is dict)))


def whole_of(rest: str, items: Iterable[tuple[str, str]]) -> str:
    """The digest of all the data, from that of all but the path items and theirs."""
    return digest(rest, *_flat(items))


def item_parts(item: Any) -> tuple[str, bool] | None:
    """One path item's digest as `spec_parts` gives it, and whether it may hold a NaN;
    None where marshal cannot write it."""
    try:
        written = marshal.dumps(item, 2)
    except (ValueError, RecursionError):
        return None
    return hashlib.sha256(written).hexdigest(), _NAN_OR_INFINITY.search(written) is not None


def _flat(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    return [part for pair in pairs for part in pair]


def reaches_paths(ref: str) -> bool:
    """Whether a local `$ref` names the whole document, or a place in `paths` (as
    pointers are read: every leading slash dropped)."""
    tokens = pointer_tokens(ref[1:])
    return not tokens or tokens[0] == "paths"
