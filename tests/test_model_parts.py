"""The models of a large API are split into part modules that type checkers can analyse
(pyright strict gives up on one module of Stripe's size): each part imports only from
the parts before it, `models.py` re-exports every name, the classes are written as in
one module, and the split package imports in any order, decodes, and checks clean."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import model_parts
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.model.build import build_api
from generator.model.operation import Api
from generator.model.types import MODELS
from tests.helpers import generate, minimal_spec, run_cli, tree_bytes
from tests.test_template_overlays import overlay
from tests.test_typecheck import mypy, pyright, run

CHAIN = 24  # Node0 <- Node1 <- ... : each node refers to the one before


def _spec(description: str = "A node.") -> dict[str, Any]:
    schemas: dict[str, Any] = {"Color": {"type": "string", "enum": ["red", "green", "blue"]}}
    for i in range(CHAIN):
        props: dict[str, Any] = {
            "id": {"type": "string"},
            "count": {"type": "integer"},
            "color": {"$ref": "#/components/schemas/Color"},
        }
        if i:
            props["prev"] = {"$ref": f"#/components/schemas/Node{i - 1}"}
        schemas[f"Node{i}"] = {"type": "object", "description": description, "required": ["id"], "properties": props}
    # a cycle, and a union of models that may land in other parts
    schemas["Tree"] = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
            "leaf": {"$ref": "#/components/schemas/Leaf"},
        },
    }
    schemas["Leaf"] = {
        "type": "object",
        "properties": {
            "parent": {"$ref": "#/components/schemas/Tree"},
            "node": {"oneOf": [{"$ref": "#/components/schemas/Node0"}, {"$ref": f"#/components/schemas/Node{CHAIN - 1}"}]},
        },
    }

    def get(op: str, schema: str) -> dict[str, Any]:
        ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
        return {"get": {"operationId": op, "responses": {"200": ok}}}

    return minimal_spec({"/node": get("getNode", f"Node{CHAIN - 1}"), "/tree": get("getTree", "Tree")}, components={"schemas": schemas})


LIMIT = 60  # a few nodes per part


def _parts(api: Api, limit: int) -> list[model_parts.ModelPart]:
    return model_parts.model_parts(api, model_parts.grouped_names(api, limit))


def _weight(part: model_parts.ModelPart) -> int:
    items: list[Any] = [*part.enums, *part.models]
    return sum(model_parts._weight(item) for item in items)


def test_parts_refer_only_to_the_parts_before_them() -> None:
    api = build_api(_spec(), Config(), Diagnostics())
    assert model_parts.grouped_names(api, 10**6) == []
    parts = _parts(api, LIMIT)
    assert len(parts) >= 4
    assert [p.module for p in parts] == [f"_models_{k}" for k in range(1, len(parts) + 1)]
    names = [n for p in parts for n in p.names]
    assert sorted(names) == sorted([m.name for m in api.models] + [e.name for e in api.enums])
    owner = {n: k for k, p in enumerate(parts) for n in p.names}
    assert owner["Tree"] == owner["Leaf"]  # a cycle shares a part
    for k, part in enumerate(parts):
        assert _weight(part) <= LIMIT
        for module, name in part.imports():
            assert module != MODELS
            if module.startswith("._models_"):
                assert module == f"._models_{owner[name] + 1}" and owner[name] < k
        # everything a part's models refer to is its own or imported
        wanted = {n for m in part.models for mod, n in m.imports() if mod == MODELS} - set(part.names)
        assert wanted == {n for mod, n in part.imports() if mod.startswith("._models_")}
    assert _parts(api, LIMIT) == parts  # the same every time


def test_a_cycle_larger_than_the_limit_is_a_part_of_its_own() -> None:
    spec = _spec()
    spec["components"]["schemas"]["Node0"]["properties"]["next"] = {"$ref": f"#/components/schemas/Node{CHAIN - 1}"}
    parts = _parts(build_api(spec, Config(), Diagnostics()), LIMIT)
    ring = [p for p in parts if "Node0" in p.names]
    assert len(ring) == 1 and {f"Node{i}" for i in range(CHAIN)} <= set(ring[0].names)
    assert _weight(ring[0]) > LIMIT


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_parts, "PART_WEIGHT", LIMIT)


def _generated(tmp_path: Path, *args: str, description: str = "A node.") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    run, out = generate(tmp_path, _spec(description), *args)
    assert run.code == 0, run.stderr
    return out


def _classes(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node, padded=True) or ""
        for node in tree.body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef))
    }


def test_split_writes_the_classes_as_one_module_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _classes((_generated(tmp_path / "whole") / "client" / "models.py").read_text())
    monkeypatch.setattr(model_parts, "PART_WEIGHT", LIMIT)
    out = _generated(tmp_path / "split") / "client"
    parts = sorted(out.glob("_models_*.py"))
    assert len(parts) >= 4 and all(p.with_suffix(".pyi").is_file() for p in parts)
    found: dict[str, str] = {}
    for part in parts:
        for name, text in _classes(part.read_text()).items():
            if name.startswith("_decode_"):  # a part writes the decoders its models need
                assert text == whole[name]
            else:
                assert name not in found
                found[name] = text
    assert found == {n: t for n, t in whole.items() if not n.startswith("_decode_")}
    index = (out / "models.py").read_text()
    assert "class " not in index and "def " not in index
    tree = ast.parse(index)
    listed = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "__all__")
    assert listed == sorted(found)


_USE = """
import json, sys
import client.models as m
from client.models import *
assert sorted(m.__all__) == sorted(n for n in dir(m) if not n.startswith("_") and n != "annotations")
data = json.loads(sys.argv[1])
node = m.Node{last}.from_dict(data)
assert node.prev.prev.color is m.Color.GREEN, node
assert node.to_dict() == data
tree = m.Tree.from_dict({{"children": [{{"leaf": {{"node": {{"id": "z"}}}}}}]}})
assert isinstance(tree.children[0].leaf.node, (m.Node0, m.Node{last})), tree
print("ok")
"""


def test_the_split_package_imports_in_any_order_and_decodes(tmp_path: Path, small_parts: None) -> None:
    out = _generated(tmp_path)
    data: dict[str, Any] = {"id": "a", "prev": {"id": "b", "prev": {"id": "c", "color": "green"}}}
    modules = ["client.models"] + [f"client.{p.stem}" for p in sorted((out / "client").glob("_models_*.py"), reverse=True)]
    for module in modules:  # each one imported first, in a fresh interpreter
        code = f"import {module}\n" + _USE.format(last=CHAIN - 1)
        result = subprocess.run([sys.executable, "-c", code, json.dumps(data)], cwd=out, capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout == "ok\n", (module, result.stderr)


def test_the_split_package_is_strictly_typed(tmp_path: Path, small_parts: None) -> None:
    out = _generated(tmp_path)
    result = mypy("-p", "client", path=out, cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    usage = tmp_path / "usage.py"
    usage.write_text(
        "from client.models import Leaf, Node0\n\n\n"
        "def first(leaf: Leaf) -> str | None:\n"
        "    node = leaf.node\n"
        "    if isinstance(node, Node0):\n"
        "        return node.id\n"
        "    return None\n"
    )
    report: Any = pyright(tmp_path, out / "client", usage, extra=out)
    assert report["summary"]["errorCount"] == 0, report["generalDiagnostics"][:5]
    allowlist = Path(__file__).parent / "stubtest-allowlist.txt"
    env = {"PYTHONPATH": str(out), "MYPYPATH": str(out)}
    result = run(sys.executable, "-m", "mypy.stubtest", "client", "--allowlist", allowlist, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cached_split_equals_uncached(tmp_path: Path, small_parts: None) -> None:
    cache = tmp_path / "cache"
    _generated(tmp_path / "a", "--cache-dir", str(cache))  # fills the cache
    for description in ("Edited.", "A node."):  # a schema edit, and back
        runs = []
        for name, args in (("cached", ["--cache-dir", str(cache)]), ("cold", ["--no-cache"])):
            out = _generated(tmp_path / f"{name}-{len(description)}", *args, description=description)
            runs.append(tree_bytes(out))
        assert runs[0] == runs[1]
        assert any("/_models_" in p for p in runs[0])


def test_the_check_command_sees_a_stale_part(tmp_path: Path, small_parts: None) -> None:
    out = _generated(tmp_path)
    part = out / "client" / "_models_2.py"
    part.write_text(part.read_text() + "\n# edited\n")
    run = run_cli("--config", str(tmp_path / "pyproject.toml"), "check", str(tmp_path / "openapi.yaml"), "-o", str(out), "--package", "client", "--no-cache")
    assert run.code == 1 and "_models_2.py" in run.stdout


def test_the_render_memo_keeps_the_split_and_checks_what_it_reads(tmp_path: Path) -> None:
    from generator.cache import Cache
    from generator.render import BUILTIN_TEMPLATES
    from generator.render_memo import KIND, RenderMemo

    api = build_api(_spec(), Config(), Diagnostics())
    cache = Cache(tmp_path / "cache")
    memo = RenderMemo(cache, BUILTIN_TEMPLATES)
    groups = memo.grouped_names(api, LIMIT)
    assert groups == model_parts.grouped_names(api, LIMIT) and len(groups) >= 4
    assert cache.get_plain(KIND, _slot(memo, api)) == groups
    assert RenderMemo(cache, BUILTIN_TEMPLATES).grouped_names(api, LIMIT) == groups
    every = [sorted(n for group in groups for n in group)]
    cache.put_plain(KIND, _slot(memo, api), every)  # (what is kept is taken)
    assert RenderMemo(cache, BUILTIN_TEMPLATES).grouped_names(api, LIMIT) == every
    # an entry that does not name the models as they are is not
    for bad in ([["Node0"]], [groups[0] + ["Ghost"], *groups[1:]], [*groups, []], "junk", [[1]]):
        cache.put_plain(KIND, _slot(memo, api), bad)
        assert RenderMemo(cache, BUILTIN_TEMPLATES).grouped_names(api, LIMIT) == groups


def _slot(memo: Any, api: Api) -> str:
    from generator.cache import digest

    return digest(memo.prefix, "model parts", str(LIMIT), memo.text_of((api.models, api.enums)))


def test_parts_no_longer_needed_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_parts, "PART_WEIGHT", LIMIT)
    out = _generated(tmp_path) / "client"
    assert len(list(out.glob("_models_*"))) >= 8
    monkeypatch.setattr(model_parts, "PART_WEIGHT", 10**6)
    _generated(tmp_path, "--no-cache")  # (the limit is no input the stamp knows: it is the generator's)
    assert list(out.glob("_models_*")) == [] and "class Node0" in (out / "models.py").read_text()


def test_a_schema_edit_renders_only_its_part_again(tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render

    spec = _spec()
    cache = str(tmp_path / "cache")
    _generated(tmp_path, "--cache-dir", cache)
    rendered: list[str] = []
    original = render._render

    def spy(env: Any, job: Any, *args: Any) -> Any:
        rendered.append(job.output)
        return original(env, job, *args)

    monkeypatch.setattr(render, "_render", spy)
    # (a field's own description: a schema's own is also the description of the fields
    # that refer to it, in other models)
    spec["components"]["schemas"]["Node5"]["properties"]["count"]["description"] = "Edited."
    run, out = generate(tmp_path, spec, "--cache-dir", cache)
    assert run.code == 0, run.stderr
    holder = next(p.name for p in (out / "client").glob("_models_*.py") if "class Node5" in p.read_text())
    assert [p for p in rendered if "models" in p] == [f"client/{holder}"]


_REGISTRY = (
    '{% extends "builtin:{package}/models.py.jinja" %}\n'
    '{% block exports %}    "REGISTRY",\n{% endblock %}\n'
    "{% block module_footer %}\n\n\nREGISTRY: dict[str, type] = {\n"
    "{% for m in api.models %}    {{ m.name | literal }}: {{ m.name }},\n{% endfor %}}\n{% endblock %}\n"
)


def _overlay(folder: Path, files: dict[str, str], flags: str = "") -> Path:
    """An overlay folder (tests/test_template_overlays.py), its template-api.toml
    declaring `flags` lines too."""
    overlay(folder, files)
    manifest = folder / "template-api.toml"
    manifest.write_text(manifest.read_text() + flags)
    return folder


def test_an_overlay_models_template_keeps_one_module_unless_it_declares_parts(tmp_path: Path, small_parts: None) -> None:
    """An overlay's models template was written for one module (its blocks outside the
    loops may read `api.models`): it gets one, unless it declares `split_models`."""
    old = _overlay(tmp_path / "old", {"{package}/models.py.jinja": _REGISTRY})
    out = _generated(tmp_path / "a", "--templates", str(old)) / "client"
    assert not list(out.glob("_models_*")) and "Node23.from_dict" in (out / "models.py").read_text()
    code = "import client.models as m\nassert len(m.REGISTRY) == len(m.__all__) - 2, m.REGISTRY\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=out.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # declared: split, and the overlay's own blocks see the parts (`model_part`)
    parted = _REGISTRY.replace("{% block module_footer %}", "{% block module_footer %}{% if not model_part %}")
    parted = parted.replace("{% endfor %}}\n{% endblock %}", "{% endfor %}}\n{% endif %}{% endblock %}")
    parted = parted.replace('{% block exports %}    "REGISTRY",\n{% endblock %}', '{% block exports %}{% if not model_part %}    "REGISTRY",\n{% endif %}{% endblock %}')
    new = _overlay(tmp_path / "new", {"{package}/models.py.jinja": parted}, "split_models = true\n")
    out = _generated(tmp_path / "b", "--templates", str(new)) / "client"
    assert len(list(out.glob("_models_*.py"))) >= 4
    result = subprocess.run([sys.executable, "-c", code], cwd=out.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # stacked on one that does not declare it (and may be extended through `next:`): one module
    out = _generated(tmp_path / "d", "--templates", str(old), "--templates", str(new)) / "client"
    assert not list(out.glob("_models_*"))
    bad = _overlay(tmp_path / "bad", {}, "split_models = 1\n")
    (tmp_path / "c").mkdir()
    run, _ = generate(tmp_path / "c", _spec(), "--templates", str(bad))
    assert run.code == 2 and "`split_models` must be true or false" in run.stderr


def test_a_file_two_templates_would_write_fails_before_writing(tmp_path: Path, small_parts: None) -> None:
    before = tree_bytes(_generated(tmp_path))
    clashes = {
        "{package}/_models_1.py.jinja": "client/_models_1.py would be written twice: by {package}/_models_1.py.jinja and by {package}/models.py.jinja (models part 1)",
        # a template at the path of a stub (older too)
        "{package}/_models_1.pyi.jinja": "client/_models_1.pyi would be written twice: by {package}/_models_1.pyi.jinja and by the stub of {package}/models.py.jinja (models part 1)",
        # (older: an extra template at a resource's module)
        "{package}/resources/default.py.jinja": "client/resources/default.py would be written twice",
    }
    for k, (template, message) in enumerate(clashes.items()):
        clash = _overlay(tmp_path / f"clash{k}", {template: "X = 1\n"})
        run, out = generate(tmp_path, _spec(), "--templates", str(clash), "--no-cache")
        assert run.code == 2 and message in run.stderr, run.stderr
        assert tree_bytes(out) == before


def _large_spec(count: int) -> dict[str, Any]:
    """Models of weight 16 each (nine optional scalar fields, an enum, a reference)."""
    schemas: dict[str, Any] = {"Color": {"type": "string", "enum": ["red", "green"]}}
    for i in range(count):
        props: dict[str, Any] = {f"f{j}": {"type": ["string", "integer", "boolean", "number"][j % 4]} for j in range(9)}
        props["color"] = {"$ref": "#/components/schemas/Color"}
        if i:
            props["prev"] = {"$ref": f"#/components/schemas/M{i // 2}"}
        schemas[f"M{i}"] = {"type": "object", "required": ["f0"], "properties": props}
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/M{count - 1}"}}}}
    return minimal_spec({"/m": {"get": {"operationId": "getM", "responses": {"200": ok}}}}, components={"schemas": schemas})


def test_the_limit_keeps_parts_within_what_pyright_analyses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the pinned pyright: the stub of one models module twice the limit's weight is
    "too complex to analyze", and parts filled up to the limit are not. (The modules
    themselves, parts of this size, also pass: about two minutes, checked by hand.)"""
    spec = _large_spec(1240)  # about twice the limit: two parts, each near it
    api = build_api(spec, Config(), Diagnostics())
    parts = _parts(api, model_parts.PART_WEIGHT)
    assert len(parts) == 2 and all(_weight(p) > 0.95 * model_parts.PART_WEIGHT for p in parts)
    (tmp_path / "split").mkdir()
    run, out = generate(tmp_path / "split", spec, "--no-cache")
    assert run.code == 0, run.stderr
    report: Any = pyright(tmp_path / "split", *sorted((out / "client").glob("_models_*.pyi")), extra=out)
    assert report["summary"]["filesAnalyzed"] == 2 and report["summary"]["errorCount"] == 0, report["generalDiagnostics"][:3]
    monkeypatch.setattr(model_parts, "PART_WEIGHT", 10**9)
    (tmp_path / "whole").mkdir()
    run, out = generate(tmp_path / "whole", spec, "--no-cache")
    assert run.code == 0 and not list((out / "client").glob("_models_*"))
    report = pyright(tmp_path / "whole", out / "client" / "models.pyi", extra=out)
    messages = [d["message"] for d in report["generalDiagnostics"]]
    assert any(m.startswith("Code is too complex to analyze") for m in messages), messages[:3]
