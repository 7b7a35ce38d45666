"""Diagnostics as data: every problem the generator finds is collected, then printed once."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a diagnostic points: a JSON pointer, plus file and line where known."""

    pointer: str = ""
    file: str = ""
    line: int = 0

    def render(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        parts.append(f"#{self.pointer}" if self.pointer else "#")
        return " ".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    level: Level
    message: str
    pointer: str = ""
    file: str = ""
    line: int = 0

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.pointer, self.code, self.message)

    def render(self) -> str:
        where = Location(self.pointer, self.file, self.line).render()
        return visible(f"{where}: {self.level.value}[{self.code}]: {self.message}")


def visible(text: str) -> str:
    """One terminal-safe line: control characters (escape sequences, line breaks),
    invisible format characters and lone surrogates from the spec are spelled out."""
    return "".join(
        c if c.isprintable() and unicodedata.category(c) not in ("Cf", "Zl", "Zp") else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


class GenerationFailed(Exception):
    """Raised to stop the pipeline; the collector already holds the reasons."""


# Resolves a JSON pointer to (file, line) lazily: line maps are only built when a
# diagnostic is actually reported, so the common clean run never pays for them.
Locator = Callable[[str], tuple[str, int]]


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)
    locator: Locator | None = None

    def add(
        self, code: str, level: Level, message: str, pointer: str = "", file: str = "", line: int = 0
    ) -> None:
        self.items.append(Diagnostic(code, level, message, pointer, file, line))

    def error(self, code: str, message: str, pointer: str = "") -> None:
        self.add(code, Level.ERROR, message, pointer)

    def warning(self, code: str, message: str, pointer: str = "") -> None:
        self.add(code, Level.WARNING, message, pointer)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.items.extend(items)

    @property
    def has_errors(self) -> bool:
        return any(d.level is Level.ERROR for d in self.items)

    def fails(self, strict: bool) -> bool:
        return self.has_errors or (strict and bool(self.items))

    def located(self) -> list[Diagnostic]:
        """Fill in file:line from the locator, deduplicate and sort."""
        out: set[Diagnostic] = set()
        for d in self.items:
            if not d.file and self.locator is not None:
                try:
                    file, line = self.locator(d.pointer)
                except Exception:  # a locator failure must never hide the diagnostic
                    file, line = "", 0
                d = Diagnostic(d.code, d.level, d.message, d.pointer, file, line)
            out.add(d)
        return sorted(out, key=Diagnostic.sort_key)

    def report(self) -> str:
        located = self.located()
        lines = [d.render() for d in located]
        # the count is of what is printed (a finding reported twice is one), so a run and
        # its replay from the stamp (which keeps the located list) read alike
        errors = sum(1 for d in located if d.level is Level.ERROR)
        warnings = len(located) - errors
        if lines:
            lines.append(f"{errors} error(s), {warnings} warning(s)")
        return "\n".join(lines)


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, *tokens: object) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


def is_index(token: str) -> bool:
    """Whether a pointer token indexes an array: ASCII digits only (`str.isdigit` also
    takes "²", which int() refuses, and "١", which it reads as 1)."""
    return token.isascii() and token.isdigit()


def pointer_tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
