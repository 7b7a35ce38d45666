"""The generated distribution's version and CHANGELOG follow the spec revisions recorded
in the output folder: 1.0.0 first, then major/minor/patch by the diff; no change, no write.
The recorded spec's IR, modelled in a forked child while the new one is built, gives
what modelling it in-process gives."""

from __future__ import annotations

import copy
import json
import os
import re
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from generator import forked, revisions
from generator.config import Config
from generator.diagnostics import Diagnostics, GenerationFailed
from generator.model.build import build_api
from generator.model.operation import Api
from generator.revisions import RECORD, Previous, bump, derive
from tests.helpers import generate, imported, run_cli, tree_bytes
from tests.test_diff import beam
from tests.test_validation_fast import CORPUS

PACKAGE = "beam_api"


def regenerate(tmp_path: Path, spec: dict[str, Any]) -> tuple[int, str, Path]:
    run, out = generate(tmp_path, spec, package=PACKAGE)
    assert run.code == 0, run.stderr
    return run.code, run.stdout, out


def check(tmp_path: Path) -> Any:
    return run_cli("--config", tmp_path / "pyproject.toml", "check", tmp_path / "openapi.yaml", "-o", tmp_path / "out", "--package", PACKAGE)


def version_of(out: Path) -> str:
    return tomllib.loads((out / "pyproject.toml").read_text())["project"]["version"]


def headings(out: Path) -> list[str]:
    return re.findall(r"^## (.+)$", (out / "CHANGELOG.md").read_text(), flags=re.M)


def test_bump_arithmetic() -> None:
    assert [bump("1.4.2", level) for level in ("major", "minor", "patch")] == ["2.0.0", "1.5.0", "1.4.3"]


def test_first_generation_is_1_0_0_and_rerun_writes_nothing(tmp_path: Path) -> None:
    _, _, out = regenerate(tmp_path, beam())
    assert version_of(out) == "1.0.0"
    assert headings(out) == ["1.0.0 (Beam API 2.0)"]
    record = json.loads((out / RECORD).read_text())
    assert (record["version"], record["spec"]["info"]["title"]) == ("1.0.0", "Beam API")
    with imported(out, PACKAGE) as client:
        assert client.__version__ == "1.0.0"
    before = tree_bytes(out)
    _, stdout, _ = regenerate(tmp_path, beam())
    assert " 0 file(s) changed" in stdout
    assert tree_bytes(out) == before
    assert check(tmp_path).code == 0


def test_breaking_edit_bumps_major_with_a_changelog_entry(tmp_path: Path) -> None:
    _, _, out = regenerate(tmp_path, beam())
    edited = beam()
    edited["info"]["version"] = "2.1"
    edited["paths"].pop("/v2/task/cancel/")
    edited["components"]["schemas"]["Task"]["properties"]["status"]["enum"].append("QUEUED")
    before = tree_bytes(out)
    _, _, out = regenerate(tmp_path, edited)
    assert version_of(out) == "2.0.0"
    with imported(out, PACKAGE) as client:
        assert client.__version__ == "2.0.0"
        # where it is defined, and where templates written before _version.py take it
        assert client._version.__version__ == client._base.__version__ == "2.0.0"
        assert client._base.USER_AGENT == f"{PACKAGE}/2.0.0"
    # the release touched the version module, not the runtime module
    runtime = f"{PACKAGE}/_base.py"
    assert tree_bytes(out)[runtime] == before[runtime]
    changelog = (out / "CHANGELOG.md").read_text()
    assert headings(out) == ["2.0.0 (Beam API 2.1)", "1.0.0 (Beam API 2.0)"]
    newest = changelog.split("## 1.0.0")[0]
    assert "### Breaking\n\n- `DELETE /v2/task/cancel/` (`tasks.cancel_tasks`): operation removed" in newest
    assert "### Added\n\n- `GET /v2/task/{task_id}/` (`tasks.get_task_status`): response field `status`: enum value(s) \"QUEUED\" added" in newest
    assert "### Other\n\n- `api`: spec version changed from 2.0 to 2.1" in newest
    # And again: the same spec changes nothing.
    before = tree_bytes(out)
    _, stdout, _ = regenerate(tmp_path, edited)
    assert " 0 file(s) changed" in stdout and tree_bytes(out) == before


def test_minor_and_patch_bumps(tmp_path: Path) -> None:
    spec = beam()
    regenerate(tmp_path, spec)
    spec["components"]["schemas"]["Task"]["properties"]["queue_name"] = {"type": "string"}
    _, _, out = regenerate(tmp_path, spec)
    assert version_of(out) == "1.1.0"
    spec["paths"]["/v2/task/cancel/"]["delete"]["summary"] = "Cancel tasks by id"
    _, _, out = regenerate(tmp_path, spec)
    assert version_of(out) == "1.1.1"
    assert headings(out) == ["1.1.1 (Beam API 2.0)", "1.1.0 (Beam API 2.0)", "1.0.0 (Beam API 2.0)"]
    assert "- `DELETE /v2/task/cancel/` (`tasks.cancel_tasks`): summary or description changed" in (out / "CHANGELOG.md").read_text()


def test_change_the_client_cannot_see_keeps_the_version(tmp_path: Path) -> None:
    spec = beam()
    _, _, out = regenerate(tmp_path, spec)
    changelog = (out / "CHANGELOG.md").read_bytes()
    spec["paths"]["/v2/task/cancel/"]["delete"]["requestBody"]["content"]["application/json"]["example"] = {"task_ids": []}
    _, stdout, out = regenerate(tmp_path, spec)
    assert version_of(out) == "1.0.0"
    assert (out / "CHANGELOG.md").read_bytes() == changelog
    assert json.loads((out / RECORD).read_text())["spec"]["paths"]["/v2/task/cancel/"]["delete"]["requestBody"]["content"]["application/json"]["example"] == {"task_ids": []}


def test_same_revisions_give_the_same_bytes(tmp_path: Path) -> None:
    edited = beam()
    edited["servers"][0]["url"] = "https://eu.app.beam.cloud"
    trees = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        regenerate(folder, beam())
        _, _, out = regenerate(folder, copy.deepcopy(edited))
        trees.append(tree_bytes(out))
    assert trees[0] == trees[1]
    assert b"default server changed from https://app.beam.cloud to https://eu.app.beam.cloud" in trees[0]["CHANGELOG.md"]
    assert b'version = "2.0.0"' in trees[0]["pyproject.toml"]


def test_check_fails_when_the_record_is_stale(tmp_path: Path) -> None:
    spec = beam()
    regenerate(tmp_path, spec)
    spec["paths"].pop("/v2/task/cancel/")
    (tmp_path / "openapi.yaml").write_text(__import__("yaml").safe_dump(spec, sort_keys=False))
    run = check(tmp_path)
    assert run.code == 1
    assert '-version = "1.0.0"\n+version = "2.0.0"' in run.stdout
    assert "b/.generator-spec.json" in run.stdout and "b/CHANGELOG.md" in run.stdout
    regenerate(tmp_path, spec)
    assert check(tmp_path).code == 0


def test_diff_reads_a_generated_folder(tmp_path: Path) -> None:
    _, _, out = regenerate(tmp_path, beam())
    edited = beam()
    edited["paths"].pop("/v2/task/cancel/")
    spec = tmp_path / "edited.yaml"
    spec.write_text(__import__("yaml").safe_dump(edited, sort_keys=False))
    run = run_cli("--config", tmp_path / "pyproject.toml", "diff", out, spec)
    assert run.code == 1 and "operation removed" in run.stdout
    assert run_cli("--config", tmp_path / "pyproject.toml", "diff", out, out / RECORD).code == 0


def test_unreadable_record_is_bad_input(tmp_path: Path) -> None:
    _, _, out = regenerate(tmp_path, beam())
    (out / RECORD).write_text('{"format": 1, "version": "one"}')
    run, _ = generate(tmp_path, beam(), package=PACKAGE)
    assert run.code == 2
    assert "revision-record" in run.stderr and "delete it to start again at 1.0.0" in run.stderr


def test_yaml_integer_keys_do_not_look_like_changes(tmp_path: Path) -> None:
    """`200:` unquoted is an int key in YAML and a string in the JSON record; both sides
    of the comparison read the record's form, so only the real edit shows."""
    from tests.helpers import minimal_spec

    op = {"operationId": "getItem", "responses": {200: {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}
    spec = minimal_spec({"/items": {"get": op}})
    run, out = generate(tmp_path, spec)
    assert run.code == 0, run.stderr
    run, out = generate(tmp_path, spec)
    assert " 0 file(s) changed" in run.stdout
    op["parameters"] = [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    run, out = generate(tmp_path, spec)
    assert run.code == 0, run.stderr
    assert version_of(out) == "1.1.0"
    record = json.loads((out / RECORD).read_text())
    assert record["releases"][0]["added"] == ["`GET /items` (`default.get_item`): optional parameter `q` (query) added"]
    assert record["releases"][0]["breaking"] == record["releases"][0]["other"] == []


# ------------------------------------------------ the recorded spec modelled beside


def _derived(config: Config, data: dict[str, Any], previous: Previous | None) -> tuple[Any, str]:
    diagnostics = Diagnostics()
    api = build_api(data, config, diagnostics)
    api, record = derive(data, api, config, diagnostics, previous)
    return (api.client_version, api.releases), record.content


def test_the_recorded_spec_is_modelled_beside(tmp_path: Path) -> None:
    config = Config(output=tmp_path, package=PACKAGE)
    first = beam()
    assert Previous(config, beside=True).child is None  # no record yet: nothing to model
    _, record = _derived(config, first, None)
    (tmp_path / RECORD).write_text(record)
    read, version, releases, api = revisions._model_record(config)
    whole = revisions.read_record(tmp_path)
    assert whole is not None and (read, version, releases) == (whole.text_digest, whole.version, whole.releases) and read
    assert isinstance(api, Api) and api == build_api(whole.spec, config, Diagnostics())

    unchanged = Previous(config, beside=True)
    assert unchanged.child is not None and unchanged.record is not None
    assert _derived(config, first, unchanged) == _derived(config, first, None)
    assert unchanged.child is None  # stopped by derive: the spec did not change

    edited = beam()
    edited["info"]["version"] = "2.1"
    del edited["paths"][next(iter(edited["paths"]))]
    beside = Previous(config, beside=True)
    assert beside.child is not None
    assert _derived(config, edited, beside) == _derived(config, edited, None)
    assert beside.child is None  # its result was taken
    versions, _ = _derived(config, edited, None)
    assert versions[0] == "2.0.0"


def _recorded_then_edited(tmp_path: Path) -> tuple[Config, dict[str, Any]]:
    """A folder holding the Beam spec's record, and the spec with a patch-level edit."""
    config = Config(output=tmp_path, package=PACKAGE)
    _, record = _derived(config, beam(), None)
    (tmp_path / RECORD).write_text(record)
    edited = beam()
    edited["info"]["version"] = "2.1"
    return config, edited


def test_a_failed_child_models_the_recorded_spec_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    monkeypatch.setattr(revisions, "_model_record", lambda config: os._exit(3))
    beside = Previous(config, beside=True)
    monkeypatch.undo()
    assert beside.child is not None
    assert _derived(config, edited, beside) == _derived(config, edited, None)


def test_a_record_rewritten_meanwhile_is_modelled_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    beside = Previous(config, beside=True)
    assert beside.record is not None
    # as if the file had changed between the child's read and this one
    beside.record = revisions.Record(beside.record.version, beside.record.releases, beside.record.spec, "other")
    modelled: list[Any] = []
    real = revisions.model_quietly
    monkeypatch.setattr(revisions, "model_quietly", lambda spec, config: modelled.append(spec) or real(spec, config))
    whole = revisions.read_record(tmp_path)
    assert isinstance(beside.api(), Api) and whole is not None and modelled == [whole.spec]


def test_modelling_leaves_the_spec_as_it_was() -> None:
    # derive records and compares the new spec as it was loaded, after modelling it
    data = beam()
    before = copy.deepcopy(data)
    build_api(data, Config(), Diagnostics())
    assert data == before


def test_a_cancelled_child_is_reaped() -> None:
    """Killed where it is cancelled, reaped when the run is done (not waited for as it
    frees its memory)."""
    child = forked.Child(lambda: time.sleep(30))
    child.cancel()
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)
    assert forked._cancelled == []
    with pytest.raises(forked.ChildFailed):
        child.result()
    assert forked.Child(lambda: {"a": (1, 2)}).result() == {"a": (1, 2)}


ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 10**30, 2**63, 1.5, -0.0, 0.1, 1e16, 1e300,
    float("nan"), float("inf"), float("-inf"), "é\u2028\ud800x\"\\\n\t", "", [], {}, [[]], {"a": {}},
    (1, 2), {1: 2}, {True: 1}, {None: 1}, Path("x"), [Path("y")],
]


def test_the_record_is_written_as_the_json_library_writes_it() -> None:
    spec = revisions.normalise(beam())
    large = CORPUS / "adyen__checkout__v72.json" if CORPUS is not None else None
    if large is not None and large.exists():
        spec = {"beam": spec, "adyen": revisions.normalise(json.loads(large.read_text()))}
    values = [spec, *ODD_VALUES]
    values += [[v] for v in ODD_VALUES] + [{"k": v, "l": [v, {"m": v}]} for v in ODD_VALUES]
    for value in values:
        assert revisions.record_json(value) == json.dumps(value, indent=1, ensure_ascii=True, default=str)


def test_a_record_that_cannot_be_read_leaves_no_child(tmp_path: Path) -> None:
    """The record's head is read before the child that models the record starts."""
    config, _ = _recorded_then_edited(tmp_path)
    readable = (tmp_path / RECORD).read_text()
    (tmp_path / RECORD).write_text("[" * 100_000 + "]" * 100_000)  # too deep for json
    started: list[forked.Child] = []
    real = forked.Child

    def spy(work: Any) -> forked.Child:
        started.append(real(work))
        return started[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(forked, "Child", spy)
        with pytest.raises(RecursionError):
            Previous(config, beside=True)
        assert started == []
        (tmp_path / RECORD).write_text(readable)
        previous = Previous(config, beside=True)
        assert len(started) == 1 and previous.child is started[0]
        previous.close()
    forked.reap_cancelled()
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)  # reaped


def test_the_record_is_composed_from_its_spec_text() -> None:
    specs: list[Any] = [revisions.normalise(beam())]
    large = CORPUS / "adyen__checkout__v72.json" if CORPUS is not None else None
    if large is not None and large.exists():
        specs.append(json.loads(large.read_text()))
    specs += [{"k": v} for v in ODD_VALUES]
    for spec in specs:
        releases = (revisions.Release("1.2.3", "9", "minor", ("b\n",), ("a",), ()),)
        record = revisions.Record("1.2.3", releases, spec)
        body = {
            "format": revisions.RECORD_FORMAT,
            "version": "1.2.3",
            "releases": [revisions._release_json(r) for r in releases],
            "spec": spec,
        }
        expected = json.dumps(body, indent=1, ensure_ascii=True, default=str) + "\n"
        assert revisions.record_file(record).content == expected
        assert revisions.record_file(record, revisions.spec_json(spec)).content == expected
        plain = revisions._plain_json(spec)
        if plain is not None:  # plain data: recorded as it is, equal to its normalised self
            assert plain == revisions.spec_json(revisions.normalise(spec))


def _head_only(tmp_path: Path) -> tuple[Config, dict[str, Any], Previous]:
    config, edited = _recorded_then_edited(tmp_path)
    previous = Previous(config)
    assert previous.record is not None and previous.record.spec is None  # the head alone
    return config, edited, previous


def test_the_record_head_alone_gives_the_same_revision(tmp_path: Path) -> None:
    config, edited, previous = _head_only(tmp_path)
    whole = revisions.read_record(tmp_path)
    assert whole is not None and previous.record == revisions.Record(whole.version, whole.releases, None, whole.text_digest)
    assert previous.holds(revisions.spec_json(whole.spec))
    assert not previous.holds(revisions.spec_json(revisions.normalise(edited)))
    assert _derived(config, beam(), previous)[1] == (tmp_path / RECORD).read_text()  # unchanged: as it was
    assert _derived(config, edited, Previous(config)) == _derived(config, edited, None)


def test_a_record_laid_out_otherwise_is_read_whole(tmp_path: Path) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    canonical = (tmp_path / RECORD).read_text()
    expected = {"same": _derived(config, beam(), None), "edited": _derived(config, edited, None)}
    (tmp_path / RECORD).write_text(json.dumps(json.loads(canonical), indent=2))
    previous = Previous(config)
    assert previous.record is not None and previous.record.spec is not None
    assert not previous.holds(revisions.spec_json(revisions.normalise(beam())))  # read as a change...
    # ...that the diff finds empty: the same version, the record written back as before
    assert _derived(config, beam(), previous) == expected["same"]
    assert _derived(config, edited, Previous(config)) == expected["edited"]


def test_a_key_after_the_spec_has_the_record_read_whole(tmp_path: Path) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    text = (tmp_path / RECORD).read_text()
    assert text.endswith("\n }\n}\n")
    (tmp_path / RECORD).write_text(text[: -len("\n}\n")] + ',\n "version": "7.0.0"\n}\n')  # JSON: the last one wins
    previous = Previous(config)
    assert previous.record is not None and previous.record.version == "7.0.0" and previous.record.spec is not None
    assert _derived(config, edited, previous)[0][0] == "7.0.1"


def test_a_record_that_is_more_than_head_and_spec_reads_whole(tmp_path: Path) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    good = (tmp_path / RECORD).read_text()
    at = good.find(',\n "spec": ')
    for record, version in [
        (good[:at] + ',\n "spec": @@@ garbage' + good[at:], None),  # not JSON: an error, as before
        (good[:at] + ',\n "spec": {},\n "version": "7.0.0"' + good[at:], "7.0.0"),  # JSON's last key wins
    ]:
        for data in (beam(), edited):
            for beside in (False, True):
                (tmp_path / RECORD).write_text(record)
                previous = Previous(config, beside=beside)
                assert previous.error is None and not previous.holds(revisions.spec_json(revisions.normalise(beam())))
                diagnostics = Diagnostics()
                api = build_api(data, config, diagnostics)
                if version is None:
                    with pytest.raises(GenerationFailed):
                        derive(data, api, config, diagnostics, previous)
                    assert [d.code for d in diagnostics.items] == ["revision-record"]
                    continue
                api, _ = derive(data, api, config, diagnostics, previous)
                assert api.client_version == (version if data is not edited else "7.0.1"), (data is edited, beside)


def test_a_record_broken_past_its_head_is_reported(tmp_path: Path) -> None:
    config, edited = _recorded_then_edited(tmp_path)
    text = (tmp_path / RECORD).read_text()
    (tmp_path / RECORD).write_text(text.replace('  "openapi": ', '  "openapi" ', 1))  # inside the spec
    previous = Previous(config)
    assert previous.error is None and previous.record is not None and previous.record.spec is None
    diagnostics = Diagnostics()
    api = build_api(edited, config, diagnostics)
    with pytest.raises(GenerationFailed):
        derive(edited, api, config, diagnostics, previous)
    assert [d.code for d in diagnostics.items] == ["revision-record"]
    assert "not JSON" in diagnostics.items[0].message and "restore it from version control" in diagnostics.items[0].message


def test_a_change_python_calls_equal_is_a_change(tmp_path: Path) -> None:
    # 1 == 1.0 == True and dicts ignore order in Python; the record and the client do not
    config = Config(output=tmp_path, package=PACKAGE)

    def spec(default: Any, reorder: bool = False) -> dict[str, Any]:
        data = beam()
        name = next(iter(data["components"]["schemas"]))
        schema = data["components"]["schemas"][name]
        schema.setdefault("properties", {})["limit_x"] = {"type": "integer", "default": default}
        if reorder:
            data["components"]["schemas"] = dict(reversed(list(data["components"]["schemas"].items())))
        return data

    _, record = _derived(config, spec(1), None)
    (tmp_path / RECORD).write_text(record)
    (version, _), reordered = _derived(config, spec(1, reorder=True), Previous(config))
    assert version == "1.0.0" and reordered != record  # the record follows, the version stays
    (version, releases), _ = _derived(config, spec(True), Previous(config))
    assert version == "1.0.1" and "default" in " ".join(releases[0].other)


def test_a_spec_json_cannot_write_is_reported_not_an_internal_error() -> None:
    diagnostics = Diagnostics()
    with pytest.raises(GenerationFailed):
        revisions._derive({"x": 10**5000}, None, diagnostics, None, revisions._plain_json)  # type: ignore[arg-type]
    assert [d.code for d in diagnostics.items] == ["revision-record"]
    assert diagnostics.items[0].message.startswith("cannot record the spec as JSON")


def test_the_record_is_read_as_text_mode_reads_it_with_its_digest(tmp_path: Path) -> None:
    """revisions._read_record: the text as `read_text` gives it, and `text_digest` of it,
    computed from the bytes or taken from what the stamp knows of the file as opened."""
    from generator.cache import text_digest
    from generator.revisions import RECORD, _read_record

    assert _read_record(tmp_path) is None
    record = tmp_path / RECORD
    record.write_bytes('{\n "format": 1\n}\n'.encode())
    text, key = _read_record(tmp_path) or ("", "")
    assert text == record.read_text(encoding="utf-8") and key == text_digest(text)
    seen = []
    assert _read_record(tmp_path, lambda path, st: seen.append((path, st)) or "kept") == (text, "kept")
    assert seen[0][0] == record and seen[0][1].st_ino == record.stat().st_ino
    assert _read_record(tmp_path, lambda path, st: None) == (text, key)
    record.write_bytes(b'{\r\n "format": 1\r}\r\n')
    text, key = _read_record(tmp_path, lambda path, st: "never taken") or ("", "")
    assert text == record.read_text(encoding="utf-8") == '{\n "format": 1\n}\n' and key == text_digest(text)
