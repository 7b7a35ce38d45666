"""The code compiled from text as the generator's classes are made, kept in the cache.

Making a class compiles source text in three places, each time the process starts:
- `dataclasses` compiles each method it generates (`__init__`, `__repr__`, `__eq__`,
  `__hash__`, and a frozen one's `__setattr__` and `__delattr__`) on its own: for the
  generator's 51 classes some 280 compilations, 25-37 ms of every run (Python 3.13
  batches them; 3.11 does not). It runs `exec(source, globals, namespace)`;
- `collections.namedtuple` (and so `typing.NamedTuple`) compiles its `__new__`, with
  `eval(source, namespace)`;
- `typing` compiles every annotation written as a string that it turns into a
  `ForwardRef` (a `NamedTuple`'s fields under `from __future__ import annotations`,
  Jinja's own hints): some 110 in a run after an edit, with `compile(source,
  "<string>", "eval")`.
`use` gives each module an `exec`, `eval` or `compile` of its own (a module's global
shadows the builtin) which runs or returns the code kept for the very same source and
mode, compiled as the builtin would compile it there (file `<string>`, no inherited
`__future__` flags: none of the three modules has any), and compiles only sources it
has not seen. The code is the same either way (tests/test_class_code.py compares it);
only the compiling is skipped.

The entry holds code objects in `marshal`'s format, which is Python's own and changes
with it: it is keyed by the interpreter's version and bytecode magic, and taken only
when its digest matches (damaged code would run, or crash the interpreter, not fail
to read), as the templates' code is (template_code.py).
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import sys
import typing
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

from .cache import Cache, digest

KIND = "class-code"
# (a store that grows past this is written with this run's sources only)
LIMIT = 3000

Key = tuple[str, str]  # (mode, source)


class _Store:
    def __init__(self, kept: dict[Key, CodeType]) -> None:
        self.code = kept
        self.used: set[Key] = set()
        self.new = 0

    def compiled(self, source: str, mode: str) -> CodeType:
        key = (mode, source)
        code = self.code.get(key)
        if code is None:
            code = self.code[key] = compile(source, "<string>", mode, dont_inherit=True)
            self.new += 1
        self.used.add(key)
        return code

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        builtins.exec(self.compiled(source, "exec") if type(source) is str else source, globals, locals)

    def eval(self, source: Any, globals: Any = None, locals: Any = None, /) -> Any:
        return builtins.eval(self.compiled(source, "eval") if type(source) is str else source, globals, locals)

    def compile(self, source: Any, filename: Any, mode: Any, flags: int = 0, dont_inherit: bool = False, optimize: int = -1) -> Any:
        if type(source) is str and filename == "<string>" and mode == "eval" and not flags and optimize == -1:
            return self.compiled(source, "eval")
        # (typing has no `__future__` import to inherit: none is, as the builtin there)
        return builtins.compile(source, filename, mode, flags, True, optimize)


_store: _Store | None = None

# Where a builtin is shadowed, and by which of the store's methods.
_SHADOWED = ((dataclasses, "exec"), (collections, "eval"), (typing, "compile"))


def _key() -> str:
    return digest(KIND, sys.version, MAGIC_NUMBER.hex())


def _kept(cache: Cache) -> dict[Key, CodeType]:
    kept = cache.get_checked_marshal(KIND, _key())
    if type(kept) is not dict or not all(
        type(k) is tuple and len(k) == 2 and k[0] in ("exec", "eval") and type(k[1]) is str and type(v) is CodeType
        for k, v in kept.items()
    ):
        return {}
    return kept


def use(cache: Cache) -> None:
    """Let the classes made from now on take their code from the cache (once per
    process; not with the cache disabled, nor where a module's name is taken)."""
    global _store
    if _store is not None or not cache.enabled:
        return
    if any(getattr(module, name, None) is not None for module, name in _SHADOWED):
        return  # (something else shadows a builtin there already)
    _store = _Store(_kept(cache))
    for module, name in _SHADOWED:
        setattr(module, name, getattr(_store, name))


def keep(cache: Cache) -> None:
    """Write the store when this run compiled code it did not hold."""
    store = _store
    if store is None or not store.new or not cache.enabled:
        return
    code = store.code if len(store.code) <= LIMIT else {k: store.code[k] for k in store.used}
    cache.put_checked_marshal(KIND, _key(), dict(sorted(code.items())))
    store.new = 0
