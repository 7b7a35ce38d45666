"""`python -m generator diff OLD NEW`: pairs of real revisions, each change classified.

Revisions are built by editing the Beam spec and corpus documents in memory; every test
asserts the change kinds with their level and the exit code (0 compatible, 1 breaking,
2 bad input)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from generator import diff as differ
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import SpecLoader
from generator.model.build import build_api
from tests.helpers import BEAM_SPEC, SHARED, run_cli, write_spec

CORPUS = SHARED / "corpus" / "dev"


def read(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SpecLoader)


def beam() -> dict[str, Any]:
    return read(BEAM_SPEC)


def corpus(name: str) -> dict[str, Any]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus document {name} not present")
    return read(path)


def diff(tmp_path: Path, old: dict[str, Any], edit: Callable[[dict[str, Any]], None], *extra: str) -> tuple[int, dict[str, Any]]:
    new = copy.deepcopy(old)
    edit(new)
    old_path = write_spec(tmp_path, old, "old.yaml")
    new_path = write_spec(tmp_path, new, "new.yaml")
    run = run_cli("--config", tmp_path / "none.toml", "diff", old_path, new_path, "--format", "json", *extra)
    assert run.code in (0, 1), run.stderr
    return run.code, json.loads(run.stdout)


def kinds(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(group, kind, level) of every change."""
    return {(c["group"], c["kind"], c["level"]) for c in report["changes"]}


TASK = "GET /v2/task/{task_id}/"
CANCEL = "DELETE /v2/task/cancel/"


# ------------------------------------------------------------------------ Beam spec
def test_unchanged_spec_has_no_changes(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: None)
    assert code == 0
    assert report == {"breaking": False, "bump": "none", "summary": {"breaking": 0, "compatible": 0, "patch": 0}, "changes": []}


def test_dropped_operation_is_breaking(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["paths"].pop("/v2/task/cancel/"))
    assert code == 1
    assert report["bump"] == "major"
    # The operation and the model class of its inline body are gone.
    assert kinds(report) == {(CANCEL, "operation-removed", "breaking"), ("models", "class-removed", "breaking")}
    assert report["changes"][0]["subject"] == "tasks.cancel_tasks"


def test_added_operation_is_compatible(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["paths"]["/v2/task/"] = {
            "get": {
                "operationId": "listTasks",
                "tags": ["Tasks"],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}}},
            }
        }

    code, report = diff(tmp_path, beam(), edit)
    assert code == 0
    assert kinds(report) == {("GET /v2/task/", "operation-added", "compatible")}
    assert report["bump"] == "minor"


def test_required_parameter_added_is_breaking_optional_is_not(tmp_path: Path) -> None:
    def add(required: bool) -> Callable[[dict[str, Any]], None]:
        def edit(s: dict[str, Any]) -> None:
            s["paths"]["/v2/task/{task_id}/"]["get"]["parameters"].append(
                {"name": "region", "in": "query", "required": required, "schema": {"type": "string"}}
            )

        return edit

    code, report = diff(tmp_path, beam(), add(True))
    assert code == 1
    assert kinds(report) == {(TASK, "parameter-added", "breaking")}
    assert "required parameter `region` (query) added" in report["changes"][0]["message"]
    code, report = diff(tmp_path, beam(), add(False))
    assert code == 0
    assert kinds(report) == {(TASK, "parameter-added", "compatible")}


def test_optional_response_field_added_is_compatible(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["components"]["schemas"]["Task"]["properties"]["queue_name"] = {"type": "string"}

    code, report = diff(tmp_path, beam(), edit)
    assert code == 0
    assert kinds(report) == {(TASK, "field-added", "compatible")}
    assert "`queue_name`" in report["changes"][0]["message"]


def test_response_field_removed_is_breaking(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["components"]["schemas"]["Task"]["properties"].pop("outputs"))
    assert code == 1
    assert kinds(report) == {(TASK, "field-removed", "breaking")}


def test_enum_value_added_to_response_is_compatible(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["components"]["schemas"]["Task"]["properties"]["status"]["enum"].append("QUEUED"))
    assert code == 0
    assert kinds(report) == {(TASK, "enum-value-added", "compatible")}
    assert '"QUEUED"' in report["changes"][0]["message"]


def test_enum_value_removed_from_response_is_compatible(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["components"]["schemas"]["Task"]["properties"]["status"]["enum"].remove("TIMEOUT"))
    assert code == 0
    assert kinds(report) == {(TASK, "enum-value-removed", "compatible")}


def test_changed_server_is_breaking_added_server_is_not(tmp_path: Path) -> None:
    def change(s: dict[str, Any]) -> None:
        s["servers"][0]["url"] = "https://eu.app.beam.cloud"

    code, report = diff(tmp_path, beam(), change)
    assert code == 1
    assert kinds(report) == {("servers", "server-changed", "breaking")}
    assert "https://app.beam.cloud to https://eu.app.beam.cloud" in report["changes"][0]["message"]

    code, report = diff(tmp_path, beam(), lambda s: s["servers"].append({"url": "https://eu.app.beam.cloud"}))
    assert code == 0
    assert kinds(report) == {("servers", "server-added", "compatible")}


def test_operation_server_override_changed(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["paths"]["/v2/task/cancel/"]["delete"]["servers"] = [{"url": "https://control.beam.cloud"}]

    code, report = diff(tmp_path, beam(), edit)
    assert code == 1
    assert kinds(report) == {(CANCEL, "server-changed", "breaking")}


def test_request_field_made_required_is_breaking(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        schema = s["paths"]["/v2/task/cancel/"]["delete"]["requestBody"]["content"]["application/json"]["schema"]
        schema["properties"]["reason"] = {"type": "string"}

    base = beam()
    code, report = diff(tmp_path, base, edit)
    assert kinds(report) == {(CANCEL, "field-added", "compatible")}
    with_reason = copy.deepcopy(base)
    edit(with_reason)

    def require(s: dict[str, Any]) -> None:
        s["paths"]["/v2/task/cancel/"]["delete"]["requestBody"]["content"]["application/json"]["schema"]["required"].append("reason")

    code, report = diff(tmp_path, with_reason, require)
    assert code == 1
    assert kinds(report) == {(CANCEL, "field-required-changed", "breaking")}


def test_renamed_operation_is_breaking(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["paths"]["/v2/task/{task_id}/"]["get"]["operationId"] = "retrieveTask"

    code, report = diff(tmp_path, beam(), edit)
    assert code == 1
    assert (TASK, "operation-renamed", "breaking") in kinds(report)


def test_parameter_type_narrowed_is_breaking_widened_is_not(tmp_path: Path) -> None:
    def to(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        def edit(s: dict[str, Any]) -> None:
            s["paths"]["/v2/task/{task_id}/"]["get"]["parameters"].append(
                {"name": "limit", "in": "query", "schema": schema}
            )

        return edit

    with_int = beam()
    to({"type": "integer"})(with_int)
    code, report = diff(tmp_path, with_int, lambda s: s["paths"]["/v2/task/{task_id}/"]["get"]["parameters"][-1].update(schema={"type": "number"}))
    assert code == 0
    assert kinds(report) == {(TASK, "type-changed", "compatible")}
    with_number = beam()
    to({"type": "number"})(with_number)
    code, report = diff(tmp_path, with_number, lambda s: s["paths"]["/v2/task/{task_id}/"]["get"]["parameters"][-1].update(schema={"type": "integer"}))
    assert code == 1
    assert kinds(report) == {(TASK, "type-changed", "breaking")}


def test_response_made_nullable_is_breaking(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["components"]["schemas"]["Task"]["properties"]["expires_in"].update(nullable=True))
    assert code == 1
    assert kinds(report) == {(TASK, "nullable-changed", "breaking")}


def test_parameter_moved_is_breaking(tmp_path: Path) -> None:
    base = beam()
    base["paths"]["/v2/task/{task_id}/"]["get"]["parameters"].append({"name": "trace", "in": "query", "schema": {"type": "string"}})
    code, report = diff(tmp_path, base, lambda s: s["paths"]["/v2/task/{task_id}/"]["get"]["parameters"][-1].update({"in": "header"}))
    assert code == 1
    assert kinds(report) == {(TASK, "parameter-moved", "breaking")}


def test_security_changes(tmp_path: Path) -> None:
    code, report = diff(tmp_path, beam(), lambda s: s["paths"]["/v2/task/{task_id}/"]["get"].update(security=[{}, {"bearerAuth": []}]))
    assert code == 0
    assert kinds(report) == {(TASK, "security-changed", "compatible")}

    def api_key(s: dict[str, Any]) -> None:
        s["components"]["securitySchemes"]["bearerAuth"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}

    code, report = diff(tmp_path, beam(), api_key)
    assert code == 1
    assert kinds(report) == {("security", "scheme-changed", "breaking")}


def test_documentation_change_is_patch(tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["info"]["version"] = "2.0.1"
        s["paths"]["/v2/task/cancel/"]["delete"]["summary"] = "Cancel tasks"

    code, report = diff(tmp_path, beam(), edit)
    assert code == 0
    assert report["bump"] == "patch"
    assert kinds(report) == {("api", "spec-version-changed", "patch"), (CANCEL, "docs-changed", "patch")}


def test_text_report_groups_by_operation(tmp_path: Path) -> None:
    new = beam()
    new["paths"].pop("/v2/task/cancel/")
    new["components"]["schemas"]["Task"]["properties"]["status"]["enum"].append("QUEUED")
    old_path, new_path = write_spec(tmp_path, beam(), "old.yaml"), write_spec(tmp_path, new, "new.yaml")
    run = run_cli("--config", tmp_path / "none.toml", "diff", old_path, new_path)
    assert run.code == 1
    assert run.stdout == (
        "2 breaking, 1 compatible, 0 patch: a major version bump\n"
        "\n"
        "DELETE /v2/task/cancel/  (tasks.cancel_tasks)\n"
        "  breaking    operation removed (was `tasks.cancel_tasks`)\n"
        "\n"
        "GET /v2/task/{task_id}/  (tasks.get_task_status)\n"
        "  compatible  response field `status`: enum value(s) \"QUEUED\" added\n"
        "\n"
        "models\n"
        "  breaking    class `CancelTasksBody` removed from models\n"
    )


# ------------------------------------------------------------------- corpus documents
def test_petstore_request_and_response_share_a_model(tmp_path: Path) -> None:
    """Pet is both the createPets body and the showPetById result: a new required field
    breaks the request and is harmless in the response."""
    code, report = diff(
        tmp_path,
        corpus("oai__petstore__1.0.0.yaml"),
        lambda s: (s["components"]["schemas"]["Pet"]["properties"].update(owner={"type": "string"}), s["components"]["schemas"]["Pet"]["required"].append("owner")),
    )
    assert code == 1
    assert kinds(report) == {
        ("POST /pets", "field-added", "breaking"),
        ("GET /pets", "field-added", "compatible"),
        ("GET /pets/{petId}", "field-added", "compatible"),
    }


def test_petstore_dropped_operation_and_its_parameter(tmp_path: Path) -> None:
    code, report = diff(tmp_path, corpus("oai__petstore__1.0.0.yaml"), lambda s: s["paths"]["/pets"]["get"]["parameters"].clear())
    assert code == 1
    assert kinds(report) == {("GET /pets", "parameter-removed", "breaking")}


def test_enum_value_removed_from_request_is_breaking(tmp_path: Path) -> None:
    doc = corpus("fixture-opc__enums__3.1.yaml")
    code, report = diff(tmp_path, doc, lambda s: s["components"]["schemas"]["AnEnum"]["enum"].remove("SECOND_VALUE"))
    assert code == 1
    levels = {(k, lvl) for _, k, lvl in kinds(report)}
    assert ("enum-value-removed", "breaking") in levels  # request parameter / body
    added_code, added = diff(tmp_path, doc, lambda s: s["components"]["schemas"]["AnEnum"]["enum"].append("THIRD_VALUE"))
    assert added_code == 0
    assert {(k, lvl) for _, k, lvl in kinds(added)} == {("enum-value-added", "compatible")}


def test_conduit_server_and_operation(tmp_path: Path) -> None:
    doc = corpus("realworld__conduit__1.1.0.yml")

    def edit(s: dict[str, Any]) -> None:
        s["servers"] = [{"url": "https://api.example.invalid/v2"}]

    code, report = diff(tmp_path, doc, edit)
    assert code == 1
    assert ("servers", "server-changed", "breaking") in kinds(report)


@pytest.mark.parametrize(
    "name",
    ["realworld__conduit__1.1.0.yml", "fixture-readme__polymorphism__3.0.json", "ory__keto__v25.4.0.yaml", "fixture-readme__security__3.1.json"],
)
def test_corpus_document_against_itself_has_no_changes(tmp_path: Path, name: str) -> None:
    code, report = diff(tmp_path, corpus(name), lambda s: None)
    assert (code, report["changes"]) == (0, [])


# ------------------------------------------------------------------------ bad input
def test_bad_input_exits_2(tmp_path: Path) -> None:
    good = write_spec(tmp_path, beam(), "good.yaml")
    assert run_cli("--config", tmp_path / "none.toml", "diff", tmp_path / "missing.yaml", good).code == 2
    broken = write_spec(tmp_path, "openapi: 3.0.0\ninfo: [\n", "broken.yaml")
    run = run_cli("--config", tmp_path / "none.toml", "diff", good, broken)
    assert run.code == 2 and "broken.yaml" in run.stderr
    assert run_cli("diff", good).code == 2  # argparse: NEW missing
    record = tmp_path / "out"
    record.mkdir()
    (record / ".generator-spec.json").write_text("{not json")
    run = run_cli("--config", tmp_path / "none.toml", "diff", record, good)
    assert run.code == 2 and "not JSON" in run.stderr


# ------------------------------------------- skipping what did not change, exactly


def _mutated(data: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """A few schema edits: a field retyped, removed, required, added, documented."""
    edited = copy.deepcopy(data)
    schemas = [s for s in ((edited.get("components") or {}).get("schemas") or {}).values() if isinstance(s, dict)]
    for _ in range(rnd.randint(1, 4)):
        if not schemas:
            break
        schema = rnd.choice(schemas)
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            name = rnd.choice(list(props))
            edit = rnd.randrange(5)
            if edit == 0:
                props[name] = {"type": "integer"}
            elif edit == 1:
                del props[name]
            elif edit == 2:
                schema["required"] = [*(schema.get("required") or []), name]
            elif edit == 3:
                props["new_" + name] = {"type": "string", "enum": ["a", "b"]}
            elif isinstance(props[name], dict):
                props[name]["description"] = "changed"
        elif isinstance(schema.get("enum"), list):
            schema["enum"] = schema["enum"][:-1] if len(schema["enum"]) > 1 else [*schema["enum"], "zzz"]
    return edited


def test_classes_unchanged_on_both_sides_are_skipped_without_changing_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The differ skips a type equal on both sides when every class it names is defined
    alike on both sides; descending into it anyway (no class counted unchanged) must
    report the very same changes."""
    documents = [BEAM_SPEC, *sorted(p for p in CORPUS.glob("*.json") if p.stat().st_size < 300_000)[:8]]
    real_init = differ._Differ.__init__
    compared = changed = 0
    for path in documents:
        data = read(path)
        before = build_api(data, Config(), Diagnostics())
        rnd = random.Random(path.name)
        for _ in range(4):
            after = build_api(_mutated(data, rnd), Config(), Diagnostics())
            for old, new in ((before, after), (after, before)):
                monkeypatch.setattr(differ._Differ, "__init__", real_init)
                skipping = differ.diff_apis(old, new)

                def nothing_unchanged(self: Any, old: Any, new: Any) -> None:
                    real_init(self, old, new)
                    self.unchanged = set()

                monkeypatch.setattr(differ._Differ, "__init__", nothing_unchanged)
                assert skipping == differ.diff_apis(old, new)
                compared += 1
                changed += bool(skipping.changes)
    assert compared >= 40 and changed >= compared // 2


def test_operations_kept_as_objects_are_compared_through_changed_classes() -> None:
    """An operation that is the very same object on both sides (as one taken from the
    model memo is) is skipped only while both sides define their classes alike: a class
    it names that changed is still found through it."""
    import dataclasses

    old_spec = beam()
    new_spec = copy.deepcopy(old_spec)
    new_spec["components"]["schemas"]["Task"]["properties"].pop("outputs")
    old = build_api(old_spec, Config(), Diagnostics())
    new = build_api(new_spec, Config(), Diagnostics())
    kept = {r.module: r for r in old.resources}
    # the new side's operations replaced by the old side's objects, as the memo gives them
    hybrid = dataclasses.replace(new, resources=tuple(dataclasses.replace(r, operations=kept[r.module].operations) for r in new.resources))
    report = differ.diff_apis(old, hybrid)
    assert report.changes == differ.diff_apis(old, new).changes
    assert any(c.kind == "field-removed" for c in report.changes)
    assert differ.diff_apis(old, dataclasses.replace(old, resources=tuple(old.resources))).changes == ()
