"""CLI: `python -m generator generate|check|validate|diff`. Exit 0 ok, 1 stale (or, for
diff, breaking), 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Callable

from .config import Config, ConfigError, find_pyproject, load_config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .diff import diff_apis
from .load import load
from .overlay import apply_overlays
from .pipeline import generate_files
from .revisions import api_from
from .validate import validate
from .write import WriteError, diff_tree, write_tree

OK, STALE, BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--config", type=Path, help="pyproject.toml with [tool.generator] (default: nearest)")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, spec_required: bool = False) -> None:
        p.add_argument("spec", nargs=None if spec_required else "?", type=Path, help="the OpenAPI document")
        p.add_argument("--strict", action="store_true", default=None, help="warnings fail the run")
        p.add_argument(
            "--overlay",
            dest="overlays",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="an OpenAPI Overlay 1.0 document applied to the spec first (repeatable; after those in the config)",
        )

    def templates(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--templates",
            action="append",
            type=Path,
            default=[],
            metavar="DIR",
            help="a template overlay folder (repeatable; later ones win, all over those in the config)",
        )

    gen = sub.add_parser("generate", help="generate the client into the output folder")
    common(gen)
    gen.add_argument("-o", "--output", type=Path, help="output folder")
    gen.add_argument("--package", help="package name (default: from the spec title)")
    templates(gen)
    chk = sub.add_parser("check", help="exit 1 with a diff when the output folder is stale")
    common(chk)
    chk.add_argument("-o", "--output", type=Path, help="output folder")
    chk.add_argument("--package", help="package name")
    templates(chk)
    val = sub.add_parser("validate", help="report diagnostics only")
    common(val, spec_required=True)
    dif = sub.add_parser(
        "diff",
        help="classify the changes between two revisions; exit 1 when any is breaking",
        description="OLD and NEW are spec files, or a generated folder (its recorded spec).",
    )
    dif.add_argument("old", type=Path, help="the earlier revision")
    dif.add_argument("new", type=Path, help="the later revision")
    dif.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    return parser


def _config(args: argparse.Namespace) -> Config:
    pyproject = args.config if args.config else find_pyproject(Path.cwd())
    config = load_config(pyproject)
    return config.with_overrides(
        spec=getattr(args, "spec", None),
        output=getattr(args, "output", None),
        package=getattr(args, "package", None),
        strict=getattr(args, "strict", None),
        templates=config.templates + tuple(getattr(args, "templates", None) or []) or None,
        overlays=config.overlays + tuple(getattr(args, "overlays", None) or []) or None,
    )


def _report(diagnostics: Diagnostics) -> None:
    text = diagnostics.report()
    if text:
        print(text, file=sys.stderr)


def cmd_generate(config: Config, diagnostics: Diagnostics) -> int:
    result = generate_files(config, diagnostics)
    if diagnostics.fails(config.strict):
        return BAD_INPUT
    changed = write_tree(config.output, result.files)
    print(f"{config.output}: {len(changed)} file(s) changed, {len(result.files)} generated")
    return OK


def cmd_check(config: Config, diagnostics: Diagnostics) -> int:
    result = generate_files(config, diagnostics)
    if diagnostics.fails(config.strict):
        return BAD_INPUT
    diff = diff_tree(config.output, result.files)
    if diff:
        sys.stdout.write(diff)
        print(f"\n{config.output} is stale: run `make generate`", file=sys.stderr)
        return STALE
    print(f"{config.output} is up to date")
    return OK


def cmd_validate(config: Config, diagnostics: Diagnostics) -> int:
    document = load(config.spec, diagnostics)
    apply_overlays(document, config.overlays, diagnostics, strict=config.strict)
    if validate(document.data, diagnostics, tolerant=False) and not diagnostics.has_errors:
        # Modelling finds what only matters to a generator: names, depth, reachability.
        from .model.build import build_api

        build_api(document.data, config, diagnostics)
    if diagnostics.fails(config.strict):
        return BAD_INPUT
    print(f"{config.spec}: valid")
    return OK


def cmd_diff(config: Config, diagnostics: Diagnostics, old: Path, new: Path, fmt: str) -> int:
    apis = []
    for path in (old, new):
        side = Diagnostics()
        try:
            apis.append(api_from(path, config, side))
        except GenerationFailed:
            diagnostics.extend(side.located())  # only a failing side's warnings matter
            raise
    report = diff_apis(apis[0], apis[1])
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(report.text())
    return STALE if report.breaking else OK


COMMANDS: dict[str, Callable[[Config, Diagnostics], int]] = {
    "generate": cmd_generate,
    "check": cmd_check,
    "validate": cmd_validate,
}


def _internal_error(diagnostics: Diagnostics, exc: BaseException) -> None:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/generator/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    diagnostics.add(
        "internal-error",
        Level.ERROR,
        f"internal error in the generator ({where}): {type(exc).__name__}: {str(exc)[:300]}",
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    diagnostics = Diagnostics()
    try:
        config = _config(args)
        if args.command == "diff":
            code = cmd_diff(config, diagnostics, args.old, args.new, args.format)
        else:
            code = COMMANDS[args.command](config, diagnostics)
    except ConfigError as exc:
        diagnostics.add("config", Level.ERROR, str(exc))
        code = BAD_INPUT
    except (GenerationFailed, WriteError) as exc:
        if isinstance(exc, WriteError):
            diagnostics.add("write", Level.ERROR, str(exc))
        code = BAD_INPUT
    except RecursionError as exc:
        diagnostics.add("too-deep", Level.ERROR, f"input nests too deeply: {exc}")
        code = BAD_INPUT
    except Exception as exc:  # never a traceback: an internal error is a diagnostic too
        _internal_error(diagnostics, exc)
        code = BAD_INPUT
    _report(diagnostics)
    return code


if __name__ == "__main__":
    sys.exit(main())
