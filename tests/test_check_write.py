"""`check` reports a stale output folder with a diff; `generate` writes exactly the files
it produces, deletes only files it wrote before, and touches nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import BEAM_SPEC, ROOT, minimal_spec, run_cli, tree_bytes, write_spec

MANIFEST = ".generator-manifest"


def _op(op_id: str, tag: str) -> dict[str, Any]:
    return {"get": {"operationId": op_id, "tags": [tag], "responses": {"204": {"description": "done"}}}}


def two_tags() -> dict[str, Any]:
    return minimal_spec({"/pets": _op("listPets", "Pets"), "/stores": _op("listStores", "Stores")})


def one_tag() -> dict[str, Any]:
    return minimal_spec({"/pets": _op("listPets", "Pets")})


class Project:
    """A temporary project: a pyproject.toml with [tool.generator], a spec, an output folder."""

    def __init__(self, root: Path, spec: dict[str, Any]) -> None:
        self.root = root
        self.spec = write_spec(root, spec)
        self.out = root / "out"
        self.config = root / "pyproject.toml"
        self.config.write_text('[tool.generator]\nspec = "openapi.yaml"\noutput = "out"\npackage = "client"\n')

    def run(self, command: str, *args: str | Path) -> Any:
        return run_cli("--config", self.config, command, *args)

    def rewrite(self, spec: dict[str, Any]) -> None:
        write_spec(self.root, spec)


@pytest.fixture(scope="module")
def generated_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    project = Project(root, two_tags())
    run = project.run("generate")
    assert run.code == 0, run.stderr
    return root


@pytest.fixture
def project(generated_once: Path, tmp_path: Path) -> Project:
    """A freshly generated project (copied from one generation to save time)."""
    root = Path(shutil.copytree(generated_once, tmp_path / "project"))
    return _reopen(root)


def _reopen(root: Path) -> Project:
    project = Project.__new__(Project)
    project.root, project.spec, project.out, project.config = (
        root,
        root / "openapi.yaml",
        root / "out",
        root / "pyproject.toml",
    )
    return project


def _outside(project: Project) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(project.root).items() if not k.startswith("out/")}


# ------------------------------------------------------------------------------ check
def test_check_passes_on_a_fresh_folder(project: Project) -> None:
    run = project.run("check")
    assert run.code == 0, run.stdout + run.stderr
    assert "up to date" in run.stdout


def test_check_shows_a_readable_diff_for_an_edited_file(project: Project) -> None:
    target = project.out / "client" / "_client.py"
    original = target.read_text()
    target.write_text(original.replace("class Client", "class Klient", 1))
    before = tree_bytes(project.out)
    run = project.run("check")
    assert run.code == 1
    assert "--- a/client/_client.py\n+++ b/client/_client.py\n" in run.stdout
    assert "\n-class Klient" in run.stdout and "\n+class Client" in run.stdout
    assert "@@ " in run.stdout
    assert "stale" in run.stderr
    assert tree_bytes(project.out) == before, "check must not write"


def test_check_notices_a_spec_edit_without_regeneration(project: Project) -> None:
    project.rewrite(one_tag())
    run = project.run("check")
    assert run.code == 1
    assert "--- a/client/resources/stores.py\n+++ /dev/null" in run.stdout


def test_check_notices_a_deleted_file(project: Project) -> None:
    (project.out / "client" / "models.pyi").unlink()
    run = project.run("check")
    assert run.code == 1
    assert "--- /dev/null\n+++ b/client/models.pyi" in run.stdout


def test_check_ignores_user_files(project: Project) -> None:
    (project.out / "client" / "extra.py").write_text("# mine\n")
    (project.out / "USER-NOTES.md").write_text("mine\n")
    assert project.run("check").code == 0


def test_check_on_the_beam_spec_notices_a_spec_edit(tmp_path: Path) -> None:
    """The repository's own config, copied: edit the spec, do not regenerate -> stale."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "templates").symlink_to(ROOT / "templates")  # for templates/overlays the config names
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / BEAM_SPEC.name
    shutil.copy(BEAM_SPEC, spec)
    config = tmp_path / "pyproject.toml"
    assert run_cli("--config", config, "generate").code == 0
    assert run_cli("--config", config, "check").code == 0
    text = spec.read_text()
    assert text.count("operationId: getTaskStatus") == 1
    spec.write_text(text.replace("operationId: getTaskStatus", "operationId: getTaskState"))
    run = run_cli("--config", config, "check")
    assert run.code == 1, run.stderr
    assert "+++ b/beam_api/resources/tasks.py" in run.stdout
    assert "get_task_state" in run.stdout


# ------------------------------------------------------------------------------ write
def test_generate_leaves_user_files_alone(project: Project) -> None:
    (project.out / "NOTES.md").write_text("mine\n")
    (project.out / "client" / "resources" / "custom.py").write_text("# mine\n")
    project.rewrite(one_tag())
    assert project.run("generate").code == 0
    assert (project.out / "NOTES.md").read_text() == "mine\n"
    assert (project.out / "client" / "resources" / "custom.py").read_text() == "# mine\n"


def test_files_no_longer_produced_are_deleted(project: Project) -> None:
    stores = project.out / "client" / "resources" / "stores.py"
    assert stores.is_file() and "client/resources/stores.py" in (project.out / MANIFEST).read_text()
    project.rewrite(one_tag())
    run = project.run("generate")
    assert run.code == 0, run.stderr
    assert not stores.exists() and not stores.with_suffix(".pyi").exists()
    assert "stores" not in (project.out / MANIFEST).read_text()
    assert project.run("check").code == 0


def test_regeneration_is_a_no_op(project: Project) -> None:
    before = {p: p.stat().st_mtime_ns for p in project.out.rglob("*") if p.is_file()}
    run = project.run("generate")
    assert run.code == 0
    assert ": 0 file(s) changed" in run.stdout
    assert {p: p.stat().st_mtime_ns for p in project.out.rglob("*") if p.is_file()} == before


def test_the_manifest_lists_exactly_the_generated_files(project: Project) -> None:
    listed = (project.out / MANIFEST).read_text().splitlines()
    on_disk = sorted(k for k in tree_bytes(project.out) if k != MANIFEST)
    assert listed == on_disk


def test_nothing_outside_the_output_folder_is_touched(project: Project) -> None:
    sibling = project.root / "sibling.txt"
    sibling.write_text("keep\n")
    before = _outside(project)
    project.rewrite(one_tag())
    before["openapi.yaml"] = project.spec.read_bytes()
    assert project.run("generate").code == 0
    assert _outside(project) == before


def test_a_tampered_manifest_never_deletes_outside_the_folder(project: Project) -> None:
    victim = project.root / "victim.txt"
    victim.write_text("keep\n")
    manifest = project.out / MANIFEST
    manifest.write_text(manifest.read_text() + "../victim.txt\n/etc/hostname\n")
    run = project.run("generate")
    assert run.code == 0, run.stderr  # entries that are not ours are ignored, not obeyed
    assert victim.read_text() == "keep\n"
    assert "victim" not in manifest.read_text()


def test_a_failed_generation_leaves_the_folder_unchanged(project: Project) -> None:
    project.rewrite(minimal_spec({"/pets/{petId}": _op("getPet", "Pets")}))  # {petId} undeclared
    before = tree_bytes(project.out)
    run = project.run("generate")
    assert run.code == 2
    assert "path-parameter" in run.stderr
    assert tree_bytes(project.out) == before


def test_a_write_failure_changes_nothing(project: Project) -> None:
    """A path the output needs is taken by a user's directory: refuse before writing."""
    project.rewrite(one_tag() | {"info": {"title": "Renamed", "version": "2.0"}})
    blocker = project.out / "client" / "_client.py"
    blocker.unlink()
    blocker.mkdir()
    (blocker / "mine.txt").write_text("mine\n")
    before = tree_bytes(project.out)
    run = project.run("generate")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert tree_bytes(project.out) == before


def test_a_rename_that_fails_leaves_no_temporaries_nor_folders_made_for_them(tmp_path: Path) -> None:
    from generator.render import OutputFile
    from generator.write import WriteError, prepare_write

    out = tmp_path / "out"
    out.mkdir()
    prepared = prepare_write(out, [OutputFile("a.py", "a\n"), OutputFile("new/deep/b.py", "b\n"), OutputFile("z.py", "z\n")])
    (out / "a.py").mkdir()
    (out / "a.py" / "keep").write_text("x")  # the first rename fails
    with pytest.raises(WriteError, match="failed part way"):
        prepared.commit()
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["a.py", "a.py/keep"]


def test_a_file_whose_digest_is_known_is_not_read_to_compare_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the last run's stamp knows unchanged is left as it is when it holds the
    new bytes, and rewritten when it does not, without being read."""
    from generator.cache import bytes_digest
    from generator.render import OutputFile
    from generator.write import prepare_write

    out = tmp_path / "out"
    out.mkdir()
    (out / "same.py").write_text("same\n")
    (out / "other.py").write_text("old\n")
    (out / "unknown.py").write_text("unknown\n")
    known = {"same.py": bytes_digest(b"same\n"), "other.py": bytes_digest(b"old\n")}
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    files = [OutputFile("same.py", "same\n"), OutputFile("other.py", "new\n"), OutputFile("unknown.py", "unknown\n")]
    digests: dict[str, str] = {}
    prepared = prepare_write(out, files, digests, known.get)
    assert [path for path, _, _ in prepared.pending] == [".generator-manifest", "other.py"]  # (the manifest is new)
    assert "same.py" not in read and "other.py" not in read and "unknown.py" in read
    assert {path: digests[path] for path in known} == {f.path: bytes_digest(f.content.encode()) for f in files[:2]}
    prepared.commit()
    assert (out / "other.py").read_text() == "new\n" and (out / "same.py").read_text() == "same\n"
