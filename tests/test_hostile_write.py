"""The output folder: two generators at once, failures part way, paths outside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.render import OutputFile
from generator.write import WriteError, write_tree
from tests.helpers import ROOT, minimal_spec, tree_bytes, write_spec


def _spec(prefix: str, count: int) -> dict[str, object]:
    paths = {
        f"/{prefix}{i}": {
            "get": {
                "operationId": f"{prefix}Get{i}",
                "tags": [f"{prefix}{i % 7}"],
                "responses": {"204": {"description": "ok"}},
            }
        }
        for i in range(count)
    }
    return minimal_spec(paths)


def _generate(spec: Path, out: Path, config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "--config", str(config), "generate", str(spec), "-o", str(out),
         "--package", "client"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


VERSIONED = {".generator-spec.json", "CHANGELOG.md", "pyproject.toml", "client/_version.py", "client/_version.pyi"}


def _unversioned(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in tree.items() if k not in VERSIONED}


def test_two_generators_on_one_folder_leave_one_complete_tree(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    a = write_spec(tmp_path, _spec("alpha", 40), "a.yaml")
    b = write_spec(tmp_path, _spec("beta", 25), "b.yaml")
    expected = {}
    for name, spec in (("a", a), ("b", b)):
        proc = _generate(spec, tmp_path / f"ref-{name}", config)
        assert proc.wait(300) == 0, proc.communicate()[1]
        expected[name] = tree_bytes(tmp_path / f"ref-{name}")
    assert expected["a"] != expected["b"]

    out = tmp_path / "shared"
    for _ in range(2):
        procs = [_generate(a, out, config), _generate(b, out, config)]
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
        # The later run reads the revision the earlier one recorded, so version-bearing
        # files legitimately differ from a fresh run; everything else must be one side's.
        tree = _unversioned(tree_bytes(out))
        assert tree in (_unversioned(expected["a"]), _unversioned(expected["b"])), "the folder mixes the two outputs"
        assert not [p for p in out.rglob("*") if ".tmp-" in p.name]


def test_a_path_outside_the_folder_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = [OutputFile("client/a.py", "a = 1\n"), OutputFile("client/../../evil.py", "x = 1\n")]
    with pytest.raises(WriteError):
        write_tree(out, files)
    assert tree_bytes(out) == {}
    assert not (tmp_path / "evil.py").exists()


def test_a_symlink_cannot_redirect_a_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "client").mkdir(parents=True)
    target = tmp_path / "victim.py"
    target.write_text("mine\n")
    (out / "client" / "a.py").symlink_to(target)
    with pytest.raises(WriteError):
        write_tree(out, [OutputFile("client/a.py", "a = 1\n")])
    assert target.read_text() == "mine\n"


def test_a_failure_while_writing_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, [OutputFile("client/a.py", "a = 1\n"), OutputFile("client/b.py", "b = 1\n")])
    before = tree_bytes(out)
    (out / "client" / "sub").write_text("a file where a folder must go\n")
    before = tree_bytes(out)
    with pytest.raises(WriteError):
        write_tree(out, [OutputFile("client/a.py", "a = 2\n"), OutputFile("client/sub/c.py", "c = 1\n")])
    assert tree_bytes(out) == before


def test_an_internal_error_is_a_diagnostic_and_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import format as fmt
    from tests.helpers import generate

    run, out = generate(tmp_path, minimal_spec())
    assert run.code == 0
    before = tree_bytes(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(fmt, "format_files", broken)
    run, out = generate(tmp_path, minimal_spec({"/x": {"get": {"responses": {"204": {"description": "ok"}}}}}))
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert "error[internal-error]: internal error in the generator (pipeline.py:" in run.stderr
    assert "KeyError" in run.stderr
    assert tree_bytes(out) == before
