"""A formatted module (and its stub) that the output folder holds as the last run wrote
it, unchanged since by the stamp's record, is never read: the cache keeps its digests
beside it, and the write leaves its file alone (render.StoredOutput). Nothing of this
may change what is written, what `check` says, or the stamp."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import cache as cache_module
from generator import format as fmt
from generator.render import StoredOutput

from .helpers import BEAM_SPEC, ROOT, run_cli, tree_bytes


def _project(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    (project / "specs").mkdir(parents=True)
    shutil.copy(BEAM_SPEC, project / "specs" / BEAM_SPEC.name)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(ROOT / "templates" / "overlays", project / "templates" / "overlays")
    return project


def _run(project: Path, command: str, *args: str) -> tuple[int, str]:
    run = run_cli("--config", project / "pyproject.toml", command, *args)
    return run.code, run.stdout + run.stderr


def _edit(project: Path, n: int) -> None:
    spec = project / "specs" / BEAM_SPEC.name
    text = spec.read_text()
    assert "summary: " in text
    spec.write_text(text.replace("summary: ", f"summary: Edit {n} ", 1))


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[StoredOutput]:
    """The StoredOutputs the runs make (files count as settled at once)."""
    monkeypatch.delenv("GENERATOR_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    made: list[StoredOutput] = []
    real = fmt._Formatter.stored

    def spy(self: Any, path: str, key: str) -> Any:
        found = real(self, path, key)
        made.extend(found or [])
        return found

    monkeypatch.setattr(fmt._Formatter, "stored", spy)
    return made


def test_edits_write_what_runs_without_the_cache_write(tmp_path: Path, stored: list[StoredOutput]) -> None:
    cached, plain = _project(tmp_path, "cached"), _project(tmp_path, "plain")
    for n in range(4):
        if n:
            _edit(cached, n)
            _edit(plain, n)
        stored.clear()
        assert _run(cached, "generate")[0] == 0
        assert _run(plain, "generate", "--no-cache")[0] == 0
        assert tree_bytes(cached / "generated") == tree_bytes(plain / "generated")
        assert _run(cached, "check")[0] == 0
    assert stored, "unchanged modules taken as stored"
    assert all("content" not in vars(f) for f in stored)  # never read
    assert {f.path for f in stored} >= {"beam_api/_base.py", "beam_api/_base.pyi"}


def test_a_hand_edit_is_not_taken_as_stored(tmp_path: Path, stored: list[StoredOutput]) -> None:
    project = _project(tmp_path, "p")
    assert _run(project, "generate")[0] == 0
    _edit(project, 1)
    assert _run(project, "generate")[0] == 0
    expected = tree_bytes(project / "generated")
    base = project / "generated" / "beam_api" / "_base.py"
    base.write_text(base.read_text() + "# edited by hand\n")
    code, shown = _run(project, "check")
    assert code != 0 and "_base.py" in shown  # stale
    _edit(project, 2)
    stored.clear()
    assert _run(project, "generate")[0] == 0
    assert not any(f.path == "beam_api/_base.py" for f in stored)
    after = tree_bytes(project / "generated")
    assert after["beam_api/_base.py"] == expected["beam_api/_base.py"]
    assert _run(project, "check")[0] == 0


def test_a_stored_text_is_read_from_the_cache_when_asked_for(tmp_path: Path, stored: list[StoredOutput]) -> None:
    """Asked for its text, a StoredOutput reads the module the cache holds, and equals
    an output file of that text; when the cache lost it and the file changed, the write
    fails naming the file and leaves the folder as it was."""
    project = _project(tmp_path, "p")
    assert _run(project, "generate")[0] == 0
    _edit(project, 1)
    assert _run(project, "generate")[0] == 0
    _edit(project, 2)
    assert _run(project, "generate")[0] == 0
    on_disk = tree_bytes(project / "generated")
    found = {f.path: f for f in stored}
    base = found["beam_api/_base.py"]
    assert base.content.encode() == on_disk["beam_api/_base.py"] and base == base
    from generator.render import OutputFile, StoredGone
    from generator.write import WriteError, write_tree

    assert base == OutputFile(base.path, base.content) and OutputFile(base.path, base.content) == base
    stub = next(f for p, f in sorted(found.items()) if p.endswith(".pyi") and not p.startswith("beam_api/_base."))
    shutil.rmtree(project / ".cache" / "generator" / "module")
    with pytest.raises(StoredGone):
        _ = stub.content
    target = project / "generated" / stub.path
    target.write_text("changed\n")
    before = tree_bytes(project / "generated")
    with pytest.raises(WriteError, match="run again"):
        write_tree(project / "generated", [OutputFile("z.py", "z = 1\n"), stub])
    assert tree_bytes(project / "generated") == before


def test_a_recalled_render_is_not_read_when_formatted_already(
    tmp_path: Path, stored: list[StoredOutput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render memo keeps texts apart from their entries (render.RecalledOutput):
    after an edit, the modules rendered as before are formatted already, and their
    texts are never read; a text the cache lost is rendered again."""
    from generator import render_memo
    from generator.render import RecalledOutput

    project, plain = _project(tmp_path, "p"), _project(tmp_path, "plain")
    for folder in (project, plain):  # (without the template overlay: the render memo serves built-in templates only)
        config = folder / "pyproject.toml"
        config.write_text(config.read_text().replace('templates = ["templates/overlays/beam"]', ""))
    assert _run(project, "generate")[0] == 0
    assert _run(plain, "generate", "--no-cache")[0] == 0
    read: list[str] = []
    recalled: list[RecalledOutput] = []
    real_read, real_init = render_memo._kept_text, RecalledOutput.__init__

    def spy_read(cache: Any, key: str) -> str:
        read.append(key)
        return real_read(cache, key)

    def spy_init(self: RecalledOutput, *args: Any) -> None:
        real_init(self, *args)
        recalled.append(self)

    monkeypatch.setattr(render_memo, "_kept_text", spy_read)
    monkeypatch.setattr(RecalledOutput, "__init__", spy_init)
    for n in (1, 2):
        _edit(project, n)
        _edit(plain, n)
        assert _run(project, "generate")[0] == 0
        assert _run(plain, "generate", "--no-cache")[0] == 0
        assert tree_bytes(project / "generated") == tree_bytes(plain / "generated")
    # (a file written as it is rendered is an OutputFile of its text, read at once)
    assert recalled and all(f.is_python and "content" not in vars(f) for f in recalled)
    shutil.rmtree(project / ".cache" / "generator" / render_memo.TEXT_KIND)
    shutil.rmtree(project / ".cache" / "generator" / "module")
    recalled.clear()
    _edit(project, 3)
    _edit(plain, 3)
    assert _run(project, "generate")[0] == 0
    assert _run(plain, "generate", "--no-cache")[0] == 0
    assert tree_bytes(project / "generated") == tree_bytes(plain / "generated")
    assert recalled == []  # (no text kept: every file rendered again)


def test_a_damaged_kept_text_is_rendered_again(tmp_path: Path, stored: list[StoredOutput]) -> None:
    """A kept render text that does not read back (render-text entries damaged) is a
    miss: the file is rendered again, whether it is written as it is rendered or
    formatted (a module whose formatted text is gone too)."""
    from generator import render_memo

    project, plain = _project(tmp_path, "p"), _project(tmp_path, "plain")
    for folder in (project, plain):  # (without the template overlay: the render memo serves built-in templates only)
        config = folder / "pyproject.toml"
        config.write_text(config.read_text().replace('templates = ["templates/overlays/beam"]', ""))
    cache = project / ".cache" / "generator"
    for n in range(3):
        if n:
            for entry in (cache / render_memo.TEXT_KIND).rglob("*"):
                if entry.is_file():
                    entry.write_bytes(b"junk")
            if n == 2:
                shutil.rmtree(cache / "module")
            _edit(project, n)
            _edit(plain, n)
        assert _run(project, "generate")[0] == 0
        assert _run(plain, "generate", "--no-cache")[0] == 0
        assert tree_bytes(project / "generated") == tree_bytes(plain / "generated")
        assert _run(project, "check")[0] == 0


def test_a_file_saved_with_other_line_endings_is_stale_and_rewritten(tmp_path: Path, stored: list[StoredOutput]) -> None:
    project = _project(tmp_path, "p")
    assert _run(project, "generate")[0] == 0
    _edit(project, 1)
    assert _run(project, "generate")[0] == 0
    base = project / "generated" / "beam_api" / "_base.py"
    expected = base.read_bytes()
    base.write_bytes(expected.replace(b"\n", b"\r\n"))
    code, shown = _run(project, "check")
    assert code != 0 and "_base.py" in shown
    _edit(project, 2)
    assert _run(project, "generate")[0] == 0
    assert base.read_bytes() == expected
    assert _run(project, "check")[0] == 0
