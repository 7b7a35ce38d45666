"""The schema validator runs in a forked process beside modelling, rendering and
formatting. Its verdict must read exactly as if it had run first: warnings reported in
the tolerant default, errors under --strict stopping the run with nothing written, and
a validator that dies reported, never ignored."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from generator import forked, validate
from generator.diagnostics import Level
from tests.helpers import ROOT, run_cli_process, tree_bytes

BROKEN = ROOT / "tests" / "broken"


def _cli(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    # a fresh single-threaded process: the validator is forked there
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    return run_cli_process(config, *args)


def _expected(name: str, command: str) -> str:
    """The diagnostics of `command` in the snapshot of tests/broken/NAME.expected."""
    text = (BROKEN / f"{name}.expected").read_text()
    section = text.split(f"$ {command} tests/broken/{name}.yaml\n", 1)[1].split("\n$ ", 1)[0]
    return section.split("\n", 1)[1]  # without the exit line


def test_tolerant_generate_reports_the_forked_validators_warnings(tmp_path: Path) -> None:
    run = _cli(tmp_path, "generate", "tests/broken/wrong_types.yaml", "-o", tmp_path / "out", "--no-cache")
    assert run.returncode == 0
    assert run.stderr.strip() == _expected("wrong_types", "generate").strip()
    assert (tmp_path / "out" / ".generator-manifest").exists()


def test_strict_generate_stops_on_the_validators_errors_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n")
    before = tree_bytes(out)
    run = _cli(tmp_path, "generate", BROKEN / "wrong_types.yaml", "-o", out, "--no-cache", "--strict")
    assert run.returncode == 2
    assert "error[spec-invalid]: 5 is not of type 'string'" in run.stderr
    assert "error[spec-invalid]: 'yes' is not of type 'boolean'" in run.stderr
    assert tree_bytes(out) == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the validator is forked only where fork exists")
def test_a_validator_process_that_dies_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def die(data: object, **options: object) -> list[tuple[str, str, str, str]]:
        os._exit(3)

    monkeypatch.setattr(validate, "schema_findings", die)
    findings = validate._in_child({"openapi": "3.0.3"})[1]()
    assert [(code, level) for code, _, _, level in findings] == [("validator-crashed", Level.ERROR.value)]
    assert "exit status 3" in findings[0][1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the validator is forked only where fork exists")
def test_the_forked_validator_finds_what_the_inline_one_finds() -> None:
    from generator.diagnostics import Diagnostics
    from generator.load import load

    data = load(BROKEN / "wrong_types.yaml", Diagnostics()).data
    assert validate._in_child(data)[1]() == validate.schema_findings(data)


def test_a_core_error_stops_the_validator_started_before_the_core_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache, the validator's child is given the document before the core checks
    run in the parent; when they fail, the run reports them alone and leaves no child
    behind."""
    from generator import forked
    from generator.cache import Cache
    from generator.config import Config
    from generator.diagnostics import Diagnostics, GenerationFailed
    from generator.pipeline import generate_files

    assert forked.can_fork()
    started: list[forked.Child] = []
    real = validate._waiting

    def spy(child: forked.Child) -> object:
        started.append(child)
        return real(child)

    monkeypatch.setattr(validate, "_waiting", spy)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses: {'200': {$ref: '#/components/responses/Missing'}}\n"
    )
    diagnostics = Diagnostics()
    with pytest.raises(GenerationFailed):
        generate_files(Config(spec=spec, output=tmp_path / "out"), diagnostics, cache=Cache(tmp_path / "cache"))
    assert [d.code for d in diagnostics.items] == ["dangling-ref"]
    assert len(started) == 1 and started[0].done
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)  # reaped


def test_the_ready_child_checks_the_document_it_is_given(tmp_path: Path) -> None:
    """The validator's child forked as the run starts, and given the document later,
    finds what the check in this process finds; one not given the document is
    stopped; a document that cannot be pickled is checked by a child forked with it."""
    from generator import forked
    from generator.cache import Cache
    from generator.load import load
    from generator.diagnostics import Diagnostics

    assert forked.can_fork()
    data = load(ROOT / "tests" / "broken" / "wrong_types.yaml", Diagnostics()).data
    expected = validate.schema_findings(data)
    assert expected, "a document with findings"
    for cache, announced in ((Cache(None), False), (Cache(tmp_path / "cache"), False), (Cache(tmp_path / "other"), True)):
        ready = validate.ReadyValidator()
        child = ready.child
        assert child is not None
        if announced:  # told the cache folder first: it reads the memos while it waits
            ready.announce(cache)
        check = validate.start_schema_check(data, cache, background=True, ready=ready)
        assert check() == expected and child.done and ready.child is None
    # taken from the cache: the ready child is stopped
    ready = validate.ReadyValidator()
    child = ready.child
    assert child is not None
    assert validate.start_schema_check(data, cache, background=True, ready=ready)() == expected
    assert child.done
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)
    # never given the document
    ready = validate.ReadyValidator()
    child = ready.child
    assert child is not None
    ready.cancel()
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)
    # a document pickle refuses: checked by a child forked with it
    odd = dict(data, **{"x-odd": lambda: None})
    ready = validate.ReadyValidator()
    child = ready.child
    assert child is not None
    assert validate.start_schema_check(odd, background=True, ready=ready)() == validate.schema_findings(odd)
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)


NAN_SPEC = """openapi: 3.0.3
info: {title: NaN, version: '1'}
paths:
  /a:
    get:
      parameters:
        - name: q
          in: query
          schema: {type: number, enum: [.nan], default: .nan}
      responses:
        '200': {description: ok}
"""


def test_a_document_that_may_hold_a_nan_is_not_sent_to_the_ready_child(tmp_path: Path) -> None:
    """A NaN equals itself only as the one object the loader shares between repeated
    scalars; pickle would send two, and the check would find `nan is not one of [nan]`."""
    from generator.cache import Cache
    from generator.diagnostics import Diagnostics
    from generator.load import load

    spec = tmp_path / "spec.yaml"
    spec.write_text(NAN_SPEC)
    data = load(spec, Diagnostics()).data
    expected = validate.schema_findings(data)
    assert not any("nan" in message for _, message, _, _ in expected)
    ready = validate.ReadyValidator()
    child = ready.child
    assert child is not None
    assert validate.start_schema_check(data, Cache(None), background=True, ready=ready)() == expected
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # not sent: stopped
    for cached in ("validate", "generate"):  # (validate fills the cache in process)
        run = _cli(tmp_path, cached, spec, "-o", tmp_path / "out", "--cache-dir", str(tmp_path / "cache"))
        assert "nan" not in run.stderr, run.stderr


def test_an_unexpected_error_stops_the_validator_given_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import forked
    from generator.cache import Cache
    from generator.config import Config
    from generator.diagnostics import Diagnostics
    from generator.pipeline import generate_files

    started: list[forked.Child] = []
    real = validate._waiting

    def spy(child: forked.Child) -> object:
        started.append(child)
        return real(child)

    def broken(*args: object) -> bool:
        raise RuntimeError("an internal error")

    monkeypatch.setattr(validate, "_waiting", spy)
    import generator.pipeline as pipeline

    monkeypatch.setattr(pipeline, "check_core", broken)
    with pytest.raises(RuntimeError):
        generate_files(
            Config(spec=ROOT / "specs" / "beam-cloud-openapi.yml", output=tmp_path / "out"),
            Diagnostics(),
            cache=Cache(tmp_path / "cache"),
        )
    assert len(started) == 1 and started[0].done
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)


@pytest.mark.parametrize(
    "value, may_hold",
    [
        ({"a": float("nan")}, True),
        ([1.0, float("nan")], True),
        ({"a": [float("nan")]}, True),
        ({"a": float("inf")}, True),  # (a false alarm: only sent otherwise)
        ({"a": "a line\nand another", "b": 1.5, "c": -2.0e300}, False),
        ({"a": "nan", "nanx": 1, "b": "x: nan]"}, False),
    ],
)
def test_what_reads_as_a_nan(value: object, may_hold: bool) -> None:
    from generator.spec_parts import spec_parts

    parts = spec_parts(value)
    assert parts is not None and parts.may_hold_nan is may_hold


def test_a_document_is_sent_unshared_where_the_loader_knows_its_sharing(tmp_path: Path) -> None:
    """Pickled without a memo only when the loader knows where containers are shared
    (and no overlay ran): the ready child puts the shared ones back, and finds what the
    check in this process finds."""
    from generator import pipeline
    from generator.cache import Cache
    from generator.config import Config
    from generator.diagnostics import Diagnostics
    from generator.load import load
    from generator.load_memo import shared_places
    from generator.spec_parts import spec_parts

    document = load(ROOT / "tests" / "broken" / "wrong_types.yaml", Diagnostics())
    assert pipeline._sharing(document, Config()) == []
    assert pipeline._sharing(document, Config(overlays=(tmp_path / "overlay.yaml",))) is None
    spec = tmp_path / "anchored.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: A, version: '1'}\npaths:\n  /a:\n    get: &op\n      parameters: &ps\n"
        "        - {name: q, in: query, schema: {type: integer, default: x}}\n      responses: {'200': {description: ok}}\n"
        "  /b:\n    get: *op\n    parameters: *ps\n"
    )
    anchored = load(spec, Diagnostics())
    assert pipeline._sharing(anchored, Config()) is None  # (a fresh parse with anchors: unknown)
    import pickle

    from generator.load_memo import relink

    runs = 0
    for data in (document.data, anchored.data):
        # what the child gets back: equal data, shared at the same places
        shared, copied = pickle.loads(validate._unshared_pickle((shared_places(data), data)))
        assert copied == data and shared_places(copied) == []
        relink(copied, shared)
        assert shared_places(copied) == shared_places(data)
        expected = validate.schema_findings(data)
        assert expected
        for shared in (shared_places(data), None):
            runs += 1
            ready = validate.ReadyValidator()
            child = ready.child
            check = validate.start_schema_check(
                data, Cache(tmp_path / f"cache{runs}"), background=True, parts=spec_parts(data), ready=ready, shared=shared
            )
            assert check() == expected, shared
            assert child is not None and child.done  # (checked there, not taken from a cache)


def test_the_ready_child_loads_the_offered_text_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offered the spec's text as it is read, the ready child loads it from the load
    memo itself; told the parent's load came from the memo too, it checks its own load
    (nothing is pickled) and finds what the check in this process finds, also after
    an edit spliced into the kept load. When the parent's load did not come from the
    memo, the document is pickled to it after the text; and a child whose own load
    missed the memo while the parent's did not parses the text itself."""
    from generator import load_memo
    from generator.cache import Cache
    from generator.diagnostics import Diagnostics
    from generator.load import load
    from generator.spec_parts import spec_parts

    spec = tmp_path / "spec.yaml"
    text = (BROKEN / "wrong_types.yaml").read_text()
    spec.write_text(text)
    cache = Cache(tmp_path / "cache")

    def check(recalled: bool | None = None, pickles: bool = False) -> tuple[bool, list[validate.Finding]]:
        ready = validate.ReadyValidator()
        child = ready.child
        ready.announce(cache)
        document = load(spec, Diagnostics(), cache=cache, on_text=ready.offer)
        assert ready.offered
        if not pickles:
            monkeypatch.setattr(validate.pickle, "dumps", None)  # (a call fails the give)
            monkeypatch.setattr(validate, "_unshared_pickle", None)
        told = document.recalled if recalled is None else recalled
        found = validate.start_schema_check(
            document.data, cache, background=True, parts=spec_parts(document.data), ready=ready, recalled=told
        )()
        monkeypatch.undo()
        assert child is not None and child.done and ready.child is None
        return document.recalled, found

    expected = validate.schema_findings(load(spec, Diagnostics()).data)
    assert expected
    assert check(pickles=True) == (False, expected)  # nothing kept yet: pickled
    assert check(recalled=True) == (False, expected)  # the child's own load missed too: it parsed the text
    fresh = load(spec, Diagnostics())
    assert fresh.parsed is not None and load_memo.worth_keeping(cache, fresh.parsed)
    load_memo.keep(cache, str(spec), text, fresh.parsed)
    assert check() == (True, expected)
    edited = text.replace("title:", "title: Edited", 1) if "title:" in text else text + "\n"
    assert edited != text
    spec.write_text(edited)
    expected = validate.schema_findings(load(spec, Diagnostics()).data)
    assert check() == (True, expected)


def test_the_write_is_prepared_while_the_validator_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The changed files are written beside their targets before the validator's verdict
    is waited for, and renamed into place only after it; a verdict that fails the run
    (--strict) removes them and the folders made for them: the output folder is left
    exactly as it was, and one that was not there is not made."""
    from tests.helpers import minimal_spec, run_cli, write_spec

    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    out = tmp_path / "out"
    # only the validator finds something: a response without a description
    paths = {"/x": {"get": {"operationId": "x", "responses": {"200": {"content": {}}}}}}
    spec = write_spec(tmp_path, minimal_spec(paths), "spec.yaml")
    seen: list[list[str]] = []
    real = validate.SchemaCheck.__call__

    def waited(self: validate.SchemaCheck) -> list[validate.Finding]:
        seen.append(sorted(p.name for p in out.rglob("*")) if out.exists() else [])
        return real(self)

    monkeypatch.setattr(validate.SchemaCheck, "__call__", waited)
    assert run_cli("--config", config, "generate", spec, "-o", out).code == 0
    assert seen and any(".tmp-" in name for name in seen[-1])  # (written before the wait)
    assert not any(".tmp-" in p.name for p in out.rglob("*"))
    before = {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")}
    paths["/brand/new/thing"] = {"get": {"operationId": "brandNew", "tags": ["novel"], "responses": {"200": {"description": "ok"}}}}
    write_spec(tmp_path, minimal_spec(paths), "spec.yaml")
    strict = run_cli("--config", config, "generate", spec, "-o", out, "--strict")
    assert strict.code == 2 and "error[spec-invalid]" in strict.stderr
    assert any(".tmp-" in name for name in seen[-1])
    assert {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")} == before
    fresh = tmp_path / "fresh"
    assert run_cli("--config", config, "generate", spec, "-o", fresh / "deep" / "out", "--strict").code == 2
    assert not fresh.exists()


def test_the_verdict_is_reported_when_the_write_cannot_be_prepared(tmp_path: Path) -> None:
    """A file in the way of the package folder: the write fails as it is prepared, and
    the validator's findings are still reported beside it; under --strict they stop
    the run first, and the write is not reported."""
    from tests.helpers import run_cli

    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.generator]\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "beam").write_text("in the way\n")
    spec = BROKEN / "bad_schema_values.yaml"
    for extra in ((), ("--no-cache",)):
        tolerant = run_cli("--config", config, "generate", spec, "-o", out, "--package", "beam", *extra)
        assert tolerant.code == 2
        assert "error[write]" in tolerant.stderr and "warning[spec-invalid]" in tolerant.stderr
        strict = run_cli("--config", config, "generate", spec, "-o", out, "--package", "beam", "--strict", *extra)
        assert strict.code == 2
        assert "error[spec-invalid]" in strict.stderr and "error[write]" not in strict.stderr
    assert sorted(p.name for p in out.iterdir()) == ["beam"]
