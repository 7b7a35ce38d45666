"""CLI: `python -m generator generate|check|validate|diff`. Exit 0 ok, 1 stale (or, for
diff, breaking), 2 bad input."""

from __future__ import annotations

import sys

if __name__ == "__main__":  # before the rest is imported (see early.py)
    from .early import start

    start(sys.argv[1:])

import json
import os
from pathlib import Path
from typing import Any, Callable, NoReturn

from . import arguments, dataclass_code, regex_code
from .cache import DISABLED, Cache, ConfigTables, default_root, fresh_stamp, record_stamp
from .config import Config, ConfigError, find_pyproject, load_config
from .diagnostics import Diagnostics, GenerationFailed, Level

# The stages are imported when a command needs them: an unchanged-spec `check` is
# answered from the cache's stamp without loading black, Jinja or the validator.

OK, STALE, BAD_INPUT = 0, 1, 2


def _pyproject(args: arguments.Arguments) -> Path | None:
    return args.config if args.config else find_pyproject(Path.cwd())


def _config(args: arguments.Arguments, cache: Cache = DISABLED) -> Config:
    config = load_config(_pyproject(args), ConfigTables(cache) if cache.enabled else None)
    return config.with_overrides(
        spec=getattr(args, "spec", None),
        output=getattr(args, "output", None),
        package=getattr(args, "package", None),
        strict=getattr(args, "strict", None),
        full_black=getattr(args, "full_black", None),
        templates=config.templates + tuple(getattr(args, "templates", None) or []) or None,
        overlays=config.overlays + tuple(getattr(args, "overlays", None) or []) or None,
    )


def _cache(args: arguments.Arguments) -> Cache:
    if args.no_cache:
        return DISABLED
    if args.cache_dir is not None:
        return Cache(args.cache_dir)
    pyproject = _pyproject(args)
    return Cache(default_root(pyproject.parent if pyproject is not None else None))


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


def _compiled_from(cache: Cache) -> None:
    """Once the pipeline runs: what it would compile as its modules are imported (the
    dataclasses' methods, the regular expressions) is taken from the cache."""
    dataclass_code.use(cache)
    regex_code.use(cache)


def cmd_generate(config: Config, diagnostics: Diagnostics, cache: Cache = DISABLED) -> int:
    stamp = _from_stamp(config, diagnostics, cache)
    if stamp is not None:
        print(f"{config.output}: 0 file(s) changed, {stamp.get('generated', 0)} generated")
        return OK
    _compiled_from(cache)
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
        _left_to_exit(result)
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
    _compiled_from(cache)
    from .pipeline import generate_files

    result = generate_files(config, diagnostics, cache=cache)
    _left_to_exit(result)
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


def main(argv: list[str] | None = None) -> int:
    args = arguments.read(sys.argv[1:] if argv is None else argv, __doc__)
    diagnostics = Diagnostics()
    try:
        if args.command == "diff":
            code = cmd_diff(_config(args), diagnostics, args.old, args.new, args.format)
        else:
            cache = _cache(args)
            config = _config(args, cache)
            try:
                code = COMMANDS[args.command](config, diagnostics, cache)
            finally:
                dataclass_code.keep(cache)
                regex_code.keep(cache)
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
    _left_to_exit(diagnostics)  # (it holds the document: see load.load)
    return code


# What a run built, when the process leaves by `_leave`: kept to the end, the heap is
# not torn down as each command and `main` return (a large spec's IR, texts and data).
_left: list[Any] | None = None


def _left_to_exit(value: Any) -> None:
    if _left is not None:
        _left.append(value)


def _leave(code: int) -> NoReturn:
    """Exit without tearing the heap down object by object, as mypy does: a large spec's
    data, IR and texts take a tenth of a second to free, for nothing. Everything the run
    writes is closed by now; only the standard streams need flushing."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # as the interpreter's own exit reports an unflushable stream
        code = code or 120
    os._exit(code)


def cli() -> NoReturn:
    """The command line (`python -m generator`, and the installed script)."""
    from . import early

    early.collect_rarely()
    early.start(sys.argv[1:])  # (the installed script's: `python -m` forked it already)
    global _left
    _left = []
    try:
        code = main()
    finally:
        early.cancel()
    _leave(code)


if __name__ == "__main__":
    cli()
