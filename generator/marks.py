"""The lines of a loaded document's nodes (`marks`, made by load._from_events), and their
packed form for the load memo.

A node's marks are a dict (key -> (line of the key, marks of the value)) for a mapping,
a list ((line of the item, its marks)) for a sequence, None for a scalar; the root is
(line, marks).

Reading the kept load back (load_memo.py) built every one of these objects, about half
the time of reading it, while a run after an edit looks at the lines of a few entries
only: those of the entry it splices, and of the nodes its diagnostics name. So the load
memo keeps the marks of each part (a path item, a webhook, a component) packed: the
marks marshalled, with a number of lines to add to every line in them, as the tuple
(PACKED, bytes, lines). A packed part is unpacked where it is first opened, in place
(`opened`), and moved by a number of lines without being unpacked (`shifted`)."""

from __future__ import annotations

import marshal
from typing import Any

PACKED = "packed"
# where parts sit (each name stands for every key of its mapping)
_PART_PLACES = (("paths", "*"), ("webhooks", "*"), ("components", "*", "*"))


def is_packed(marks: Any) -> bool:
    return type(marks) is tuple and len(marks) == 3 and marks[0] == PACKED


def unpacked(marks: Any) -> Any:
    """The marks, unpacked when packed."""
    if not is_packed(marks):
        return marks
    _, blob, lines = marks
    found = marshal.loads(blob)
    return shifted(found, lines) if lines else found


def opened(holder: Any, key: Any) -> Any:
    """The marks of the value at `key` of the mapping or sequence whose marks are
    `holder`, unpacked there in place when packed."""
    line, marks = holder[key]
    if is_packed(marks):
        marks = unpacked(marks)
        holder[key] = (line, marks)
    return marks


def shifted(marks: Any, delta: int) -> Any:
    """Marks with every line moved by `delta`."""
    if type(marks) is dict:
        return {k: (v[0] + delta, shifted(v[1], delta)) for k, v in marks.items()}
    if type(marks) is list:
        return [(v[0] + delta, shifted(v[1], delta)) for v in marks]
    if is_packed(marks):
        return (PACKED, marks[1], marks[2] + delta)
    return marks


def plain(marks: Any) -> Any:
    """A node's marks with nothing packed (for the root's, pass its marks: root[1])."""
    if type(marks) is dict:
        return {k: (v[0], plain(v[1])) for k, v in marks.items()}
    if type(marks) is list:
        return [(v[0], plain(v[1])) for v in marks]
    if is_packed(marks):
        return plain(unpacked(marks))
    return marks


def packed(root: Any) -> Any:
    """The root's marks with each part's marks packed (new containers down to the
    parts; the marks given are left as they are)."""
    line, marks = root

    def pack(marks: Any, place: tuple[str, ...]) -> Any:
        if type(marks) is not dict:
            return marks
        if not place:
            return (PACKED, marshal.dumps(plain(marks), 4), 0)
        return {
            key: (mark[0], pack(mark[1], place[1:]) if place[0] in ("*", key) else mark[1])
            for key, mark in marks.items()
        }

    out = marks
    for place in _PART_PLACES:
        out = pack(out, place)
    return (line, out)
