"""Work done in a forked process beside the main one, its result sent back pickled.

Fork is cheap and shares the parent's data copy-on-write; the child computes, writes its
pickled result to a pipe and leaves without cleanup. The parent reads the pickle of its
own child only (never one from a file or a cache folder)."""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any, Callable, NoReturn


class ChildFailed(Exception):
    """The child ended without a result; the message says how it ended."""


def can_fork() -> bool:
    """Fork is safe only with no other thread that could hold a lock the child needs
    (the import lock, say); elsewhere, and when embedded in a threaded program, work
    runs inline."""
    import threading

    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


class Child:
    """`work()` running in a forked child (check `can_fork` first); `niceness` lowers
    the child's priority when its result is wanted last."""

    def __init__(self, work: Callable[[], Any], *, niceness: int = 0) -> None:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child: compute, send, leave without cleanup
            status = 1
            try:
                os.close(read_end)
                if niceness:
                    os.nice(niceness)
                payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.read_end = pid, read_end
        self.done = False

    def result(self) -> Any:
        """Wait for the child's result; ChildFailed when it ended without one."""
        if self.done:
            raise ChildFailed("its result was taken already")
        try:
            with os.fdopen(self.read_end, "rb") as pipe:
                payload = pipe.read()
        finally:  # reaped even when the read is interrupted
            self.done = True
            _, status = os.waitpid(self.pid, 0)
        try:
            return pickle.loads(payload) if payload else _failed(status)
        except ChildFailed:
            raise
        except Exception:
            _failed(status)

    def cancel(self) -> None:
        """Stop the child: its result is not needed. It is reaped by `reap_cancelled`."""
        if not self.done:
            self.done = True
            os.close(self.read_end)
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
            _cancelled.append(self.pid)


# Children killed and not reaped yet: a killed child frees its memory as it exits, a few
# milliseconds for a large one, which the run need not wait for where it cancels it.
_cancelled: list[int] = []


def reap_cancelled() -> None:
    """Wait for the cancelled children (at the end of a run: they are gone by then)."""
    while _cancelled:
        try:
            os.waitpid(_cancelled.pop(), 0)
        except ChildProcessError:
            pass


def anonymous_file() -> int:
    """A file with no name, to hand data to a child forked after it was opened."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("generator-document", os.MFD_CLOEXEC)
    import tempfile

    fd, path = tempfile.mkstemp()
    os.unlink(path)
    return fd


def _failed(status: int) -> NoReturn:
    if os.WIFSIGNALED(status):
        raise ChildFailed(f"killed by signal {os.WTERMSIG(status)}")
    raise ChildFailed(f"exit status {os.waitstatus_to_exitcode(status)}")

