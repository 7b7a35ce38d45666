"""Broken specs: one problem per file under tests/broken/, each with a snapshot of the
diagnostics it produces (`<name>.expected`, paths relative to the repository root).

Rewrite the snapshots with `UPDATE_SNAPSHOTS=1 pytest tests/test_broken.py`, then read
the diff: every line number must point at the offending line of its spec.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, minimal_spec, run_cli, tree_bytes, write_spec

BROKEN = Path(__file__).resolve().parent / "broken"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS", "") not in ("", "0")

# Broken at the core: nothing can be generated, `generate` refuses and writes nothing.
FATAL = {"dangling_ref", "missing_paths", "yaml_syntax", "json_syntax", "swagger2", "scalar_document", "undeclared_path_parameter"}
# Schema violations the default (tolerant) `generate` turns into warnings.
TOLERATED = {"wrong_types", "missing_info", "duplicate_operation_id", "bad_schema_values"}

# What the line each diagnostic points at must contain (checked against the spec text,
# so a wrong line number fails even if someone rewrites the snapshot carelessly).
OFFENDING: dict[str, dict[str, str]] = {
    "dangling_ref": {"dangling-ref": '$ref: "#/components/schemas/Pet"'},
    "missing_paths": {"no-paths": "openapi: 3.0.3"},  # the document as a whole
    "missing_info": {"spec-invalid": "openapi: 3.0.3"},  # the document as a whole
    "wrong_types": {"5 is not": "operationId: 5", "'yes'": 'required: "yes"'},
    "duplicate_operation_id": {"not unique": "operationId: listPets"},
    "yaml_syntax": {"parse-error": "summary: List pets: all of them"},
    "json_syntax": {"parse-error": '{"description": "ok"},}'},
    "swagger2": {"swagger-2": 'swagger: "2.0"'},
    "scalar_document": {"not-openapi": "42"},
    "undeclared_path_parameter": {"was not resolved": "get:"},
    "bad_schema_values": {"'old' is not": "default: old", "'long' is not": "maxLength: long"},
}

SPECS = sorted(p for p in BROKEN.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
NAMES = [p.stem for p in SPECS]
_LOCATED = re.compile(r"^(?P<file>\S+):(?P<line>\d+) #\S*: \w+\[(?P<code>[\w-]+)\]: (?P<message>.*)$")


def test_the_folder_holds_every_case() -> None:
    assert set(NAMES) == FATAL | TOLERATED
    assert set(OFFENDING) == set(NAMES)
    assert {p.stem for p in BROKEN.glob("*.expected")} == set(NAMES), "a snapshot without its spec"


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    return config


def _relative(text: str, spec: Path, tmp_path: Path) -> str:
    return text.replace(str(spec), str(spec.relative_to(ROOT))).replace(str(tmp_path), "<tmp>")


@pytest.fixture(scope="module")
def previous_generation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding a previous generation and a file of the user's."""
    tmp = tmp_path_factory.mktemp("previous")
    out = tmp / "out"
    ping = {"get": {"operationId": "ping", "responses": {"204": {"description": "ok"}}}}
    spec = write_spec(tmp, minimal_spec({"/ping": ping}), "previous.yaml")
    run = run_cli("--config", _config(tmp), "generate", spec, "-o", out, "--package", "previous")
    assert run.code == 0, run.stderr
    (out / "NOTES.md").write_text("mine\n")
    return out


def _prefilled(previous: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(previous, tmp_path / "out"))


@pytest.mark.parametrize("spec", SPECS, ids=NAMES)
def test_diagnostics_snapshot(spec: Path, tmp_path: Path) -> None:
    config = _config(tmp_path)
    sections = []
    for command, extra in (("validate", ()), ("generate", ("-o", tmp_path / "out", "--package", "client"))):
        run = run_cli("--config", config, command, spec, *extra)
        sections.append(f"$ {command} {spec.relative_to(ROOT)}\nexit {run.code}\n{_relative(run.stderr, spec, tmp_path)}")
    actual = "".join(sections)
    expected_path = spec.with_suffix(".expected")
    if UPDATE or not expected_path.exists():
        expected_path.write_text(actual)
        if not UPDATE:
            pytest.fail(f"wrote the missing snapshot {expected_path.name}; review it and rerun")
    assert actual == expected_path.read_text(), f"diagnostics changed; rerun with UPDATE_SNAPSHOTS=1 and review {expected_path.name}"


@pytest.mark.parametrize("spec", SPECS, ids=NAMES)
def test_lines_point_at_the_offending_line(spec: Path, tmp_path: Path) -> None:
    run = run_cli("--config", _config(tmp_path), "validate", spec)
    source = spec.read_text().splitlines()
    located = [m for m in map(_LOCATED.match, run.stderr.splitlines()) if m]
    assert located, run.stderr
    for needle, offending in OFFENDING[spec.stem].items():
        hits = [m for m in located if needle in (m["code"] + " " + m["message"])]
        assert hits, f"no diagnostic mentions {needle!r}:\n{run.stderr}"
        for m in hits:
            assert m["file"] == str(spec)
            line = int(m["line"])
            assert line >= 1 and offending in source[line - 1], f"line {line} is {source[line - 1]!r}"


@pytest.mark.parametrize("spec", SPECS, ids=NAMES)
def test_validate_exits_2(spec: Path, tmp_path: Path) -> None:
    run = run_cli("--config", _config(tmp_path), "validate", spec)
    assert run.code == 2, run.stderr
    assert "error[" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


@pytest.mark.parametrize("name", sorted(FATAL))
def test_generate_refuses_and_leaves_the_output_untouched(name: str, tmp_path: Path, previous_generation: Path) -> None:
    spec = next(p for p in SPECS if p.stem == name)
    out = _prefilled(previous_generation, tmp_path)
    before = tree_bytes(out)
    for strict in ((), ("--strict",)):
        run = run_cli("--config", _config(tmp_path), "generate", spec, "-o", out, "--package", "client", *strict)
        assert run.code == 2, run.stderr
        assert "error[" in run.stderr
        assert tree_bytes(out) == before


@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_tolerated_generate_warns_and_strict_fails(name: str, tmp_path: Path, previous_generation: Path) -> None:
    spec = next(p for p in SPECS if p.stem == name)
    out = _prefilled(previous_generation, tmp_path)
    before = tree_bytes(out)
    run = run_cli("--config", _config(tmp_path), "generate", spec, "-o", out, "--package", "client", "--strict")
    assert run.code == 2, run.stderr
    assert "spec-invalid" in run.stderr  # schema violations are errors under --strict
    assert tree_bytes(out) == before, "--strict wrote files although it failed"

    run = run_cli("--config", _config(tmp_path), "generate", spec, "-o", out, "--package", "client")
    assert run.code == 0, run.stderr
    assert "warning[" in run.stderr and "error[" not in run.stderr
    assert (out / "client" / "__init__.py").is_file()
    assert not (out / "previous").exists(), "the previous generation's files were not removed"
    assert (out / "NOTES.md").read_text() == "mine\n"
