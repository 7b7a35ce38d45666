"""The same spec and config always give the same bytes: across runs, across hash seeds,
and across a regeneration into an existing output folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, tree_bytes


def _start(out: Path, hash_seed: str | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "generate", "-o", str(out)],
        cwd=ROOT,  # the repository's pyproject.toml: the Beam spec and its config
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    return stdout


def test_beam_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    seeds = {"seed0": "0", "seed1": "1", "random": None}
    procs = {name: _start(tmp_path / name, seed) for name, seed in seeds.items()}
    for proc in procs.values():
        _finish(proc)
    trees = {name: tree_bytes(tmp_path / name) for name in seeds}
    reference = trees["seed0"]
    assert any(path.endswith("_client.py") for path in reference), sorted(reference)
    for name, tree in trees.items():
        assert sorted(tree) == sorted(reference), f"{name}: different files"
        differing = [path for path in reference if tree[path] != reference[path]]
        assert not differing, f"{name} differs from seed0 in {differing}"

    # A second run into the same folder, under another seed, rewrites nothing.
    stdout = _finish(_start(tmp_path / "seed0", "1"))
    assert ": 0 file(s) changed" in stdout, stdout
    assert tree_bytes(tmp_path / "seed0") == reference


def test_diagnostics_are_the_same_across_hash_seeds(tmp_path: Path) -> None:
    """Of the sub-errors a oneOf/anyOf failure holds, the one reported is the first in
    the document as written: jsonschema gives them in an order that follows string
    hashes, and a schema with several wrong properties read otherwise under each seed."""
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    shown = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-m", "generator", "--config", str(config), "generate", "tests/hostile/wrong_types.yaml",
             "-o", str(tmp_path / f"out{seed}"), "--package", "w", "--no-cache"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, run.stderr
        assert "spec-invalid" in run.stderr
        shown.add(run.stderr)
    assert len(shown) == 1, "diagnostics differ across hash seeds"
