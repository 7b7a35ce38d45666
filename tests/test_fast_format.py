"""Templates that emit black's style are taken as they are; the output must be exactly
what black over everything (`--full-black`) gives. Checked on the Beam client with its
overlay, on hostile documents (odd strings, names, titles) and on real documents."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import black
import pytest
from black.strings import normalize_string_quotes
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.diagnostics import Diagnostics
from generator.cache import DISABLED
from generator.format import MODE, _Formatter, _pieces, fits, format_files, format_source
from generator.imports import prune_imports
from generator.model.naming import _escape_invisible, literal
from generator.pipeline import generate_files
from generator.render import OutputFile, docblock
from tests.helpers import ROOT, run_cli

HOSTILE = ROOT / "tests" / "hostile"
CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
# documents with many odd strings, names, titles and long identifiers
HOSTILE_DOCS = [
    "code_in_title.yaml",
    "code_in_descriptions.yaml",
    "code_in_enum_values.yaml",
    "code_in_defaults.yaml",
    "control_chars.json",
    "lone_surrogates.json",
    "rtl_marks.yaml",
    "keywords_and_builtins.yaml",
    "no_operations.yaml",
    "security_schemes.yaml",
]
CORPUS_DOCS = [
    "fixture-readme__polymorphism__3.0.json",
    "fixture-opc__enums__3.1.yaml",
    "fixture-readme__parameters-style__3.0.json",
    "realworld__conduit__1.1.0.yml",
]


def _outputs(spec: Path | None, full: bool) -> dict[str, str]:
    config = load_config(ROOT / "pyproject.toml")
    if spec is not None:
        config = replace(config, spec=spec, package="pkg", templates=(), overlays=())
    result = generate_files(replace(config, full_black=full), Diagnostics())
    return {f.path: f.content for f in result.files}


def _assert_same(spec: Path | None) -> None:
    fast, full = _outputs(spec, False), _outputs(spec, True)
    assert fast.keys() == full.keys()
    differing = [path for path in fast if fast[path] != full[path]]
    assert not differing, f"black would change: {differing}"


def test_beam_client_with_its_overlay_is_black_output() -> None:
    _assert_same(None)


@pytest.mark.parametrize("name", HOSTILE_DOCS)
def test_hostile_documents_give_black_output(name: str) -> None:
    _assert_same(HOSTILE / name)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus sits beside the checkout")
@pytest.mark.parametrize("name", CORPUS_DOCS)
def test_real_documents_give_black_output(name: str) -> None:
    _assert_same(CORPUS / name)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab'\"\\\n\t {}\u200f\x00\u00e9\U0001f600")), max_size=16))
def test_string_literals_are_spelled_as_black_spells_them(text: str) -> None:
    assert literal(text) == normalize_string_quotes(_escape_invisible(repr(text)))


@pytest.mark.parametrize("value", [1e16, 1.5e-07, -2.5, 1e100, 0.1, 3, -1, True, None, float("nan"), float("-inf")])
def test_scalar_literals_are_unchanged_by_black(value: object) -> None:
    source = f"x = {literal(value)}\n"
    assert black.format_str(source, mode=MODE) == source


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\"'\\\u00a0*-")), min_size=1, max_size=40))
def test_docstrings_are_laid_out_as_black_lays_them_out(text: str) -> None:
    source = f"def f() -> None:\n    {docblock(text, 4)}\n"
    assert black.format_str(source, mode=MODE) == source


def test_fits_ignores_docstrings_but_not_code() -> None:
    long = "x" * 120
    assert fits(f'def f() -> None:\n    """{long}\n    {long}\n    """\n    return None\n')
    assert fits(f'"""{long}"""\n')
    assert not fits(f"y = {long!r}\n")
    assert not fits(f'"""doc"""\ny = {long!r}\n')
    # black puts closing quotes that would overflow on a line of their own
    assert not fits(f'def f() -> None:\n    """Doc.\n\n    {long}"""\n')
    # wide characters take two columns
    assert not fits("y = '" + "\u4e00" * 60 + "'\n")


def test_text_not_declared_black_style_goes_through_black() -> None:
    ugly = "x=1\ny = [\n    1, 2\n]\n"
    styled, plain = format_files(
        [OutputFile("a.py", ugly, black_style=True), OutputFile("b.py", ugly, black_style=False)],
        Diagnostics(),
        stubs=False,
    )
    assert styled.content == ugly  # trusted: taken as it is
    assert plain.content == "x = 1\ny = [1, 2]\n"


def test_an_overlay_that_does_not_declare_black_style_is_formatted(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    (overlay / "{package}").mkdir(parents=True)
    (overlay / "template-api.toml").write_text("version = 1\n")
    (overlay / "{package}" / "extra.py.jinja").write_text(
        textwrap.dedent(
            """\
            VALUES: dict[str, int] = {'a':1,
                'b':2}
            """
        )
    )
    out = tmp_path / "out"
    run = run_cli("--config", ROOT / "pyproject.toml", "generate", "--no-cache", "--templates", overlay, "-o", out)
    assert run.code == 0, run.stderr
    assert (out / "beam_api" / "extra.py").read_text() == 'VALUES: dict[str, int] = {"a": 1, "b": 2}\n'


def _long_names_spec() -> dict[str, object]:
    """Names long enough that many generated lines do not fit: field annotations,
    `from_dict` headers, union decoders, method signatures and calls."""
    long = "VeryLongSchemaNameThatKeepsGoingAndGoingForQuiteAWhile"
    schemas: dict[str, object] = {
        f"{long}{i}": {
            "type": "object",
            "properties": {
                "an_equally_long_property_name_for_the_nested_value": {
                    "oneOf": [{"$ref": f"#/components/schemas/{long}{(i + 1) % 3}"}, {"type": "string"}],
                    "nullable": True,
                },
                "items_with_a_long_name": {"type": "array", "items": {"$ref": f"#/components/schemas/{long}{(i + 2) % 3}"}},
                "kind": {"type": "string", "enum": ["a-rather-long-enum-value-" + "x" * 60, "short"]},
                # names of every length: each way black breaks a field or parameter
                **{
                    "n" * width: {"$ref": f"#/components/schemas/{long}{(i + 1) % 3}"}
                    for width in range(8, 48, 3)
                },
                **{
                    "u" * width: {"oneOf": [{"$ref": f"#/components/schemas/{long}{k}"} for k in range(3)]}
                    for width in range(8, 30, 7)
                },
            },
        }
        for i in range(3)
    }
    parameters = [
        {"name": f"a_long_query_parameter_name_number_{n}", "in": "query", "schema": {"$ref": f"#/components/schemas/{long}0"}}
        for n in range(4)
    ] + [
        {"name": "q" * width, "in": "query", "schema": {"oneOf": [{"$ref": f"#/components/schemas/{long}{k}"} for k in range(2)]}}
        for width in range(5, 40, 6)
    ]
    refs = [{"$ref": f"#/components/schemas/{long}{k}"} for k in range(3)]
    inline_body = {
        "type": "object",
        "required": ["b" * 4, "c" * 13],
        "properties": {
            **{"b" * width: {"type": "array", "items": {"oneOf": refs}} for width in range(4, 40, 9)},
            **{"c" * width: {"oneOf": [{"type": "string"}, {"type": "array", "items": {"oneOf": refs}}]} for width in range(4, 40, 9)},
            **{f"plain_{i}": {"type": "string"} for i in range(6)},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Long names", "version": "1"},
        "paths": {
            "/things/{an_identifier_of_the_thing_with_a_long_name}": {
                "post": {
                    "operationId": "createTheThingWithAnOperationIdThatIsLongerThanAnyoneWouldLike",
                    "parameters": [
                        {"name": "an_identifier_of_the_thing_with_a_long_name", "in": "path", "required": True, "schema": {"type": "string"}},
                        *parameters,
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{long}1"}}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{long}2"}}}}},
                }
            },
            # flattened bodies (one argument a property, `json=`/`multipart=` dicts) whose
            # properties are unions and lists of unions, and a union result
            "/bodies": {
                "post": {
                    "operationId": "makeABodyOfManyFields",
                    "requestBody": {"content": {"application/json": {"schema": inline_body}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"oneOf": refs}}}}},
                }
            },
            "/uploads": {
                "post": {
                    "operationId": "upload",
                    "requestBody": {"content": {"multipart/form-data": {"schema": inline_body}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"oneOf": refs}}}}}},
                }
            },
        },
        "components": {"schemas": schemas},
    }


def test_long_names_give_black_output_and_black_sees_only_what_does_not_fit(tmp_path: Path) -> None:
    from tests.helpers import write_spec

    spec = write_spec(tmp_path, _long_names_spec())
    _assert_same(spec)
    config = replace(load_config(ROOT / "pyproject.toml"), spec=spec, package="pkg", templates=(), overlays=())
    diagnostics = Diagnostics()
    from generator.render import load_template_set, render
    from generator.load import load
    from generator.model.build import build_api

    api = build_api(load(spec, diagnostics).data, config, diagnostics)
    files = render(api, diagnostics, templates=load_template_set((), diagnostics))
    models = next(f for f in files if f.path == "pkg/models.py")
    pieces = _pieces(prune_imports(models.content))
    assert pieces is not None
    sent = sum(len(p.text) for p in pieces if p.job is not None)
    assert 0 < sent < len(models.content) / 2  # statements, not whole classes


def test_statements_formatted_alone_match_black_on_the_whole_chunk() -> None:
    chunk = textwrap.dedent(
        '''\
        class Thing:
            """A thing."""

            first_field_with_a_long_name: AnAnnotationThatIsRatherLong | AnotherOneThatIsLong | None = None
            short: int = 0

            @classmethod
            def from_dict(cls, data: Mapping[str, Any]) -> ThingWithAVeryLongNameThatDoesNotFitOnTheLine:
                """Decode."""
                if isinstance(data, dict):
                    value = first_function_with_long_name(data) if isinstance(data, dict) else second_function(data)
                    return cls(value)
                return cls(0)

            def ok(self) -> int:
                return 1
        '''
    )
    formatter = _Formatter(DISABLED, False)
    assert formatter.run([(chunk, False)], [True]) == [format_source(chunk)]


def test_stubs_derived_in_worker_processes_match_those_derived_here(tmp_path: Path) -> None:
    from generator.load import load
    from generator.model.build import build_api
    from generator.render import load_template_set, render
    from tests.helpers import write_spec

    spec = write_spec(tmp_path, _long_names_spec())
    config = replace(load_config(ROOT / "pyproject.toml"), spec=spec, package="pkg", templates=(), overlays=())
    diagnostics = Diagnostics()
    api = build_api(load(spec, diagnostics).data, config, diagnostics)
    files = render(api, diagnostics, templates=load_template_set((), diagnostics))
    here = format_files(files, Diagnostics(), parallel=False)
    pooled = format_files(files, Diagnostics(), parallel=True)
    assert [(f.path, f.content) for f in pooled] == [(f.path, f.content) for f in here]
    # started while rendering (every module large enough here), finished by format_files
    import generator.format as fmt_module

    for split in (False, True):  # also with each module's stub derived in two halves
        formatter = fmt_module.open_formatter(parallel=True)
        original = fmt_module.EARLY_MIN_CHARS, fmt_module.SPLIT_MIN_CHARS
        fmt_module.EARLY_MIN_CHARS = 1
        fmt_module.SPLIT_MIN_CHARS = 1 if split else original[1]
        try:
            for f in files:
                formatter.early(f)
        finally:
            fmt_module.EARLY_MIN_CHARS, fmt_module.SPLIT_MIN_CHARS = original
        assert formatter._early
        assert any(isinstance(future, fmt_module._SplitModule) for future in formatter._early.values()) is split
        early = format_files(files, Diagnostics(), formatter=formatter)
        assert [(f.path, f.content) for f in early] == [(f.path, f.content) for f in here]
    # a module below that size is left to format_files
    mid = [f for f in files if f.is_python and fmt_module.CHUNK_MIN_CHARS <= len(f.content) < fmt_module.EARLY_MIN_CHARS]
    assert mid
    formatter = fmt_module.open_formatter(parallel=True)
    for f in mid:
        formatter.early(f)
    assert not formatter._early
    formatter.close()


def test_unions_give_black_output() -> None:
    _assert_same(ROOT / "tests" / "unions.yaml")


@pytest.mark.parametrize("width", range(3, 75, 4))
def test_decoder_layouts_match_black(width: int) -> None:
    from generator.layout import def_header, statement

    names = [f"{'N' * width}{i}" for i in range(6)]
    for k in range(2, 7):
        union = " | ".join(names[:k])
        for returns in (union, f"str | list[{union}]", f"list[{union}] | None", f"{names[0]} | dict[str, int]"):
            text = def_header(0, "_decode_0123456789ab", ["value: Any"], returns) + "\n    return value\n"
            assert format_source(text) == text, text
    call = f"{names[0]}.from_dict"
    expressions = [
        f"[{call}(_i0) for _i0 in value]",
        f"None if value is None else [{call}(_i0) for _i0 in value]",
        f"{{_k0: {call}(_v0) for _k0, _v0 in value.items()}}",
        f"value if isinstance(value, str) else [{call}(_i0) for _i0 in value]",
        f"{call}(value) if is_object(value, ('a', 'b')) else {names[1]}(value) if isinstance(value, str) else value",
        f"[(None if _i0 is None else {call}(_i0)) for _i0 in value]",
    ]
    laid_out = 0
    for indent in (4, 8, 12, 24):
        for expr in expressions:
            for head in ("return ", "v1 = ", "v12 = "):
                line = statement(head, expr.replace("'", '"'), indent)
                if "\n" not in line and len(line) > 100:
                    continue  # a shape left to black
                laid_out += "\n" in line
                wrapper = "".join("    " * level + "if _:\n" for level in range(indent // 4))
                assert format_source(wrapper + line + "\n") == wrapper + line + "\n", line
    assert laid_out or width < 20


# --- black's layouts of the statements the templates split themselves -------------------
#
# Each helper of generator/layout.py against black, over names of every length: one name
# of each type hint grows a character at a time, so that every line black might split
# (the whole statement, the hint in parentheses, a member, a subscript's contents) goes
# from fitting to one character too wide. Statements a helper leaves on one line are
# black's to format and are left out; the others must be black's output byte for byte.


def _name(width: int, letter: str) -> str:
    return letter.upper() + letter * (width - 1)


_HINTS = {
    "list of a union": lambda k: f"list[{_name(k, 'a')} | {_name(30, 'b')} | {_name(12, 'c')}]",
    "str or a list": lambda k: f"str | list[{_name(40, 'a')} | {_name(k, 'b')}]",
    "union": lambda k: f"{_name(20, 'a')} | {_name(k, 'b')} | {_name(9, 'c')}",
    "union of two": lambda k: f"{_name(k, 'a')} | {_name(20, 'b')}",
    "list of a name": lambda k: f"list[{_name(k, 'a')}]",
    "optional list": lambda k: f"list[{_name(k, 'a')} | {_name(30, 'b')}] | None | NotGiven",
    "last member a list": lambda k: f"str | list[str] | list[{_name(30, 'a')} | {_name(k, 'b')}]",
    "name": lambda k: _name(k, "a"),
    "dict": lambda k: f"dict[str, {_name(k, 'a')} | {_name(30, 'b')}]",
    "nested lists": lambda k: f"list[list[{_name(k, 'a')} | {_name(40, 'b')}] | {_name(30, 'c')}]",
    "literal": lambda k: f'Literal["{"s" * k}"] | {_name(50, "a")}',
    "wrapped": lambda k: f"RawResponse[{_name(25, 'a')} | {_name(k, 'b')} | {_name(25, 'c')}]",
}
_WIDTHS = range(1, 100)


def _black_agrees(pieces: list[tuple[str, str, str]], frame: str) -> int:
    """`pieces` are (one line, helper's text, separator after it); `frame` holds the
    statements at `{}`. Returns how many the helper split."""
    kept = [(one, laid, sep) for one, laid, sep in pieces if laid != one or fits(one)]
    source = frame.format("".join(one + sep for one, _, sep in kept))
    assert format_source(source) == frame.format("".join(laid + sep for _, laid, sep in kept)).rstrip("\n") + "\n"
    return sum(laid != one for one, laid, _ in kept)


@pytest.mark.parametrize("hint", sorted(_HINTS))
def test_field_annotations_are_split_as_black_splits_them(hint: str) -> None:
    from generator.layout import annotated

    pieces = []
    for k in _WIDTHS:
        for default in ("", " = NOT_GIVEN"):
            annotation = _HINTS[hint](k)
            pieces.append((f"    content: {annotation}{default}", annotated("content", annotation, default, 4), "\n"))
    assert _black_agrees(pieces, "class Model:\n{}") > 0 or hint == "name"


@pytest.mark.parametrize("hint", sorted(_HINTS))
def test_parameters_are_split_as_black_splits_them(hint: str) -> None:
    from generator.layout import parameter

    for indent, frame in (
        (8, "class Resource:\n    def method(\n        self,\n        *,\n{}        timeout: float = 1.0,\n    ) -> None:\n        pass\n"),
        (4, "def _method_call(\n{}) -> Call:\n    pass\n"),
    ):
        pad, pieces = " " * indent, []
        for k in _WIDTHS:
            for i, default in enumerate(("", " = NOT_GIVEN")):
                name, annotation = f"p{k:02}{i}", _HINTS[hint](k)
                pieces.append((f"{pad}{name}: {annotation}{default},", parameter(name, annotation, default, indent), "\n"))
        assert _black_agrees(pieces, frame) > 0 or hint in ("name", "dict")


@pytest.mark.parametrize("hint", sorted(_HINTS))
def test_return_annotations_are_split_as_black_splits_them(hint: str) -> None:
    from generator.layout import def_header, returns_line

    pieces = []
    for k in _WIDTHS:
        annotation = _HINTS[hint](k)
        head = f"    def m{k:02}(\n        self,\n"
        pieces.append((f"{head}    ) -> {annotation}:", head + returns_line(annotation, 4), "\n        pass\n\n"))
    assert _black_agrees(pieces, "class Resource:\n{}") > 0 or hint == "dict"
    pieces = []
    for k in _WIDTHS:
        annotation = _HINTS[hint](k)
        for params in (["response: httpx.Response"], ["cls", "data: Mapping[str, Any]"]):
            name = f"_parse_{'x' * (k % 23)}"
            one = f"def {name}({', '.join(params)}) -> {annotation}:"
            pieces.append((one, def_header(0, name, params, annotation), "\n    pass\n\n\n"))
    assert _black_agrees(pieces, "{}") > 0 or hint == "dict"


def test_request_bodies_are_split_as_black_splits_them() -> None:
    from generator.layout import keyword_dict_call

    pieces = []
    for k in _WIDTHS:
        for count in (1, 2, 5):
            items = [f'"field_{i}": field_{i}' for i in range(count - 1)] + [f'"last": {"v" * k}']
            for keyword, functions in (("json", ["to_jsonable", "compact"]), ("multipart", ["compact"])):
                one = f"        {keyword}={''.join(f + '(' for f in functions)}{{{', '.join(items)}}}{')' * len(functions)},"
                pieces.append((one, keyword_dict_call(keyword, functions, items, 8), "\n"))
    assert _black_agrees(pieces, "def f():\n    return Call(\n{}        timeout=60.0,\n    )\n") > 0


def _niceness(_: str) -> int:
    import os

    return os.nice(0)


def test_tasks_behind_the_early_modules_run_at_a_lower_priority() -> None:
    """Priority only: the same results, the pool's workers niced, the parent not."""
    import os

    from generator import format as fmt

    before = os.nice(0)
    formatter = fmt.open_formatter(parallel=True)
    try:
        behind = formatter.map_large(_niceness, ["a", "b", "c"], behind=True)
        texts = formatter.map_large(str.upper, ["a", "b"], behind=True)
    finally:
        formatter.close()
    assert behind is not None and all(n >= fmt.BEHIND_NICENESS for n in behind)
    assert texts == ["A", "B"]
    assert os.nice(0) == before


def test_whole_modules_go_to_the_pool_only_when_there_are_enough_of_them() -> None:
    """Below MODULES_PARALLEL_MIN_CHARS (a regeneration's few edited modules, a small
    spec's output) no worker is forked: the caller formats them itself."""
    from generator import format as fmt

    formatter = fmt.open_formatter()
    try:
        small = ["x" * (fmt.MODULES_PARALLEL_MIN_CHARS // 2 - 1)] * 2
        assert formatter.map_large(len, small) is None
        assert formatter._pool is None
        large = small + ["x" * 2]
        pooled = fmt._workers() >= 2  # (one core: never a pool)
        assert formatter.map_large(len, large) == ([len(t) for t in large] if pooled else None)
        assert (formatter._pool is not None) == pooled
    finally:
        formatter.close()
