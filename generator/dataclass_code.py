"""The compiled code of the dataclasses' generated methods, kept in the cache folder.

Creating a dataclass compiles the source of each method it generates (`__init__`,
`__repr__`, `__eq__`, `__hash__`, and a frozen one's `__setattr__` and `__delattr__`)
on its own: for the generator's 51 classes some 280 compilations, 25-37 ms of every
run (Python 3.13 batches them; 3.11 does not). What `dataclasses` runs
is `exec(source, globals, namespace)`; `use` gives that module an `exec` of its own,
which runs the code kept for the very same source, compiled as `exec` would compile
it (file `<string>`, no inherited `__future__` flags: `dataclasses` has none), and
compiles only sources it has not seen. The methods' code is the same either way
(tests/test_dataclass_code.py compares it); only the compiling is skipped.

The entry holds code objects in `marshal`'s format, which is Python's own and changes
with it: it is keyed by the interpreter's version and bytecode magic, and taken only
when its digest matches (damaged code would run, or crash the interpreter, not fail
to read), as the templates' code is (template_code.py).
"""

from __future__ import annotations

import builtins
import dataclasses
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

from .cache import Cache, digest

KIND = "dataclass-code"
# (a store that grows past this is written with this run's sources only)
LIMIT = 2000


class _Store:
    def __init__(self, kept: dict[str, CodeType]) -> None:
        self.code = kept
        self.used: set[str] = set()
        self.new = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is str:
            code = self.code.get(source)
            if code is None:
                code = self.code[source] = compile(source, "<string>", "exec", dont_inherit=True)
                self.new += 1
            self.used.add(source)
            source = code
        builtins.exec(source, globals, locals)


_store: _Store | None = None


def _key() -> str:
    return digest(KIND, sys.version, MAGIC_NUMBER.hex())


def _kept(cache: Cache) -> dict[str, CodeType]:
    kept = cache.get_checked_marshal(KIND, _key())
    if type(kept) is not dict or not all(type(k) is str and type(v) is CodeType for k, v in kept.items()):
        return {}
    return kept


def use(cache: Cache) -> None:
    """Let the dataclasses created from now on take their methods' code from the cache
    (once per process; not with the cache disabled)."""
    global _store
    if _store is not None or not cache.enabled or getattr(dataclasses, "exec", builtins.exec) is not builtins.exec:
        return
    _store = _Store(_kept(cache))
    dataclasses.exec = _store.exec  # type: ignore[attr-defined]


def keep(cache: Cache) -> None:
    """Write the store when this run compiled code it did not hold."""
    store = _store
    if store is None or not store.new or not cache.enabled:
        return
    code = store.code if len(store.code) <= LIMIT else {s: store.code[s] for s in store.used}
    cache.put_checked_marshal(KIND, _key(), dict(sorted(code.items())))
    store.new = 0
