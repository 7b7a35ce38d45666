"""The committed client is clean under mypy --strict, pyright strict and stubtest, and
the checkers flag wrong calls (negative tests)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

GENERATED = ROOT / "generated"
PACKAGE = "beam_api"
USAGE = ROOT / "tests" / "usage" / "beam_usage.py"
NEGATIVE = ROOT / "tests" / "usage" / "beam_negative.py"
BIN = Path(sys.executable).parent


def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def mypy(*targets: str | Path, cwd: Path = ROOT, path: Path = GENERATED) -> subprocess.CompletedProcess[str]:
    return run(
        sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
        "--cache-dir", os.devnull, *targets, env={"MYPYPATH": str(path)}, cwd=cwd,
    )


def marked_lines(path: Path) -> set[int]:
    return {i for i, line in enumerate(path.read_text().splitlines(), 1) if line.rstrip().endswith("# E")}


def test_mypy_strict_on_stubs() -> None:
    result = mypy("-p", PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_usage() -> None:
    result = mypy(USAGE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_module_bodies(tmp_path: Path) -> None:
    # With a .pyi beside each module mypy reads only the stubs; check the bodies alone.
    shutil.copytree(GENERATED / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("*.pyi"))
    result = mypy("-p", PACKAGE, cwd=tmp_path, path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_generator_itself() -> None:
    result = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, "generator")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_flags_every_wrong_call() -> None:
    result = mypy(NEGATIVE)
    flagged = {int(m) for m in re.findall(rf"{NEGATIVE.name}:(\d+): error", result.stdout)}
    assert flagged == marked_lines(NEGATIVE), result.stdout


def test_stubtest_matches_runtime() -> None:
    result = run(
        sys.executable, "-m", "mypy.stubtest", PACKAGE,
        "--allowlist", ROOT / "tests" / "stubtest-allowlist.txt",
        env={"PYTHONPATH": str(GENERATED), "MYPYPATH": str(GENERATED)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def pyright(tmp_path: Path, *targets: Path, extra: Path = GENERATED) -> dict[str, object]:
    pyright_bin = shutil.which("pyright", path=str(BIN)) or shutil.which("pyright")
    if pyright_bin is None:
        pytest.fail("pyright is not installed (it is in the test extras)")
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.10",
                "extraPaths": [str(extra)],
                "venvPath": str(Path(sys.prefix).parent),
                "venv": Path(sys.prefix).name,
            }
        )
    )
    result = run(pyright_bin, "--outputjson", "-p", config, *targets)
    try:
        return json.loads(result.stdout)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not run: {result.stdout[-2000:]} {result.stderr[-2000:]}")


def test_pyright_strict_on_package_and_usage(tmp_path: Path) -> None:
    report = pyright(tmp_path, GENERATED / PACKAGE, USAGE)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]  # type: ignore[index, union-attr]
    assert errors == [], json.dumps(errors, indent=1)[:5000]


def test_pyright_flags_every_wrong_call(tmp_path: Path) -> None:
    report = pyright(tmp_path, NEGATIVE)
    flagged = {
        d["range"]["start"]["line"] + 1  # type: ignore[index]
        for d in report["generalDiagnostics"]  # type: ignore[union-attr]
        if d["severity"] == "error"  # type: ignore[index]
    }
    assert flagged == marked_lines(NEGATIVE)


def test_strict_checkers_on_a_client_without_operations_or_models(tmp_path: Path) -> None:
    """A document with webhooks only: the clients have no resources, and still name the
    `Self` their context managers return (it was imported with the resources only); the
    models module lists no names, and its stub keeps the empty `__all__` (pyright strict
    refuses `__all__: list[str] = ...`)."""
    from tests.helpers import generate

    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Hooks", "version": "1"},
        "webhooks": {"ping": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                                       "responses": {"200": {"description": "ok"}}}}},
    }
    run, out = generate(tmp_path, spec, package="hooks")
    assert run.code == 0, run.stderr
    for folder in (out, tmp_path / "bodies"):
        if folder != out:
            shutil.copytree(out / "hooks", folder / "hooks", ignore=shutil.ignore_patterns("*.pyi"))
        result = mypy("-p", "hooks", cwd=folder, path=folder)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "__all__: list[str] = []" in (out / "hooks" / "models.pyi").read_text()
    report = pyright(tmp_path, out / "hooks", extra=out)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]  # type: ignore[index, union-attr]
    assert errors == [], json.dumps(errors, indent=1)[:5000]
