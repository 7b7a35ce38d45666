"""Stubs remembered by the skeleton of their module, so that an edit that changes only
docstrings and function bodies derives no stub again.

A stub shows a module's signatures, class headers and module-level statements; it never
shows a function's body or a bare string statement (a docstring). The skeleton of a
module is its text with the contents of every triple-quoted string taken out, found by
lexing strings and comments as Python does. Two modules with one skeleton differ only
inside such strings. When each of those strings lies, line for line, inside a part no
stub shows (`stubs._dropped_lines`, read from the syntax tree of the module whose stub
was kept), the strings are docstrings or sit in function bodies in both modules, and the
two stubs are the same text: the stub is kept under the skeleton's digest and taken for
every module with that skeleton. Otherwise it is not kept.

The lexer follows Python 3.11, where an f-string is lexed like any string; from 3.12 a
replacement field may hold quotes of its own kind (and from 3.14 a t-string's), so a
module with such a prefix is not remembered there."""

from __future__ import annotations

import bisect
import functools
import re
import sys
from typing import Any

from .cache import Cache, digest, generator_fingerprint
from .imports import has_other_breaks
from .stubs import StubChunk

KIND = "stub"
FORMAT = "1"

# a comment, a one-line string, or the opening quotes of a triple-quoted one; a
# string's prefix is read back from its quotes (`_prefix`): a token that could begin
# with a letter would be tried at almost every character of the module. Each branch
# begins with a plain character, so that the search skips to the next `#`, `"` or `'`
# (a group at a branch's start had every branch tried at every character: 3x slower)
_TOKEN = re.compile(r"""#[^\n]*|\"\"\"|'''|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'""", re.S)
_TRIPLES = ('"""', "'''")
_PREFIX_LETTERS = "rRbBuUfF"
_TRIPLE_REST = {  # (each loop unrolled: runs of plain characters are matched at once)
    '"""': re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.S),
    "'''": re.compile(r"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''", re.S),
}
# escapes that can fail to parse, and NUL, inside a string
_MAY_NOT_PARSE = re.compile(r"\\[NxuU]|\x00")
# an f-string (3.12) or t-string (3.14) prefix
_F_PREFIX = re.compile(r"""(?<![\w])[rR]?[fFtT][rR]?["']""")


@functools.lru_cache(maxsize=4)  # (a module's key is asked by the prune memo and the stub memo)
def skeleton(module: str) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """The module's text without the contents of its triple-quoted strings, and the
    (first, last) line of each such string; None when the text does not lex (or lexes
    otherwise in this Python, see the module's docstring)."""
    if has_other_breaks(module) or (sys.version_info >= (3, 12) and _F_PREFIX.search(module)):
        return None
    parts: list[str] = []
    places: list[tuple[int, int]] = []
    position = 0  # where the text not yet copied begins
    line = 1  # the line `position` is on
    scan = 0
    search = _TOKEN.search
    while (token := search(module, scan)) is not None:
        quotes = token.group()
        if quotes not in _TRIPLES:  # a comment or a one-line string: kept as it is
            scan = token.end()
            continue
        rest = _TRIPLE_REST[quotes].match(module, token.end())
        if rest is None:
            return None  # an unterminated string: not valid Python
        if _MAY_NOT_PARSE.search(module, token.end(), rest.end()) or ("b" in _prefix(module, token.start(), scan).lower() and not module[token.end() : rest.end()].isascii()):
            return None  # contents that may not parse (`\N{...}`, `\x`, NUL; non-ASCII bytes): taken from a memo, their error would go unreported
        first = line + module.count("\n", position, token.start())
        last = first + module.count("\n", token.start(), rest.end())
        places.append((first, last))
        parts.append(module[position : token.end()])
        position, line, scan = rest.end() - 3, last, rest.end()
    parts.append(module[position:])
    return "\0".join(parts), tuple(places)


def _prefix(module: str, quotes: int, scan: int) -> str:
    """The string prefix before the quotes at `quotes`: up to two prefix letters, from
    `scan` on (as a token of letters and quotes found from `scan` would begin)."""
    start = quotes
    while start > max(scan, quotes - 2) and module[start - 1] in _PREFIX_LETTERS:
        start -= 1
    return module[start:quotes]


def shown_only_outside(places: list[tuple[int, int]], dropped: list[tuple[int, int]]) -> bool:
    """Whether each (first, last) of `places` lies inside one range of `dropped`."""
    ranges = sorted(set(dropped))
    starts = [first for first, _ in ranges]
    for first, last in places:
        k = bisect.bisect_right(starts, first) - 1
        # ranges are the lines of distinct statements: none holds another
        if k < 0 or ranges[k][1] < last:
            return False
    return True


class SkeletonMemo:
    """A memo of one run keyed by modules' skeletons (and, with `LINES`, the lines each
    triple-quoted string spans too); `prefix` parts name its kind and what else keys it."""

    LINES = False

    def __init__(self, cache: Cache, *prefix: str) -> None:
        self.cache = cache
        self.prefix = digest(generator_fingerprint(), *prefix)
        self.reused = 0

    def key(self, module: str) -> tuple[str, list[tuple[int, int]]] | None:
        """The memo's key for `module` and where its triple-quoted strings are; None when
        it cannot be remembered."""
        found = skeleton(module)
        if found is None:
            return None
        text, places = found
        return digest(self.prefix, text, *([repr(list(places))] if self.LINES else [])), list(places)


class StubMemo(SkeletonMemo):
    """Stubs of one run's formatter (`mode_key`: black's version and mode)."""

    def __init__(self, cache: Cache, mode_key: str) -> None:
        super().__init__(cache, KIND, FORMAT, mode_key)

    def recall(self, key: str) -> list[StubChunk] | None:
        entry = self.cache.get_plain(KIND, key)
        if not (isinstance(entry, list) and all(_is_chunk(c) for c in entry)):
            return None
        self.reused += 1
        return [StubChunk(text, black, line) for text, black, line in entry]

    def keep(self, key: str, places: list[tuple[int, int]], chunks: list[StubChunk], dropped: list[tuple[int, int]]) -> None:
        if shown_only_outside(places, dropped):
            self.cache.put_plain(KIND, key, [[c.text, c.black, c.first_line] for c in chunks])


def _is_chunk(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], bool)
        and isinstance(value[2], int)
    )
