"""The validator's child, forked as the process starts.

Importing the validator takes a tenth of a second or more, and a regeneration after an
edit waits for its verdict. Forked before the command line imports the rest of the
generator, reads its config and checks the cache's stamp, the child has imported the
validator by the time the spec is loaded (validate.ReadyValidator). The pipeline takes
it (`take`); when no run needs it (an unchanged spec, another command, a failure), it is
stopped (`cancel`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validate import ReadyValidator

_ready: ReadyValidator | None = None
_started = False


def start(argv: list[str]) -> None:
    """Fork the child (once) when the command line may run the pipeline with a cache
    (the ready child serves only such runs; the pipeline forks its own otherwise)."""
    global _ready, _started
    if _started or not any(arg in ("generate", "check") for arg in argv) or "--no-cache" in argv:
        return
    _started = True
    from .forked import can_fork

    if can_fork():
        collect_rarely()  # (before the fork, for the child too)
        # the validator reads it too: imported once, before the fork
        import yaml  # type: ignore[import-untyped]  # noqa: F401

        from .validate import ReadyValidator

        _ready = ReadyValidator()


def collect_rarely() -> None:
    """A run builds a few large graphs that live to its end (the spec's data, the IR):
    the collector's default pace walks them again and again as they grow, for no
    garbage. Collect rarely instead, as mypy does."""
    import gc

    gc.set_threshold(200_000, 30, 30)


def take() -> ReadyValidator | None:
    """The child forked at start, if any (once)."""
    global _ready
    ready, _ready = _ready, None
    return ready


def cancel() -> None:
    ready = take()
    if ready is not None:
        ready.cancel()
