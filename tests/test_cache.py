"""Caches never change the output: a warm run is byte-identical to a cold one, and the
unchanged-spec fast path still sees every edit of an input or of a generated file."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import black
import pytest

from generator import cache as cache_module
from generator import format as fmt
from generator.diagnostics import Diagnostics, Level
from generator.render import OutputFile

from .helpers import BEAM_SPEC, ROOT, run_cli, tree_bytes


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A project folder with the Beam spec and the repo's [tool.generator] settings."""
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(BEAM_SPEC, project / "specs" / BEAM_SPEC.name)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(ROOT / "templates" / "overlays", project / "templates" / "overlays")
    return project, project / "generated", project / ".cache" / "generator"


@pytest.fixture(autouse=True)
def _default_cache_location(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the default cache beside pyproject.toml."""
    monkeypatch.delenv("GENERATOR_CACHE_DIR", raising=False)


def _gen(project: Path, *args: str) -> tuple[int, str, str]:
    run = run_cli("--config", project / "pyproject.toml", "generate", *args)
    return run.code, run.stdout, run.stderr


def _check(project: Path, *args: str) -> tuple[int, str, str]:
    run = run_cli("--config", project / "pyproject.toml", "check", *args)
    return run.code, run.stdout, run.stderr


def test_warm_runs_are_byte_identical_to_a_cold_run(tmp_path: Path) -> None:
    project, out, cache = _setup(tmp_path)
    assert _gen(project, "--no-cache")[0] == 0
    assert not cache.exists(), "--no-cache must write no cache"
    cold = tree_bytes(out)

    shutil.rmtree(out)
    assert _gen(project)[0] == 0  # fills the cache
    assert tree_bytes(out) == cold
    # no "chunk" entries: every chunk of the Beam client is taken as its templates wrote it
    assert {p.name for p in cache.iterdir()} >= {"validation", "module", "stamp"}

    shutil.rmtree(out)
    (cache / "stamp").exists() and shutil.rmtree(cache / "stamp")
    code, _, err = _gen(project)  # every stage from the cache
    assert code == 0, err
    assert tree_bytes(out) == cold


def test_chunk_cache_alone_gives_the_same_bytes(tmp_path: Path) -> None:
    project, out, cache = _setup(tmp_path)
    assert _gen(project, "--no-cache")[0] == 0
    cold = tree_bytes(out)
    shutil.rmtree(out)
    assert _gen(project)[0] == 0
    shutil.rmtree(cache / "module")
    shutil.rmtree(cache / "stamp")
    shutil.rmtree(out)
    assert _gen(project)[0] == 0
    assert tree_bytes(out) == cold


def test_unchanged_check_takes_the_fast_path_and_sees_hand_edits(tmp_path: Path) -> None:
    project, out, _ = _setup(tmp_path)
    assert _gen(project)[0] == 0
    code, stdout, _ = _check(project)
    assert code == 0 and "up to date" in stdout

    target = out / "beam_api" / "_base.py"
    original = target.read_bytes()
    target.write_bytes(original + b"# edited by hand\n")
    code, stdout, _ = _check(project)
    assert code == 1 and "edited by hand" in stdout

    target.write_bytes(original)
    assert _check(project)[0] == 0
    (out / "beam_api" / "models.pyi").unlink()
    assert _check(project)[0] == 1
    assert _gen(project)[0] == 0
    assert _check(project)[0] == 0


def test_fast_path_sees_spec_config_and_template_edits(tmp_path: Path) -> None:
    project, out, _ = _setup(tmp_path)
    assert _gen(project)[0] == 0
    spec = project / "specs" / BEAM_SPEC.name
    text = spec.read_text()
    spec.write_text(text.replace("title:", "title: Edited", 1) if "title: Edited" not in text else text)
    code, stdout, _ = _check(project)
    assert code == 1, "an edited spec must make the output stale"
    spec.write_text(text)
    assert _check(project)[0] == 0

    code, _, _ = _check(project, "--package", "other_name")
    assert code == 1, "a changed config must not be answered from the stamp"


def test_stamp_replays_the_diagnostics(tmp_path: Path) -> None:
    project, out, _ = _setup(tmp_path)
    first = _gen(project)
    again = _gen(project)
    assert again[0] == first[0] == 0
    assert again[2] == first[2]  # the same warnings, from the stamp
    assert "0 file(s) changed" in again[1]


@pytest.mark.parametrize("stub", [False, True])
def test_chunked_black_equals_whole_file_black(stub: bool) -> None:
    """The chunked formatter's claim, on every module of the Beam client."""
    from generator.config import load_config
    from generator.pipeline import build_ir
    from generator.render import render

    diagnostics = Diagnostics()
    config = load_config(ROOT / "pyproject.toml").with_overrides(spec=BEAM_SPEC)
    files = render(build_ir(BEAM_SPEC, config, diagnostics), diagnostics)
    checked = 0
    for f in files:
        if not f.is_python:
            continue
        source = fmt.prune_imports(f.content)
        if stub:
            source = fmt.prune_imports(fmt.derive_stub(fmt.format_source(source)))
        chunks = fmt.split_chunks(source)
        whole = black.format_str(source, mode=fmt.STUB_MODE if stub else fmt.MODE)
        joined = ("\n" if stub else "\n\n").join(fmt.format_source(c, stub=stub) for _, c in chunks)
        assert joined == whole, f.path
        checked += len(chunks)
    assert checked > 20  # models and resources really were split


def test_split_chunks_only_cuts_after_a_class_body() -> None:
    source = (
        '"""doc\n\nclass NotACut:\n"""\n\nimport os\n\n\nclass A:\n    x = 1\n\n\n'
        "@decorator\nclass B:\n    pass\n\n\nclass C:\n    y = 2\ndef f():\n    return os\n"
    )
    starts = [line for line, _ in fmt.split_chunks(source)]
    # before @decorator; not before C (B's lone `pass` collapses in a stub), nor before f
    # (no blank line), nor inside the docstring
    assert starts == [1, 13]
    assert "".join(text for _, text in fmt.split_chunks(source)) == source


def test_parallel_formatting_gives_the_same_bytes() -> None:
    module = "x = 1\n\n\n" + "".join(f"class C{i}:\n    a: int = {i}\n    b: list[int] = [1,2,  3]\n\n\n" for i in range(400))
    files = [OutputFile("pkg/big.py", module)]
    serial = fmt.format_files(files, Diagnostics(), parallel=False)
    parallel = fmt.format_files(files, Diagnostics(), parallel=True)
    assert serial == parallel
    whole = black.format_str(fmt.prune_imports(module), mode=fmt.MODE)
    assert serial[0].content == whole


def test_invalid_python_is_located_in_a_chunk() -> None:
    module = "".join(f"class C{i}:\n    a = {i}\n\n\n" for i in range(3000)) + "class Bad:\n    x = = 1\n"
    diagnostics = Diagnostics()
    with pytest.raises(fmt.GenerationFailed):
        fmt.format_files([OutputFile("pkg/bad.py", module)], diagnostics)
    (item,) = diagnostics.items
    assert item.code == "render-invalid-python" and item.line == 3000 * 4 + 2


def _settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as settled, as if it had been written long ago."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)


def test_settled_files_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, out, cache = _setup(tmp_path)
    assert _gen(project)[0] == 0
    _settled_at_once(monkeypatch)
    assert _check(project)[0] == 0  # hashes every file, and records their signatures
    reads: list[Path] = []
    real = cache_module.file_digest
    monkeypatch.setattr(cache_module, "file_digest", lambda path: reads.append(path) or real(path))
    code, stdout, _ = _check(project)
    assert code == 0 and "up to date" in stdout
    assert reads == [], "a file whose signature is unchanged is not read"

    # same size and mtime, other bytes: the ctime still moves
    target = out / "beam_api" / "_base.py"
    before = target.stat()
    data = target.read_bytes()
    target.write_bytes(data[:-2] + b"#\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    code, stdout, _ = _check(project)
    assert code == 1 and target in reads
    target.write_bytes(data)
    assert _check(project)[0] == 0

    spec = project / "specs" / BEAM_SPEC.name
    spec.write_text(spec.read_text().replace("title:", "title: Edited", 1))
    assert _check(project)[0] == 1, "an edited spec is read again"


def test_a_regeneration_digests_each_input_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, out, _ = _setup(tmp_path)
    assert _gen(project)[0] == 0
    _settled_at_once(monkeypatch)
    spec = project / "specs" / BEAM_SPEC.name
    text = spec.read_text()
    real = cache_module.file_digest
    for n in range(3):
        spec.write_text(text.replace("title:", f"title: Edit {n}", 1))
        monkeypatch.setattr(cache_module, "_fingerprint", None)  # as in a new process
        reads: list[Path] = []
        monkeypatch.setattr(cache_module, "file_digest", lambda path: reads.append(Path(path)) or real(path))
        assert _gen(project)[0] == 0
        if n == 0:
            continue  # (the first run settles the signatures of what the last one did not read)
        # the generator's own files, settled by the check, are in the run's stamp; the
        # revision record the run wrote is not digested again; the spec, named by the
        # config and read by the run, once (this once more at the stamp, if not settled)
        assert reads == [spec]


def test_a_file_changed_lately_is_hashed_every_time(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"one")
    st = path.stat()
    sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    digests = cache_module.Digests({str(path): [*sig, "recorded"]})
    # a recorded signature is believed when it matches (it was taken from this very
    # state, settled then), and recorded again; a file read anew that changed lately is not
    assert digests.file(path) == "recorded"
    assert digests.settled == {str(path): [*sig, "recorded"]}
    fresh = cache_module.Digests()
    assert fresh.file(path) == cache_module.file_digest(path)
    assert fresh.settled == {}
    # any damaged entry reads as a miss
    for bad in ([*sig, 1], sig, "x", [*sig[:-1], sig[-1] + 1, "recorded"]):
        assert cache_module.Digests({str(path): bad}).file(path) == cache_module.file_digest(path)


def _clock_past(path: Path, folder: Path) -> cache_module.FsClock:
    """The file system's clock, read once it ticked past the file's last change."""
    st = path.stat()
    for _ in range(1000):
        clock = cache_module.fs_clock(folder)
        assert clock is not None
        if clock.ns > max(st.st_mtime_ns, st.st_ctime_ns):
            return clock
        time.sleep(0.002)
    raise AssertionError("the file system's clock did not move")


def test_a_file_changed_before_the_file_systems_clock_is_settled_at_once(tmp_path: Path) -> None:
    """As git's index takes its own file's time: a file last changed before the clock
    read before it is read changes its mtime or ctime with any later write."""
    path = tmp_path / "f"
    path.write_bytes(b"one")
    clock = _clock_past(path, tmp_path)
    assert list(tmp_path.iterdir()) == [path], "the clock's file is gone"
    name = os.path.abspath(path)
    digests = cache_module.Digests(clock=clock)
    assert digests.file(path) == cache_module.file_digest(path)
    assert name in digests.settled
    # changed after the clock was read: not settled (nor on another file system's clock)
    path.write_bytes(b"two")
    later = cache_module.Digests(clock=clock)
    later.file(path)
    assert name in later.seen and name not in later.settled
    elsewhere = cache_module.Digests(clock=cache_module.FsClock(clock.dev + 1, 2**62))
    elsewhere.file(path)
    assert name not in elsewhere.settled
    # a digest made known without reading the file (one just written) is not settled by it
    known = cache_module.Digests(clock=cache_module.FsClock(clock.dev, 2**62))
    known.remember(name, path.stat(), "written")
    assert name not in known.settled
    assert cache_module.fs_clock(tmp_path / "new") is not None and (tmp_path / "new").is_dir()
    assert cache_module.fs_clock(path / "under-a-file") is None


def test_a_check_after_a_run_settles_what_the_run_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no wait: the check reads the files the run wrote, and their signatures
    serve the next check (the file system's clock having ticked past them)."""
    project, out, cache = _setup(tmp_path)
    assert _gen(project)[0] == 0
    newest = max((p for p in out.rglob("*") if p.is_file()), key=lambda p: max(p.stat().st_mtime_ns, p.stat().st_ctime_ns))
    _clock_past(newest, cache)
    assert _check(project)[0] == 0
    reads: list[Path] = []
    real = cache_module.file_digest
    monkeypatch.setattr(cache_module, "file_digest", lambda path: reads.append(path) or real(path))
    assert _check(project)[0] == 0
    assert reads == [], "the files the first check read are settled"


def test_a_tree_digest_is_the_same_through_known_signatures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _settled_at_once(monkeypatch)
    (tmp_path / "a").write_text("one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_text("two")
    plain = cache_module.tree_digest(tmp_path)
    digests = cache_module.Digests()
    assert cache_module.tree_digest(tmp_path, "*", digests) == plain
    known = cache_module.Digests(digests.settled)
    assert cache_module.tree_digest(tmp_path, "*", known) == plain  # from signatures alone
    (tmp_path / "a").write_text("ONE")
    assert cache_module.tree_digest(tmp_path) != plain


def test_a_finding_reported_twice_counts_once() -> None:
    # a run's summary and its replay from the stamp (which keeps the located list) agree
    diagnostics = Diagnostics()
    for _ in range(2):
        diagnostics.add("spec-invalid", Level.WARNING, "True is not of type 'number'", "/components/x", "spec.yml", 3)
    diagnostics.add("other", Level.ERROR, "bad", "/a", "spec.yml", 1)
    assert diagnostics.report().splitlines()[-1] == "1 error(s), 1 warning(s)"
    replayed = Diagnostics()
    for d in diagnostics.located():
        replayed.add(d.code, d.level, d.message, d.pointer, d.file, d.line)
    assert replayed.report() == diagnostics.report()


def test_plain_pickles_build_only_plain_data() -> None:
    import pickle
    from pathlib import PurePosixPath

    from generator.cache import plain_loads

    shared: dict[str, object] = {"k": [1, 2.5, None, True, "é\ud800"]}
    data = {"a": shared, "b": shared, "c": (1, b"x"), "d": {1, 2}}
    back = plain_loads(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == data and back["a"] is back["b"]  # sharing kept
    for foreign in (PurePosixPath("x"), print, {"x": [PurePosixPath("y")]}):
        for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
            with pytest.raises(pickle.UnpicklingError):
                plain_loads(pickle.dumps(foreign, protocol=protocol))


def _alike(a: object, b: object) -> bool:
    """Equal, of the same types all the way down (1, 1.0 and True apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_alike(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_alike, a, b))  # type: ignore[arg-type]
    return a == b or (a != a and b != b)


def test_plain_entries_come_back_alike_and_shared() -> None:
    import pickle

    from generator.cache import plain_dumps, plain_loads

    nan = float("nan")
    shared: dict[str, object] = {"k": [1, 1.0, True, None, 2**70, "é\ud800", b"x", nan, nan]}
    data = {"a": shared, "b": shared, "c": (1, (True, 1.0)), "d": {1, 2}, "e": frozenset({"x"}), "": [[]]}
    written = plain_dumps(data)
    assert not written.startswith(b"\x80")  # marshal's format, not a pickle
    back = plain_loads(written)
    assert _alike(back, data) and back["a"] is back["b"]  # sharing kept
    values = back["a"]["k"]
    assert values[-1] is values[-2]  # a repeated NaN stays one object, equal to itself
    # what marshal cannot write goes as a pickle, read back by the same rules: no class
    assert plain_dumps({"x": Path("y")}).startswith(b"\x80")
    with pytest.raises(pickle.UnpicklingError):
        plain_loads(plain_dumps({"x": Path("y")}))


def test_plain_entries_read_back_or_miss(tmp_path: Path) -> None:
    Cache = cache_module.Cache
    cache = Cache(tmp_path)
    assert not cache.has("k", "ab12") and cache.get_plain("k", "ab12") is None
    cache.put_plain("k", "ab12", ["text", None])
    assert cache.has("k", "ab12") and cache.get_plain("k", "ab12") == ["text", None]
    for damaged in (b"", b'["json", "text"]', b"\x80\x05garbage", b"marshal 4\n", cache_module.plain_dumps(["text", "more"])[:-2]):
        cache.put_bytes("k", "ab12", damaged)
        assert cache.get_plain("k", "ab12") is None
    assert Cache(None).get_plain("k", "ab12") is None and not Cache(None).has("k", "ab12")


def test_the_digests_the_write_gives_are_the_stamps(tmp_path: Path) -> None:
    from generator.write import with_manifest, write_tree

    files = [OutputFile("a.py", "x = 1\n"), OutputFile("b/c.md", "é \ud800 lone\n")]
    digests: dict[str, str] = {}
    write_tree(tmp_path / "out", files, digests)
    assert digests == {f.path: cache_module.text_digest(f.content) for f in with_manifest(files)}
    for f in with_manifest(files):  # what is on disk
        assert cache_module.file_digest(tmp_path / "out" / f.path) == digests[f.path]


def test_a_regeneration_digests_its_outputs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, out, _ = _setup(tmp_path)
    assert _gen(project)[0] == 0
    spec = project / "specs" / BEAM_SPEC.name
    spec.write_text(spec.read_text().replace("title:", "title: Edited", 1))
    digested: list[str] = []
    real = cache_module.text_digest
    monkeypatch.setattr(cache_module, "text_digest", lambda text: digested.append(text) or real(text))
    assert _gen(project)[0] == 0
    # the write digested every output as it encoded it; the stamp takes those
    assert len(digested) <= 1  # (the revision record's head, read before the run)
    code, stdout, _ = _check(project)  # and the stamp holds the digests of what is on disk
    assert code == 0 and "up to date" in stdout


# --- trimming the folder --------------------------------------------------------------


def _aged(cache: cache_module.Cache, kind: str, key: str, size: int, age: float) -> Path:
    cache.put_bytes(kind, key, b"x" * size)
    path = cache._path(kind, key)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_trim_deletes_the_least_recently_used_entries(tmp_path: Path) -> None:
    cache = cache_module.Cache(tmp_path / "cache")
    old = [_aged(cache, "module", f"{i:02x}" + "a" * 62, 1000, 10 * 3600 - i) for i in range(6)]
    new = [_aged(cache, "render", f"{i:02x}" + "b" * 62, 1000, 60) for i in range(4)]
    leftover = tmp_path / "cache" / "module" / "00" / f".{'e' * 62}.123.tmp"
    leftover.write_bytes(b"y" * 50)
    os.utime(leftover, (time.time() - 2 * 3600,) * 2)
    fresh_leftover = tmp_path / "cache" / "module" / "00" / f".{'f' * 62}.124.tmp"
    fresh_leftover.write_bytes(b"y" * 50)
    assert cache.trim_due()
    # read an hour after it was written: used now, so it outlives the others of its age
    assert cache.get_bytes("module", "05" + "a" * 62) == b"x" * 1000
    assert cache.trim(limit=8000) == 4 * 1000 + 50  # down to 3/4 of the limit: 6000 bytes
    assert [p.exists() for p in old] == [False, False, False, False, True, True]
    assert all(p.exists() for p in new) and fresh_leftover.exists() and not leftover.exists()
    assert not cache.trim_due()
    assert cache.trim(limit=8000) == 0  # under the limit: nothing goes


def test_an_entry_read_within_the_hour_is_not_touched(tmp_path: Path) -> None:
    cache = cache_module.Cache(tmp_path / "cache")
    path = _aged(cache, "module", "ab" + "c" * 62, 10, 600)
    before = path.stat().st_mtime
    assert cache.get_bytes("module", "ab" + "c" * 62) == b"x" * 10
    assert path.stat().st_mtime == before


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache_module.MAX_ENV_VAR, "2.5")
    assert cache_module.max_bytes() == int(2.5 * 1024 * 1024)
    monkeypatch.setenv(cache_module.MAX_ENV_VAR, "many")
    assert cache_module.max_bytes() == cache_module.MAX_BYTES
    for none in ("0", "-1", "inf", "1e400", "nan"):  # no limit
        monkeypatch.setenv(cache_module.MAX_ENV_VAR, none)
        assert cache_module.max_bytes() == sys.maxsize
    monkeypatch.delenv(cache_module.MAX_ENV_VAR)
    assert cache_module.max_bytes() == cache_module.MAX_BYTES


def test_trim_touches_only_files_named_as_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder set to one that holds other files (a project root, an output
    folder) loses none of them, old or new, linked or not; a folder that cannot be
    read is passed over, the others trimmed."""
    root = tmp_path / "project"
    cache = cache_module.Cache(root)
    month = 30 * 24 * 3600
    entries = [_aged(cache, kind, "ab" + "0" * 62, 1000, month) for kind in ("module", "render")]
    foreign = [
        root / "src" / "pkg" / "precious.py",
        root / "src" / "pkg" / ".notes.tmp",
        root / "module" / "ab" / "README",
        root / "module" / "ab" / ("0" * 61),
        root / "module" / "abc" / ("1" * 62),
        root / "Module" / "ab" / ("2" * 62),
        root / "generated" / "beam_api" / "models.py",
    ]
    outside = tmp_path / "outside" / "ab"
    outside.mkdir(parents=True)
    (outside / ("3" * 62)).write_bytes(b"z" * 1000)
    (root / "linked").symlink_to(tmp_path / "outside")
    (root / "module" / "cd").symlink_to(outside)
    for path in foreign:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"z" * 1000)
    for path in foreign + [outside / ("3" * 62)]:
        os.utime(path, (time.time() - month,) * 2)
    scandir = os.scandir

    def refusing(folder: Any) -> Any:  # ("render" cannot be read)
        if os.fspath(folder).endswith(os.sep + "render"):
            raise PermissionError(13, "Permission denied", folder)
        return scandir(folder)

    monkeypatch.setattr(cache_module.os, "scandir", refusing)
    assert cache.trim(limit=0) == 1000
    assert not entries[0].exists() and entries[1].exists()  # (its folder "could not be read")
    assert all(path.exists() for path in foreign) and (outside / ("3" * 62)).exists()


def test_a_regeneration_trims_a_folder_over_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run that rebuilds its model trims (in its keeper child), to under what the
    run itself keeps: its output is that of a run without the cache, and so is the next
    run's, which finds what it needs or rebuilds it."""
    project, out, cache = _setup(tmp_path)
    assert _gen(project)[0] == 0
    store = cache_module.Cache(cache)
    stale = [_aged(store, "module", f"{i:02x}" + "d" * 62, 100_000, 30 * 24 * 3600) for i in range(30)]
    assert not store.trim_due()  # the run that filled the folder scanned it
    os.utime(cache / ".trimmed", (time.time() - 2 * 3600,) * 2)
    monkeypatch.setenv(cache_module.MAX_ENV_VAR, "0.1")
    spec = project / "specs" / BEAM_SPEC.name
    uncached = tmp_path / "uncached"
    shutil.copytree(project, uncached, ignore=shutil.ignore_patterns(".cache"))
    for folder in (project, uncached):
        spec = folder / "specs" / BEAM_SPEC.name
        spec.write_text(spec.read_text().replace("summary:", "summary: Edited.", 1))
    assert _gen(uncached, "--no-cache")[0] == 0
    code, _, err = _gen(project)
    assert code == 0, err
    assert not store.trim_due()
    deadline = time.monotonic() + 60  # (trimmed by a process no one waits for)
    while any(p.exists() for p in stale) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.exists() for p in stale)
    assert tree_bytes(out) == tree_bytes(uncached / "generated")
    for folder in (project, uncached):
        spec = folder / "specs" / BEAM_SPEC.name
        spec.write_text(spec.read_text().replace("summary: Edited.", "summary: Edited again.", 1))
    assert _gen(uncached, "--no-cache")[0] == 0
    assert _gen(project)[0] == 0
    assert tree_bytes(out) == tree_bytes(uncached / "generated")


@pytest.mark.parametrize("settled", [False, True])
def test_a_spec_edited_while_a_run_goes_on_reads_as_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: bool) -> None:
    """The stamp records the spec as the run read it: an edit made after the read, while
    the run goes on, makes the next check find the output stale."""
    from generator import load as load_module

    if settled:
        _settled_at_once(monkeypatch)
    project, out, _ = _setup(tmp_path)
    spec = project / "specs" / BEAM_SPEC.name
    text = spec.read_text()
    assert _gen(project)[0] == 0
    spec.write_text(text.replace("title:", "title: Read by the run", 1))
    real = load_module._read_file

    def racing(path: Path) -> Any:
        found = real(path)
        if Path(path) == spec:
            spec.write_text(text.replace("title:", "title: Written while the run goes on", 1))
        return found

    monkeypatch.setattr(load_module, "_read_file", racing)
    assert _gen(project)[0] == 0
    monkeypatch.setattr(load_module, "_read_file", real)
    code, _, _ = _check(project)
    assert code == 1, "the output was made from the text before the last edit"
    assert _check(project, "--no-cache")[0] == 1
    assert _gen(project)[0] == 0 and _check(project)[0] == 0


def _with_a_text_ref(tmp_path: Path, name: str, text: str) -> tuple[Path, tuple[Any, ...], tuple[Any, ...]]:
    """A spec whose operation's description is the text of the file `name` (a `$ref`):
    the spec, the config's arguments, and the output and cache folders' ones."""
    (tmp_path / name).write_text(text)
    spec = tmp_path / "spec.yml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n"
        f"      description: {{$ref: ./{name}}}\n      responses:\n        '200': {{description: ok}}\n"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.generator]\npackage = "pets"\n')
    return spec, ("--config", tmp_path / "pyproject.toml"), ("-o", tmp_path / "out", "--cache-dir", tmp_path / "cache")


def test_a_referenced_file_edited_while_a_run_goes_on_reads_as_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file the run opened is recorded as it was opened: a text a `$ref` pulled in,
    edited after the load while the run goes on, makes the next check find the output
    stale (as the spec does, see above)."""
    from generator import pipeline

    _settled_at_once(monkeypatch)
    spec, args, out = _with_a_text_ref(tmp_path, "desc.md", "Original words.\n")
    assert run_cli(*args, "generate", spec, *out).code == 0
    spec.write_text(spec.read_text().replace("getA", "getB"))
    real = pipeline._from_document

    def editing(*given: Any, **named: Any) -> Any:
        (tmp_path / "desc.md").write_text("Words written while the run goes on.\n")
        return real(*given, **named)

    monkeypatch.setattr(pipeline, "_from_document", editing)
    assert run_cli(*args, "generate", spec, *out).code == 0
    monkeypatch.setattr(pipeline, "_from_document", real)
    assert "Original words." in (tmp_path / "out" / "README.md").read_text() + "".join(
        p.read_text() for p in (tmp_path / "out").rglob("*.py")
    )
    assert run_cli(*args, "check", spec, *out).code == 1, "the output holds the text before the edit"
    assert run_cli(*args, "generate", spec, *out).code == 0 and run_cli(*args, "check", spec, *out).code == 0


def test_what_a_run_read_unsettled_is_recorded_unsettled_or_as_changed(tmp_path: Path) -> None:
    """On a file system whose clock ticks coarsely, a file changed within a tick before
    the run read it could change again unseen: as the run read it, its signature is not
    settled; opened by the run and digested at the stamp, it counts as changed."""
    path = tmp_path / "f"
    path.write_bytes(b"one")
    st = path.stat()
    sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    name = os.path.abspath(path)
    read = cache_module.Digests(read={name: ([*sig, "as read"], False)})
    assert read.file(path) == "as read" and name not in read.settled
    settled = cache_module.Digests(read={name: ([*sig, "as read"], True)})
    assert settled.file(path) == "as read" and settled.settled[name] == [*sig, "as read"]
    opened = cache_module.Digests(opened={name: (sig, False)})
    assert opened.file(path) == cache_module._CHANGED_WHILE_READ
    assert cache_module.Digests(opened={name: (sig, True)}).file(path) == cache_module.file_digest(path)
    path.unlink()
    assert cache_module.Digests(opened={name: (sig, True)}).file(path) == cache_module._CHANGED_WHILE_READ


def _pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that go past the stamp (the pipeline's)."""
    from generator import pipeline

    ran: list[int] = []
    real = pipeline.generate_files
    monkeypatch.setattr(pipeline, "generate_files", lambda *a, **k: ran.append(1) or real(*a, **k))
    return ran


def test_an_output_folder_reached_through_a_symlink_is_up_to_date_after_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run reads its outputs by their resolved paths (to compare them): they are
    outputs all the same, not inputs that changed while it ran."""
    project, out, _ = _setup(tmp_path)
    real = tmp_path / "real-out"
    real.mkdir()
    out.symlink_to(real)
    assert _gen(project)[0] == 0
    spec = project / "specs" / BEAM_SPEC.name
    spec.write_text(spec.read_text().replace("title:", "title: Edited", 1))
    assert _gen(project)[0] == 0
    ran = _pipeline_runs(monkeypatch)
    assert _check(project)[0] == 0 and ran == [], "served from the stamp"


def test_a_template_added_to_an_overlay_while_a_run_goes_on_reads_as_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import pipeline

    project, out, _ = _setup(tmp_path)
    assert _gen(project)[0] == 0
    spec = project / "specs" / BEAM_SPEC.name
    spec.write_text(spec.read_text().replace("title:", "title: Edited", 1))
    overlay = project / "templates" / "overlays" / "beam"  # (the overlay the config names)
    added = overlay / "EXTRA.md.jinja"
    real = pipeline._render_and_format

    def adding(*given: Any, **named: Any) -> Any:
        found = real(*given, **named)
        added.write_text("extra\n")  # (after the render listed the templates)
        return found

    monkeypatch.setattr(pipeline, "_render_and_format", adding)
    assert _gen(project)[0] == 0
    monkeypatch.setattr(pipeline, "_render_and_format", real)
    assert not (out / "EXTRA.md").exists()
    assert _check(project)[0] == 1, "the output lacks the template added while the run went on"


@pytest.mark.parametrize(
    "damage",
    [
        lambda stamp: {**stamp, "outputs": {"a\0b": "x"}},
        lambda stamp: {**stamp, "diagnostics": [["code", "no such level", "m", "", "", 0]]},
        lambda stamp: {**stamp, "diagnostics": [["code", "warning", "m", "", ""]]},
        lambda stamp: {**stamp, "diagnostics": [[1, "warning", "m", "", "", "x"]]},
    ],
)
def test_a_stamp_damaged_yet_readable_is_a_miss(tmp_path: Path, damage: Any) -> None:
    project, out, cache = _setup(tmp_path)
    assert _gen(project)[0] == 0
    store = cache_module.Cache(cache)
    (path,) = [p for p in (cache / "stamp").rglob("*") if p.is_file()]
    key = path.parent.name + path.name
    store.put("stamp", key, damage(store.get("stamp", key)))
    before = tree_bytes(out)
    code, _, err = _check(project)
    assert code == 0 and "Traceback" not in err and "internal error" not in err
    assert _gen(project)[0] == 0 and tree_bytes(out) == before


def test_a_template_added_while_the_first_run_goes_on_reads_as_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folders a stamp digests are listed as the run starts, stamp or none."""
    from generator import pipeline

    project, out, cache = _setup(tmp_path)
    added = project / "templates" / "overlays" / "beam" / "EXTRA.md.jinja"
    real = pipeline._render_and_format

    def adding(*given: Any, **named: Any) -> Any:
        found = real(*given, **named)
        added.write_text("extra\n")
        return found

    monkeypatch.setattr(pipeline, "_render_and_format", adding)
    assert _gen(project)[0] == 0
    monkeypatch.setattr(pipeline, "_render_and_format", real)
    assert not (out / "EXTRA.md").exists()
    assert _check(project)[0] == 1


def test_a_code_sample_a_ref_reads_is_an_input_whatever_its_name(tmp_path: Path) -> None:
    spec, args, where = _with_a_text_ref(tmp_path, "sample.py", "print('one')\n")
    assert run_cli(*args, "generate", spec, *where).code == 0
    assert run_cli(*args, "check", spec, *where).code == 0
    (tmp_path / "sample.py").write_text("print('two')\n")
    assert run_cli(*args, "check", spec, *where).code == 1


def test_the_config_named_two_ways_keeps_a_stamp_for_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stamp per config as written (its diagnostics show paths so): runs that name the
    config two ways do not overwrite each other's."""
    project, out, _ = _setup(tmp_path)
    monkeypatch.chdir(project)
    ways = (("--config", "pyproject.toml"), ("--config", str(project / "pyproject.toml")))
    for way in ways:
        assert run_cli(*way, "generate").code == 0
    ran = _pipeline_runs(monkeypatch)
    for way in ways * 2:
        assert run_cli(*way, "check").code == 0
    assert ran == [], "each served from its own stamp"


def test_config_tables_are_kept_by_the_file_bytes(tmp_path: Path) -> None:
    """load_config with cache.ConfigTables: the same file gives the same config without
    parsing TOML again; another file's bytes, or a table marshal cannot hold, are parsed."""
    import sys as _sys

    from generator import config as config_module
    from generator.cache import Cache, ConfigTables

    cache = Cache(tmp_path / "cache")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.generator]\npackage = "pets"\ntimeout = 12.5\n[tool.generator.operations.listPets]\ntimeout = 3\n')
    cold = config_module.load_config(pyproject)
    assert config_module.load_config(pyproject, ConfigTables(cache)) == cold  # (parsed, and kept)
    parsed: list[str] = []
    real = _sys.modules["tomllib"].loads

    def counting(text: str) -> object:
        parsed.append(text)
        return real(text)

    _sys.modules["tomllib"].loads = counting
    try:
        assert config_module.load_config(pyproject, ConfigTables(cache)) == cold
        assert parsed == []
        pyproject.write_text('[tool.generator]\npackage = "cats"\n')
        assert config_module.load_config(pyproject, ConfigTables(cache)).package == "cats"
        assert len(parsed) == 1
        pyproject.write_text('[tool.generator]\npackage = "dated"\nwhen = 2026-12-01\n')
        with pytest.raises(config_module.ConfigError, match="unknown"):
            config_module.load_config(pyproject, ConfigTables(cache))
        pyproject.write_text('[tool.generator]\npackage = "cr"\r\n')
        assert config_module.load_config(pyproject, ConfigTables(cache)).package == "cr"
        assert config_module.load_config(pyproject, ConfigTables(cache)).package == "cr"
        assert len(parsed) == 3
    finally:
        _sys.modules["tomllib"].loads = real


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "true", '"5"'])
def test_a_timeout_that_is_not_a_positive_finite_number_is_refused(tmp_path: Path, value: str) -> None:
    """NaN and infinity are TOML numbers, but no timeout: NaN compares unequal to itself
    (the revision would report it changed), and neither is a literal the client holds."""
    from generator import config as config_module

    pyproject = tmp_path / "pyproject.toml"
    for text in (f"[tool.generator]\ntimeout = {value}\n", f"[tool.generator.operations.listPets]\ntimeout = {value}\n"):
        pyproject.write_text(text)
        with pytest.raises(config_module.ConfigError, match="must be a positive number"):
            config_module.load_config(pyproject)
    pyproject.write_text("[tool.generator]\ntimeout = 2.5\nconnect_timeout = 1\n")
    assert config_module.load_config(pyproject).timeout == 2.5


@pytest.mark.parametrize("key", ["k", "ab", "abc", "0f" * 32])
def test_entries_are_read_and_written_where_their_path_says(tmp_path: Path, key: str) -> None:
    """The string paths the reads and writes take are the entry's `_path` (short keys
    too), and what is written is read back whole."""
    cache = cache_module.Cache(tmp_path)
    assert cache._file("render", key) == str(cache._path("render", key))
    value = bytes(range(256)) * 700  # (past one read's default buffer)
    cache.put_bytes("render", key, value)
    assert cache._path("render", key).read_bytes() == value
    assert cache.get_bytes("render", key) == value
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("pattern", ["*", "*.jinja", "*.py"])
def test_the_listing_is_what_rglob_finds(tmp_path: Path, pattern: str) -> None:
    """`_listing` (os.walk) lists what pathlib's rglob finds that is a file outside
    `__pycache__`, in the order paths sort (part by part: `a/b` before `a-b`)."""
    root = tmp_path / "tree"
    for name in ["a/b.jinja", "a-b.jinja", "a/c/d.py", ".hidden/x.jinja", "top.py", "__pycache__/m.py",
                 "a/__pycache__/n.py", "e/__pycache__", "f/g h.jinja", "Z.jinja", "a/b-c/e.jinja"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / "outside").mkdir()
    (root / "outside" / "o.jinja").write_text("o")
    (root / "linked-dir").symlink_to(root / "outside", target_is_directory=True)
    (root / "linked.jinja").symlink_to(root / "Z.jinja")
    (root / "broken.jinja").symlink_to(root / "missing")
    (root / "empty").mkdir()
    expected = [
        p.relative_to(root).as_posix()
        for p in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    ]
    assert cache_module._listing(root, pattern) == expected
    assert expected  # (every pattern finds some)
    assert cache_module._listing(root / "__pycache__", pattern) == []
