"""The programs of the regular expressions a run compiles, kept in the cache folder.

Every process compiles its regular expressions anew: a run after an edit compiles some
75 (PyYAML's, Jinja's, ours) in about 14 ms, a third of it for one character class of
PyYAML's reader. Compiling is parsing the pattern into a program for `_sre`, which `re`
then hands to `_sre.compile` with the pattern's groups. `use` gives `re`'s compiler a
`compile` of its own that hands `_sre` the program kept for the very same pattern and
flags, and parses only patterns it has not seen; the pattern objects are the same
either way (tests/test_regex_code.py compares their programs and their matches).

A program is `_sre`'s own format and changes with Python: the entry is keyed by the
interpreter's version and bytecode magic, and taken only when its digest matches (a
damaged program would crash the interpreter, not fail to read), as the dataclasses'
code is (class_code.py).
"""

from __future__ import annotations

import re
import sys
from importlib.util import MAGIC_NUMBER
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
from typing import Any

import _sre  # type: ignore[import-not-found]

from .cache import Cache, digest

KIND = "regex-code"
# (a store that grows past this is written with this run's patterns only)
LIMIT = 2000

# What `_sre.compile` takes after the pattern: its flags, program, group count, and the
# group names both ways.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def program(pattern: str | bytes, flags: int) -> Program:
    """What `re._compiler.compile(pattern, flags)` hands `_sre.compile` (Python 3.11-3.13)."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # (its opcodes are int subclasses)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, dict(groupindex), tuple(indexgroup)


class _Store:
    def __init__(self, kept: dict[tuple[str | bytes, int], Program], original: Any) -> None:
        self.programs = kept
        self.original = original
        self.used: set[tuple[str | bytes, int]] = set()
        self.new = 0

    def compile(self, pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        if type(pattern) not in (str, bytes) or type(flags) is not int or flags & _constants.SRE_FLAG_DEBUG:
            return self.original(pattern, flags)  # type: ignore[no-any-return]
        key = (pattern, flags)
        kept = self.programs.get(key)
        if kept is None:
            kept = self.programs[key] = program(pattern, flags)
            self.new += 1
        self.used.add(key)
        return _sre.compile(pattern, *kept)  # type: ignore[no-any-return]


_store: _Store | None = None


def _key() -> str:
    return digest(KIND, sys.version, MAGIC_NUMBER.hex(), str(_constants.MAGIC))


def _is_program(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) == 5
        and type(value[0]) is int
        and type(value[1]) is list
        and all(type(op) is int for op in value[1])
        and type(value[2]) is int
        and type(value[3]) is dict
        and type(value[4]) is tuple
    )


def _kept(cache: Cache) -> dict[tuple[str | bytes, int], Program]:
    kept = cache.get_checked_marshal(KIND, _key())
    if type(kept) is not dict or not all(
        type(k) is tuple and len(k) == 2 and type(k[0]) in (str, bytes) and type(k[1]) is int and _is_program(v)
        for k, v in kept.items()
    ):
        return {}
    return kept


def use(cache: Cache) -> None:
    """Let the patterns compiled from now on take their programs from the cache (once
    per process; not with the cache disabled, nor on a Python this was not made for)."""
    global _store
    if _store is not None or not cache.enabled or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return
    _store = _Store(_kept(cache), _compiler.compile)
    _compiler.compile = _store.compile


def keep(cache: Cache) -> None:
    """Write the store when this run compiled patterns it did not hold."""
    store = _store
    if store is None or not store.new or not cache.enabled:
        return
    programs = store.programs if len(store.programs) <= LIMIT else {k: store.programs[k] for k in store.used}
    cache.put_checked_marshal(KIND, _key(), dict(sorted(programs.items(), key=lambda item: (type(item[0][0]).__name__, item[0]))))
    store.new = 0
