"""docs/ir.md from the IR dataclasses: `python -m generator.docs` rewrites it,
`python -m generator.docs --check` exits 1 when it is stale.

Each field's description is its trailing (or preceding) `#` comment in the source;
fields without one are described in FIELD_DOCS below. Properties and methods are listed
with the first line of their docstring (or MEMBER_DOCS). A test keeps every field and
member described and the file in step with the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
from functools import cached_property
from pathlib import Path

from .model import operation, types

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "ir.md"

# Top-down order for the reader; classes not listed here follow in source order.
ORDER = (
    "Api",
    "Resource",
    "Operation",
    "Argument",
    "Server",
    "ServerVariable",
    "Parameter",
    "RequestBody",
    "Field",
    "Response",
    "SecurityScheme",
    "Model",
    "Enum",
    "EnumMember",
)

# For classes without a docstring of their own.
CLASS_DOCS: dict[str, str] = {
    "Operation": "One operation (a method on a path), with everything its generated method needs.",
    "ServerVariable": "A variable of a server URL template.",
    "Parameter": "A path, query, header or cookie parameter of an operation.",
    "RequestBody": "The request body of an operation, in the media type the client sends.",
    "Response": "One declared response of an operation.",
    "SecurityScheme": "An entry of `components/securitySchemes`.",
    "Model": "A generated model class (an object schema).",
    "Enum": "A generated open enum class.",
    "EnumMember": "One known value of an enum.",
    "NoneType": "JSON null.",
    "Array": "A JSON array of one item type.",
    "Nullable": "A type that also admits null.",
}

FIELD_DOCS: dict[str, str] = {
    "ServerVariable.name": "the variable's name, as in `{name}` in the URL template",
    "ServerVariable.default": "its default value (used to fill `Server.url`)",
    "ServerVariable.enum": "the allowed values, when the spec lists them",
    "Server.template": "the URL as declared, variables unfilled",
    "Server.url": "the URL with variables filled by their defaults, no trailing `/`",
    "Server.description": "the server's description",
    "Server.variables": "the declared server variables",
    "Field.required": "the property is listed in the schema's `required`",
    "Field.description": "the property's description",
    "Field.read_only": "`readOnly`: left out of request bodies",
    "Field.write_only": "`writeOnly`: only sent, never received",
    "Field.deprecated": "`deprecated: true` on the property",
    "Model.name": "the class name (unique among models and enums)",
    "Model.pointer": "JSON pointer of the schema the model comes from",
    "Model.fields": "the properties, in declaration order",
    "Model.description": "the schema's description",
    "Model.additional": "type of `additionalProperties` values (`AnyType` when unconstrained)",
    "Model.deprecated": "`deprecated: true` on the schema",
    "Enum.name": "the class name (unique among models and enums)",
    "Enum.pointer": "JSON pointer of the schema the enum comes from",
    "Enum.members": "the known values",
    "Enum.description": "the schema's description",
    "Parameter.wire_name": "the name on the wire, exactly as in the spec",
    "Parameter.py_name": "the argument name: a safe identifier, unique within the operation",
    "Parameter.type": "the value's type",
    "Parameter.required": "always true for path parameters",
    "Parameter.style": "the serialisation style, defaulted per location (path/header: simple, query/cookie: form)",
    "Parameter.explode": "`explode`, defaulting to true for `form` style, false otherwise",
    "Parameter.description": "the parameter's description",
    "Parameter.deprecated": "`deprecated: true` on the parameter",
    "Parameter.default": "the schema default as a Python literal, or `\"\"`",
    "RequestBody.media_type": "the media type the client sends (JSON preferred when several are offered)",
    "RequestBody.type": "the body's type (`Bytes` for binary, `str` for text)",
    "RequestBody.required": "`required: true` on the request body",
    "RequestBody.description": "the request body's description",
    "RequestBody.other_media_types": "the media types offered besides `media_type`",
    "Response.description": "the response's description",
    "Response.type": "the decoded type, or None when there is no content",
    "SecurityScheme.description": "the scheme's description",
    "Argument.name": "the parameter name in the generated signature",
    "Argument.annotation": "its annotation text",
    "Argument.positional": "positional (path parameters, an unflattened body) or keyword-only",
    "Argument.wire_name": "the name on the wire, for parameters and body fields",
    "Operation.py_name": "the method name on its resource, unique within it",
    "Operation.pointer": "JSON pointer of the operation object",
    "Operation.parameters": "path-item and operation parameters merged (the operation's win), path first",
    "Operation.body": "the request body, or None",
    "Operation.responses": "by status: numeric codes, then ranges (`4XX`), then `default`",
    "Operation.timeout": "seconds: the per-operation config, else the global `timeout`",
    "Operation.summary": "the operation's summary",
    "Operation.description": "the operation's description",
    "Operation.deprecated": "`deprecated: true` on the operation",
    "Operation.tags": "the operation's tags; the first one picks its resource",
    "Resource.tag": "the tag as in the spec (`default` for untagged operations)",
    "Resource.description": "the tag's description from the root `tags` list",
    "Resource.operations": "the operations, in spec order",
    "Api.title": "`info.title`",
    "Api.version": "`info.version`, a string even when it looks like a date",
    "Api.description": "`info.description`",
    "Api.openapi_version": "the document's `openapi` field",
    "Api.package": "the import name of the generated package",
    "Api.dist_name": "the distribution name in the generated pyproject.toml",
    "Api.client_version": "the generated client's own version",
    "Api.env_prefix": "prefix of the environment variables the client reads (`<PREFIX>_TOKEN`, `<PREFIX>_BASE_URL`)",
    "Api.servers": "the root `servers`",
    "Api.resources": "one per tag, in order of first appearance",
    "Api.models": "every generated model class",
    "Api.enums": "every generated enum class",
    "Api.security_schemes": "`components/securitySchemes` the client can fill",
    "Primitive.kind": "`str`, `int`, `float` or `bool`",
    "Primitive.format": "the schema `format`; `date-time`, `date` and `uuid` change the Python type",
    "LiteralType.value": "the `const` value",
    "ModelRef.name": "the model's class name",
    "ModelRef.required": "wire names a JSON object must have to match this model (used by unions)",
    "EnumRef.name": "the enum's class name",
    "EnumRef.kind": "`str` or `int`: the JSON type of the values",
    "Array.item": "the item type",
    "Map.value": "the value type (keys are strings)",
    "Nullable.inner": "the type when the value is not null",
    "Union.variants": "the alternatives, in schema order",
    "Union.discriminator": "the discriminator property, or `\"\"`",
}

MEMBER_DOCS: dict[str, str] = {
    "Model.required_wire_names": "wire names of the required fields",
    "Model.imports": "imports the model's field types need",
    "Operation.server": "the first effective server",
    "Operation.params_in": "the parameters in one location (`path`, `query`, `header`, `cookie`)",
    "Operation.idempotent": "GET, HEAD, OPTIONS, PUT, DELETE: safe to retry",
    "Operation.result_annotation": "annotation text of `result`; `None` when there is no content",
    "Operation.imports": "imports the operation's types need",
    "Response.is_success": "a 2xx status",
    "Resource.imports": "imports the resource's operations need",
    "Api.operations": "every operation, resource by resource",
    "Api.default_server": "URL of the first root server, or `\"\"`",
    "TypeRef.annotation": "the annotation text, e.g. `list[Pet] | None`",
    "TypeRef.imports": "the `(module, name)` imports the annotation needs",
    "RequestBody.flattened": "the body is sent from keyword arguments, one per field",
}

_FIELD_LINE = re.compile(r"^\s+(\w+)\s*:\s*[^#]*?(?:#\s*(.*))?$")


def ir_classes() -> list[type]:
    """Every dataclass defined in the IR modules, readers' order first."""
    found: dict[str, type] = {}
    for module in (operation, types):
        members = [obj for _, obj in inspect.getmembers(module, inspect.isclass)]
        members = [c for c in members if c.__module__ == module.__name__ and dataclasses.is_dataclass(c)]
        for cls in sorted(members, key=lambda c: inspect.getsourcelines(c)[1]):
            found.setdefault(cls.__name__, cls)
    ordered = [found.pop(name) for name in ORDER if name in found]
    return ordered + list(found.values())


def _source_comments(cls: type) -> dict[str, str]:
    """Field name -> the `#` comment on its line, or on the comment lines just above it."""
    comments: dict[str, str] = {}
    above: list[str] = []
    for line in inspect.getsource(cls).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = _FIELD_LINE.match(line)
        if match and match.group(1) in {f.name for f in dataclasses.fields(cls)}:
            text = match.group(2) or " ".join(above)
            if text:
                comments.setdefault(match.group(1), text.strip())
        above = []
    return comments


def field_rows(cls: type) -> list[tuple[str, str, str]]:
    comments = _source_comments(cls)
    own = [f for f in dataclasses.fields(cls) if f.name in cls.__dict__.get("__annotations__", {})]
    return [
        (f.name, str(f.type), comments.get(f.name) or FIELD_DOCS.get(f"{cls.__name__}.{f.name}", ""))
        for f in own
    ]


def member_rows(cls: type) -> list[tuple[str, str, str]]:
    """Public properties and methods the class defines or overrides first."""
    rows = []
    for name, value in cls.__dict__.items():
        if name.startswith("_") or not (isinstance(value, (property, cached_property)) or inspect.isfunction(value)):
            continue
        if any(name in base.__dict__ for base in cls.__mro__[1:]):
            continue  # documented on the base class
        if isinstance(value, (property, cached_property)):
            kind, doc_of = "property", value.fget if isinstance(value, property) else value.func
        else:
            params = list(inspect.signature(value).parameters)[1:]
            kind, doc_of = f"method({', '.join(params)})", value
        doc = inspect.getdoc(doc_of) or ""
        summary = doc.split("\n\n")[0].replace("\n", " ") if doc else MEMBER_DOCS.get(f"{cls.__name__}.{name}", "")
        rows.append((name, kind, summary))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    out = [
        "# The IR: what templates see",
        "",
        "<!-- Generated by `python -m generator.docs` from generator/model/; do not edit. -->",
        "",
        "`generator/model/build.py` turns the spec into these frozen dataclasses; templates",
        "receive the root `Api` and never the raw spec. Field descriptions come from the",
        "source comments (or `FIELD_DOCS` in generator/docs.py). The helper functions",
        "templates may call are described in docs/template-contract.md.",
        "",
        "Conventions: `py_name` is always a safe Python identifier, `wire_name` the exact",
        "string on the wire, `pointer` a JSON pointer into the spec, and `\"\"` stands for",
        "\"not given\" in string fields.",
    ]
    return "\n".join(out + class_sections()) + "\n"


def class_sections() -> list[str]:
    """The IR classes as Markdown: a section per module, a table per class."""
    out: list[str] = []
    sections = {"operation": "The API surface (generator/model/operation.py)", "types": "Type references (generator/model/types.py)"}
    current = ""
    for cls in ir_classes():
        module = cls.__module__.rsplit(".", 1)[-1]
        if module != current:
            current = module
            out += ["", f"## {sections.get(module, module)}"]
        bases = [b.__name__ for b in cls.__bases__ if b is not object]
        out += ["", f"### `{cls.__name__}`" + (f" ({', '.join(bases)})" if bases else "")]
        doc = cls.__doc__ or ""
        if doc.startswith(f"{cls.__name__}("):  # the docstring dataclass makes up
            doc = ""
        doc = inspect.cleandoc(doc) if doc else CLASS_DOCS.get(cls.__name__, "")
        if doc:
            out += ["", doc]
        fields = field_rows(cls)
        if fields:
            out += ["", "| field | type | description |", "|---|---|---|"]
            out += [f"| `{n}` | `{_cell(t)}` | {_cell(d)} |" for n, t, d in fields]
        members = member_rows(cls)
        if members:
            out += ["", "| member | kind | description |", "|---|---|---|"]
            out += [f"| `{n}` | {_cell(k)} | {_cell(d)} |" for n, k, d in members]
    return out


def undocumented() -> list[str]:
    """`Class.name` of every field or member without a description."""
    missing = []
    for cls in ir_classes():
        if (cls.__doc__ or "").startswith(f"{cls.__name__}(") and cls.__name__ not in CLASS_DOCS:
            missing.append(cls.__name__)
        missing += [f"{cls.__name__}.{n}" for n, _, d in field_rows(cls) if not d]
        missing += [f"{cls.__name__}.{n}" for n, _, d in member_rows(cls) if not d]
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/ir.md is stale")
    args = parser.parse_args(argv)
    text = render()
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
    if args.check:
        if current != text:
            print(f"{DOC_PATH} is stale: run `python -m generator.docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
