"""Stage 4: IR -> source text, through Jinja templates.

The template tree mirrors the output tree: `{package}` in a template path becomes the
package name and a `{resource}` template is rendered once per resource. Templates see
the IR plus the helpers in `helpers()`; nothing else.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import jinja2

from .diagnostics import Diagnostics, GenerationFailed, Level
from .model import naming
from .model.operation import Api, Field, Operation, Resource
from .model.types import MODELS, RUNTIME, Import, Nullable

# Bumped whenever a change to the IR or the helpers could break a user template.
TEMPLATE_API_VERSION = 1

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "client"
SUFFIX = ".jinja"


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative POSIX path inside the output folder
    content: str

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")


@dataclass(frozen=True)
class TemplateJob:
    """One template rendered for one output path, with what it is about (for errors)."""

    template: str
    output: str
    subject: str
    context: dict[str, Any]


def _import_group(module: str) -> int:
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 3
    return 2 if module.split(".")[0] in ("httpx", "typing_extensions") else 1


def render_imports(
    imports: frozenset[Import] | set[Import],
    runtime: list[str],
    depth: int,
    own: str = "",
    std: list[str] | None = None,
) -> str:
    """Import statements, grouped (__future__, stdlib, third party, package) and sorted.

    `std` lists fixed imports as "module:name" ("module" alone for `import module`);
    `depth` is how many folders below the package root the importing file sits."""
    by_module: dict[str, set[str]] = {}
    plain: set[str] = set()
    wanted = set(imports) | {(RUNTIME, n) for n in runtime}
    for spec in std or []:
        module, _, name = spec.partition(":")
        if name:
            wanted.add((module, name))
        else:
            plain.add(module)
    for module, name in wanted:
        if module == own:
            continue
        if module.startswith("."):
            module = "." * depth + module
        by_module.setdefault(module, set()).add(name)
    groups: dict[int, list[str]] = {}
    for module in sorted(plain):
        groups.setdefault(_import_group(module), []).append(f"import {module}")
    for module in sorted(by_module, key=lambda m: (m.lstrip("."), m)):
        names = ", ".join(sorted(by_module[module], key=lambda n: (n.lower(), n)))
        groups.setdefault(_import_group(module), []).append(f"from {module} import {names}")
    return "\n\n".join("\n".join(lines) for _, lines in sorted(groups.items()))


def _inner(field: Field) -> Any:
    return field.type.inner if isinstance(field.type, Nullable) else field.type


def decode_field(field: Field, var: str) -> str:
    expr = _inner(field).decode(var)
    return "" if expr == var else expr


def encode_field(field: Field, expr: str) -> str:
    encoded = _inner(field).encode(expr)
    if encoded == expr or (field.required and not isinstance(field.type, Nullable)):
        return encoded
    return f"None if {expr} is None else {encoded}"


def parser(op: Operation) -> str:
    if op.result_kind == "json" and op.result is not None:
        # A typed parser unless the result is `Any`: returning `response.json()` (Any)
        # from a function declared to return `str` fails `mypy --strict`.
        return "parse_json" if op.result.annotation() == "Any" else f"_parse_{op.py_name}"
    return {"binary": "parse_bytes", "text": "parse_text"}.get(op.result_kind, "parse_none")


def body_argument(op: Operation) -> str:
    body = op.body
    if body is None:
        return ""
    if body.kind == "json" and body.media_type.split(";")[0].strip().lower() not in ("application/json", "*/*"):
        # `application/merge-patch+json` and friends: say so in Content-Type
        return _body_argument(op) + f"\n        content_type={naming.literal(body.media_type)},"
    return _body_argument(op)


def _body_argument(op: Operation) -> str:
    body = op.body
    assert body is not None
    if body.flattened:
        pairs = ", ".join(f"{naming.literal(f.wire_name)}: {f.py_name}" for f in body.fields)
        values = f"compact({{{pairs}}})"
        if body.kind == "multipart":
            return f"        multipart={values},"
        key = "data" if body.kind == "form" else "json"
        return f"        {key}=to_jsonable({values}),"
    if body.kind == "json":
        value = "to_jsonable(body)" if body.required else "NOT_GIVEN if body is None else to_jsonable(body)"
        return f"        json={value},"
    if body.kind == "multipart":
        if body.required:
            return "        multipart=form_fields(body),"
        return "        multipart=None if body is None else form_fields(body),"
    if body.kind == "form":
        return "        data=to_jsonable(body),"
    return f"        content=body,\n        content_type={naming.literal(body.media_type)},"


def wrap(text: str, width: int = 88) -> str:
    """Re-flow prose paragraphs; lines that look like lists or code keep their breaks."""
    out = []
    for para in text.split("\n\n"):
        lines = para.split("\n")
        if any(line.startswith((" ", "-", "*", "|", "#")) or not line for line in lines):
            out.append(para)
        else:
            out.append(textwrap.fill(" ".join(lines), width, break_on_hyphens=False, break_long_words=False))
    return "\n\n".join(out)


def method_doc(op: Operation) -> str:
    parts = [p for p in (op.summary, op.description) if p]
    if op.summary and op.description.startswith(op.summary):
        parts = [op.description]
    lines = [wrap("\n\n".join(parts)) or f"{op.method} {op.path}"]
    args = []
    for arg in op.arguments:
        desc = next((p.description for p in op.parameters if p.py_name == arg.name), "")
        if op.body is not None:
            desc = desc or next((f.description for f in op.body.fields if f.py_name == arg.name), "")
            if arg.name == "body" and arg.source == "body":
                desc = desc or op.body.description or "The request body."
        wire = f" (`{arg.wire_name}` on the wire)" if arg.wire_name and arg.wire_name != arg.name else ""
        args.append(f"    {arg.name}: {' '.join(desc.split()) or '-'}{wire}")
    if args:
        lines.append("Args:\n" + "\n".join(args))
    if op.deprecated:
        lines.append("Deprecated: calling it emits a DeprecationWarning.")
    return "\n\n".join(lines)


def docblock(text: str, indent: int = 4) -> str:
    """A whole docstring literal: escaped text, continuation lines indented, and the
    closing quotes on their own line when the text spans several lines."""
    body = naming.docstring(text)
    if "\n" not in body:
        return f'"""{body}"""'
    pad = " " * indent
    lines = [line if not line else pad + line for line in body.split("\n")]
    return '"""' + lines[0].lstrip() + "\n" + "\n".join(lines[1:]) + "\n" + pad + '"""'


def toml_string(value: str) -> str:
    return json.dumps(value)


def helpers(api: Api) -> dict[str, Any]:
    """Everything a template may call besides the IR. Part of the template contract."""
    return {
        "api": api,
        "render_imports": None,  # bound per file (it needs the file's depth)
        "decode_field": decode_field,
        "encode_field": encode_field,
        "parser": parser,
        "body_argument": body_argument,
        "method_doc": method_doc,
        "args": lambda op: op.arguments,
        "root_server_urls": {api.default_server} if api.default_server else set(),
        "token_required": _token_required(api),
        "template_api_version": TEMPLATE_API_VERSION,
    }


def _token_required(api: Api) -> bool:
    ops = api.operations
    return any(op.security for op in ops) and all(
        op.security and all(alt for alt in op.security) for op in ops if op.security
    ) and not any(not op.security for op in ops)


def make_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = naming.docstring
    env.filters["docblock"] = docblock
    env.filters["literal"] = naming.literal
    env.filters["comment"] = naming.comment
    env.filters["toml"] = toml_string
    return env


def builtin_loader() -> jinja2.BaseLoader:
    builtin = jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES))
    return jinja2.ChoiceLoader([builtin, jinja2.PrefixLoader({"builtin": builtin}, delimiter=":")])


def template_names(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*" + SUFFIX) if p.is_file()
    )


def plan(api: Api, names: list[str], connect_timeout: float) -> list[TemplateJob]:
    base = helpers(api)
    base["connect_timeout"] = connect_timeout
    jobs = []
    for name in names:
        out = name[: -len(SUFFIX)].replace("{package}", api.package)
        if "{resource}" in out:
            for resource in api.resources:
                path = out.replace("{resource}", resource.module)
                ctx = dict(base, resource=resource, resource_imports=resource.imports())
                jobs.append(TemplateJob(name, path, f"resource {resource.tag!r}", ctx))
        else:
            ctx = dict(base)
            if name.endswith("models.py" + SUFFIX):
                ctx["model_imports"] = _model_imports(api)
                ctx["model_names"] = sorted([m.name for m in api.models] + [e.name for e in api.enums])
            jobs.append(TemplateJob(name, out, "", ctx))
    return jobs


def _model_imports(api: Api) -> frozenset[Import]:
    out: frozenset[Import] = frozenset()
    for model in api.models:
        out |= model.imports()
    return frozenset(i for i in out if i[0] != MODELS)


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "", ".") for part in pure.parts) or "\\" in path or "\0" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")


def render_jobs(
    env: jinja2.Environment, jobs: list[TemplateJob], diagnostics: Diagnostics, describe: Callable[[str], str]
) -> list[OutputFile]:
    files = []
    for job in jobs:
        _check_path(job.output)
        depth = max(job.output.count("/") - 1, 0)
        own = "." + job.output.rsplit("/", 1)[-1].removesuffix(".py") if depth == 0 else ""
        ctx = dict(job.context)
        ctx["render_imports"] = lambda imports=frozenset(), runtime=(), std=(), _d=depth, _o=own: (
            render_imports(imports, list(runtime), _d, _o, list(std))
        )
        try:
            text = env.get_template(job.template).render(ctx)
        except jinja2.TemplateSyntaxError as exc:
            diagnostics.add("template-syntax", Level.ERROR, f"{exc.message}", "", describe(exc.filename or job.template), exc.lineno or 0)
            raise GenerationFailed from None
        except jinja2.UndefinedError as exc:
            file, line = _template_frame(exc, job.template)
            subject = f" while rendering {job.subject}" if job.subject else ""
            diagnostics.add("template-undefined", Level.ERROR, f"{exc.message}{subject}", "", describe(file), line)
            raise GenerationFailed from None
        except jinja2.TemplateError as exc:
            file, line = _template_frame(exc, job.template)
            diagnostics.add("template-error", Level.ERROR, f"{exc}", "", describe(file), line)
            raise GenerationFailed from None
        files.append(OutputFile(job.output, text))
    return files


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The innermost template frame of a render error: Jinja compiles templates to code
    whose filename is the template's, so the traceback carries file and line."""
    tb = exc.__traceback__
    found = (fallback, 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(SUFFIX):
            template_line = tb.tb_frame.f_globals.get("__jinja_template__")
            lineno = tb.tb_lineno
            if template_line is not None:
                lineno = template_line.get_corresponding_lineno(tb.tb_lineno)
            found = (filename, lineno)
        tb = tb.tb_next
    return found


def render(api: Api, diagnostics: Diagnostics, connect_timeout: float = 5.0) -> list[OutputFile]:
    env = make_environment(builtin_loader())
    jobs = plan(api, template_names(BUILTIN_TEMPLATES), connect_timeout)
    return render_jobs(env, jobs, diagnostics, lambda f: f)


__all__ = ["OutputFile", "Resource", "TEMPLATE_API_VERSION", "render"]
