"""`python -m generator` leaves without tearing its heap down (os._exit): what it prints
still arrives whole, whatever its size, with the run's exit code."""

from __future__ import annotations

import os
import sys
import shutil
import subprocess
from pathlib import Path

from tests.helpers import BEAM_SPEC, run_cli_process, tree_bytes


def _cli(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.generator]\npackage = "beam_api"\n')
    # streams buffered as usual
    return run_cli_process(config, *args, env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"})


def test_output_and_exit_codes_survive_the_hard_exit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = tmp_path / "spec.yml"
    shutil.copy(BEAM_SPEC, spec)
    run = _cli(tmp_path, "generate", spec, "-o", out, "--no-cache")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{out}: ") and run.stdout.endswith(" generated\n")

    # a diff far larger than a pipe's buffer: stale output, exit 1
    edited = []
    for path in sorted(out.rglob("*.py*")):
        text = path.read_text()
        if text.upper() != text:
            path.write_text(text.upper())
            edited.append(path)
    run = _cli(tmp_path, "check", spec, "-o", out, "--no-cache")
    assert run.returncode == 1
    assert len(run.stdout) > 2**16
    assert sorted(line for line in run.stdout.splitlines() if line.startswith("+++ ")) == sorted(
        f"+++ b/{p.relative_to(out).as_posix()}" for p in edited
    )
    assert run.stdout.endswith("\n")
    assert "is stale" in run.stderr

    spec.write_text("openapi: 3.0.3\n")
    run = _cli(tmp_path, "generate", spec, "-o", out, "--no-cache")
    assert run.returncode == 2 and "error" in run.stderr and run.stdout == ""


def test_the_installed_script_is_the_command_line_with_its_collector_pace() -> None:
    """pyproject's script runs `cli`, as `python -m generator` does: the collector's
    rare pace and the hard exit (the code of a run with an unreadable config)."""
    import tomllib

    from tests.helpers import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["openapi-client-generator"] == "generator.__main__:cli"
    probe = (
        "import gc, sys\n"
        "import generator.__main__ as m\n"
        "def main(argv=None):\n"
        "    print(gc.get_threshold()[0]); return 3\n"
        "m.main = main\n"
        "m.cli()\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 3 and int(run.stdout) >= 100_000


def test_the_memos_for_the_next_run_are_written_before_the_command_returns(tmp_path: Path) -> None:
    """The keeper of the load and the build is waited for: once the command returns,
    its entries are there and the cache folder can go (nothing writes into it later);
    the next run takes them, and writes what a cold run writes."""
    import time

    out, cache = tmp_path / "out", tmp_path / "cache"
    spec = tmp_path / "spec.yml"
    shutil.copy(BEAM_SPEC, spec)
    run = _cli(tmp_path, "generate", spec, "-o", out, "--cache-dir", cache)
    assert run.returncode == 0, run.stderr
    assert all(any((cache / kind).rglob("*")) for kind in ("load", "model"))
    shutil.copytree(cache, tmp_path / "kept")
    shutil.rmtree(cache)
    time.sleep(0.5)  # (a writer left behind would have made the folder again by now)
    assert not cache.exists()
    shutil.move(tmp_path / "kept", cache)
    spec.write_text(spec.read_text().replace("summary: ", "summary: Edited ", 1))
    run = _cli(tmp_path, "generate", spec, "-o", out, "--cache-dir", cache)
    assert run.returncode == 0, run.stderr
    shutil.copytree(out, tmp_path / "cold")  # (its record then reads as this very spec's)
    cold = _cli(tmp_path, "generate", spec, "-o", tmp_path / "cold", "--no-cache")
    assert cold.returncode == 0 and cold.stderr == run.stderr.replace(str(out), str(tmp_path / "cold"))
    assert tree_bytes(out) == tree_bytes(tmp_path / "cold")


def test_a_working_folder_gone_is_a_diagnostic(tmp_path: Path) -> None:
    """With no --config nor --cache-dir, the cache folder is named from the working
    folder: when that folder is gone, the run reports it as an error (exit 2), as any
    other failure, not with a traceback."""
    from tests.helpers import ROOT

    gone = tmp_path / "gone"
    gone.mkdir()
    script = (
        "import os, sys\n"
        f"os.chdir({str(gone)!r}); os.rmdir({str(gone)!r})\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from generator.__main__ import cli\n"
        f"sys.argv = ['generator', 'generate', {str(BEAM_SPEC)!r}, '-o', {str(tmp_path / 'out')!r}]\n"
        "cli()\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "error[internal-error]" in run.stderr and "FileNotFoundError" in run.stderr
    assert "Traceback" not in run.stderr
