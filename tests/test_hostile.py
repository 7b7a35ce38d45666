"""Hostile and broken documents (tests/hostile/): the generator never executes, escapes
or loses anything.

For every document: no traceback, the documented exit code, nothing written outside the
output folder, and the folder untouched when generation fails. Where generation
succeeds, every generated file parses and the package imports in a fresh interpreter
without running anything from the spec: each payload would create the TRIPWIRE file.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli, tree_bytes
from tests.hostile.make_big import BIG

HOSTILE = Path(__file__).resolve().parent / "hostile"
OK, BAD_INPUT = 0, 2

# Document -> documented exit code. 0: a client is generated (with warnings where the
# document is doubtful); 2: the document is refused with a located diagnostic.
EXPECTED: dict[str, int] = {
    # code injection through every string that reaches generated code
    "code_in_descriptions.yaml": OK,
    "code_in_title.yaml": OK,
    "code_in_operation_ids.yaml": OK,
    "code_in_property_names.yaml": OK,
    "code_in_enum_values.yaml": OK,
    "code_in_defaults.yaml": OK,
    "code_in_server_urls.yaml": OK,
    "code_in_tags.yaml": OK,
    "code_in_paths.yaml": OK,
    "code_in_param_names.yaml": OK,
    "security_schemes.yaml": OK,
    "media_types.yaml": OK,
    "jinja_syntax.yaml": OK,
    # names: traversal, reserved words, collisions, Unicode tricks
    "path_traversal_tags.yaml": OK,
    "path_traversal_schema_names.yaml": OK,
    "keywords_and_builtins.yaml": OK,
    "dunder_names.yaml": OK,
    "case_collisions.yaml": OK,
    "homoglyphs.yaml": OK,
    "rtl_marks.yaml": OK,
    "unicode_only_names.yaml": OK,
    "control_chars.json": OK,
    "lone_surrogates.json": OK,
    "numeric_names.yaml": OK,
    "empty_strings.yaml": OK,
    "duplicate_operation_ids.yaml": OK,
    "no_operations.yaml": OK,
    "scalar_keys.yaml": OK,
    "wrong_types.yaml": OK,
    "long_names.json": OK,
    # references
    "cyclic_refs.yaml": OK,
    "alias_cycles.yaml": OK,
    "long_property_chain.json": BAD_INPUT,
    "long_ref_chain.json": BAD_INPUT,
    "dangling_ref.yaml": BAD_INPUT,
    "external_refs.yaml": BAD_INPUT,
    # the loader: unsafe tags, cycles, bombs, depth, garbage
    "yaml_python_tags.yaml": BAD_INPUT,
    "yaml_python_name.yaml": BAD_INPUT,
    "yaml_recursive_anchor.yaml": BAD_INPUT,
    "billion_laughs.yaml": BAD_INPUT,
    "alias_fanout.yaml": BAD_INPUT,
    "deep_yaml_flow.yaml": BAD_INPUT,
    "deep_yaml_block.yaml": BAD_INPUT,
    "deep_json_arrays.json": BAD_INPUT,
    "deep_json_objects.json": BAD_INPUT,
    "deep_schemas.json": BAD_INPUT,
    "deep_schemas_10k.json": BAD_INPUT,
    "complex_keys.yaml": BAD_INPUT,
    "not_a_mapping.yaml": BAD_INPUT,
    "swagger2.yaml": BAD_INPUT,
    "invalid_utf8.yaml": BAD_INPUT,
}
# Diagnostic codes a refusal must carry (the reason, not just any error).
EXPECTED_CODE: dict[str, str] = {
    "billion_laughs.yaml": "too-large",
    "alias_fanout.yaml": "too-large",
    "deep_yaml_flow.yaml": "too-deep",
    "deep_yaml_block.yaml": "too-deep",
    "deep_json_arrays.json": "too-deep",
    "deep_json_objects.json": "too-deep",
    "deep_schemas.json": "too-deep",
    "deep_schemas_10k.json": "too-deep",
    "long_property_chain.json": "too-deep",
    "long_ref_chain.json": "too-deep",
    "yaml_recursive_anchor.yaml": "cyclic-alias",
    "yaml_python_tags.yaml": "parse-error",
    "yaml_python_name.yaml": "parse-error",
    "dangling_ref.yaml": "dangling-ref",
    "external_refs.yaml": "external-ref",
}
# Documents generated without --package: the package name comes from the title.
FROM_TITLE = {"code_in_title.yaml", "path_traversal_schema_names.yaml", "unicode_only_names.yaml",
              "keywords_and_builtins.yaml", "dunder_names.yaml", "numeric_names.yaml", "empty_strings.yaml",
              "control_chars.json", "lone_surrogates.json", "rtl_marks.yaml"}

COMMITTED = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json"))
DOCUMENTS = sorted(set(COMMITTED) | set(BIG))


def test_every_document_has_an_expected_exit_code() -> None:
    assert sorted(EXPECTED) == DOCUMENTS
    assert len(DOCUMENTS) >= 30


def _source(name: str) -> bytes:
    if name in BIG:
        return BIG[name]().encode("utf-8")
    return (HOSTILE / name).read_bytes()


def _snapshot(folder: Path, skip: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(folder).items() if not (folder / k).is_relative_to(skip)}


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    package = importlib.import_module(sys.argv[1])
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    client = package.Client(token="t")
    for name in dir(type(client)):
        if not name.startswith("_") and name not in ("close",):
            resource = getattr(client, name)
            getattr(resource, "with_raw_response", None)
    repr(client)
    client.close()
    print("imported")
    """
)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_hostile_document(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    outside = tmp_path / "outside"  # @TRIPWIRE_DIR@: absolute names point here
    work.mkdir()
    outside.mkdir()
    tripwire = outside / "TRIPWIRE"
    data = _source(name)
    data = data.replace(b"@TRIPWIRE@", str(tripwire).encode()).replace(b"@TRIPWIRE_DIR@", str(outside).encode())
    spec = work / name
    spec.write_bytes(data)
    (work / "pyproject.toml").write_text("[tool.generator]\n")
    out = work / "out"
    out.mkdir()
    (out / "keep.txt").write_text("the user's own file\n")
    before = _snapshot(tmp_path, out)

    package = [] if name in FROM_TITLE else ["--package", "client"]
    run = run_cli("--config", work / "pyproject.toml", "generate", spec, "-o", out, *package)

    assert "Traceback" not in run.stderr
    assert "internal-error" not in run.stderr, run.stderr
    assert run.code == EXPECTED[name], run.stderr[-3000:]
    assert _snapshot(tmp_path, out) == before, "a file was written outside the output folder"
    assert not tripwire.exists()
    for line in run.stderr.splitlines():  # diagnostics never carry raw control characters
        assert not any(ord(c) < 32 and c != "\t" or 0x7F <= ord(c) < 0xA0 for c in line), repr(line)
    if run.code != OK:
        assert tree_bytes(out) == {"keep.txt": b"the user's own file\n"}, "a failed run touched the output"
        assert "error[" in run.stderr
        if name in EXPECTED_CODE:
            assert f"error[{EXPECTED_CODE[name]}]" in run.stderr, run.stderr[-2000:]
        return

    files = tree_bytes(out)
    assert files.pop("keep.txt") == b"the user's own file\n"
    packages = {Path(p).parts[0] for p in files if p.endswith("/__init__.py")}
    assert len(packages) == 1, packages
    (pkg,) = packages
    assert pkg.isidentifier() and pkg.isascii()
    for path, content in files.items():
        assert Path(path).parts[0] in (pkg, "pyproject.toml", "README.md", "CHANGELOG.md", ".generator-manifest", ".generator-spec.json"), path
        assert path.isascii() and all(part.isidentifier() for part in Path(path).with_suffix("").parts[:-1] if part)
        if path.endswith((".py", ".pyi")):
            text = content.decode("utf-8")
            ast.parse(text, path)
            assert "@TRIPWIRE" not in text or _only_in_strings(text)
    if "pyproject.toml" in files:
        import tomllib

        tomllib.loads(files["pyproject.toml"].decode("utf-8"))

    scratch = tmp_path / "scratch"  # a cwd where relative payload paths would land
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, pkg], cwd=scratch, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "imported" in proc.stdout
    assert not tripwire.exists()
    assert not any(scratch.iterdir())


def _only_in_strings(text: str) -> bool:
    """True when every occurrence of the tripwire path sits inside a string literal or
    docstring, never in code."""
    tree = ast.parse(text)
    inside = sum(
        node.value.count("@TRIPWIRE") for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )
    return inside == text.count("@TRIPWIRE")


@pytest.mark.parametrize("name", ["billion_laughs.yaml", "deep_yaml_flow.yaml", "deep_json_arrays.json", "yaml_python_tags.yaml"])
def test_hostile_document_in_a_real_process(tmp_path: Path, name: str) -> None:
    """The CLI as users run it: exit code 2 and a diagnostic, never a traceback."""
    tripwire = tmp_path / "TRIPWIRE"
    spec = tmp_path / name
    spec.write_bytes(_source(name).replace(b"@TRIPWIRE@", str(tripwire).encode()))
    (tmp_path / "pyproject.toml").write_text("[tool.generator]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(tmp_path / "pyproject.toml"), "generate", str(spec),
         "-o", str(tmp_path / "out"), "--package", "client"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == EXPECTED[name]
    assert "Traceback" not in proc.stderr
    assert f"error[{EXPECTED_CODE[name]}]" in proc.stderr
    assert not (tmp_path / "out").exists()
    assert not tripwire.exists()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_hostile_document_validate(tmp_path: Path, name: str) -> None:
    """`validate` reads every document too: an exit code and diagnostics, no traceback."""
    spec = tmp_path / name
    spec.write_bytes(_source(name).replace(b"@TRIPWIRE@", str(tmp_path / "TRIPWIRE").encode()))
    (tmp_path / "pyproject.toml").write_text("[tool.generator]\n")
    run = run_cli("--config", tmp_path / "pyproject.toml", "validate", spec)
    assert run.code in (OK, BAD_INPUT)
    assert "Traceback" not in run.stderr and "internal-error" not in run.stderr, run.stderr[-2000:]
    if EXPECTED[name] == BAD_INPUT:
        assert run.code == BAD_INPUT
    assert not (tmp_path / "TRIPWIRE").exists()


@pytest.mark.parametrize("name", ["billion_laughs.yaml", "alias_fanout.yaml"])
def test_alias_bombs_are_refused_before_anything_walks_them(tmp_path: Path, name: str) -> None:
    import time

    from generator.diagnostics import Diagnostics, GenerationFailed
    from generator.load import load

    spec = tmp_path / name
    spec.write_bytes(_source(name))
    diagnostics = Diagnostics()
    start = time.perf_counter()
    with pytest.raises(GenerationFailed):
        load(spec, diagnostics)
    assert time.perf_counter() - start < 5  # sized per distinct node: milliseconds, not minutes
    assert [d.code for d in diagnostics.items] == ["too-large"]
