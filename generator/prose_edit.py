"""An edit of prose only: what lets the validator's findings for a document be taken
from those for the document before an edit that changed nothing but the text of
`description` and `summary` fields (the common edit of an API's documentation).

Neither the OpenAPI schema nor openapi-spec-validator's own checks ask more of such a
field than that it be a string, so two documents that differ only in those strings get
the same errors in the same order, and the same messages, save where a message prints
a changed string (`prints_any`). A string is taken as prose only outside the values
that are data checked against a schema (`default`, `example`, `enum`, extensions and
the like), whose content validation does read.

The load memo tells the edit (load_memo.py: it parses again only the entry an edit
changed, and holds the entry as it was)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Sequence

PROSE_KEYS = frozenset({"description", "summary"})
# values that are data, or a map whose strings are more than prose (`mapping` names
# schemas), or an extension: nothing below them is taken as prose
_DATA_KEYS = frozenset(
    {"default", "example", "examples", "enum", "const", "value", "mapping"}
)
# of a changed string, this much of its start is looked for in each message (a message
# that shortened what it prints would still show the start)
_PROBE = 16


class ProseEdit(NamedTuple):
    before: str  # `SpecParts.whole` of the document before the edit
    strings: tuple[str, ...]  # the texts the edit replaced, as they were


def _is_data_key(key: Any) -> bool:
    return key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))


def prose_changes(place: Sequence[Any], old: Any, new: Any) -> tuple[str, ...] | None:
    """The old texts of the prose strings that differ between `old` and `new`, the
    entry at `place` before and after an edit; None when anything else differs, or
    nothing does (then the data is the same)."""
    if any(_is_data_key(key) for key in place):
        return None
    changed: list[str] = []
    key = place[-1] if place else None
    stack: list[tuple[Any, Any, Any]] = [(key, old, new)]
    while stack:
        key, a, b = stack.pop()
        if type(a) is not type(b):
            return None
        if type(a) is dict:
            if not _same_keys(a, b):
                return None
            for k, v in a.items():
                if not _is_data_key(k):
                    stack.append((k, v, b[k]))
                elif not _same(v, b[k]):
                    return None
        elif type(a) is list:
            if len(a) != len(b):
                return None
            stack.extend((None, x, y) for x, y in zip(a, b))
        elif type(a) is str and key in PROSE_KEYS:
            if a != b:
                changed.append(a)
        elif not _same(a, b):
            return None
    return tuple(changed) or None


def _same(a: Any, b: Any) -> bool:
    """Equal as data: of the same types throughout (1, 1.0 and True apart)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return _same_keys(a, b) and all(_same(v, b[k]) for k, v in a.items())
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    # (-0.0 and 0.0 are equal, yet a message prints them apart)
    return bool(a == b) and (type(a) is not float or repr(a) == repr(b))


def _same_keys(a: dict[Any, Any], b: dict[Any, Any]) -> bool:
    """The same keys in the same order, of the same types (1 and True apart)."""
    return list(a) == list(b) and all(type(x) is type(y) for x, y in zip(a, b))


def prints_any(messages: Sequence[str], strings: Sequence[str]) -> bool:
    """Whether some message may print one of the strings: the start of one is found in
    one, as written or escaped as repr or JSON escape it (an empty string is in every
    message)."""
    probes: set[str] = set()
    for text in strings:
        escaped = (repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1])
        probes.update(shown[:_PROBE] for shown in (text, *escaped))
    return any(probe in message for message in messages for probe in probes)
