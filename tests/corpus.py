"""Generate every document of a corpus folder and check what comes out.

    python -m tests.corpus [DIR] [--jobs N] [--only SUBSTRING ...] [--keep FOLDER]

For each document (a file, or the root file of a multi-file tree): run the generator in a
subprocess, import the result in a fresh interpreter, and run mypy on the generated
runtime modules (the `.pyi` stubs removed, so the implementation itself is checked) in
the default mode and with `--strict`. Prints one row per document, then totals; exits 1
when any document that generated fails to import or to type-check (non-strict).

A script, not a pytest test: the whole corpus takes minutes. `make corpus` runs it.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
PACKAGE = "corpus_client"
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
TIMEOUT = int(os.environ.get("CORPUS_TIMEOUT", "1800"))  # seconds per step and document
CACHE_ROOT = Path(tempfile.gettempdir()) / "corpus-mypy-cache"


@dataclass
class Row:
    name: str
    generated: bool = False
    exit_code: int = 0
    warnings: int = 0
    errors: int = 0
    cause: str = ""
    imported: bool | None = None
    import_error: str = ""
    mypy: int | None = None
    mypy_strict: int | None = None
    mypy_first: str = ""
    seconds: float = 0.0
    gen_seconds: float = 0.0
    files: int = 0

    @property
    def passed(self) -> bool:
        return self.generated and bool(self.imported) and self.mypy == 0


@dataclass
class Job:
    spec: Path
    name: str
    workdir: Path
    mypy: bool = True
    strict: bool = True
    extra: list[str] = field(default_factory=list)


def manifest_roots(corpus: Path) -> dict[str, str]:
    """Tree name -> root file, from MANIFEST.tsv beside the corpus folder (if any)."""
    manifest = corpus.parent / "MANIFEST.tsv"
    roots: dict[str, str] = {}
    if manifest.is_file():
        with manifest.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                parts = Path(row["file"]).parts
                if len(parts) == 3:  # dev/<tree>/<root file>
                    roots[parts[1]] = parts[2]
    return roots


def find_documents(corpus: Path) -> list[tuple[str, Path]]:
    roots = manifest_roots(corpus)
    found: list[tuple[str, Path]] = []
    for entry in sorted(corpus.iterdir()):
        if entry.is_file() and entry.suffix in SPEC_SUFFIXES:
            found.append((entry.name, entry))
        elif entry.is_dir():
            root = roots.get(entry.name)
            candidates = [entry / root] if root else sorted(
                p for p in entry.iterdir() if p.suffix in SPEC_SUFFIXES and _looks_like_root(p)
            )
            if candidates:
                found.append((entry.name, candidates[0]))
    return found


def _looks_like_root(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return bool(re.search(r'^\s*"?openapi"?\s*:', head, re.MULTILINE))


def _counts(stderr: str) -> tuple[int, int]:
    match = re.search(r"(\d+) error\(s\), (\d+) warning\(s\)\s*$", stderr)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error[" in line:
            return line.strip()[:240]
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1][:240] if lines else ""


def _mypy(folder: Path, strict: bool, cache: Path) -> tuple[int, str]:
    args = [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context",
            "--cache-dir", str(cache / ("strict" if strict else "default"))]
    if strict:
        args.append("--strict")
    proc = subprocess.run(
        [*args, PACKAGE], cwd=folder, capture_output=True, text=True, timeout=TIMEOUT
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    if proc.returncode not in (0, 1) and not errors:  # mypy itself failed
        return -1, (proc.stderr or proc.stdout).strip().splitlines()[-1:][0] if (proc.stderr or proc.stdout).strip() else "mypy crashed"
    return len(errors), errors[0] if errors else ""


def run_one(job: Job) -> Row:
    row = Row(job.name)
    start = time.perf_counter()
    out = job.workdir / "out"
    config = job.workdir / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "generator", "--config", str(config), "generate", str(job.spec),
             "-o", str(out), "--package", PACKAGE, *job.extra],
            capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=job.workdir,
        )
    except subprocess.TimeoutExpired:
        row.cause = f"generator timed out after {TIMEOUT} s"
        row.seconds = time.perf_counter() - start
        return row
    row.gen_seconds = time.perf_counter() - start
    row.exit_code = proc.returncode
    row.errors, row.warnings = _counts(proc.stderr)
    row.generated = proc.returncode == 0
    if not row.generated:
        row.cause = _first_error(proc.stderr) or f"exit {proc.returncode}"
        row.seconds = time.perf_counter() - start
        return row
    row.files = sum(1 for p in out.rglob("*.py"))
    imp = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}, {PACKAGE}.models, {PACKAGE}.resources, pkgutil, importlib\n"
         f"for m in pkgutil.iter_modules({PACKAGE}.resources.__path__):\n"
         f"    importlib.import_module('{PACKAGE}.resources.' + m.name)\n"
         f"{PACKAGE}.Client(token='t'); {PACKAGE}.AsyncClient(token='t')\n"],
        cwd=out, capture_output=True, text=True, timeout=TIMEOUT, env={**os.environ, "PYTHONPATH": ""},
    )
    row.imported = imp.returncode == 0
    if not row.imported:
        lines = [line for line in imp.stderr.strip().splitlines() if line.strip()]
        row.import_error = lines[-1][:240] if lines else f"exit {imp.returncode}"
    if job.mypy:
        checked = job.workdir / "checked"
        shutil.copytree(out, checked)
        for stub in checked.rglob("*.pyi"):
            stub.unlink()
        # One cache per worker process: the package changes per document, but httpx and
        # the standard library are checked once.
        cache = CACHE_ROOT / f"mypy-{os.getpid()}"
        row.mypy, row.mypy_first = _mypy(checked, False, cache)
        if job.strict:
            row.mypy_strict, first = _mypy(checked, True, cache)
            row.mypy_first = row.mypy_first or first
    row.seconds = time.perf_counter() - start
    return row


def _run_in_tmp(job: Job) -> Row:
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        job.workdir = Path(tmp)
        try:
            return run_one(job)
        except Exception as exc:  # a crash of the harness is a row, not a lost run
            return Row(job.name, cause=f"harness: {type(exc).__name__}: {exc}")


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def print_table(rows: list[Row], strict: bool) -> None:
    width = max(len(r.name) for r in rows) if rows else 10
    header = f"{'document':<{width}}  gen  warn  import  mypy  strict  seconds"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.name:<{width}}  {_cell(r.generated):>3}  {r.warnings:>4}  {_cell(r.imported):>6}  "
            f"{_cell(r.mypy):>4}  {_cell(r.mypy_strict if strict else None):>6}  {r.seconds:>7.1f}"
        )
    print("-" * len(header))
    total = len(rows)
    generated = sum(r.generated for r in rows)
    imported = sum(bool(r.imported) for r in rows)
    mypy_ok = sum(r.mypy == 0 for r in rows)
    strict_ok = sum(r.mypy_strict == 0 for r in rows)
    passed = sum(r.passed for r in rows)
    print(
        f"{'TOTAL ' + str(total):<{width}}  {generated:>3}  {sum(r.warnings for r in rows):>4}  "
        f"{imported:>6}  {mypy_ok:>4}  {strict_ok if strict else '-':>6}  {sum(r.seconds for r in rows):>7.1f}"
    )
    print(
        f"\n{passed}/{total} documents generate, import and pass mypy "
        f"({100 * passed / total if total else 0:.1f} %); {strict_ok}/{total} pass mypy --strict"
    )
    problems = [r for r in rows if not r.passed]
    if problems:
        print("\nNot passing:")
        for r in problems:
            if not r.generated:
                print(f"  {r.name}: not generated (exit {r.exit_code}): {r.cause}")
            elif not r.imported:
                print(f"  {r.name}: IMPORT FAILS: {r.import_error}")
            else:
                print(f"  {r.name}: mypy {r.mypy} error(s), first: {r.mypy_first}")
    strict_fail = [r for r in rows if r.passed and strict and r.mypy_strict]
    if strict_fail:
        print("\nPassing mypy but not --strict:")
        for r in strict_fail:
            print(f"  {r.name}: {r.mypy_strict} error(s), first: {r.mypy_first}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, default=2, help="parallel documents (default 2)")
    parser.add_argument("--only", nargs="*", default=[], help="documents whose name contains any of these")
    parser.add_argument("--no-mypy", action="store_true", help="skip the mypy runs")
    parser.add_argument("--no-strict", action="store_true", help="skip the mypy --strict run")
    parser.add_argument("--largest-first", action="store_true", help="start with the largest documents")
    args = parser.parse_args(argv)
    documents = find_documents(args.corpus)
    if args.only:
        documents = [(n, p) for n, p in documents if any(s in n for s in args.only)]
    if not documents:
        print(f"no documents under {args.corpus}", file=sys.stderr)
        return 2
    order = -1 if args.largest_first else 1
    documents.sort(key=lambda d: order * _size(args.corpus / d[0]))
    jobs = [Job(p.resolve(), n, Path("."), mypy=not args.no_mypy, strict=not args.no_strict) for n, p in documents]
    rows: list[Row] = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for row in pool.map(_run_in_tmp, jobs):
            rows.append(row)
            status = "ok" if row.passed else ("not generated" if not row.generated else "FAIL")
            print(
                f"  {status:<13} {row.name} ({row.seconds:.1f} s; warnings {row.warnings}, mypy {_cell(row.mypy)}, "
                f"strict {_cell(row.mypy_strict)}) {row.cause or row.import_error or row.mypy_first}",
                file=sys.stderr,
                flush=True,
            )
    rows.sort(key=lambda r: r.name)
    print_table(rows, strict=not args.no_strict and not args.no_mypy)
    bad = [r for r in rows if r.generated and not r.passed]
    return 1 if bad else 0


def _size(entry: Path) -> int:
    if entry.is_dir():
        return sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
    return entry.stat().st_size


if __name__ == "__main__":
    sys.exit(main())
