"""The commands: `generate`, `check`, `validate` and `diff` (see __main__ for the
command line). Imported once the run has taken the compiled code it keeps in the cache
(class_code.py): the dataclasses here and in what this imports are made with it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

from . import arguments, regex_code
from .cache import DISABLED, Cache, ConfigTables, fresh_stamp, record_stamp
from .config import Config, ConfigError, load_config
from .diagnostics import Diagnostics, GenerationFailed, Level

# The stages are imported when a command needs them: an unchanged-spec `check` is
# answered from the cache's stamp without loading black, Jinja or the validator.

OK, STALE, BAD_INPUT = 0, 1, 2


def _config(args: arguments.Arguments, cache: Cache = DISABLED) -> Config:
    config = load_config(arguments.pyproject_of(args), ConfigTables(cache) if cache.enabled else None)
    return config.with_overrides(
        spec=getattr(args, "spec", None),
        output=getattr(args, "output", None),
        package=getattr(args, "package", None),
        strict=getattr(args, "strict", None),
        full_black=getattr(args, "full_black", None),
        templates=config.templates + tuple(getattr(args, "templates", None) or []) or None,
        overlays=config.overlays + tuple(getattr(args, "overlays", None) or []) or None,
    )


def _report(diagnostics: Diagnostics) -> None:
    text = diagnostics.report()
    if text:
        print(text, file=sys.stderr)


def _replay(stamp: dict[str, object], diagnostics: Diagnostics) -> bool:
    """Report the diagnostics of the run that recorded `stamp` (they are the same);
    False, reporting none, when they are not as `_record` writes them (a damaged stamp)."""
    recorded: Any = stamp.get("diagnostics") or []
    replayed = []
    try:
        for code, level, message, pointer, file, line in recorded:
            if not (all(type(v) is str for v in (code, message, pointer, file)) and type(line) is int):
                return False
            replayed.append((code, Level(level), message, pointer, file, line))
    except (TypeError, ValueError):
        return False
    for item in replayed:
        diagnostics.add(*item)
    return True


def _record(cache: Cache, config: Config, result: object, diagnostics: Diagnostics, written: dict[str, str] | None = None) -> None:
    from .render import StoredOutput
    from .write import with_manifest

    files = with_manifest(result.files)  # type: ignore[attr-defined]
    located = [[d.code, d.level.value, d.message, d.pointer, d.file, d.line] for d in diagnostics.located()]
    digested = dict(written or {})
    for f in files:
        if isinstance(f, StoredOutput):
            digested.setdefault(f.path, f.digest)
    outputs = [(f.path, "" if f.path in digested else f.content) for f in files]  # (a digest known: not read)
    record_stamp(cache, config, result.reads, outputs, located, len(result.files), digested)  # type: ignore[attr-defined]


def _from_stamp(config: Config, diagnostics: Diagnostics, cache: Cache) -> dict[str, object] | None:
    """The recorded run, when nothing it read has changed since (its diagnostics are
    replayed); None when the pipeline has to run."""
    stamp = fresh_stamp(cache, config)
    if stamp is None or not _replay(stamp, diagnostics):
        return None
    if diagnostics.fails(config.strict):
        diagnostics.items.clear()
        return None
    return stamp


def _pipeline_runs(cache: Cache) -> None:
    """The stamp missed: the regular expressions compiled from now on (PyYAML's, Jinja's,
    the stages') take their programs from the cache (an unchanged-spec run compiles two)."""
    regex_code.use(cache)


def cmd_generate(config: Config, diagnostics: Diagnostics, cache: Cache = DISABLED) -> int:
    stamp = _from_stamp(config, diagnostics, cache)
    if stamp is not None:
        print(f"{config.output}: 0 file(s) changed, {stamp.get('generated', 0)} generated")
        return OK
    _pipeline_runs(cache)
    from .pipeline import generate_files

    # (the later stages, `write` among them, are imported once the run has forked its
    # validator: see pipeline.py)
    written: dict[str, str] = {}
    prepared: list[Any] = []

    def prepare(files: list[Any]) -> None:
        """Write the changed files beside their targets while the validator finishes."""
        from .cache import known_digest
        from .write import prepare_write

        # (a file the last run's stamp knows unchanged is not read to compare it)
        on_disk = (lambda path: known_digest(config, config.output / path)) if cache.enabled else None
        prepared.append(prepare_write(config.output, files, written if cache.enabled else None, on_disk))

    try:
        result = generate_files(config, diagnostics, cache=cache, before_verdict=prepare)
        _hold(result)
    except BaseException:
        for write in prepared:
            write.abandon()
        raise
    try:
        if diagnostics.fails(config.strict):
            for write in prepared:
                write.abandon()
            return BAD_INPUT
        if not prepared:
            prepare(result.files)
        changed = prepared[0].commit()
        _record(cache, config, result, diagnostics, written)
    finally:
        result.finish()
    print(f"{config.output}: {len(changed)} file(s) changed, {len(result.files)} generated")
    return OK


def cmd_check(config: Config, diagnostics: Diagnostics, cache: Cache = DISABLED) -> int:
    if _from_stamp(config, diagnostics, cache) is not None:
        print(f"{config.output} is up to date")
        return OK
    _pipeline_runs(cache)
    from .pipeline import generate_files

    result = generate_files(config, diagnostics, cache=cache)
    _hold(result)
    try:
        if diagnostics.fails(config.strict):
            return BAD_INPUT
        from .write import diff_tree

        diff = diff_tree(config.output, result.files)
        if diff:
            sys.stdout.write(diff)
            print(f"\n{config.output} is stale: run `make generate`", file=sys.stderr)
            return STALE
        _record(cache, config, result, diagnostics)
    finally:
        result.finish()
    print(f"{config.output} is up to date")
    return OK


def cmd_validate(config: Config, diagnostics: Diagnostics, cache: Cache = DISABLED) -> int:
    from .load import load
    from .validate import validate

    document = load(config.spec, diagnostics)
    from .overlay import apply_overlays

    apply_overlays(document, config.overlays, diagnostics, strict=config.strict)
    if validate(document.data, diagnostics, tolerant=False, cache=cache) and not diagnostics.has_errors:
        # Modelling finds what only matters to a generator: names, depth, reachability.
        from .model.build import build_api

        build_api(document.data, config, diagnostics)
    if diagnostics.fails(config.strict):
        return BAD_INPUT
    print(f"{config.spec}: valid")
    return OK


def cmd_diff(config: Config, diagnostics: Diagnostics, old: Path, new: Path, fmt: str) -> int:
    from .diff import diff_apis
    from .revisions import api_from

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


COMMANDS: dict[str, Callable[[Config, Diagnostics, Cache], int]] = {
    "generate": cmd_generate,
    "check": cmd_check,
    "validate": cmd_validate,
}


def _internal_error(diagnostics: Diagnostics, exc: BaseException) -> None:
    import traceback  # only here: an unchanged-spec `check` does without it

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/generator/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    diagnostics.add(
        "internal-error",
        Level.ERROR,
        f"internal error in the generator ({where}): {type(exc).__name__}: {str(exc)[:300]}",
    )


# Given what a run built, to keep it to the process's exit (see `run`).
_hold: Callable[[Any], None] = lambda value: None


def run(
    args: arguments.Arguments, cache: Cache, hold: Callable[[Any], None] | None = None, failed: Exception | None = None
) -> int:
    """Run the command `args` name (`cache`: the folder they name, see arguments.cache_of);
    `hold` is given what the run built, to keep to the process's exit (see __main__);
    `failed`: what naming the cache folder raised, reported as the command's own errors."""
    global _hold
    _hold = hold or (lambda value: None)
    diagnostics = Diagnostics()
    try:
        if failed is not None:
            raise failed
        if args.command == "diff":
            code = cmd_diff(_config(args), diagnostics, args.old, args.new, args.format)
        else:
            config = _config(args, cache)
            code = COMMANDS[args.command](config, diagnostics, cache)
    except ConfigError as exc:
        diagnostics.add("config", Level.ERROR, str(exc))
        code = BAD_INPUT
    except GenerationFailed:
        code = BAD_INPUT
    except RecursionError as exc:
        diagnostics.add("too-deep", Level.ERROR, f"input nests too deeply: {exc}")
        code = BAD_INPUT
    except Exception as exc:  # never a traceback: an internal error is a diagnostic too
        if type(exc).__name__ == "WriteError" and type(exc).__module__ == "generator.write":
            diagnostics.add("write", Level.ERROR, str(exc))
        else:
            _internal_error(diagnostics, exc)
        code = BAD_INPUT
    _report(diagnostics)
    _hold(diagnostics)  # (it holds the document: see load.load)
    return code
