"""The template contract as a document: `python -m generator.contract` writes
docs/template-contract.md (`--check`: exit 1 when it is stale).

Everything is read from the code, so the document cannot drift: the IR dataclasses
(fields, their annotations and trailing comments, public properties and methods), the
helpers and filters templates get, the extra names each template receives (taken from a
real render plan), and the blocks each built-in template exposes.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import sys
import tokenize
from pathlib import Path
from typing import Any

import jinja2

from . import render
from .config import Config
from .diagnostics import Diagnostics
from .model import operation, types
from .model.build import build_api

DOC = Path(__file__).resolve().parent.parent / "docs" / "template-contract.md"

# What each helper and filter does. A helper or filter added to render.py without a line
# here makes `render_contract()` fail, and with it the contract test.
HELPER_DOCS = {
    "api": "The `Api` root of the IR.",
    "render_imports": "`render_imports(imports=frozenset(), runtime=(), std=())` -> import statements, grouped and sorted; `imports` is a set of `Import`, `runtime` names from `_base`, `std` fixed imports as `\"module:name\"` or `\"module\"`. Bound per file (relative imports depend on its depth).",
    "decode_field": "`decode_field(field, var)` -> the expression decoding JSON value `var` into `field`'s type, or `\"\"` when no decoding is needed.",
    "encode_field": "`encode_field(field, expr)` -> the expression turning `expr` back into JSON data (guarding optional fields).",
    "parser": "`parser(op)` -> the name of the function parsing `op`'s response (`parse_json`, `parse_none`, `_parse_<op>` ...).",
    "body_argument": "`body_argument(op)` -> the `Call(...)` keyword lines that carry `op`'s request body, or `\"\"`.",
    "method_doc": "`method_doc(op)` -> the docstring text of `op`'s method (summary, description, `Args:`).",
    "example_call": "`example_call(resource, op)` -> a plausible call of `op` with its required arguments (README examples).",
    "args": "`args(op)` -> `op.arguments`.",
    "root_server_urls": "Set of the root server URL(s) that `base_url=` replaces.",
    "token_required": "True when every operation needs the client's token.",
    "template_api_version": "`TEMPLATE_API_VERSION`, the version of this contract.",
    "connect_timeout": "The connect timeout from the config (seconds).",
}
FILTER_DOCS = {
    "docstring": "Escape text for use inside a `\"\"\"` docstring.",
    "docblock": "`text | docblock(indent=4)` -> a whole docstring literal, continuation lines indented.",
    "literal": "Any value -> a Python literal (strings safely quoted).",
    "comment": "Text -> safe for a `#` comment (one line).",
    "toml": "A string -> a TOML basic string.",
}
# Names that only some templates receive, by the template they come with.
EXTRA_DOCS = {
    "resource": "The `Resource` this file is rendered for (`{resource}` templates, once per resource).",
    "resource_imports": "`resource.imports()`: the imports its operations' types need.",
    "model_imports": "Imports the models need, except the models module itself.",
    "model_names": "Sorted names of every model and enum (for `__all__`).",
}
BLOCK_DOCS = {
    "module_header": "The module docstring (or, in TOML, nothing).",
    "module_imports": "The import statements. Override with `{{ super() }}` plus your own lines to add imports.",
    "module_footer": "End of the file, empty: add functions, classes or constants.",
    "exports": "Entries of `__all__`, empty: add `\"Name\",` lines for names you define.",
    "client_body": "The body of `Client` / `AsyncClient` (scope: `is_async`, `prefix`, `http`).",
    "class_body": "The body of a resource class after its docstring (scope: `is_async`, `raw`, `name`).",
    "method": "One whole operation method (scope: `op`, `is_async`, `raw`).",
    "method_signature": "The `def` line(s) of an operation method (scope: `op`, `is_async`, `raw`).",
    "method_docstring": "The docstring of an operation method (scope: `op`, `is_async`, `raw`).",
    "method_body": "The statements of an operation method; `timeout`, `extra_headers`, `extra_query` and the arguments are in scope at run time (template scope: `op`, `is_async`, `raw`).",
    "request_preparation": "The module-level `_<op>_call()` that describes the request, and `_parse_<op>()` (scope: `op`).",
    "model": "One whole model class (scope: `model`).",
    "model_fields": "The field declarations of a model class (scope: `model`).",
    "model_methods": "`from_dict` / `to_dict` of a model class; `{{ super() }}` then more methods to add some (scope: `model`).",
    "enum": "One whole enum class (scope: `enum`).",
    "dependencies": "The `dependencies = [...]` line of the generated pyproject.toml.",
}

# Meanings of IR fields and members that carry no trailing comment or docstring in the
# source. Every field must have one or the other: the contract test fails otherwise.
FIELD_DOCS = {
    "ServerVariable.name": "the variable's name in the URL template",
    "ServerVariable.default": "its default value",
    "ServerVariable.enum": "allowed values, if listed",
    "Server.template": "the URL as declared, with `{variables}`",
    "Server.url": "the URL with each variable at its default",
    "Server.description": "as in the spec",
    "Server.variables": "the URL's variables",
    "Field.required": "the schema lists the property in `required`",
    "Field.description": "as in the schema",
    "Field.read_only": "`readOnly` in the schema",
    "Field.write_only": "`writeOnly` in the schema",
    "Field.deprecated": "`deprecated` in the schema",
    "Model.name": "class name (unique, safe)",
    "Model.pointer": "JSON pointer of the schema in the spec",
    "Model.fields": "declared properties, in spec order",
    "Model.description": "as in the schema",
    "Model.additional": "type of `additionalProperties` values (kept in `additional_properties`)",
    "Model.deprecated": "`deprecated` in the schema",
    "Model.required_wire_names": "wire names of the required fields",
    "Model.imports()": "imports the field annotations need",
    "Enum.name": "class name (unique, safe)",
    "Enum.pointer": "JSON pointer of the schema in the spec",
    "Enum.members": "the listed values",
    "Enum.description": "as in the schema",
    "Parameter.wire_name": "name as sent",
    "Parameter.py_name": "safe identifier (the method argument)",
    "Parameter.type": "decoded type",
    "Parameter.required": "`required` in the spec (always true for path parameters)",
    "Parameter.style": "serialisation style (`form`, `simple`, `label`, `matrix`, `deepObject` ...)",
    "Parameter.explode": "`explode` (defaulted per style)",
    "Parameter.description": "as in the spec",
    "Parameter.deprecated": "`deprecated` in the spec",
    "Parameter.default": "a Python literal of the schema default, or \"\"",
    "RequestBody.media_type": "the media type used",
    "RequestBody.type": "the body's type (for bodies passed whole as `body`)",
    "RequestBody.required": "`required` in the spec",
    "RequestBody.description": "as in the spec",
    "RequestBody.fields": "properties, when the body is flattened into keyword arguments",
    "RequestBody.other_media_types": "media types the spec also allows but the client does not send",
    "RequestBody.flattened": "the body's properties are keyword arguments",
    "Response.description": "as in the spec",
    "Response.type": "decoded type of the content, None without content",
    "Response.is_success": "a 2XX status",
    "SecurityScheme.description": "as in the spec",
    "Argument.name": "Python argument name",
    "Argument.annotation": "its annotation",
    "Argument.positional": "positional (path parameters, a whole body) or keyword-only",
    "Argument.wire_name": "name on the wire, \"\" for a whole body",
    "Operation.py_name": "method name (unique in its resource, safe)",
    "Operation.pointer": "JSON pointer of the operation in the spec",
    "Operation.parameters": "path, query, header and cookie parameters, merged from path item and operation",
    "Operation.body": "the request body, if any",
    "Operation.responses": "declared responses",
    "Operation.timeout": "default timeout in seconds (config, per operation)",
    "Operation.summary": "as in the spec",
    "Operation.description": "as in the spec",
    "Operation.deprecated": "`deprecated` in the spec",
    "Operation.tags": "as in the spec; the first names the resource",
    "Operation.server": "the first effective server",
    "Operation.params_in(location)": "parameters in one location",
    "Operation.idempotent": "the method is safe to retry (GET, HEAD, OPTIONS, PUT, DELETE)",
    "Operation.result_annotation": "annotation of the result, `None` without content",
    "Operation.imports()": "imports the signature and result need",
    "Resource.tag": "the tag as in the spec",
    "Resource.description": "the tag's description",
    "Resource.operations": "its operations, in spec order",
    "Resource.imports()": "imports its operations need",
    "Api.title": "`info.title`",
    "Api.version": "`info.version`",
    "Api.description": "`info.description`",
    "Api.openapi_version": "the spec's `openapi` version",
    "Api.package": "the Python package name",
    "Api.dist_name": "the distribution name in the generated pyproject.toml",
    "Api.client_version": "the generated client's version",
    "Api.env_prefix": "prefix of the environment variables the client reads (`<prefix>_TOKEN`, `<prefix>_BASE_URL`)",
    "Api.servers": "root servers",
    "Api.resources": "one per tag",
    "Api.models": "object schemas, as classes",
    "Api.enums": "enum schemas, as open enums",
    "Api.security_schemes": "as declared",
    "Api.operations": "every operation, resource by resource",
    "Api.default_server": "URL of the first root server, or \"\"",
    "TypeRef.annotation()": "the annotation text",
    "TypeRef.imports()": "the imports that annotation (and its decoding) needs",
    "Primitive.kind": "`str`, `int`, `float` or `bool`",
    "Primitive.format": "the schema format (`date-time`, `date` and `uuid` change the Python type)",
    "LiteralType.value": "the constant",
    "ModelRef.name": "the model class",
    "ModelRef.required": "wire names a JSON object must have to match (used to tell union variants apart)",
    "EnumRef.name": "the enum class",
    "Array.item": "item type",
    "Map.value": "value type",
    "Nullable.inner": "the type when not null",
    "Union.variants": "the alternatives",
    "Union.discriminator": "the discriminator property, or \"\"",
    "Union.mapping": "discriminator value -> index into `variants`",
}

SAMPLE_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Contract", "version": "1"},
    "servers": [{"url": "https://example.invalid"}],
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "tags": ["Things"],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def _comments(source: str) -> dict[int, str]:
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _first_line(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _classes(module: Any, missing: list[str]) -> list[str]:
    source = Path(module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    comments = _comments(source)
    lines = []
    inherited: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        cls = getattr(module, node.name)
        if not dataclasses.is_dataclass(cls):
            continue
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        lines.append(f"### `{node.name}`" + (f" ({bases})" if bases else ""))
        lines.append("")
        doc = " ".join((ast.get_docstring(node) or "").split())
        if doc:
            lines += [doc, ""]
        rows = []
        known = set().union(*(inherited.get(ast.unparse(b), set()) for b in node.bases))
        inherited[node.name] = known | {s.name for s in node.body if isinstance(s, ast.FunctionDef)}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                default = ""
                if stmt.value is not None:
                    default = ast.unparse(stmt.value)
                    call = stmt.value
                    if isinstance(call, ast.Call) and ast.unparse(call.func) == "field":
                        options = {k.arg: k.value for k in call.keywords}
                        if "default_factory" in options:
                            default = ast.unparse(options["default_factory"]) + "()"
                        else:
                            default = ast.unparse(options["default"]) if "default" in options else ""
                note = comments.get(stmt.end_lineno or stmt.lineno, "")
                rows.append((stmt.target.id, ast.unparse(stmt.annotation), default, note))
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef) and not stmt.name.startswith("_") and stmt.name not in known:
                is_property = any(ast.unparse(d) == "property" for d in stmt.decorator_list)
                params = [a.arg for a in stmt.args.args[1:]]
                name = stmt.name if is_property else f"{stmt.name}({', '.join(params)})"
                kind = "property" if is_property else "method"
                returns = ast.unparse(stmt.returns) if stmt.returns is not None else ""
                rows.append((name, f"{kind} -> {returns}", "", _first_line(ast.get_docstring(stmt))))
        if rows:
            lines += ["| name | type | default | meaning |", "|---|---|---|---|"]
            for name, ann, default, note in rows:
                note = note or FIELD_DOCS.get(f"{node.name}.{name}", "")
                if not note:
                    missing.append(f"IR member {node.name}.{name}")
                lines.append(f"| `{name}` | `{_cell(ann)}` | {f'`{_cell(default)}`' if default else ''} | {_cell(note)} |")
            lines.append("")
    return lines


def _template_blocks() -> dict[str, list[str]]:
    out = {}
    for name in render.template_names(render.BUILTIN_TEMPLATES):
        text = (render.BUILTIN_TEMPLATES / name).read_text(encoding="utf-8")
        blocks = list(dict.fromkeys(re.findall(r"\{%-?\s*block\s+(\w+)", text)))
        if blocks:
            out[name] = blocks
    return out


def _template_extras() -> dict[str, list[str]]:
    api = build_api(SAMPLE_SPEC, Config(), Diagnostics())
    base = set(render.helpers(api)) | {"connect_timeout"}
    out: dict[str, list[str]] = {}
    for job in render.plan(api, render.template_names(render.BUILTIN_TEMPLATES), 5.0):
        extra = sorted(set(job.context) - base)
        if extra:
            out[job.template] = extra
    return out


def render_contract() -> str:
    api = build_api(SAMPLE_SPEC, Config(), Diagnostics())
    helper_names = sorted(set(render.helpers(api)) | {"connect_timeout"})
    env = render.make_environment(render.builtin_loader())
    own_filters = sorted(set(env.filters) - set(jinja2.Environment().filters))
    blocks = _template_blocks()
    extras = _template_extras()
    missing = [f"helper {h}" for h in helper_names if h not in HELPER_DOCS]
    missing += [f"filter {f}" for f in own_filters if f not in FILTER_DOCS]
    missing += [f"block {b}" for names in blocks.values() for b in names if b not in BLOCK_DOCS]
    missing += [f"template name {n}" for names in extras.values() for n in names if n not in EXTRA_DOCS]
    lines = [
        "# The template contract",
        "",
        "<!-- Generated by `python -m generator.contract` from the code; do not edit. -->",
        "",
        f"**Template API version: {render.TEMPLATE_API_VERSION}** (`generator/render.py` `TEMPLATE_API_VERSION`).",
        "",
        "This is what a template, built-in or in an overlay, may rely on. The version is bumped",
        "whenever a change here could break a user template (a field renamed or removed, a",
        "helper's meaning changed, a block moved); additions do not bump it. An overlay",
        "declares the version it was written for in `template-api.toml` at its root:",
        "",
        "```toml",
        f"version = {render.TEMPLATE_API_VERSION}",
        "```",
        "",
        "and the generator refuses it, naming the file, once the versions differ. How to write",
        "overlays: [customising.md](customising.md).",
        "",
        "## Names every template receives",
        "",
        "| name | what it is |",
        "|---|---|",
    ]
    lines += [f"| `{h}` | {_cell(HELPER_DOCS[h])} |" for h in helper_names]
    lines += ["", "## Names some templates receive", "", "| template | name | what it is |", "|---|---|---|"]
    for template, names in sorted(extras.items()):
        lines += [f"| `{template}` | `{n}` | {_cell(EXTRA_DOCS[n])} |" for n in names]
    lines += ["", "## Filters", "", "| filter | what it does |", "|---|---|"]
    lines += [f"| `{f}` | {_cell(FILTER_DOCS[f])} |" for f in own_filters]
    lines += [
        "",
        "Jinja's built-in filters and tests are available too. Undefined names are errors",
        "(`StrictUndefined`), reported with the template file and line and the operation or",
        "schema being rendered.",
        "",
        "## Blocks of the built-in templates",
        "",
        "Override them from an overlay file at the same path that starts with",
        '`{% extends "next:<path>" %}` (the layer below: an earlier overlay or the built-in)',
        'or `{% extends "builtin:<path>" %}` (always the built-in). Blocks marked *scope*',
        "see the variables listed.",
        "",
        "| template | blocks |",
        "|---|---|",
    ]
    for template, names in blocks.items():
        lines.append(f"| `{template}` | {', '.join(f'`{b}`' for b in names)} |")
    lines += ["", "| block | what it holds |", "|---|---|"]
    every = list(dict.fromkeys(b for names in blocks.values() for b in names))
    lines += [f"| `{b}` | {_cell(BLOCK_DOCS[b])} |" for b in every]
    lines += [
        "",
        "## The IR",
        "",
        "Frozen dataclasses (`generator/model/operation.py`); the root is `api`.",
        "",
    ]
    lines += _classes(operation, missing)
    lines += [
        "## Type references",
        "",
        "`generator/model/types.py`. Every type reference has `annotation()`, `imports()`,",
        "`decode(expr)`, `encode(expr)`, `check(expr)`, `is_identity` and `walk()`.",
        "An `Import` is a `(module, name)` pair; modules starting with `.` are relative to the",
        "package root.",
        "",
    ]
    lines += _classes(types, missing)
    lines += [
        "## Changes",
        "",
        "- 1: first published contract.",
        "",
    ]
    if missing:
        raise ValueError("undocumented in generator/contract.py: " + ", ".join(sorted(set(missing))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render_contract()
    if "--check" in args:
        current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
        if current != text:
            print(f"{DOC} is stale: run `python -m generator.contract`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
