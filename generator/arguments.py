"""The command line's arguments.

Building argparse's parser and parsing with it took 5-7 ms of each run: importing it,
and the `gettext`, `locale` and `shutil` it imports to translate its messages and to
measure the terminal. `read` takes the common command lines of `generate` and `check`
(exact option names, each value its own argument, none starting with "-") without
argparse, as argparse would read them (tests/test_arguments.py compares the two); any
other command line, and every mistake, is argparse's to read and to report.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable, Union

from .cache import DISABLED, Cache, default_root, find_pyproject

if TYPE_CHECKING:
    import argparse

Arguments = Union[SimpleNamespace, "argparse.Namespace"]

# The options of `generate` and `check`, by what argparse stores them as.
_SWITCHES = {"--strict": "strict", "--no-cache": "no_cache", "--full-black": "full_black"}
_VALUES = {"-o": "output", "--output": "output", "--package": "package", "--cache-dir": "cache_dir"}
_PATH_VALUES = {"output", "cache_dir"}
_REPEATED = {"--overlay": "overlays", "--templates": "templates"}


def read(argv: list[str], description: str | None) -> Arguments:
    """The arguments of `argv` (argparse exits on a mistake, as it does)."""
    quick = _quick(argv)
    return quick if quick is not None else _parser(description).parse_args(argv)


def pyproject_of(args: Arguments) -> Path | None:
    """The config the arguments name, else the nearest pyproject.toml."""
    return args.config if args.config else find_pyproject(Path.cwd())


def cache_of(args: Arguments) -> Cache:
    """The cache folder the arguments name (DISABLED with --no-cache)."""
    if args.no_cache:
        return DISABLED
    if args.cache_dir is not None:
        return Cache(args.cache_dir)
    pyproject = pyproject_of(args)
    return Cache(default_root(pyproject.parent if pyproject is not None else None))


def _plain(value: str) -> bool:
    """A value argparse takes as it is, whatever the parser holds."""
    return bool(value) and not value.startswith("-")


def _quick(argv: list[str]) -> SimpleNamespace | None:
    rest = list(argv)
    config = None
    if rest[:1] == ["--config"]:
        if len(rest) < 2 or not _plain(rest[1]):
            return None
        config, rest = Path(rest[1]), rest[2:]
    if not rest or rest[0] not in ("generate", "check"):
        return None
    values: dict[str, Any] = dict(
        config=config, command=rest[0], spec=None, strict=None, overlays=[], no_cache=False, full_black=None,
        cache_dir=None, output=None, package=None, templates=[],
    )
    spec_given = False
    at = 1
    while at < len(rest):
        token = rest[at]
        if token in _SWITCHES:
            values[_SWITCHES[token]] = True
            at += 1
        elif token in _VALUES or token in _REPEATED:
            if at + 1 >= len(rest) or not _plain(rest[at + 1]):
                return None
            value = rest[at + 1]
            if token in _REPEATED:
                values[_REPEATED[token]].append(Path(value))
            else:
                name = _VALUES[token]
                values[name] = Path(value) if name in _PATH_VALUES else value
            at += 2
        elif _plain(token) and not spec_given:
            values["spec"], spec_given = Path(token), True
            at += 1
        else:
            return None
    return SimpleNamespace(**values)


def _parser(description: str | None) -> argparse.ArgumentParser:
    import argparse

    class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
        """Subcommands whose own arguments are added once the command is chosen: adding
        those of every command took about 2 ms more of each run."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.arguments: dict[str, Callable[[argparse.ArgumentParser], None]] = {}

        def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
            chosen = self._name_parser_map.get(values[0]) if values else None
            add = self.arguments.pop(values[0], None) if values else None
            if chosen is not None and add is not None:
                add(chosen)
            super().__call__(parser, namespace, values, option_string)

    parser = argparse.ArgumentParser(prog="python -m generator", description=description)
    parser.add_argument("--config", type=Path, help="pyproject.toml with [tool.generator] (default: nearest)")
    parser.register("action", "parsers", _Commands)
    sub = parser.add_subparsers(dest="command", required=True)
    assert isinstance(sub, _Commands)

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
        p.add_argument("--no-cache", action="store_true", help="read and write no cache (a cold run)")
        p.add_argument(
            "--full-black",
            action="store_true",
            default=None,
            help="run black over all output, even what templates render in black's style",
        )
        p.add_argument(
            "--cache-dir",
            type=Path,
            help="cache folder (default: $GENERATOR_CACHE_DIR, else .cache/generator/ beside pyproject.toml)",
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

    def generate(p: argparse.ArgumentParser) -> None:
        common(p)
        p.add_argument("-o", "--output", type=Path, help="output folder")
        p.add_argument("--package", help="package name (default: from the spec title)")
        templates(p)

    def check(p: argparse.ArgumentParser) -> None:
        common(p)
        p.add_argument("-o", "--output", type=Path, help="output folder")
        p.add_argument("--package", help="package name")
        templates(p)

    def diff(p: argparse.ArgumentParser) -> None:
        p.add_argument("old", type=Path, help="the earlier revision")
        p.add_argument("new", type=Path, help="the later revision")
        p.add_argument("--format", choices=("text", "json"), default="text", help="report format")

    sub.add_parser("generate", help="generate the client into the output folder")
    sub.add_parser("check", help="exit 1 with a diff when the output folder is stale")
    sub.add_parser("validate", help="report diagnostics only")
    sub.add_parser(
        "diff",
        help="classify the changes between two revisions; exit 1 when any is breaking",
        description="OLD and NEW are spec files, or a generated folder (its recorded spec).",
    )
    sub.arguments.update(generate=generate, check=check, validate=lambda p: common(p, spec_required=True), diff=diff)
    return parser
