"""The stages in order: load -> validate -> model -> render -> format (-> write)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .format import format_files
from .load import load
from .model.build import build_api
from .model.operation import Api
from .overlay import apply_overlays
from .render import OutputFile, load_template_set, render
from .validate import validate


@dataclass
class Result:
    api: Api
    files: list[OutputFile]


def build_ir(spec_path: Path, config: Config, diagnostics: Diagnostics, *, tolerant: bool = True) -> Api:
    document = load(spec_path, diagnostics)
    apply_overlays(document, config.overlays, diagnostics, strict=config.strict)
    if not validate(document.data, diagnostics, tolerant=tolerant):
        raise GenerationFailed
    try:
        api = build_api(document.data, config, diagnostics)
    except RecursionError:
        diagnostics.add("too-deep", Level.ERROR, "schemas nest too deeply to model", "")
        raise GenerationFailed from None
    if diagnostics.has_errors:
        raise GenerationFailed
    return api


def generate_files(config: Config, diagnostics: Diagnostics) -> Result:
    """Everything up to, not including, writing. Raises GenerationFailed with reasons
    recorded in `diagnostics`."""
    templates = load_template_set(config.templates, diagnostics)
    api = build_ir(config.spec, config, diagnostics, tolerant=not config.strict)
    files = render(api, diagnostics, connect_timeout=config.connect_timeout, templates=templates)
    return Result(api, format_files(files, diagnostics))
