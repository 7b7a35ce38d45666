"""The last load of a spec file, kept in the cache, so that an edit re-parses only the
entry it changed.

Loading a large YAML document is the longest step before modelling (OpenAI's 3 MB
spec: half a second). After a load, the text, its data, the lines of its nodes
(`marks`) and the places where one container sits at two places (YAML aliases) are
kept under kind `load`, one slot per spec file (a pickle of plain data, read by
`cache.plain_loads`), each part's marks packed (marks.py: a run after an edit reads the
lines of a few entries only). The next load of that file compares the texts: where they differ
within one entry of a block mapping two or more levels down (a path item, a schema),
only that entry's lines are parsed, and their data and lines are put in place of the old
entry's. Everything else comes from the cache.

The result is what parsing the whole text gives (tests compare data, sharing, lines
and bounds over edits of the corpus documents), because the memo is used only when
that follows from the text:
- the old entry's lines, parsed alone, give back the cached entry exactly (which holds
  the layout assumptions below to this document);
- the entry is laid out in block style: its first line is its key at the mapping's
  indentation, no line of the old or new text between it and the next key is less
  indented (blank and comment lines aside), none starts with a tab;
- neither the old nor the new entry holds an anchor, an alias or a reference to
  another file, and no container outside it is shared with one inside;
- the new entry's keys are new to the mapping, or its own;
- the whole stays within the loader's bounds (nodes counted as `_from_events` does);
- the document, old and new, repeats no key in a mapping (the lines of a key are its
  first occurrence's, its value the last's) and has no flow collection over several
  lines (an entry inside one reads otherwise alone); only such loads are kept.
Anything else is a full parse, as is any entry that does not read back.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple, Sequence

from .cache import Cache, bytes_digest, digest, generator_fingerprint
from .canonical import canonical
from .load import MAX_NODES, Parsed, _from_events, _UNSUPPORTED
from .marks import opened, packed, shifted, unpacked
from .prose_edit import ProseEdit, prose_changes
from .spec_parts import SpecParts, item_parts, spec_parts, whole_of

KIND = "load"
FORMAT = 3


class Entry(NamedTuple):
    text: bytes  # in UTF-8 (lone surrogates passed): compared with the file's bytes, unread as text
    data: Any
    marks: Any
    nodes: int  # as `_from_events` counts them against MAX_NODES
    shared: list[list[list[str | int]]]  # [place, place of its first occurrence]
    only_newlines: bool  # no line break but \n in the text
    parts: SpecParts | None = None  # spec_parts(data), when kept


def slot(path: str) -> str:
    return digest(generator_fingerprint(), KIND, str(FORMAT), os.path.abspath(path))


def patch_slot(path: str) -> str:
    """Where a load spliced from the kept one is kept, as a patch of it (see recall)."""
    return digest(slot(path), "patch")


def recall(cache: Cache, path: str, text: str | None, encoded: bytes | None = None) -> Parsed | None:
    """The parse of `text` (the file at `path`; `encoded`: the text in UTF-8, when
    known; then `text` may be None, not decoded yet) from the cached last load, or None.
    Bytes that are not UTF-8 are never recalled: outside the lines a splice decodes,
    they are the kept load's, which decoded whole.

    A load spliced from the kept one is kept as a patch: the stretch of its text that
    differs from the kept load's, with that load's digest (keeping all of a large spec's
    data again costs more than the splice, and its whole text is megabytes). Then `text`
    is spliced from the kept load, else from the patched text spliced from it (two
    edits of two entries); the keeper keeps a load reached so in full."""
    if not cache.enabled:
        return None
    entry = _entry(cache.get_plain(KIND, slot(path)))
    if entry is None:
        return None
    new = encoded if encoded is not None else _utf8(text or "")
    try:
        parsed = _spliced(entry, new)
        if parsed is not None:
            return parsed if parsed.recalled else parsed._replace(spliced_from=entry.text)
        patched = _patched(entry.text, cache.get_plain(KIND, patch_slot(path)))
        if patched is None:
            return None
        middle = _spliced(entry, patched)
        if middle is None or middle.recalled or middle.nodes is None:
            return None
        return _spliced(
            Entry(patched, middle.data, middle.marks, middle.nodes, entry.shared, entry.only_newlines, middle.parts), new
        )
    except (KeyError, IndexError, TypeError, ValueError, EOFError, RecursionError):
        return None  # a damaged entry (a packed part's marks too), or one unlike what this module writes


def worth_keeping(cache: Cache, parsed: Parsed | None) -> bool:
    return (
        cache.enabled
        and parsed is not None
        and not parsed.recalled
        and parsed.bounded
        and parsed.file_refs is False
        and parsed.marks is not None
        and parsed.nodes is not None
        and parsed.tidy
    )


def _patched(kept: bytes, patch: Any) -> bytes | None:
    """The text a patch (see `keep`) makes of the kept load's text, or None (a patch of
    an earlier kept load, or damaged)."""
    if not (type(patch) is dict and patch.get("format") == FORMAT and patch.get("base") == bytes_digest(kept)):
        return None
    start, end, stretch = patch.get("start"), patch.get("end"), patch.get("stretch")
    if not (type(start) is int and type(end) is int and type(stretch) is bytes and 0 <= start <= end <= len(kept)):
        return None
    return kept[:start] + stretch + kept[end:]


def keep(cache: Cache, path: str, text: str, parsed: Parsed, encoded: bytes | None = None) -> None:
    """Remember the load of `text` (`encoded`: the text in UTF-8, when known; run in a
    child: walking and writing it takes a few tenths of a second on a large spec)."""
    if not worth_keeping(cache, parsed):
        return
    new = encoded if encoded is not None else _utf8(text)
    if parsed.spliced_from is not None:
        old = parsed.spliced_from
        prefix, suffix = _differ(old, new)  # (never overlapping)
        stretch = new[prefix : len(new) - suffix]
        patch = {"format": FORMAT, "base": bytes_digest(old), "start": prefix, "end": len(old) - suffix, "stretch": stretch}
        cache.put_plain(KIND, patch_slot(path), patch)
        return
    value = {
        "format": FORMAT,
        "text": new,
        "data": canonical(parsed.data),  # (shared containers stay shared: see shared_places)
        "marks": packed(parsed.marks),
        "nodes": parsed.nodes,
        "shared": shared_places(parsed.data),
        "only_newlines": only_newlines(text),
        "parts": _plain_parts(parsed.parts if parsed.parts is not None else spec_parts(parsed.data)),
    }
    cache.put_plain(KIND, slot(path), value)


def _plain_parts(parts: SpecParts | None) -> Any:
    return None if parts is None else [parts.whole, parts.rest, [list(item) for item in parts.items], parts.may_hold_nan]


def _parts(raw: Any) -> SpecParts | None:
    """The kept SpecParts, or None (not kept, or of another shape)."""
    if not (type(raw) is list and len(raw) == 4):
        return None
    whole, rest, items, nan = raw
    if not (type(whole) is str and type(rest) is str and type(items) is list and type(nan) is bool):
        return None
    if not all(type(i) is list and len(i) == 2 and type(i[0]) is str and type(i[1]) is str for i in items):
        return None
    return SpecParts(whole, rest, tuple((k, d) for k, d in items), nan)


def _entry(raw: Any) -> Entry | None:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None
    text, nodes, shared, newlines = raw.get("text"), raw.get("nodes"), raw.get("shared"), raw.get("only_newlines")
    if not (isinstance(text, bytes) and isinstance(nodes, int) and isinstance(shared, list) and isinstance(newlines, bool)):
        return None
    return Entry(text, raw.get("data"), raw.get("marks"), nodes, shared, newlines, _parts(raw.get("parts")))


def shared_places(data: Any) -> list[list[list[str | int]]]:
    """Each place where a container sits that was met before, with the place where it
    was met first, in document order (aliases follow their anchors)."""
    first: dict[int, list[str | int]] = {}
    out: list[list[list[str | int]]] = []
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, place = stack.pop()
        if type(value) is dict:
            items: Any = value.items()
        elif type(value) is list:
            items = enumerate(value)
        else:
            continue
        seen = first.get(id(value))
        if seen is not None:
            out.append([place, seen])
            continue
        first[id(value)] = place
        stack.extend(reversed([(v, [*place, k]) for k, v in items]))
    return out


def _at(data: Any, place: Sequence[str | int]) -> Any:
    for token in place:
        data = data[token]
    return data


def relink(data: Any, shared: list[list[list[str | int]]]) -> None:
    """Make each shared place hold the very container of its first place again."""
    for place, seen in shared:
        _at(data, place[:-1])[place[-1]] = _at(data, seen)


_CHUNK = 1 << 16


def _utf8(text: str) -> bytes:
    """A text as the kept load holds it (see Entry.text)."""
    return text.encode("utf-8", "surrogatepass")


def _differ(old: bytes, new: bytes) -> tuple[int, int]:
    """The length of the common prefix, and of the common suffix that does not
    overlap it (compared a chunk at a time, then halving within the chunk), each
    ending where a character does (never inside one's UTF-8 bytes)."""
    shortest = min(len(old), len(new))
    prefix = _common(lambda a, b: old[a:b] == new[a:b], shortest)
    while prefix and _continues(new, prefix):
        prefix -= 1
    suffix = _common(lambda a, b: old[len(old) - b : len(old) - a] == new[len(new) - b : len(new) - a], shortest - prefix)
    while suffix and _continues(new, len(new) - suffix):
        suffix -= 1
    return prefix, suffix


def _continues(text: bytes, at: int) -> bool:
    """Whether the byte at `at` continues a character begun before it."""
    return at < len(text) and 0x80 <= text[at] < 0xC0


def _common(same: Any, limit: int) -> int:
    """The largest n <= limit such that the stretches up to n are the same, given
    same(a, b) for the stretch from a to b."""
    low = 0
    while low < limit and same(low, min(low + _CHUNK, limit)):
        low = min(low + _CHUNK, limit)
    high = min(low + _CHUNK, limit)
    known = low  # the stretch up to here is the same
    while low < high:
        mid = (low + high + 1) // 2
        if same(known, mid):
            low = mid
        else:
            high = mid - 1
    return low


# Line breaks YAML or str.splitlines count besides "\n": a text holding one is parsed whole.
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def only_newlines(text: str) -> bool:
    return not any(c in text for c in _OTHER_BREAKS)


_OTHER_BREAKS_UTF8 = tuple(_utf8(c) for c in _OTHER_BREAKS)


def _only_newlines_in(text: bytes, start: int, end: int) -> bool:
    """`only_newlines` of the characters from byte `start` to `end` (each a whole
    character's bytes)."""
    return not any(text.find(c, start, end) >= 0 for c in _OTHER_BREAKS_UTF8)


class _Block(NamedTuple):
    place: list[str]  # of the mapping that holds the entry
    key: str
    first: int  # line index of the entry's key (0-based)
    end: int  # line index of what follows the entry (its next sibling, or more)


def _blocks(marks: Any, data: Any, first_line: int, last_line: int, line_count: int) -> list[_Block]:
    """The entries, two or more mappings down, whose lines hold lines
    first_line..last_line (0-based), deepest first."""
    found: list[_Block] = []
    place: list[str] = []
    child = marks[1]
    end = line_count
    while isinstance(child, dict) and isinstance(data, dict) and child:
        keys = list(child)
        lines = [child[k][0] for k in keys]
        if any(b <= a for a, b in zip(lines, lines[1:])):
            break  # not one key per line, in order: not block style
        index = None
        for i in range(len(keys)):
            stop = lines[i + 1] if i + 1 < len(keys) else end
            if lines[i] <= first_line and last_line < stop:
                index = i
                end = stop
                break
        if index is None:
            break
        key = keys[index]
        if place:
            found.append(_Block(list(place), key, lines[index], end))
        place.append(key)
        child = opened(child, key)
        data = data[key]
    return found[::-1]


def _line_start(text: bytes, pos: int, back: int) -> int:
    """Where the line `back` lines above the one holding `pos` starts."""
    start = text.rfind(b"\n", 0, pos) + 1
    for _ in range(back):
        start = text.rfind(b"\n", 0, start - 1) + 1
    return start


def _line_after(text: bytes, pos: int, ahead: int) -> int:
    """Where the line `ahead` lines below the one holding `pos` starts (the text's end
    if there is none)."""
    for _ in range(ahead):
        found = text.find(b"\n", pos)
        if found < 0:
            return len(text)
        pos = found + 1
    return pos


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _laid_out(lines: list[str], indent: int) -> bool:
    """Lines of one block-style entry at `indent`: the first its key, none less
    indented (blank and comment lines aside), none indented by a tab."""
    if not lines or _indent(lines[0]) != indent or lines[0][indent:].strip()[:1] in ("", "#", "-", "?", "{", "["):
        return False  # not a key at the entry's indentation
    for line in lines:
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            return False
        if stripped.strip() and not stripped.startswith("#") and _indent(line) < indent:
            return False
    return True


def _parse_block(text: str, first: int, depth: int) -> Any:
    """The entry's lines parsed alone, numbered as in the whole text."""
    parsed = _from_events("\n" * first + text, depth)
    if parsed is _UNSUPPORTED:
        return None
    root, _, marks, file_refs, nodes, anchored, tidy = parsed
    if type(root) is not dict or not root or file_refs or anchored or not tidy:
        return None
    return root, marks[1], nodes


def _spliced(entry: Entry, text: bytes | str) -> Parsed | None:
    """The load of `text` (in UTF-8, as Entry.text) from `entry`'s, or None. Offsets
    are in bytes; only the entry's lines are read as text."""
    old = entry.text
    new = text if isinstance(text, bytes) else _utf8(text)
    if old == new:
        data, marks = entry.data, entry.marks
        relink(data, entry.shared)
        return Parsed(
            data, True, marks, False, entry.nodes, recalled=True, tidy=True, shared=entry.shared, parts=entry.parts
        )
    if not entry.only_newlines:
        return None  # a line break other than \n: YAML and this module would number apart
    prefix, suffix = _differ(old, new)
    if not _only_newlines_in(new, prefix, len(new) - suffix):
        return None
    first_changed = prefix
    first_line = old.count(b"\n", 0, prefix)
    last_changed = max(prefix, len(old) - suffix - 1)
    last_line = first_line + old.count(b"\n", prefix, last_changed)
    line_count = last_line + old.count(b"\n", last_changed) + (0 if old.endswith(b"\n") else 1)
    blocks = _blocks(entry.marks, entry.data, first_line, last_line, line_count)
    if not blocks and prefix == len(old) - suffix and first_line > 0 and old[prefix - 1 : prefix] == b"\n":
        # lines inserted between two entries: the earlier one takes them
        first_line = last_line = first_line - 1
        first_changed = last_changed = prefix - 1
        blocks = _blocks(entry.marks, entry.data, first_line, last_line, line_count)
    # the deepest entry laid out so that its lines, old and new, parse alone
    for block in blocks:
        start = _line_start(old, first_changed, first_line - block.first)
        end = _line_after(old, last_changed, block.end - last_line)
        new_end = end + len(new) - len(old)
        if end < len(old) - suffix or (new_end < len(new) and new[new_end - 1 : new_end] != b"\n"):
            continue  # the change reaches past the entry, or into the line after it
        # (the new lines decoded strictly: bytes not UTF-8 fail the splice, and the load)
        old_text, new_text = old[start:end].decode("utf-8", "surrogatepass"), new[start:new_end].decode("utf-8")
        old_block, new_block = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
        indent = _indent(old_block[0]) if old_block else -1
        if _laid_out(old_block, indent) and _laid_out(new_block, indent):
            break
    else:
        return None
    delta = new_text.count("\n") - old_text.count("\n")
    entry_place = [*block.place, block.key]
    for place, seen in entry.shared:
        for p in (place, seen):
            if p[: len(entry_place)] == entry_place or entry_place[: len(p)] == p:
                return None  # shared with, or holding, the entry: re-linking would not reach it
    depth = len(block.place)
    old_parsed = _parse_block(old_text, block.first, depth)
    holder = _at(entry.data, block.place)
    holder_marks = _at_marks(entry.marks, block.place)
    if old_parsed is None or list(old_parsed[0]) != [block.key]:
        return None
    if old_parsed[0][block.key] != holder[block.key] or old_parsed[1][block.key] != _tupled(holder_marks[block.key]):
        return None
    new_parsed = _parse_block(new_text, block.first, depth)
    if new_parsed is None:
        return None
    new_items, new_marks, new_nodes = new_parsed
    if any(k in holder and k != block.key for k in new_items):
        return None
    nodes = entry.nodes - old_parsed[2] + new_nodes
    if nodes > MAX_NODES:
        return None
    data = entry.data
    relink(data, entry.shared)
    items, item_marks = {}, {}
    after = False
    for key, value in holder.items():
        if key == block.key:
            items.update(new_items)
            item_marks.update(new_marks)
            after = True
            continue
        items[key] = value
        mark = holder_marks[key]
        item_marks[key] = (mark[0] + delta, shifted(mark[1], delta)) if after and delta else mark
    marks = _replaced_marks(entry.marks, block.place, item_marks, delta)
    _relink_marks(marks, entry.shared)
    _at(data, block.place[:-1])[block.place[-1]] = items
    # (the new entry holds no anchor or alias: the document's sharing is the entry's)
    same_key = list(new_items) == [block.key]
    parts = _spliced_parts(entry.parts, data, entry_place, same_key)
    prose = None
    if same_key and entry.parts is not None:
        strings = prose_changes(data, entry_place, old_parsed[0][block.key], new_items[block.key])
        prose = ProseEdit(entry.parts.whole, strings) if strings is not None else None
    return Parsed(data, True, marks, False, nodes, tidy=True, shared=entry.shared, parts=parts, prose=prose)


def _spliced_parts(parts: SpecParts | None, data: Any, place: list[str], same_key: bool) -> SpecParts | None:
    """The kept parts with the one path item the splice changed digested again: the
    entry at `place` (its key kept, unless `same_key` is False) is that item or lies
    inside it. None when the splice changed anything else (then digested whole)."""
    if parts is None or len(place) < 2 or place[0] != "paths" or (len(place) == 2 and not same_key):
        return None
    paths = data.get("paths") if type(data) is dict else None
    if type(paths) is not dict or len(paths) != len(parts.items):
        return None
    shown = repr(place[1])
    index = next((i for i, (key, _) in enumerate(parts.items) if key == shown), None)
    found = item_parts(paths.get(place[1])) if index is not None else None
    if found is None or index is None:
        return None
    item, nan = found
    items = (*parts.items[:index], (shown, item), *parts.items[index + 1 :])
    # (a NaN the old item held is not told apart: "may hold" stays)
    return SpecParts(whole_of(parts.rest, items), parts.rest, items, parts.may_hold_nan or nan)


def _relink_marks(marks: Any, shared: list[list[list[str | int]]]) -> None:
    """An alias's node has its anchor's lines below its own (as `_from_events` gives
    it): after lines moved, each shared place takes its first place's again."""
    for place, seen in shared:
        holder = _at_marks(marks, place[:-1])
        holder[place[-1]] = (holder[place[-1]][0], _at_marks(marks, seen))


def _at_marks(marks: Any, place: Sequence[str | int]) -> Any:
    """The marks of the children of the node at `place`."""
    child = marks[1]
    for token in place:
        child = opened(child, token)
    return child


def _tupled(mark: Any) -> Any:
    """A cached (JSON) mark as `_from_events` makes it: pairs as tuples."""
    line, child = mark[0], unpacked(mark[1])
    if type(child) is dict:
        child = {k: _tupled(v) for k, v in child.items()}
    elif type(child) is list:
        child = [_tupled(v) for v in child]
    return (line, child)


def _replaced_marks(root: Any, place: list[str], inner: dict[str, Any], delta: int) -> Any:
    """The root's marks with the mapping at `place` given `inner`, and every entry
    after it, at each level up, moved by `delta` lines."""

    def rebuild(child: Any, depth: int) -> Any:
        if depth == len(place):
            return inner
        out = {}
        after = False
        for key, mark in child.items():
            if key == place[depth]:
                out[key] = (mark[0], rebuild(unpacked(mark[1]), depth + 1))
                after = True
            elif after and delta:
                out[key] = (mark[0] + delta, shifted(mark[1], delta))
            else:
                out[key] = mark
        return out

    return (root[0], rebuild(root[1], 0))
