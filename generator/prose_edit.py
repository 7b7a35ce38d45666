"""An edit of prose only: what lets the validator's findings for a document be taken
from those for the document before an edit that changed nothing but the text of
`description` and `summary` fields (the common edit of an API's documentation).

Neither the OpenAPI schema nor openapi-spec-validator's own checks ask more of such a
field than that it be a string, so two documents that differ only in those strings get
the same errors in the same order, and the same messages, save where a message prints
a changed string (`prints_any`), with three exceptions the edit is checked against:
- a string is taken as prose only outside the values that are data checked against a
  schema (`default`, `example`, `enum`, extensions and the like), whose content
  validation does read;
- `uniqueItems` compares whole items (the 3.0 schema asks it of `parameters`): every
  list that holds a changed string must hold no two equal items after the edit
  (`prose_changes`);
- a `$ref` may point into a string (the validator's resolver indexes into one): no
  reference may name a prose field on its way (`reaches_prose`).

The load memo tells the edit (load_memo.py: it parses again only the entry an edit
changed, and holds the entry as it was)."""

from __future__ import annotations

import json
from typing import Any, Iterable, NamedTuple, Sequence
from urllib.parse import unquote

PROSE_KEYS = frozenset({"description", "summary"})
# values that are data, or a map whose strings are more than prose (`mapping` names
# schemas), or an extension: nothing below them is taken as prose
_DATA_KEYS = frozenset({"default", "example", "examples", "enum", "const", "value", "mapping"})
# of a changed string, this much of its start is looked for in each message (a message
# that shortened what it prints would still show the start)
_PROBE = 16
# a list holding a changed string is compared item by item (uniqueItems): up to this long
_MAX_COMPARED = 200


class ProseEdit(NamedTuple):
    before: str  # `SpecParts.whole` of the document before the edit
    strings: tuple[str, ...]  # the texts the edit replaced, as they were


def _is_data_key(key: Any) -> bool:
    return key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))


def prose_changes(root: Any, place: Sequence[Any], old: Any, new: Any) -> tuple[str, ...] | None:
    """The old texts of the prose strings that differ between `old` and `new`, the
    entry at `place` of the document `root` (as edited) before and after an edit; None
    when anything else differs, or nothing does (then the data is the same), or a list
    that holds a changed string holds two equal items after the edit."""
    if any(_is_data_key(key) for key in place):
        return None
    changed: list[str] = []
    try:
        found = _walk(place[-1] if place else None, old, new, changed)
    except RecursionError:
        return None
    if not found or not changed:
        return None
    # the lists the entry sits in (a parameter's field is an entry of its own)
    node = root
    try:
        for key in place[:-1]:
            if type(node) is list and not _distinct(node):
                return None
            node = node[key]
    except (KeyError, IndexError, TypeError):
        return None  # (not the document the entry is in)
    if type(node) is list and not _distinct(node):
        return None
    return tuple(changed)


def _walk(key: Any, a: Any, b: Any, changed: list[str]) -> bool:
    """Whether `a` and `b` differ in prose only (the old texts of those that differ
    added to `changed`), each list holding a changed one of distinct items."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        if not _same_keys(a, b):
            return False
        for k, v in a.items():
            if _is_data_key(k):
                if not _same(v, b[k]):
                    return False
            elif not _walk(k, v, b[k], changed):
                return False
        return True
    if type(a) is list:
        if len(a) != len(b):
            return False
        before = len(changed)
        if not all(_walk(None, x, y, changed) for x, y in zip(a, b)):
            return False
        return len(changed) == before or _distinct(b)
    if type(a) is str and key in PROSE_KEYS:
        if a != b:
            changed.append(a)
        return True
    return _same(a, b)


def _distinct(items: list[Any]) -> bool:
    """No two items alike (as `==` finds them: 1 and True alike, which uniqueItems tells
    apart, on the safe side); a long list is not compared."""
    if len(items) > _MAX_COMPARED:
        return False
    return all(items[i] != items[j] for i in range(len(items)) for j in range(i + 1, len(items)))


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


def reaches_prose(refs: Iterable[str]) -> bool:
    """Whether a local `$ref` names a prose field on its way, as written or with its
    escapes decoded (the validator's resolver decodes `%2F` and steps into strings)."""
    for ref in set(refs):
        fragment = ref.partition("#")[2]
        for pointer in (fragment, unquote(fragment)) if "%" in fragment else (fragment,):
            # (a token decodes to a prose key only if the pointer holds that key's text)
            if any(key in pointer for key in PROSE_KEYS) and any(
                token.replace("~1", "/").replace("~0", "~") in PROSE_KEYS for token in pointer.split("/")
            ):
                return True
    return False


def prints_any(messages: Sequence[str], strings: Sequence[str]) -> bool:
    """Whether some message may print one of the strings: the start of one is found in
    one, as written or escaped as repr or JSON escape it (an empty string is in every
    message)."""
    probes: set[str] = set()
    for text in strings:
        escaped = (repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1])
        probes.update(shown[:_PROBE] for shown in (text, *escaped))
    return any(probe in message for message in messages for probe in probes)
