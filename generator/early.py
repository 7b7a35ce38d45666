"""The validator's child, forked as the process starts.

Importing the validator takes a tenth of a second or more, and a regeneration after an
edit waits for its verdict. Forked before the command line imports the rest of the
generator, reads its config and checks the cache's stamp, the child has imported the
validator by the time the spec is loaded (validate.ReadyValidator). The pipeline takes
it (`take`); when no run needs it (an unchanged spec, another command, a failure), it is
stopped (`cancel`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import forked

if TYPE_CHECKING:
    from .validate import ReadyValidator

_ready: tuple[forked.Child, int, int] | None = None  # see fork_ready
_started = False


def start(argv: list[str]) -> None:
    """Fork the child (once) when the command line may run the pipeline with a cache
    (the ready child serves only such runs; the pipeline forks its own otherwise)."""
    global _ready, _started
    if _started or not any(arg in ("generate", "check") for arg in argv) or "--no-cache" in argv:
        return
    _started = True
    if forked.can_fork():
        collect_rarely()  # (before the fork, for the child too)
        _ready = fork_ready()


def fork_ready() -> tuple[forked.Child, int, int]:
    """Fork the validator's child (validate.ReadyValidator): the child, the anonymous
    file the document will be written to, and the write end of the pipe that says
    when it is there. Nothing of the validator is imported here: the child imports it,
    and this process, when its spec is unchanged, never does."""
    file = forked.anonymous_file()
    read_end, write_end = os.pipe()
    try:
        child = forked.Child(lambda: _serve(read_end, write_end, file))
    except BaseException:
        os.close(write_end)
        os.close(file)
        raise
    finally:
        os.close(read_end)
    return child, file, write_end


def _serve(read_end: int, write_end: int, file: int) -> Any:
    from .validate import _when_given

    return _when_given(read_end, write_end, file)


def collect_rarely() -> None:
    """A run builds a few large graphs that live to its end (the spec's data, the IR):
    the collector's default pace walks them again and again as they grow, for no
    garbage. Collect rarely instead, as mypy does."""
    import gc

    gc.set_threshold(200_000, 30, 30)


def take() -> ReadyValidator | None:
    """The child forked at start, if any (once)."""
    global _ready
    started, _ready = _ready, None
    if started is None:
        return None
    from .validate import ReadyValidator

    return ReadyValidator(started)


def cancel() -> None:
    """Stop the child forked at start, if no run took it."""
    global _ready
    started, _ready = _ready, None
    if started is not None:
        child, file, write_end = started
        os.close(write_end)
        os.close(file)
        child.cancel()
    forked.reap_cancelled()
