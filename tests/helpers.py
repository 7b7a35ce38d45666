"""Shared test helpers: run the generator in process, import what it wrote."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from generator.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BEAM_SPEC = ROOT / "specs" / "beam-cloud-openapi.yml"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> Run:
    """Run `python -m generator ARGS` in this process (fast) and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def run_cli_process(
    config: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator --config CONFIG ARGS` in a fresh process: its own forks,
    exit and buffered streams, as on a command line."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(config), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_spec(folder: Path, spec: dict[str, Any] | str, name: str = "openapi.yaml") -> Path:
    path = folder / name
    path.write_text(spec if isinstance(spec, str) else yaml.safe_dump(spec, sort_keys=False))
    return path


def minimal_spec(paths: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Test API", "version": "1.0"},
        "servers": [{"url": "http://example.invalid"}],
        "paths": paths if paths is not None else {},
    }
    spec.update(extra)
    return spec


def generate(
    tmp_path: Path, spec: dict[str, Any] | str, *extra_args: str, package: str = "client"
) -> tuple[Run, Path]:
    """Generate `spec` into tmp_path/out with an empty config; returns (run, out folder)."""
    spec_path = write_spec(tmp_path, spec)
    out = tmp_path / "out"
    config = tmp_path / "pyproject.toml"
    if not config.exists():
        config.write_text("[tool.generator]\n")
    run = run_cli("--config", config, "generate", spec_path, "-o", out, "--package", package, *extra_args)
    return run, out


@contextlib.contextmanager
def imported(out: Path, package: str = "client") -> Iterator[Any]:
    """Import a generated package from `out`, then forget it again. A package of that
    name imported before (the committed Beam client, say) is set aside meanwhile: else
    the import would return it instead."""

    def taken() -> dict[str, Any]:
        return {m: sys.modules.pop(m) for m in [m for m in sys.modules if m == package or m.startswith(package + ".")]}

    earlier = taken()
    sys.path.insert(0, str(out))
    try:
        importlib.invalidate_caches()
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        taken()
        sys.modules.update(earlier)


def import_in_subprocess(out: Path, package: str, code: str = "") -> subprocess.CompletedProcess[str]:
    """Import (and optionally exercise) a generated package in a fresh interpreter."""
    script = f"import {package}\n" + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=out, capture_output=True, text=True, timeout=120
    )


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


def script_facts(script: str, *args: str) -> dict[str, Any]:
    """Run `script` in a fresh interpreter (from the checkout) and read the JSON object
    it prints: for what changes a module for the whole process (class_code, regex_code)."""
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    facts = json.loads(done.stdout)
    assert isinstance(facts, dict)
    return facts


def cache_entries(root: Path, kind: str) -> list[Path]:
    """The entry files of `kind` in the cache folder `root`."""
    return sorted(p for p in (root / kind).rglob("*") if p.is_file())


def flip_a_bit(path: Path) -> None:
    """Damage a file as a disk might: one bit flipped, in the middle."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
