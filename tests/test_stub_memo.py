"""Stubs remembered by their module's skeleton (stub_memo.py): a remembered stub is the
one deriving it gives, and only modules whose triple-quoted strings no stub shows are
remembered."""

from __future__ import annotations

import copy
import io
import re
import tokenize
from pathlib import Path

import pytest

from generator import format as fmt
from generator import stub_memo
from generator.cache import Cache
from generator.config import Config
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.model.build import build_api
from generator.render import render
from generator.stubs import fast_stub_chunks
from tests.helpers import ROOT
from tests.test_stub_fast import TRICKY, black_pyi

GENERATED = sorted((ROOT / "generated").rglob("*.py"))

LEXING = [
    'x = "a # not a comment \\" still"  # a comment with """ quotes\n',
    "y = '''one\nit's \\''' still\n'''\n",
    'z = r"""raw \\""" still\nraw"""\n',
    'w = b"""\\\\"""  # ends after the escaped backslash\n',
    'v = "continued \\\n""" + """\nthen a triple"""\n',
    "u = rb'''x''' + Rb\"\"\"y\"\"\" + f'''{1}'''\n",
    'def f():\n    """Doc with \'\'\' inside."""\n    return """a""""b"\n',
    '# """ a comment only\nq = 1\n',
    'if"a"in"ab":\n    """x"""\n',
]


def _triple_strings(module: str) -> list[tuple[int, int]]:
    """Where Python's own tokenizer finds triple-quoted strings."""
    out = []
    for token in tokenize.generate_tokens(io.StringIO(module).readline):
        if token.type == tokenize.STRING and re.match(r"[rRbBuUfF]{0,2}(\"\"\"|''')", token.string):
            out.append((token.start[0], token.end[0]))
    return out


@pytest.mark.parametrize("module", LEXING + [TRICKY] + [p.read_text() for p in GENERATED], ids=lambda m: m[:30])
def test_the_skeleton_finds_the_strings_python_finds(module: str) -> None:
    found = stub_memo.skeleton(module)
    assert found is not None
    text, places = found
    assert list(places) == _triple_strings(module)
    assert text.count("\0") == len(places)
    # what is left is the module without those strings' contents
    assert len(text) <= len(module) + len(places)


def test_texts_that_do_not_lex_have_no_skeleton() -> None:
    assert stub_memo.skeleton('x = """never closed\n') is None
    assert stub_memo.skeleton('x = 1\r\ny = """a"""\n') is None  # lines ast numbers otherwise
    assert stub_memo.skeleton("x = '\\u2028'\u2028\n") is None
    # bytes that are not ASCII do not compile: the prefix, read back from the quotes, says so
    for prefix in ("b", "B", "rb", "bR", "Rb"):
        assert stub_memo.skeleton(f'x = {prefix}"""\u00e9"""\n') is None
        assert stub_memo.skeleton(f"x = 1; y = {prefix}'''\u00e9'''\n") is None
    for prefix in ("", "r", "u", "R", "U"):
        assert stub_memo.skeleton(f'x = {prefix}"""\u00e9"""\n') is not None


def _docstrings_rewritten(module: str, tag: str) -> str:
    """Every triple-quoted string's contents replaced, each by a different number of lines."""
    count = iter(range(1_000_000))

    def new(match: re.Match[str]) -> str:
        n = next(count)
        return '"""' + f"{tag} {n}." + "\n\n    More text.\n" * (n % 3) + '"""'

    return re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""', new, module)


def _memo(tmp_path: Path) -> stub_memo.StubMemo:
    return stub_memo.StubMemo(Cache(tmp_path), fmt._mode_key())


def _chunks(module: str, memo: stub_memo.StubMemo) -> list:  # type: ignore[type-arg]
    return fmt._stub_chunks(module, black_pyi, memo)


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_a_module_with_other_docstrings_takes_the_remembered_stub(path: Path, tmp_path: Path) -> None:
    module = path.read_text()
    memo = _memo(tmp_path)
    first = _chunks(module, memo)
    assert first == fast_stub_chunks(module, black_pyi) and memo.reused == 0
    edited = fmt.format_source(_docstrings_rewritten(module, "Edited"))
    key = memo.key(module)
    assert key is not None and memo.key(edited) is not None
    taken = _chunks(edited, memo)
    assert taken == fast_stub_chunks(edited, black_pyi)
    if '"""' in module:
        assert memo.key(edited)[0] == key[0]  # type: ignore[index]
    assert memo.reused == 1, "every triple-quoted string of a generated module is a docstring or in a body"


@pytest.mark.parametrize(
    "module",
    [
        'X = """shown in the stub"""\n',
        'def f(x: str = """a default""") -> None:\n    pass\n',
        'class C:\n    y: str = """a class value"""\n',
        '"""doc"""; Y = """beside it"""\n',
        '@decorate("""an argument""")\ndef f() -> None:\n    pass\n',
        'if True:\n    Z = """in a block"""\n',
    ],
)
def test_a_stub_that_may_show_a_string_is_not_remembered(module: str, tmp_path: Path) -> None:
    module = fmt.format_source(module)
    memo = _memo(tmp_path)
    key = memo.key(module)
    assert key is not None
    assert _chunks(module, memo) == fast_stub_chunks(module, black_pyi)
    assert memo.cache.get_plain(stub_memo.KIND, key[0]) is None
    other = module.replace('"""', '"""other ', 1)
    assert _chunks(other, memo) == fast_stub_chunks(other, black_pyi) and memo.reused == 0


def test_remembered_in_some_places_only(tmp_path: Path) -> None:
    shown = 'X = """shown"""\n\n\nclass C:\n    """Doc."""\n\n    def f(self) -> None:\n        """Doc."""\n'
    hidden = 'class C:\n    """Doc."""\n\n    def f(self) -> None:\n        """Doc."""\n        return None\n'
    assert not stub_memo.shown_only_outside([(1, 1), (5, 5)], [(5, 5), (8, 8)])
    assert stub_memo.shown_only_outside([(2, 2), (5, 6)], [(2, 2), (5, 6), (5, 6)])
    assert not stub_memo.shown_only_outside([(5, 7)], [(5, 6), (7, 7)])  # two statements
    memo = _memo(tmp_path)
    for module in (shown, hidden):
        module = fmt.format_source(module)
        _chunks(module, memo)
        key = memo.key(module)
        assert key is not None
        assert (memo.cache.get_plain(stub_memo.KIND, key[0]) is None) == (module.startswith("X"))


def test_a_damaged_entry_is_derived_again(tmp_path: Path) -> None:
    module = GENERATED[0].read_text()
    memo = _memo(tmp_path)
    expected = _chunks(module, memo)
    key = memo.key(module)
    assert key is not None
    for damaged in (["not", "chunks"], [["text", "yes", 1]], None):
        memo.cache.put_plain(stub_memo.KIND, key[0], damaged)
        assert _chunks(module, memo) == expected
    assert memo.reused == 0


def test_an_operation_edit_gives_the_stubs_of_a_run_without_the_cache(tmp_path: Path) -> None:
    """Through format_files, as a regeneration after editing an operation's text."""
    data = load(ROOT / "specs" / "beam-cloud-openapi.yml", Diagnostics()).data
    cache = Cache(tmp_path / "cache")

    def formatted(spec: dict, with_cache: Cache) -> dict[str, str]:  # type: ignore[type-arg]
        files = render(build_api(spec, Config(), Diagnostics()), Diagnostics())
        return {f.path: f.content for f in fmt.format_files(files, Diagnostics(), cache=with_cache, parallel=False)}

    before = formatted(data, cache)
    edited = copy.deepcopy(data)
    path, item = next(iter(edited["paths"].items()))
    operation = next(v for v in item.values() if isinstance(v, dict) and "responses" in v)
    operation["description"] = "Edited.\n\nOver several lines, with \"\"\" quotes and a ''' too."
    fresh = formatted(edited, Cache(None))
    assert fresh != before
    assert formatted(edited, cache) == fresh
    assert formatted(data, cache) == before


def test_a_module_formatted_in_the_pool_keeps_the_memos_an_edit_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker keeps the prune and stub memos of a module it formats (as format_files
    does here), so a regeneration after a run that formatted in the pool takes them;
    what it gives is what a run without them gives."""
    from generator.prune_memo import PruneMemo

    text = '"""Models."""\n\nfrom __future__ import annotations\n\nimport os\nfrom typing import Any\n'
    text += "".join(f'\n\nclass Model{i}:\n    """Model {i}."""\n\n    x: Any = {i}\n' for i in range(1500))
    edited = text.replace('"""Model 7."""', '"""Model seven, edited."""')
    cache = Cache(tmp_path / "cache")
    formatter = fmt._Formatter(cache, None)
    monkeypatch.setattr(fmt, "MEMO_MIN_CHARS", 1)
    assert formatter.memos(text) is not None
    expected = fmt._module_in_worker((text, True, None))
    assert fmt._module_in_worker((text, True, formatter.memos(text))) == expected
    memos = formatter.memos(edited)
    assert memos is not None
    assert fmt._module_in_worker((edited, True, memos)) == fmt._module_in_worker((edited, True, None))
    assert (memos.prune.reused, memos.stub.reused) == (1, 1)
    assert isinstance(memos.prune, PruneMemo)
    monkeypatch.setattr(fmt, "MEMO_MIN_CHARS", len(text) + 1)
    assert formatter.memos(text) is None
    assert not fmt._Formatter(Cache(None), None).memos(text)


def test_a_module_split_in_halves_takes_and_keeps_its_stub_memo(tmp_path: Path) -> None:
    """Models with attribute docstrings (their layout is remembered); a module whose
    stub is derived in halves keeps it, and one of the same skeleton takes it without
    deriving halves; each gives what a worker without memos gives."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def models(doc: str) -> str:
        head = '"""Models."""\n\nfrom __future__ import annotations\n\nfrom typing import Any\n'
        return head + "".join(
            f'\n\nclass Model{i}:\n    """Model {i}."""\n\n    x: Any = {i}\n    """{doc if i == 7 else "Field."}"""\n' for i in range(2000)
        )

    first, second = models("Field seven."), models("Field seven, edited.")
    cache = Cache(tmp_path / "cache")
    formatter = fmt._Formatter(cache, None)
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    try:
        split = fmt._SplitModule(pool, first, formatter.memos(first))
        assert split.result() == fmt._module_in_worker((first, True, None))
        assert len(split._stubs) == 2 and split._recalled is None  # derived in halves, and kept
        memos = formatter.memos(second)
        again = fmt._SplitModule(pool, second, memos)
        assert again.result() == fmt._module_in_worker((second, True, None))
        assert again._stubs == [] and again._recalled is not None
    finally:
        pool.shutdown()
