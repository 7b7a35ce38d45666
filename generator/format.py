"""Stage 5: black, in process, with one pinned mode; plus the `.pyi` beside each module."""

from __future__ import annotations

import black

from .diagnostics import Diagnostics, GenerationFailed, Level
from .imports import prune_imports
from .render import OutputFile
from .stubs import StubError, derive_stub

TARGET_VERSIONS = frozenset({black.TargetVersion.PY310})
MODE = black.Mode(target_versions=set(TARGET_VERSIONS), line_length=100)
STUB_MODE = black.Mode(target_versions=set(TARGET_VERSIONS), line_length=100, is_pyi=True)


def format_source(text: str, *, stub: bool = False) -> str:
    try:
        return black.format_str(text, mode=STUB_MODE if stub else MODE)
    except black.NothingChanged:  # pragma: no cover - format_str does not raise it
        return text


def _line_of(exc: Exception) -> int:
    import re

    match = re.search(r"(\d+):(\d+)", str(exc))
    return int(match.group(1)) if match else 0


def format_files(files: list[OutputFile], diagnostics: Diagnostics, *, stubs: bool = True) -> list[OutputFile]:
    """Format every Python file and add its stub; a file black cannot parse is an error
    naming the template output and line (the template produced invalid Python)."""
    out: list[OutputFile] = []
    for f in files:
        if not f.is_python:
            out.append(f)
            continue
        try:
            formatted = format_source(prune_imports(f.content))
        except Exception as exc:
            diagnostics.add(
                "render-invalid-python",
                Level.ERROR,
                f"rendered {f.path} is not valid Python: {str(exc).splitlines()[0][:300]}",
                file=f.path,
                line=_line_of(exc),
            )
            raise GenerationFailed from None
        out.append(OutputFile(f.path, formatted))
        if stubs:
            try:
                stub = format_source(prune_imports(derive_stub(formatted)), stub=True)
            except (StubError, SyntaxError) as exc:
                diagnostics.add("stub", Level.ERROR, f"cannot derive a stub for {f.path}: {exc}", file=f.path)
                raise GenerationFailed from None
            out.append(OutputFile(f.path + "i", stub))
    return sorted(out, key=lambda f: f.path)
