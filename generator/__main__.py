"""CLI: `python -m generator generate|check|validate|diff`. Exit 0 ok, 1 stale (or, for
diff, breaking), 2 bad input."""

from __future__ import annotations

import sys

if __name__ == "__main__":  # before the rest is imported (see early.py)
    from .early import start

    start(sys.argv[1:])

import os
from typing import Any, NoReturn

from . import arguments, class_code, regex_code
from .cache import DISABLED


def main(argv: list[str] | None = None) -> int:
    args = arguments.read(sys.argv[1:] if argv is None else argv, __doc__)
    failed: Exception | None = None
    try:
        cache = arguments.cache_of(args) if args.command != "diff" else DISABLED
    except Exception as exc:  # (a working folder gone, say: reported as the run's own errors are)
        cache, failed = DISABLED, exc
    # The classes of the commands' modules are made with the code kept in the cache
    # (class_code.py): so they are imported after (the regular expressions' programs
    # are taken once the pipeline runs, see commands.py).
    class_code.use(cache)
    from . import commands

    try:
        return commands.run(args, cache, _left.append if _left is not None else None, failed)
    finally:
        class_code.keep(cache)
        regex_code.keep(cache)


# What a run built, when the process leaves by `_leave`: kept to the end, the heap is
# not torn down as each command and `main` return (a large spec's IR, texts and data).
_left: list[Any] | None = None


def _leave(code: int) -> NoReturn:
    """Exit without tearing the heap down object by object, as mypy does: a large spec's
    data, IR and texts take a tenth of a second to free, for nothing. Everything the run
    writes is closed by now; only the standard streams need flushing."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # as the interpreter's own exit reports an unflushable stream
        code = code or 120
    os._exit(code)


def cli() -> NoReturn:
    """The command line (`python -m generator`, and the installed script)."""
    from . import early

    early.collect_rarely()
    early.start(sys.argv[1:])  # (the installed script's: `python -m` forked it already)
    global _left
    _left = []
    try:
        code = main()
    finally:
        early.cancel()
    _leave(code)


if __name__ == "__main__":
    cli()
