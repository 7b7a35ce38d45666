"""The regular expressions' programs kept in the cache (generator/regex_code.py): a
pattern compiled from a kept program is the pattern `re` compiles on its own."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator import regex_code
from tests.helpers import cache_entries, flip_a_bit, script_facts


PATTERNS: list[tuple[str | bytes, int]] = [
    (r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(?:-(?P<day>\d\d))?$", 0),
    (r"(?i)straße|ǅ|[à-ÿ]+", 0),
    (r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),
    (r"(a)(?:b|(c))*(?(2)d|e)\1", re.MULTILINE | re.DOTALL),
    (r"""
        (?P<word>\w+)   # a word
        \s* = \s*
        (?P<value>"[^"]*"|\S+)
     """, re.VERBOSE | re.UNICODE),
    (rb"[\x00-\x1f\\\"]|(?<!\\)\$\{[^}]*\}", 0),
    (rb"(?L)\w+", 0),
    (r"a{2,5}?b*+c++(?>d|e)", re.ASCII | re.IGNORECASE),
    (r"(?<=x)y(?=z)|(?<!q)w(?!v)", 0),
    (r"", 0),
]


class _Recorder:
    """Stands for `_sre` in `re._compiler`: records what `compile` is handed."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[Any, ...]] = []

    def compile(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.real.compile(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _original_program(pattern: str | bytes, flags: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    from re import _compiler  # type: ignore[attr-defined]

    recorder = _Recorder(_compiler._sre)
    with monkeypatch.context() as patch:
        patch.setattr(_compiler, "_sre", recorder)
        _compiler.compile(pattern, flags)
    (call,) = recorder.calls
    return call


@pytest.mark.parametrize("pattern, flags", PATTERNS)
def test_program_is_what_re_hands_sre(pattern: str | bytes, flags: int, monkeypatch: pytest.MonkeyPatch) -> None:
    got, (original_pattern, *expected) = regex_code.program(pattern, flags), _original_program(pattern, flags, monkeypatch)
    assert original_pattern == pattern
    assert list(got) == [expected[0], expected[1], expected[2], dict(expected[3]), expected[4]]


# Run in a fresh interpreter: `use` changes `re`'s compiler for the process.
SCRIPT = textwrap.dedent(
    """
    import json, re, sys
    from pathlib import Path
    from generator import regex_code
    from generator.cache import Cache, DISABLED

    mode, root, patterns = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    cache = DISABLED if mode == "disabled" else Cache(Path(root))
    if mode != "plain":
        regex_code.use(cache)
    held = len(regex_code._store) if regex_code._store is not None else None
    parsed = []  # what re parsed: what it did not find compiled
    from re import _parser
    parse = _parser.parse
    _parser.parse = lambda source, flags=0, state=None: parsed.append(source) or parse(source, flags, state)
    import yaml  # (PyYAML's patterns, compiled as it is imported)

    facts = {"yaml": [yaml.safe_load(t) for t in ("2001-12-14", "0x1F", "1_000", "~", "yes", "1e3", ".inf")]}
    facts["yaml"] = [repr(v) for v in facts["yaml"]]
    subjects = ["2024-05-17", "2024-05", "STRASSE straße ǅ àÿ", "abcbd a", "x = \\"q\\" y=2", "aaab cc d",
                "xyz qw wv", "\\u2028 tab\\t ok", "", "é\\x85"]
    found = []
    for source, flags in patterns:
        pattern = re.compile(source, flags)
        found.append([pattern.pattern, pattern.flags, pattern.groups, dict(pattern.groupindex),
                      [[m.span(), m.groups()] for s in subjects for m in pattern.finditer(s)]])
    import warnings
    warned = []
    for source in ["[[a]", "[a--b]", "[a&&b]", "[a||b]", "[a~~b]", "(a)(?(+1)b|c)", b"(?P<\\xe9>x)"]:
        for attempt in range(2):  # (the second would be a hit, were it kept)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    re.compile(source + ("x" if isinstance(source, str) else b"x") * attempt)
                except re.error as exc:
                    warned.append(["error", str(exc)])
            warned += [[str(w.message), w.category.__name__, w.filename, w.lineno] for w in caught]
    facts["warned"] = warned
    byte_pattern = re.compile(rb"[\\x00-\\x1f\\\\\\"]|(?<!\\\\)\\$\\{[^}]*\\}")
    found.append([repr(byte_pattern.findall(b'a\\x01${x} \\\\${y} "')), byte_pattern.flags])
    facts["found"] = found
    _parser.parse = parse
    regex_code.keep(cache)
    store = regex_code._store
    facts["shim"] = store is not None
    facts["held"] = held
    facts["new"] = len(store) - held if store is not None else None
    facts["parsed_unwarned"] = [p if isinstance(p, str) else repr(p) for p in parsed if not regex_code._may_warn(p)]
    print(json.dumps(facts))
    """
)

TEXT_PATTERNS = json.dumps([[p, f] for p, f in PATTERNS if isinstance(p, str)])


def _run(mode: str, root: Path) -> dict[str, Any]:
    return script_facts(SCRIPT, mode, str(root), TEXT_PATTERNS)


def _entries(root: Path) -> list[Path]:
    return cache_entries(root, "regex-code")


def test_kept_programs_make_the_same_patterns(tmp_path: Path) -> None:
    plain = _run("plain", tmp_path / "unused")
    first = _run("cache", tmp_path)  # compiles, and keeps what it compiled
    assert first["held"] == 0 and first["new"] and first["parsed_unwarned"]
    assert len(_entries(tmp_path)) == 1
    second = _run("cache", tmp_path)  # finds every pattern compiled, but those that may warn
    assert second["new"] == 0 and second["held"] == first["new"] and second["parsed_unwarned"] == []
    for facts in (first, second):
        assert facts["yaml"] == plain["yaml"]
        assert facts["found"] == plain["found"]
        assert facts["warned"] == plain["warned"]
    assert sum(1 for w in plain["warned"] if w[1] == "FutureWarning") >= 8
    assert plain["yaml"] == ["datetime.date(2001, 12, 14)", "31", "1000", "None", "True", "'1e3'", "inf"]
    assert any(matches for *_, matches in plain["found"][:-1])


def test_damaged_entry_is_not_taken(tmp_path: Path) -> None:
    plain = _run("plain", tmp_path / "unused")
    _run("cache", tmp_path)
    (entry,) = _entries(tmp_path)
    flip_a_bit(entry)
    again = _run("cache", tmp_path)  # compiles all again, and keeps a sound entry
    assert again["held"] == 0 and again["new"] and again["found"] == plain["found"]
    assert _run("cache", tmp_path)["new"] == 0
    entry.write_bytes(b"short")
    assert _run("cache", tmp_path)["found"] == plain["found"]


def test_disabled_cache_leaves_re_alone(tmp_path: Path) -> None:
    facts = _run("disabled", tmp_path)
    assert facts["shim"] is False and facts["new"] is None
    assert not (tmp_path / "regex-code").exists()
