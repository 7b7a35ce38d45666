"""Large modules' pruned imports and outlines remembered by their layout (prune_memo.py):
what the memo gives is what preparing the module gives, and only modules whose
triple-quoted strings are all docstrings are remembered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import format as fmt
from generator import prune_memo
from generator.cache import Cache

HEADER = '''"""A module of {n} classes."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

'''

CLASS = '''

class Resource{i}:
    """Resource number {i}.

    It does things."""

    def call(self, value: Any) -> Sequence[int]:
        """Call it.

        Args:
            value: what to call it with.
        """
        return cast("Sequence[int]", [json.dumps(value)])

    async def call_async(self, value: Any) -> int:
        """Call it, later."""
        return {i}
'''


def _module(n: int = 40, header: str = HEADER) -> str:
    return header.format(n=n) + "".join(CLASS.format(i=i) for i in range(n))


def _rewritten(module: str, tag: str, same_lines: bool = True) -> str:
    """Every docstring after the module's own with its contents replaced: on as many
    lines, or one more."""

    def new(match: re.Match[str]) -> str:
        lines = match.group(0)[3:-3].split("\n")
        lines[0] = f"{tag} {lines[0]}"
        if not same_lines:
            lines.insert(1, "")
        return '"""' + "\n".join(lines) + '"""'

    start = module.index("\n\nclass")
    return module[:start] + re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""', new, module[start:])


def _prepared(module: str, memo: prune_memo.PruneMemo | None) -> list[tuple[int, str]]:
    found = fmt._prepare_in_pieces(module, 2048, memo=memo)
    assert found is not None
    return found


def _memo(tmp_path: Path) -> prune_memo.PruneMemo:
    return prune_memo.PruneMemo(Cache(tmp_path))


def test_a_module_of_the_same_layout_takes_the_remembered_pruning(tmp_path: Path) -> None:
    module = _module()
    memo = _memo(tmp_path)
    assert _prepared(module, memo) == _prepared(module, None) == fmt._prepare(module)
    assert "import os" not in "".join(text for _, text in _prepared(module, None))  # pruned
    edited = _rewritten(module, "Edited")
    assert edited != module and memo.key(edited)[0] == memo.key(module)[0]  # type: ignore[index]
    assert _prepared(edited, memo) == _prepared(edited, None)
    assert memo.reused == 1


def test_another_layout_or_another_head_is_prepared_again(tmp_path: Path) -> None:
    module = _module()
    memo = _memo(tmp_path)
    _prepared(module, memo)
    more_lines = _rewritten(module, "Edited", same_lines=False)
    assert _prepared(more_lines, memo) == _prepared(more_lines, None)
    assert memo.reused == 0  # (the statements are on other lines)
    other_head = module.replace("A module of", "A module, edited, of", 1)
    key = memo.key(other_head)
    assert key is not None and key[0] == memo.key(module)[0]  # type: ignore[index]  # one layout
    assert _prepared(other_head, memo) == _prepared(other_head, None)
    assert memo.reused == 0  # its first lines are not those kept


@pytest.mark.parametrize(
    "odd",
    [
        'X = """a value, not a docstring"""\n',
        'Y: """Sequence[int]""" = []\n',
        'Z = cast("""Iterator[str]""", None)\n',
        'W = f"""{os.sep}"""\n',
    ],
)
def test_a_module_with_another_triple_quoted_string_is_not_remembered(odd: str, tmp_path: Path) -> None:
    module = _module() + "\n" + odd
    memo = _memo(tmp_path)
    assert _prepared(module, memo) == _prepared(module, None)
    key = memo.key(module)
    assert key is not None and memo.cache.get_plain(prune_memo.KIND, key[0]) is None


def test_a_damaged_entry_is_prepared_again(tmp_path: Path) -> None:
    module = _module()
    memo = _memo(tmp_path)
    expected = _prepared(module, memo)
    key = memo.key(module)
    assert key is not None
    for damaged in (["head"], ["", "", [[True, True, "1", None]]], [1, 2, 3], None):
        memo.cache.put_plain(prune_memo.KIND, key[0], damaged)
        assert _prepared(module, memo) == expected
    assert memo.reused == 0


def test_a_string_a_checker_reads_never_lends_its_pruning(tmp_path: Path) -> None:
    """Two modules of one layout whose only difference, a string annotation, uses
    another import: each is pruned as it reads."""
    memo = _memo(tmp_path)
    first = _module() + '\nY: """Iterator[str]""" = iter("")\n'
    second = _module() + '\nY: """Sequence[str]""" = iter("")\n'
    assert memo.key(first)[0] == memo.key(second)[0]  # type: ignore[index]
    assert _prepared(first, memo) == _prepared(first, None)
    assert _prepared(second, memo) == _prepared(second, None) != _prepared(first, None)


def test_a_string_sharing_a_line_with_a_string_statement_is_not_a_docstring(tmp_path: Path) -> None:
    """Attribute docstrings count as docstrings only alone on their lines: a string a
    checker reads on the same line (a semicolon, a one-line def) keeps its pruning."""
    memo = _memo(tmp_path)
    for line in ('Y: """{}[str]""" = iter(""); """Doc."""', '__all__ = ["""{}"""]; """Doc."""', 'def g(y: """{}[str]""" = iter("")): """Doc."""'):
        first, second = (_module() + "\n" + line.format(name) + "\n" for name in ("Iterator", "Sequence"))
        assert memo.key(first)[0] == memo.key(second)[0]  # type: ignore[index]
        assert _prepared(first, memo) == _prepared(first, None)
        assert _prepared(second, memo) == _prepared(second, None) != _prepared(first, None)
    # alone on its lines, an attribute docstring is one: its module's layout is kept
    kept = _module() + '\nclass M:\n    x: int = 1\n    """Doc of x."""\n'
    _prepared(kept, memo)
    assert _prepared(kept.replace("Doc of x", "Other doc"), memo) == _prepared(kept.replace("Doc of x", "Other doc"), None)
    assert memo.reused == 1


def test_strings_that_may_not_parse_have_no_layout(tmp_path: Path) -> None:
    """A module whose strings hold escapes that can fail (or NUL, or non-ASCII bytes)
    is never matched to a valid one: its syntax error is reported, not a memo taken."""
    from generator.stub_memo import skeleton

    valid = _module() + '\nclass M:\n    """Doc."""\n'
    assert skeleton(valid) is not None
    for bad in ("\\N{NO SUCH NAME}", "\\xZZ", "\\u12", "\x00"):
        assert skeleton(valid.replace("Doc.", bad)) is None
    assert skeleton(_module() + '\nX = b"""caf\u00e9"""\n') is None
    memo = _memo(tmp_path)
    _prepared(valid, memo)
    with pytest.raises(SyntaxError):
        fmt._prepare(valid.replace("Doc.", "\\N{NO SUCH NAME}"), memo)


def test_a_header_is_taken_only_whole(tmp_path: Path) -> None:
    """Two headers that differ only inside a docstring of a class under `if
    TYPE_CHECKING:` (blank lines there, which pruning once closed up): a module takes
    the remembered header only when its own header is that very text."""

    def module(doc: str) -> str:
        head = (
            '"""Mod."""\n\nfrom typing import TYPE_CHECKING\nimport os\n\nif TYPE_CHECKING:\n'
            f'    class P:\n        """A\n{doc}\n        D"""\n'
        )
        return head + "".join(f'\nclass R{i}:\n    """Doc {i}."""\n\n    x = {i}\n\n' for i in range(1500))

    memo = _memo(tmp_path)
    first, second = module("        B\n        C"), module("\n")
    assert memo.key(first)[0] == memo.key(second)[0]  # type: ignore[index]  # one layout
    assert fmt._prepare(first, memo) == fmt._prepare(first)
    assert fmt._prepare(second, memo) == fmt._prepare(second)
    assert memo.reused == 0  # (its header is not the one kept)
    assert fmt._prepare(second, memo) == fmt._prepare(second) and memo.reused == 1  # (now it is)
