"""The stages in order: load -> validate -> model -> render -> format (-> write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import DISABLED, Cache, recording_reads
from .config import Config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .format import format_files
from .load import load
from .model.build import build_api
from .model.operation import Api
from .overlay import apply_overlays
from .render import OutputFile, load_template_set, render
from .revisions import derive
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
    return load_and_build(spec_path, config, diagnostics, tolerant=tolerant, cache=cache)[1]


def load_and_build(
    spec_path: Path, config: Config, diagnostics: Diagnostics, *, tolerant: bool = True, cache: Cache = DISABLED
) -> tuple[Any, Api]:
    """The loaded document and its IR."""
    document = load(spec_path, diagnostics)
    apply_overlays(document, config.overlays, diagnostics, strict=config.strict)
    if not validate(document.data, diagnostics, tolerant=tolerant, cache=cache):
        raise GenerationFailed
    try:
        api = build_api(document.data, config, diagnostics)
    except RecursionError:
        diagnostics.add("too-deep", Level.ERROR, "schemas nest too deeply to model", "")
        raise GenerationFailed from None
    if diagnostics.has_errors:
        raise GenerationFailed
    return document.data, api


def generate_files(config: Config, diagnostics: Diagnostics, *, cache: Cache = DISABLED) -> Result:
    """Everything up to, not including, writing. Raises GenerationFailed with reasons
    recorded in `diagnostics`."""
    with recording_reads() as reads:
        templates = load_template_set(config.templates, diagnostics)
        data, api = load_and_build(config.spec, config, diagnostics, tolerant=not config.strict, cache=cache)
        # Version and changelog come from the revision recorded in the output folder.
        api, record = derive(data, api, config, diagnostics)
        files = render(api, diagnostics, connect_timeout=config.connect_timeout, templates=templates)
    return Result(api, [*format_files(files, diagnostics, cache=cache), record], reads)
