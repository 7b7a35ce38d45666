"""The command line read without argparse (generator/arguments.py) is read as argparse
reads it; anything else is argparse's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import arguments

ROOT = Path(__file__).resolve().parent.parent

TOKENS = [
    "--config", "generate", "check", "validate", "diff", "-o", "--output", "--package", "--cache-dir",
    "--overlay", "--templates", "--strict", "--no-cache", "--full-black", "spec.yml", "out", "pyproject.toml",
    "a b", "-", "--", "-1", "-x", "--pack", "--output=out", "-oout", "--conf", "", "--format", "json", "--help",
]


def _argparse(argv: list[str]) -> dict[str, Any] | None:
    try:
        return vars(arguments._parser("the generator").parse_args(argv))
    except SystemExit:
        return None


def _agrees(argv: list[str]) -> bool:
    quick = arguments._quick(argv)
    if quick is None:
        return True
    return _argparse(argv) == vars(quick)


COMMON = [
    ["generate"],
    ["check"],
    ["generate", "spec.yml"],
    ["--config", "pyproject.toml", "generate", "spec.yml", "-o", "out", "--package", "api", "--cache-dir", "c"],
    ["--config", "pyproject.toml", "check", "spec.yml", "--output", "out", "--package", "api"],
    ["generate", "-o", "out", "spec.yml", "--strict", "--no-cache", "--full-black"],
    ["check", "--overlay", "a.yml", "spec.yml", "--overlay", "b.yml", "--templates", "t1", "--templates", "t2"],
    ["generate", "--package", "generate", "-o", "one", "-o", "two", "check"],
]


@pytest.mark.parametrize("argv", COMMON)
def test_common_command_lines_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    quick = arguments._quick(argv)
    assert quick is not None
    assert vars(quick) == _argparse(argv)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["validate", "spec.yml"],
        ["diff", "a.yml", "b.yml"],
        ["generate", "a.yml", "b.yml"],  # (argparse: unrecognized arguments)
        ["generate", "-o"],
        ["generate", "-o", "-x"],
        ["generate", "--output=out"],
        ["generate", "-oout"],
        ["generate", "--pack", "api"],  # (argparse takes the abbreviation)
        ["--conf", "p.toml", "generate"],
        ["generate", "--config", "p.toml"],
        ["generate", "--", "spec.yml"],
        ["generate", "-1"],
        ["generate", ""],
        ["--help"],
        ["generate", "--help"],
    ],
)
def test_other_command_lines_are_argparses(argv: list[str]) -> None:
    assert arguments._quick(argv) is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=9))
def test_any_command_line_read_quickly_is_read_as_argparse_reads_it(argv: list[str]) -> None:
    assert _agrees(argv)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(TOKENS[:14]), st.text(alphabet="-ab=./ ", min_size=0, max_size=4)),
        max_size=8,
    )
)
def test_odd_values_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    assert _agrees(argv)


def test_a_common_command_line_does_not_import_argparse() -> None:
    script = (
        "import sys; from generator import arguments; "
        "a = arguments.read(['generate', 'spec.yml', '-o', 'out'], None); "
        "print(a.command, 'argparse' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["generate", "False"]
