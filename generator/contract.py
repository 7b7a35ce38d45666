"""The template contract as a document: `python -m generator.contract` writes
docs/template-contract.md (`--check`: exit 1 when it is stale).

Everything is read from the code, so the document cannot drift: the IR dataclasses
(fields, their annotations and trailing comments, public properties and methods), the
helpers and filters templates get, the extra names each template receives (taken from a
real render plan), and the blocks each built-in template exposes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import jinja2

from . import docs, render
from .config import Config
from .diagnostics import Diagnostics
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
    "assign": "`assign(target, expr, indent)` -> `target = expr` laid out as black lays it out (conditional expressions wrapped when too wide).",
    "decoder_functions": "`decoder_functions(items)` -> the module-level decoder function of every union that decoding `items` (models, operations or types) needs, each after two blank lines.",
    "statement": "`statement(head, expr, indent)` -> `head` (`name = ` or `return `) then `expr`, laid out as black lays it out (conditional expressions and comprehensions split when too wide).",
    "parameter": "`parameter(name, annotation, default, indent)` -> one parameter line of an exploded signature, laid out as black lays it out.",
    "annotated": "`annotated(name, annotation, default, indent)` -> a field declaration laid out as black lays it out.",
    "call_line": "`call_line(function, arguments, indent, suffix=',')` -> a call on its own line inside brackets, laid out as black lays it out.",
    "def_header": "`def_header(indent, name, params, returns)` -> a `def` line laid out as black lays it out.",
    "returns_line": "`returns_line(annotation, indent)` -> the `) -> annotation:` line closing an exploded signature, laid out as black lays it out.",
    "args": "`args(op)` -> `op.arguments`.",
    "root_server_urls": "Set of the root server URL(s) that `base_url=` replaces.",
    "token_required": "True when every operation needs the client's token.",
    "template_api_version": "`TEMPLATE_API_VERSION`, the version of this contract.",
    "connect_timeout": "The connect timeout from the config (seconds).",
}
FILTER_DOCS = {
    "docstring": "Escape text for use inside a `\"\"\"` docstring.",
    "docblock": "`text | docblock(indent=4)` -> a whole docstring literal laid out as black lays it out.",
    "literal": "Any value -> a Python literal (strings safely quoted, spelled as black spells them).",
    "tuple_literal": "`items | tuple_literal(indent=0, inline=False)` -> a tuple display of literal items as black leaves it.",
    "comment": "Text -> safe for a `#` comment (one line).",
    "bare": "An expression -> without parentheses around the whole of it, as black writes it after `=` or `return`.",
    "toml": "A string -> a TOML basic string.",
}
# Names that only some templates receive, by the template they come with.
EXTRA_DOCS = {
    "resource": "The `Resource` this file is rendered for (`{resource}` templates, once per resource).",
    "resource_imports": "`resource.imports()`: the imports its operations' types need.",
    "enums": "The enums this file defines: `api.enums`, or one part's (see `model_part`).",
    "models": "The models this file defines: `api.models`, or one part's (see `model_part`).",
    "model_imports": "Imports the models and enums of this file need (from the parts before it, when split), except the models module itself; in a split `models.py`, every name from its part.",
    "model_names": "Sorted names of the models and enums this file defines, every one in a split `models.py` (for `__all__`).",
    "model_part": "0 for `models.py`; above a size (`generator/model_parts.py`), the models template also renders each part of the models to `_models_<model_part>.py`, and `models.py` (with no `models` or `enums` of its own) re-exports their names. Blocks outside the `enum` and `model` loops are rendered in every part. An overlay's models template is split only when its `template-api.toml` declares `split_models = true` (docs/customising.md).",
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
    "decoders": "The decoder functions of the unions the module decodes (see `decoder_functions`).",
    "model": "One whole model class (scope: `model`).",
    "model_fields": "The field declarations of a model class (scope: `model`).",
    "model_methods": "`from_dict` / `to_dict` of a model class; `{{ super() }}` then more methods to add some (scope: `model`).",
    "enum": "One whole enum class (scope: `enum`).",
    "dependencies": "The `dependencies = [...]` line of the generated pyproject.toml.",
}

# Meanings of IR fields and members that carry no trailing comment or docstring in the
# source. Every field must have one or the other: the contract test fails otherwise.

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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
        "Frozen dataclasses; the root is `api`. The same tables stand alone in",
        "[ir.md](ir.md).",
    ]
    lines += ["#" + line if line.startswith("#") else line for line in docs.class_sections()]
    missing += [f"IR member {name}" for name in docs.undocumented()]
    lines += [
        "",
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
