"""The programs of the regular expressions a run compiles, kept in the cache folder.

Every process compiles its regular expressions anew: a run after an edit compiles some
75 (PyYAML's, Jinja's, ours) in about 14 ms, a third of it for one character class of
PyYAML's reader. Compiling is parsing the pattern into a program for `_sre`, which `re`
then hands to `_sre.compile` with the pattern's groups, and keeps the pattern object
in its own cache (`re._cache`, by type, pattern and flags). `use` puts there, as `re`
would have, the pattern objects `_sre` makes of the programs kept for the very same
patterns and flags: `re` then finds them compiled. Nothing of `re` is replaced, so a
pattern compiled anew is compiled by `re` itself. `keep` keeps the programs of the
patterns in `re`'s cache the store did not hold. The pattern objects are the same
either way (tests/test_regex_code.py compares their programs and their matches).

A pattern `re`'s parser may warn about is never kept (found compiled, it would not
warn). A program is `_sre`'s own format and changes with Python: the entry is keyed by
the interpreter's version, bytecode magic and `_sre`'s magic, and taken only when its
digest matches (damaged, a program could crash the interpreter rather than fail to
read), as the dataclasses' code is (class_code.py).
"""

from __future__ import annotations

import re
import sys
from importlib.util import MAGIC_NUMBER
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

import _sre  # type: ignore[import-not-found]

from .cache import Cache, digest

KIND = "regex-code"
FORMAT = "2"
# (the store holds no more; `re` itself keeps 512)
LIMIT = 2000

# What `_sre.compile` takes after the pattern: its flags, program, group count, and the
# group names both ways.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
Key = tuple[str | bytes, int]  # (pattern, flags)


def program(pattern: str | bytes, flags: int) -> Program:
    """What `re._compiler.compile(pattern, flags)` hands `_sre.compile` (Python 3.11-3.13)."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # (its opcodes are int subclasses)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, dict(groupindex), tuple(indexgroup)


# What makes `re`'s parser warn (Python 3.11-3.13): a set that may read otherwise in a
# later Python ("[[", and "--", "&&", "~~", "||" in a set), and group names or
# conditions that are not plain ASCII identifiers or numbers.
_MAY_WARN = ("[[", "--", "&&", "~~", "||", "(?(")


def _may_warn(pattern: str | bytes) -> bool:
    if isinstance(pattern, bytes):
        return any(s.encode() in pattern for s in _MAY_WARN) or (b"(?" in pattern and not pattern.isascii())
    return any(s in pattern for s in _MAY_WARN) or ("(?" in pattern and not pattern.isascii())


_store: dict[Key, Program] | None = None


def _key() -> str:
    return digest(KIND, FORMAT, sys.version, MAGIC_NUMBER.hex(), str(_constants.MAGIC))


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


def _kept(cache: Cache) -> dict[Key, Program]:
    kept = cache.get_checked_marshal(KIND, _key())
    if type(kept) is not dict or not all(
        type(k) is tuple and len(k) == 2 and type(k[0]) in (str, bytes) and type(k[1]) is int and _is_program(v)
        for k, v in kept.items()
    ):
        return {}
    return kept


def use(cache: Cache) -> None:
    """Put the patterns kept in the cache into `re`'s, compiled (once per process; not
    with the cache disabled, nor on a Python this was not made for)."""
    global _store
    if _store is not None or not cache.enabled or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return
    _store = _kept(cache)
    compiled = re._cache  # type: ignore[attr-defined]
    room = re._MAXCACHE - len(compiled)  # type: ignore[attr-defined]
    for (pattern, flags), kept in _store.items():
        key = (type(pattern), pattern, flags)
        if room <= 0:
            break
        if key not in compiled:
            compiled[key] = _sre.compile(pattern, *kept)
            room -= 1


def keep(cache: Cache) -> None:
    """Keep the programs of the patterns in `re`'s cache that the store did not hold."""
    store = _store
    if store is None or not cache.enabled:
        return
    new = 0
    for kind, pattern, flags in list(re._cache):  # type: ignore[attr-defined]
        if len(store) >= LIMIT:
            break
        if (
            kind not in (str, bytes)
            or type(flags) is not int
            or flags & _constants.SRE_FLAG_DEBUG
            or (pattern, flags) in store
            or _may_warn(pattern)
        ):
            continue
        try:
            store[(pattern, flags)] = program(pattern, flags)
        except Exception:  # (what `re` compiled compiles again: this is only a guard)
            continue
        new += 1
    if new:
        cache.put_checked_marshal(KIND, _key(), dict(sorted(store.items(), key=lambda item: (type(item[0][0]).__name__, item[0]))))
