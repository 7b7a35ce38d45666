"""Stage 4: IR -> source text, through Jinja templates.

The template tree mirrors the output tree: `{package}` in a template path becomes the
package name and a `{resource}` template is rendered once per resource. Templates see
the IR plus the helpers in `helpers()`; nothing else.
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable

import jinja2
from jinja2.bccache import Bucket

from . import model_parts
from .cache import DISABLED, Cache
from .diagnostics import Diagnostics, GenerationFailed, Level
from .decoders import decoder_functions
from .layout import (
    annotated,
    assign,
    bare,
    call_line,
    def_header,
    from_import,
    keyword_dict_call,
    parameter,
    returns_line,
    statement,
    tuple_literal,
)
from .model import naming
from .model.operation import Api, Field, Operation, Resource
from .model.types import RUNTIME, Import, Nullable
from .render_memo import Derived, Reads, RenderMemo, TrackingEnvironment
from .stubs import StubError, derive_stub

# Bumped whenever a change to the IR or the helpers could break a user template.
TEMPLATE_API_VERSION = 1

def _builtin_templates() -> Path:
    """The checkout's templates/ when run from a checkout, else the packaged copy."""
    here = Path(__file__).resolve().parent
    for root in (here.parent / "templates", here / "_templates"):
        if (root / "client").is_dir():
            return root / "client"
    raise RuntimeError(f"the built-in templates are missing (looked beside {here})")


BUILTIN_TEMPLATES = _builtin_templates()
SUFFIX = ".jinja"
# What an overlay's template-api.toml may declare true: `black_style`, its templates emit
# black's style; `split_models`, its models template (`MODELS_TEMPLATE`) renders the
# parts of a large API's models as the built-in one does (model_parts.py), so it is
# split as the built-in one is. Unless every overlay folder with a models template
# declares it, the models are rendered in one module whatever the size, as such a
# template was written for (the one on top may extend the others through `next:`).
FLAGS = ("black_style", "split_models")
# the models module's template: split into parts for a large API (model_parts.py)
MODELS_TEMPLATE = "{package}/models.py" + SUFFIX

# In a template overlay folder: the contract declaration, documentation, and a folder of
# partials (imported or included by other templates, never rendered on their own).
OVERLAY_MANIFEST = "template-api.toml"
OVERLAY_DOCS = frozenset({"README.md"})
INCLUDE_DIR = "_include"
PLACEHOLDERS = frozenset({"{package}", "{resource}"})


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative POSIX path inside the output folder
    content: str
    # rendered by templates that emit black's style (the built-in ones, or an overlay
    # declaring `black_style = true`): the formatter then runs black only on the parts
    # whose lines do not fit
    black_style: bool = False

    @property
    def is_python(self) -> bool:
        return self.path.endswith(".py")


class _LazyOutput(OutputFile):
    """An output file whose text is read only when something asks for it."""

    def __init__(self, path: str, read: Callable[[], str], black_style: bool = False) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "black_style", black_style)
        object.__setattr__(self, "_read", read)

    def __getattr__(self, name: str) -> Any:
        if name != "content":
            raise AttributeError(name)
        content = self._read()
        object.__setattr__(self, "content", content)
        return content

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OutputFile):
            return NotImplemented
        return (self.path, self.content, self.black_style) == (other.path, other.content, other.black_style)

    def __hash__(self) -> int:
        return hash((self.path, self.content, self.black_style))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r})"


class StoredOutput(_LazyOutput):
    """An output file the output folder holds as it is (its file unchanged since the
    last run wrote it, by the stamp's record), known by the digest of its bytes
    (`cache.text_digest`): the file is left alone, and its text is read from the cache
    only when something asks for it (format.py)."""

    digest: str

    def __init__(self, path: str, digest: str, read: Callable[[], str], on_disk: Callable[[], bool]) -> None:
        super().__init__(path, read)
        object.__setattr__(self, "digest", digest)
        object.__setattr__(self, "_on_disk", on_disk)

    def on_disk(self) -> bool:
        """Whether the file still holds it (asked again as it is written)."""
        return bool(self._on_disk())


class RecalledOutput(_LazyOutput):
    """A rendered file the render memo holds (render_memo.py), known by the digest and
    length of its text (render_memo.text_key): formatting finds it by those, and reads
    it only when it is not formatted already."""

    key: str
    size: int

    def __init__(self, path: str, key: str, size: int, read: Callable[[], str], black_style: bool) -> None:
        super().__init__(path, read, black_style)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "size", size)


class StoredGone(Exception):
    """A text kept in the cache (a StoredOutput's, a RecalledOutput's) that no longer
    reads back as it was kept."""


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
        names = sorted(by_module[module], key=lambda n: (n.lower(), n))
        groups.setdefault(_import_group(module), []).append(from_import(module, names))
    return "\n\n".join("\n".join(lines) for _, lines in sorted(groups.items()))


def _inner(field: Field) -> Any:
    return field.type.inner if isinstance(field.type, Nullable) else field.type


def decode_field(field: Field, var: str) -> str:
    expr = _inner(field).decode(var)
    return "" if expr == var else bare(expr)


def encode_field(field: Field, expr: str) -> str:
    encoded = _inner(field).encode(expr)
    if encoded == expr or (field.required and not isinstance(field.type, Nullable)):
        return bare(encoded)
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
        pairs = [f"{naming.literal(f.wire_name)}: {f.py_name}" for f in body.fields]
        if body.kind == "multipart":
            return keyword_dict_call("multipart", ["compact"], pairs, 8)
        key = "data" if body.kind == "form" else "json"
        return keyword_dict_call(key, ["to_jsonable", "compact"], pairs, 8)
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
    """A whole docstring literal laid out as black lays it out: escaped text, the first
    line stripped, continuation lines stripped of trailing blanks and of their common
    indentation then indented to the code, and the closing quotes on their own line
    when the text spans several lines."""
    body = naming.docstring(text)
    if "\n" not in body:
        return f'"""{body}"""'
    pad = " " * indent
    first, *rest = body.split("\n")
    rest = [line.rstrip() for line in rest]
    common = min((len(line) - len(line.lstrip()) for line in rest if line), default=0)
    first = first.strip()
    if first.startswith('"'):
        first = " " + first  # black pads a docstring that starts with a quote
    lines = [first, *(pad + line[common:] if line else "" for line in rest)]
    return '"""' + "\n".join(lines) + "\n" + pad + '"""'


_EXAMPLES = {"str": '"..."', "int": "1", "float": "1.0", "bool": "True", "UUID": 'UUID("00000000-0000-0000-0000-000000000000")', "datetime": "datetime.now(timezone.utc)", "date": "date.today()", "Any": "{}"}


def example_value(annotation: str) -> str:
    base = annotation.split(" | ")[0]
    if base.startswith("list["):
        return f"[{example_value(base[5:-1])}]"
    if base.startswith("dict["):
        return "{}"
    return _EXAMPLES.get(base, f"{base}()" if base[:1].isupper() else "...")


def example_call(resource: Resource, op: Operation) -> str:
    """A plausible call of the operation for the README: required arguments only."""
    parts = []
    for arg in op.arguments:
        if arg.default:
            continue
        value = example_value(arg.annotation)
        parts.append(value if arg.positional else f"{arg.name}={value}")
    call = f"client.{resource.attr}.{op.py_name}({', '.join(parts)})"
    return call if op.result_kind == "none" else f"result = {call}"


def toml_string(value: str) -> str:
    return naming.toml_string(value)


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
        "example_call": example_call,
        "assign": assign,
        "statement": statement,
        "decoder_functions": decoder_functions,
        "parameter": parameter,
        "annotated": annotated,
        "call_line": call_line,
        "def_header": def_header,
        "returns_line": returns_line,
        "args": lambda op: op.arguments,
        "root_server_urls": {api.default_server} if api.default_server else set(),
        "token_required": _token_required(api),
        "template_api_version": TEMPLATE_API_VERSION,
    }


def _token_required(api: Api) -> bool:
    """Every operation needs credentials (none lacks security or allows `{}`)."""
    ops = api.operations
    return bool(ops) and all(op.security and all(op.security) for op in ops)


def make_environment(loader: jinja2.BaseLoader, *, tracking: bool = False) -> jinja2.Environment:
    """The templates' environment; `tracking` records what a render reads (render_memo.py)."""
    env = (TrackingEnvironment if tracking else jinja2.Environment)(
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
    env.filters["tuple_literal"] = tuple_literal
    env.filters["bare"] = bare
    env.filters["comment"] = naming.comment
    env.filters["toml"] = toml_string
    return env


def builtin_loader() -> jinja2.BaseLoader:
    return TemplateSet().loader()


class _Compiled(jinja2.BytecodeCache):
    """Template code held in memory, by Jinja's key for a template name and file. Jinja
    takes it only for the very source it was compiled from (it compares a checksum)
    and compiles anything else."""

    def __init__(self, code: dict[str, bytes]) -> None:
        self.code = code

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.code.get(bucket.key)
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # damaged (kept in the cache: template_code.py): compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def compile_builtin_templates(names: Iterable[str] | None = None) -> dict[str, bytes]:
    """The code of the built-in templates `names` (by default every one), for
    `render(compiled=...)`: compiling them all takes ~0.1 s, done in a forked child
    while the parent loads the spec (pipeline.py); the code comes back through a pipe,
    never from a file. A template without code here is compiled as it is loaded."""
    code: dict[str, bytes] = {}
    env = make_environment(builtin_loader())
    env.bytecode_cache = _Compiled(code)
    known = set(template_names(BUILTIN_TEMPLATES))
    for name in sorted(known if names is None else known & set(names)):
        env.get_template(name)
    return code


def describe_path(file: Path | str) -> str:
    """A template or overlay path as shown in diagnostics: relative to the working
    directory when below it, else as it is."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(file)


def template_names(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*" + SUFFIX) if p.is_file()
    )


@dataclass(frozen=True)
class TemplateSet:
    """The built-in templates with overlay folders on top; a later overlay wins.

    `names` are the templates rendered to output files: every built-in one plus each
    overlay template without a built-in counterpart (an extra output file)."""

    overlays: tuple[Path, ...] = ()
    names: tuple[str, ...] = field(default_factory=lambda: tuple(template_names(BUILTIN_TEMPLATES)))
    # overlay folders whose template-api.toml declares `black_style = true`
    black_style: tuple[Path, ...] = ()
    # whether the models template renders parts for a large API: not unless every
    # overlay folder with a models template declares `split_models = true` (FLAGS)
    split_models: bool = True

    def emits_black_style(self, filename: str | None) -> bool:
        if filename is None:
            return False
        path = Path(filename).resolve()
        return any(path.is_relative_to(folder) for folder in (BUILTIN_TEMPLATES, *self.black_style))

    def loader(self) -> jinja2.BaseLoader:
        """A plain name finds the topmost layer's template; `builtin:NAME` the built-in
        one; `next:NAME`, written in an overlay, the one of the layers below it."""
        builtin = jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES))
        layers = [_Layer(folder, f"below{i}") for i, folder in enumerate(self.overlays)]
        prefixes: dict[str, jinja2.BaseLoader] = {"builtin": builtin}
        for i in range(len(layers)):
            prefixes[f"below{i}"] = jinja2.ChoiceLoader([*reversed(layers[:i]), builtin])
        return jinja2.ChoiceLoader([*reversed(layers), builtin, jinja2.PrefixLoader(prefixes, delimiter=":")])


class _Layer(jinja2.FileSystemLoader):
    """One overlay folder. Inside its template tags a name `next:NAME` becomes the name of
    NAME in the layers below this one, so overlays that extend the same template stack."""

    def __init__(self, folder: Path, below: str) -> None:
        super().__init__(str(folder))
        self.below = below

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        rewritten = re.sub(
            r"\{%.*?%\}",
            lambda tag: re.sub(r"""(["'])next:""", rf"\g<1>{self.below}:", tag.group()),
            source,
            flags=re.S,
        )
        return rewritten, filename, uptodate


def _overlay_error(diagnostics: Diagnostics, code: str, message: str, file: Path | str) -> None:
    diagnostics.add(code, Level.ERROR, message, "", describe_path(file))


def _check_contract(folder: Path, diagnostics: Diagnostics) -> set[str]:
    """Check the declared template API version; the flags the overlay declares true
    (`FLAGS`: its templates emit black's style, its models template renders parts)."""
    manifest = folder / OVERLAY_MANIFEST
    if not manifest.is_file():
        diagnostics.add(
            "template-api",
            Level.WARNING,
            f"template overlay does not declare the template API version it targets: add "
            f"{OVERLAY_MANIFEST} with `version = {TEMPLATE_API_VERSION}`",
            "",
            describe_path(folder),
        )
        return set()
    import tomllib  # (overlays only)

    try:
        table = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        _overlay_error(diagnostics, "template-api", f"cannot read the template API version: {exc}", manifest)
        return set()
    declared = table.get("version")
    flags = set()
    for flag in FLAGS:
        value = table.get(flag, False)
        if not isinstance(value, bool):
            _overlay_error(diagnostics, "template-api", f"`{flag}` must be true or false, not {value!r}", manifest)
        elif value:
            flags.add(flag)
    if isinstance(declared, bool) or not isinstance(declared, int):
        _overlay_error(diagnostics, "template-api", f"`version` must be an integer, not {declared!r}", manifest)
    elif declared != TEMPLATE_API_VERSION:
        _overlay_error(
            diagnostics,
            "template-api",
            f"this overlay targets template API version {declared}, but the generator provides "
            f"version {TEMPLATE_API_VERSION}: check docs/template-contract.md for what changed, "
            f"update the templates, then the declared version",
            manifest,
        )
    return flags


def _overlay_template(rel: str) -> str | None:
    """Why an overlay file cannot be an output template, or None when it can."""
    parts = rel.split("/")
    if not rel.endswith(SUFFIX):
        return (
            f"stray file in a template overlay: templates end in `{SUFFIX}`, partials live under "
            f"`{INCLUDE_DIR}/`, and only {OVERLAY_MANIFEST} and README.md may sit beside them"
        )
    if len(parts) > 1 and parts[0] != "{package}":
        return (
            "overlay templates mirror the output tree: package files go under `{package}/`, "
            f"top-level files at the overlay root, partials under `{INCLUDE_DIR}/`"
        )
    unknown = sorted(set(re.findall(r"\{[^/{}]*\}", rel)) - PLACEHOLDERS)
    if unknown:
        return f"unknown placeholder {', '.join(unknown)} in a template path (known: {', '.join(sorted(PLACEHOLDERS))})"
    if "{resource}" in rel and not rel.startswith("{package}/"):
        return "`{resource}` templates must live under `{package}/`"
    return None


def load_template_set(overlays: tuple[Path, ...] | list[Path], diagnostics: Diagnostics) -> TemplateSet:
    """Check the overlay folders and list the templates to render. Every problem is
    recorded; any error raises GenerationFailed."""
    names = set(template_names(BUILTIN_TEMPLATES))
    black_style: list[Path] = []
    split_models = True
    failed = False
    for folder in overlays:
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            _overlay_error(diagnostics, "template-overlay", f"template overlay folder {what}: {folder}", folder)
            failed = True
            continue
        before = len(diagnostics.items)
        flags = _check_contract(folder, diagnostics)
        if "black_style" in flags:
            black_style.append(folder.resolve())
        if (folder / MODELS_TEMPLATE).is_file() and "split_models" not in flags:
            split_models = False  # (written for one module: see FLAGS)
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_dir() or any(part.startswith(".") for part in rel.split("/")):
                continue  # hidden files (.gitkeep, editor swap files) are not templates
            if rel == OVERLAY_MANIFEST or rel in OVERLAY_DOCS:
                continue
            if rel.startswith(INCLUDE_DIR + "/") and rel.endswith(SUFFIX):
                continue
            problem = _overlay_template(rel)
            if problem is not None:
                _overlay_error(diagnostics, "template-overlay", problem, path)
                continue
            names.add(rel)
        failed = failed or any(d.level is Level.ERROR for d in diagnostics.items[before:])
    if failed:
        raise GenerationFailed
    return TemplateSet(tuple(overlays), tuple(sorted(names)), tuple(black_style), split_models)


# how the models are split in parts (model_parts.grouped_names, or the render memo's)
Grouping = Callable[[Api, int], list[list[str]]]


def plan(
    api: Api,
    names: list[str],
    connect_timeout: float,
    grouping: Grouping | None = model_parts.grouped_names,
) -> list[TemplateJob]:
    """The jobs of the templates `names`; with `grouping`, the models template renders
    the models in parts for a large API."""
    base = helpers(api)
    base["connect_timeout"] = connect_timeout
    jobs = []
    for name in names:
        out = name[: -len(SUFFIX)].replace("{package}", api.package)
        if "{resource}" in out:
            for resource in api.resources:
                path = out.replace("{resource}", resource.module)
                ctx = dict(base, resource=resource, resource_imports=Derived("imports", resource, resource.imports))
                jobs.append(TemplateJob(name, path, f"resource {resource.tag!r}", ctx))
        elif name.endswith("models.py" + SUFFIX):
            jobs.extend(_model_jobs(name, out, base, api, grouping if name == MODELS_TEMPLATE else None))
        else:
            jobs.append(TemplateJob(name, out, "", dict(base)))
    return jobs


def _model_jobs(name: str, out: str, base: dict[str, Any], api: Api, grouping: Grouping | None) -> list[TemplateJob]:
    """The models module's job; with `grouping`, for a large API, one per part and one
    for `models.py`, which then re-exports the parts' names (model_parts.py)."""
    limit = model_parts.PART_WEIGHT
    parts = model_parts.model_parts(api, grouping(api, limit)) if grouping is not None else []
    names = sorted([m.name for m in api.models] + [e.name for e in api.enums])
    if not parts:
        ctx = dict(base, enums=api.enums, models=api.models, model_part=0, model_names=names)
        whole = model_parts.ModelPart("models", api.enums, api.models, {})  # (imports nothing from itself)
        ctx["model_imports"] = Derived("model_imports", api.models, whole.imports)
        return [TemplateJob(name, out, "", ctx)]
    # (a part's imports are digested as what they are of its models and of the split)
    grouped = tuple(tuple(part.names) for part in parts)
    index = dict(base, enums=(), models=(), model_part=0, model_names=names)
    index["model_imports"] = Derived("model_imports of the index", grouped, lambda: model_parts.index_imports(parts))
    jobs = [TemplateJob(name, out, "", index)]
    folder = out.rpartition("/")[0]
    for k, part in enumerate(parts, 1):
        ctx = dict(base, enums=part.enums, models=part.models, model_part=k, model_names=part.names)
        ctx["model_imports"] = Derived(f"model_imports of part {k}", (part.models, grouped), part.imports)
        jobs.append(TemplateJob(name, f"{folder}/{part.module}.py", f"models part {k}", ctx))
    return jobs


def _check_outputs(jobs: list[TemplateJob], diagnostics: Diagnostics) -> None:
    """Refuse a run whose templates would write one file twice (an overlay template at
    the path of a resource's module, of a models part, or of the stub the formatter
    writes beside a module): before anything is written."""
    first: dict[str, str] = {}  # output -> what writes it
    twice = False
    for job in jobs:
        by = f"{job.template} ({job.subject})" if job.subject else job.template
        writes = [(job.output, by)]
        if job.output.endswith(".py"):
            writes.append((job.output + "i", f"the stub of {by}"))
        for output, writer in writes:
            if output not in first:
                first[output] = writer
                continue
            twice = True
            diagnostics.add(
                "template-overlay",
                Level.ERROR,
                f"{output} would be written twice: by {first[output]} and by {writer}",
                "",
                job.template,
            )
    if twice:
        raise GenerationFailed


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", "", ".") for part in pure.parts) or "\\" in path or "\0" in path:
        raise ValueError(f"refusing to write outside the output folder: {path!r}")


def render_jobs(
    env: jinja2.Environment,
    jobs: list[TemplateJob],
    diagnostics: Diagnostics,
    describe: Callable[[str], str],
    black_style: Callable[[str | None], bool] = lambda filename: False,
    on_file: Callable[[OutputFile], None] | None = None,
    memo: RenderMemo | None = None,
) -> list[OutputFile]:
    """Render each job (or take its text from `memo`); `on_file` sees each file as soon
    as it is rendered (the formatter starts on large ones while the rest render)."""
    files = []
    for job in jobs:
        _check_path(job.output)
        context = _job_context(job)
        recalled = memo.recall(env, job.template, job.output, context) if memo is not None else None
        if recalled is not None and not job.output.endswith(".py"):
            # (a file written as it is rendered: its text is read now, a miss if damaged)
            try:
                text = recalled[2]()
            except StoredGone:
                recalled = None
            else:
                assert memo is not None
                files.append(OutputFile(job.output, text, black_style(memo.template_file(job.template))))
                if on_file is not None:
                    on_file(files[-1])
                continue
        if recalled is None:
            text, filename = _render(env, job, context, diagnostics, describe, memo)
            files.append(OutputFile(job.output, text, black_style(filename)))
        else:
            assert memo is not None
            filename = memo.template_file(job.template)  # (not loaded: its code is not needed)
            files.append(RecalledOutput(job.output, *recalled, black_style(filename)))
        if on_file is not None:
            on_file(files[-1])
    return files


def _job_context(job: TemplateJob) -> dict[str, Any]:
    depth = max(job.output.count("/") - 1, 0)
    own = "." + job.output.rsplit("/", 1)[-1].removesuffix(".py") if depth == 0 else ""
    context = dict(job.context)
    context["render_imports"] = lambda imports=frozenset(), runtime=(), std=(), _d=depth, _o=own: (
        render_imports(imports, list(runtime), _d, _o, list(std))
    )
    return context


def _render(
    env: jinja2.Environment,
    job: TemplateJob,
    context: dict[str, Any],
    diagnostics: Diagnostics,
    describe: Callable[[str], str],
    memo: RenderMemo | None,
) -> tuple[str, str | None]:
    """The job's text and its template's file."""
    tracking = env if memo is not None and isinstance(env, TrackingEnvironment) else None
    reads = Reads(context.get("api")) if tracking is not None else None
    try:
        template = env.get_template(job.template)
        if tracking is not None:
            tracking.reads = reads
        try:
            # (the memo keeps the render under `context` as given: Derived values unmade)
            text = template.render({k: v.compute() if isinstance(v, Derived) else v for k, v in context.items()})
        finally:
            if tracking is not None:
                tracking.reads = None
    except jinja2.TemplateSyntaxError as exc:
        diagnostics.add("template-syntax", Level.ERROR, f"{exc.message}", "", describe(exc.filename or job.template), exc.lineno or 0)
        raise GenerationFailed from None
    except jinja2.UndefinedError as exc:
        file, line = _template_frame(exc, job.template)
        diagnostics.add("template-undefined", Level.ERROR, f"{exc.message}{_while(exc, job)}", "", describe(file), line)
        raise GenerationFailed from None
    except jinja2.TemplateError as exc:
        file, line = _template_frame(exc, job.template)
        diagnostics.add("template-error", Level.ERROR, f"{exc}{_while(exc, job)}", "", describe(file), line)
        raise GenerationFailed from None
    if job.output.endswith(".py") and not _is_builtin(template.filename):
        _check_python(text, template, job, diagnostics, describe)
    if memo is not None and reads is not None:
        memo.keep(env, job.template, job.output, context, reads, text)
    return text, template.filename


def _is_builtin(filename: str | None) -> bool:
    return filename is not None and Path(filename).resolve().is_relative_to(BUILTIN_TEMPLATES)


def _check_python(
    text: str, template: jinja2.Template, job: TemplateJob, diagnostics: Diagnostics, describe: Callable[[str], str]
) -> None:
    """A user template must render valid Python, with a derivable stub. Checked here,
    where the template is known, rather than in the formatter, which sees only output."""
    try:
        ast.parse(text)
        derive_stub(text)
    except (SyntaxError, StubError) as exc:
        lines = text.splitlines()
        if isinstance(exc, SyntaxError):
            number, problem = exc.lineno or 0, exc.msg
        else:
            match = re.match(r"line (\d+): (.*)", str(exc))
            number, problem = (int(match.group(1)), match.group(2)) if match else (0, str(exc))
        file = template.filename or job.template
        # The reported line may come after the one at fault (an unclosed bracket): look
        # back for the nearest output line that this template's text produced.
        found, source_line = number, 0
        for candidate in range(number, max(number - 30, 0), -1):
            if candidate <= len(lines):
                source_line = _source_line(file, lines[candidate - 1])
                if source_line:
                    found = candidate
                    break
        bad = lines[found - 1].strip() if 0 < found <= len(lines) else ""
        near = _enclosing_def(lines[:found])
        where = f" in `{near}`" if near else ""
        subject = f" while rendering {job.subject}" if job.subject else ""
        diagnostics.add(
            "template-invalid-python",
            Level.ERROR,
            f"renders invalid Python into {job.output} line {found}{where}: {problem}: {bad!r}{subject}",
            "",
            describe(file),
            source_line,
        )
        raise GenerationFailed from None


def _enclosing_def(lines: list[str]) -> str:
    for line in reversed(lines):
        match = re.match(r"\s*(?:async\s+)?(?:def|class)\s+(\w+)", line)
        if match:
            return match.group(1)
    return ""


def _source_line(filename: str, rendered: str) -> int:
    """The template line that most likely produced `rendered`: its literal text must
    match, with every `{{ ... }}` standing for any text. 0 when no line matches."""
    try:
        source = Path(filename).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    wanted = rendered.strip()
    if not wanted:
        return 0
    for number, line in enumerate(source, 1):
        if "{%" in line or "{#" in line or not line.strip():
            continue
        pieces = re.split(r"\{\{.*?\}\}", line.strip())
        if re.fullmatch(".*?".join(re.escape(piece) for piece in pieces), wanted):
            return number
    return 0


def _while(exc: BaseException, job: TemplateJob) -> str:
    """What was being rendered when `exc` was raised: the innermost operation, model or
    enum in the template's scope, else the job's subject."""
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.endswith(SUFFIX) or frame.f_code.co_filename == "<template>":
            scope = frame.f_locals
            for name, label in (("op", "operation"), ("model", "schema"), ("enum", "schema")):
                value = scope.get(name)
                if isinstance(value, Operation):
                    found = f"{label} {value.operation_id!r}"
                elif value is not None and hasattr(value, "pointer") and hasattr(value, "name"):
                    found = f"{label} {value.name!r}"
        tb = tb.tb_next
    parts = [p for p in (found, job.subject) if p]
    return f" while rendering {' in '.join(parts)}" if parts else ""


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


def render(
    api: Api,
    diagnostics: Diagnostics,
    connect_timeout: float = 5.0,
    templates: TemplateSet | None = None,
    on_file: Callable[[OutputFile], None] | None = None,
    compiled: dict[str, bytes] | None = None,
    cache: Cache = DISABLED,
    known: Iterable[tuple[Any, bytes]] = (),
    kept_texts: bool = True,
) -> list[OutputFile]:
    """Render every template of `templates` (default: the built-in ones); `compiled`
    holds template code (from `compile_builtin_templates`, or kept: template_code.py),
    and takes the code of what the render compiles besides. With a cache and no template
    overlay, a file whose template reads what it read last time is taken from the
    cache (render_memo.py); `known` gives values' digests known already; `kept_texts`
    False renders every file again (a kept text found damaged: see pipeline.py)."""
    templates = templates if templates is not None else TemplateSet()
    memo = RenderMemo(cache, BUILTIN_TEMPLATES, known, kept_texts) if cache.enabled and not templates.overlays else None
    env = make_environment(templates.loader(), tracking=memo is not None)
    if compiled is not None:
        env.bytecode_cache = _Compiled(compiled)
    grouping = (memo.grouped_names if memo is not None else model_parts.grouped_names) if templates.split_models else None
    jobs = plan(api, list(templates.names), connect_timeout, grouping)
    _check_outputs(jobs, diagnostics)
    # (every job asks of its template's file: one resolve per file and render)
    black_style = functools.lru_cache(maxsize=None)(templates.emits_black_style)
    files = render_jobs(env, jobs, diagnostics, describe_path, black_style, on_file, memo)
    if memo is not None and env.cache is not None:
        # the next run's template compiler starts with these (render_memo.loaded_templates)
        memo.keep_loaded(sorted({key[1] for key in env.cache.keys() if isinstance(key, tuple)}))
    return files


__all__ = ["OutputFile", "Resource", "TEMPLATE_API_VERSION", "TemplateSet", "load_template_set", "render"]
