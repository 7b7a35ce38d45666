"""Template overlays: file override, block override, extras, stacking, the contract
version, and user-template errors located in the overlay file."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.render import TEMPLATE_API_VERSION
from tests.helpers import BEAM_SPEC, ROOT, generate, imported, minimal_spec, run_cli, tree_bytes

OP = {
    "get": {
        "operationId": "getItem",
        "tags": ["Items"],
        "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}},
    }
}
SPEC = minimal_spec(
    {"/items/{item_id}": OP},
    components={"schemas": {"Item": {"type": "object", "properties": {"name": {"type": "string"}}}}},
)


def overlay(folder: Path, files: dict[str, str], version: int | None = TEMPLATE_API_VERSION) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if version is not None:
        (folder / "template-api.toml").write_text(f"version = {version}\n")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def gen(tmp_path: Path, *folders: Path, spec: Any = SPEC) -> tuple[Any, Path]:
    args: list[str] = []
    for folder in folders:
        args += ["--templates", str(folder)]
    return generate(tmp_path, spec, *args)


def read(out: Path, rel: str) -> str:
    return (out / "client" / rel).read_text()


@pytest.fixture(scope="module")
def default_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run, out = gen(tmp_path_factory.mktemp("default"))
    assert run.code == 0, run.stderr
    return out


def test_file_override_replaces_the_builtin(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {"{package}/resources/__init__.py.jinja": '"""Our own {{ api.title }} resources."""\n'})
    run, out = gen(tmp_path, folder)
    assert run.code == 0, run.stderr
    assert read(out, "resources/__init__.py") == '"""Our own Test API resources."""\n'


def test_block_override_via_builtin_prefix(tmp_path: Path, default_out: Path) -> None:
    folder = overlay(
        tmp_path / "o",
        {
            "{package}/models.py.jinja": (
                '{% extends "builtin:{package}/models.py.jinja" %}\n'
                "{% block model_methods %}\n{{ super() }}\n\n"
                "    def describe(self) -> str:\n"
                '        return {{ ("a " ~ model.name) | literal }}\n'
                "{% endblock %}\n"
            )
        },
    )
    run, out = gen(tmp_path, folder)
    assert run.code == 0, run.stderr
    before, after = read(default_out, "models.py"), read(out, "models.py")
    added = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    assert added == ["+ ", "+     def describe(self) -> str:", '+         return "a Item"']
    with imported(out):
        import importlib

        assert importlib.import_module("client.models").Item(name="x").describe() == "a Item"
    assert "def describe(self) -> str: ..." in read(out, "models.pyi")


def test_extra_files_including_per_resource(tmp_path: Path) -> None:
    folder = overlay(
        tmp_path / "o",
        {
            "{package}/extra.py.jinja": 'TITLE = {{ api.title | literal }}\n',
            "{package}/resources/{resource}_docs.py.jinja": "OPERATIONS: list[str] = {{ resource.operations | map(attribute='operation_id') | list }}\n",
            "NOTES.md.jinja": "# {{ api.title }}\n",
            "_include/helpers.jinja": "{% macro shout(s) %}{{ s | upper }}{% endmacro %}",
            "{package}/shouted.py.jinja": '{% import "_include/helpers.jinja" as h %}\nX = "{{ h.shout(api.title) }}"\n',
        },
    )
    run, out = gen(tmp_path, folder)
    assert run.code == 0, run.stderr
    assert read(out, "extra.py") == 'TITLE = "Test API"\n'
    assert (out / "client" / "extra.pyi").is_file()
    assert read(out, "resources/items_docs.py") == 'OPERATIONS: list[str] = ["getItem"]\n'
    assert (out / "NOTES.md").read_text() == "# Test API\n"
    assert read(out, "shouted.py") == 'X = "TEST API"\n'
    assert not list(out.rglob("*helpers*"))  # partials are not rendered


def test_later_overlays_win_and_next_stacks_them(tmp_path: Path) -> None:
    first = overlay(
        tmp_path / "a",
        {"{package}/extra.py.jinja": "A = 1\n{% block more %}{% endblock %}\n"},
    )
    second = overlay(
        tmp_path / "b",
        {"{package}/extra.py.jinja": '{% extends "next:{package}/extra.py.jinja" %}{% block more %}B = 2{% endblock %}'},
    )
    run, out = gen(tmp_path, first, second)
    assert run.code == 0, run.stderr
    assert read(out, "extra.py") == "A = 1\nB = 2\n"


def test_config_templates_are_relative_to_pyproject(tmp_path: Path) -> None:
    overlay(tmp_path / "tpl", {"{package}/extra.py.jinja": "X = 1\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.generator]\ntemplates = ["tpl"]\n')
    run, out = generate(tmp_path, SPEC)
    assert run.code == 0, run.stderr
    assert read(out, "extra.py") == "X = 1\n"


def failing(tmp_path: Path, folder: Path, spec: Any = SPEC) -> str:
    """Generate once cleanly, then with `folder`: exit 2 and the output untouched."""
    run, out = gen(tmp_path)
    assert run.code == 0, run.stderr
    before = tree_bytes(out)
    run, out = gen(tmp_path, folder, spec=spec)
    assert run.code == 2, run.stderr
    assert tree_bytes(out) == before
    return run.stderr


def test_missing_overlay_folder(tmp_path: Path) -> None:
    err = failing(tmp_path, tmp_path / "nope")
    assert f"template overlay folder does not exist: {tmp_path / 'nope'}" in err


def test_missing_folder_in_config_is_an_error_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.generator]\ntemplates = ["gone"]\n')
    run, _ = generate(tmp_path, SPEC)
    assert run.code == 2 and "gone" in run.stderr


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("{package}/notes.txt", "stray file"),
        ("{package}/extra.py", "stray file"),
        ("client/extra.py.jinja", "mirror the output tree"),
        ("{pkg}/extra.py.jinja", "mirror the output tree"),
        ("{package}/{tag}.py.jinja", "unknown placeholder {tag}"),
    ],
)
def test_stray_files_are_errors_naming_them(tmp_path: Path, rel: str, why: str) -> None:
    folder = overlay(tmp_path / "o", {rel: "x"})
    err = failing(tmp_path, folder)
    assert why in err and rel in err


def test_hidden_files_and_readme_are_ignored(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {".gitkeep": "", "README.md": "# notes", "{package}/.swp": ""})
    run, _ = gen(tmp_path, folder)
    assert run.code == 0, run.stderr


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {"{package}/models.py.jinja": '{% extends "builtin:{package}/models.py.jinja" %}\n\n{% block model %}{% if %}{% endblock %}\n'})
    err = failing(tmp_path, folder)
    assert f"{folder / '{package}' / 'models.py.jinja'}:3" in err
    assert "template-syntax" in err


def test_undefined_name_names_file_line_and_operation(tmp_path: Path) -> None:
    folder = overlay(
        tmp_path / "o",
        {
            "{package}/resources/{resource}.py.jinja": (
                '{% extends "builtin:{package}/resources/{resource}.py.jinja" %}\n'
                "{% block method_docstring %}\n"
                "        {{ op.no_such_field | docblock(8) }}\n"
                "{% endblock %}\n"
            )
        },
    )
    err = failing(tmp_path, folder)
    assert f"{folder / '{package}' / 'resources' / '{resource}.py.jinja'}:3" in err
    assert "no_such_field" in err
    assert "operation 'getItem'" in err and "resource 'Items'" in err


def test_undefined_name_in_a_model_names_the_schema(tmp_path: Path) -> None:
    folder = overlay(
        tmp_path / "o",
        {"{package}/models.py.jinja": '{% extends "builtin:{package}/models.py.jinja" %}\n{% block model_fields %}\n    x: int = {{ model.nope }}\n{% endblock %}\n'},
    )
    err = failing(tmp_path, folder)
    assert "models.py.jinja:3" in err and "schema 'Item'" in err


def test_invalid_python_names_the_overlay_file_and_line(tmp_path: Path) -> None:
    folder = overlay(
        tmp_path / "o",
        {
            "{package}/resources/{resource}.py.jinja": (
                '{% extends "builtin:{package}/resources/{resource}.py.jinja" %}\n'
                "{% block method_body %}\n"
                "        return (  {{ op.py_name }}\n"
                "{% endblock %}\n"
            )
        },
    )
    err = failing(tmp_path, folder)
    assert "template-invalid-python" in err
    assert f"{folder / '{package}' / 'resources' / '{resource}.py.jinja'}:3" in err
    assert "client/resources/items.py" in err and "get_item" in err


def test_a_module_without_a_stub_names_the_overlay_file(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {"{package}/extra.py.jinja": "A = 1\nNAMES = [{{ api.title | literal }}]\n"})
    err = failing(tmp_path, folder)
    assert f"{folder / '{package}' / 'extra.py.jinja'}:2" in err
    assert "cannot state the type of this assignment in a stub" in err


def test_contract_version_mismatch(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {"{package}/extra.py.jinja": "X = 1\n"}, version=TEMPLATE_API_VERSION + 1)
    err = failing(tmp_path, folder)
    assert "template-api" in err and f"targets template API version {TEMPLATE_API_VERSION + 1}" in err
    assert str(folder / "template-api.toml") in err


def test_undeclared_contract_version_is_a_warning(tmp_path: Path) -> None:
    folder = overlay(tmp_path / "o", {"{package}/extra.py.jinja": "X = 1\n"}, version=None)
    run, _ = gen(tmp_path, folder)
    assert run.code == 0 and "warning[template-api]" in run.stderr
    run, _ = gen(tmp_path, folder, "--strict")  # type: ignore[arg-type]
    assert run.code == 2


TRACING = ROOT / "templates" / "overlays" / "examples" / "tracing"


def test_tracing_example_changes_only_method_bodies(tmp_path: Path, default_out: Path) -> None:
    run, out = gen(tmp_path, TRACING)
    assert run.code == 0, run.stderr
    before, after = tree_bytes(default_out), tree_bytes(out)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == ["client/resources/items.py"]
    diff = [
        line
        for line in difflib.ndiff(before[changed[0]].decode().splitlines(), after[changed[0]].decode().splitlines())
        if line[:1] in "+-"
    ]
    added = [
        '+         traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"',
        '+         extra_headers = {"traceparent": traceparent, **(extra_headers or {})}',
    ]
    # one pair per method: sync, async, and their raw-response twins; nothing removed
    assert diff == ["+ ", "+ import secrets"] + added * 4


def test_tracing_example_sends_the_header(tmp_path: Path) -> None:
    import httpx

    run, out = gen(tmp_path, TRACING)
    assert run.code == 0, run.stderr
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"name": "a"})

    with imported(out) as client:
        c = client.Client(token="t", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        c.items.get_item(1)
        c.items.get_item(1, extra_headers={"traceparent": "mine"})
    first, second = (r.headers["traceparent"] for r in seen)
    assert first.startswith("00-") and len(first) == 55
    assert second == "mine"


def test_check_fails_when_an_overlay_changes_without_regenerating(tmp_path: Path) -> None:
    """`make check` covers the overlay: a temp copy of the project, generated, then an
    overlay template edited: check exits 1 and shows the difference."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "templates" / "overlays", project / "templates" / "overlays")
    (project / "specs").mkdir()
    shutil.copy(BEAM_SPEC, project / "specs" / BEAM_SPEC.name)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    config = project / "pyproject.toml"
    assert run_cli("--config", config, "generate").code == 0
    assert "def wait(" in (project / "generated" / "beam_api" / "resources" / "tasks.py").read_text()
    template = project / "templates" / "overlays" / "beam" / "{package}" / "resources" / "{resource}.py.jinja"
    template.write_text(template.read_text().replace("timeout: float = 600.0", "timeout: float = 900.0"))
    run = run_cli("--config", config, "check")
    assert run.code == 1
    assert "-        timeout: float = 600.0," in run.stdout and "+        timeout: float = 900.0," in run.stdout
    assert "is stale" in run.stderr
