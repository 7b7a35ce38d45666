"""The stages in order: load -> validate -> model -> render -> format (-> write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .cache import DISABLED, Cache, recording_reads
from .config import Config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .format import format_files
from .load import load
from .model.build import build_api
from .model.operation import Api
from .render import OutputFile, render
from .validate import validate


@dataclass
class Result:
    api: Api
    files: list[OutputFile]
    # every file the run read (spec, referenced files, templates): its inputs
    reads: set[str] = field(default_factory=set)


def build_ir(
    spec_path: Path, config: Config, diagnostics: Diagnostics, *, tolerant: bool = True, cache: Cache = DISABLED
) -> Api:
    document = load(spec_path, diagnostics)
    if not validate(document.data, diagnostics, tolerant=tolerant, cache=cache):
        raise GenerationFailed
    try:
        api = build_api(document.data, config, diagnostics)
    except RecursionError:
        diagnostics.add("too-deep", Level.ERROR, "schemas nest too deeply to model", "")
        raise GenerationFailed from None
    if diagnostics.has_errors:
        raise GenerationFailed
    return api


def generate_files(config: Config, diagnostics: Diagnostics, *, cache: Cache = DISABLED) -> Result:
    """Everything up to, not including, writing. Raises GenerationFailed with reasons
    recorded in `diagnostics`."""
    with recording_reads() as reads:
        api = build_ir(config.spec, config, diagnostics, tolerant=not config.strict, cache=cache)
        files = render(api, diagnostics, connect_timeout=config.connect_timeout)
    return Result(api, format_files(files, diagnostics, cache=cache), reads)
