"""The cached last load of a spec, with an edited entry re-parsed alone, gives what
parsing the whole new text gives: the same data, the same containers shared, the same
lines, the same bounds. Where that does not follow from the text, it declines."""

from __future__ import annotations

import pickle
import random
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from generator import load_memo
from generator.cache import Cache, plain_loads
from generator.diagnostics import Diagnostics
from generator.load import _UNSUPPORTED, Parsed, _from_events
from generator.marks import packed, unpacked
from generator.spec_parts import spec_parts
from tests.helpers import BEAM_SPEC, run_cli, tree_bytes
from tests.test_validation_fast import CORPUS


def _entry(text: str) -> load_memo.Entry:
    parsed = _from_events(text)
    assert parsed is not _UNSUPPORTED and parsed[1] and parsed[6], "a load that is not kept"
    value = {
        "format": load_memo.FORMAT,
        "text": text.encode("utf-8", "surrogatepass"),
        "data": parsed[0],
        "marks": packed(parsed[2]),
        "nodes": parsed[4],
        "shared": load_memo.shared_places(parsed[0]),
        "only_newlines": load_memo.only_newlines(text),
        "parts": load_memo._plain_parts(spec_parts(parsed[0])),
    }
    entry = load_memo._entry(plain_loads(pickle.dumps(value)))  # as it reads back from the cache
    assert entry is not None and entry.parts == spec_parts(parsed[0])
    return entry


def _as_kept(entry: load_memo.Entry) -> dict[str, Any]:
    """The entry as the keeper writes it."""
    return {**entry._asdict(), "format": load_memo.FORMAT, "parts": load_memo._plain_parts(entry.parts)}


def _tupled(marks: Any) -> Any:
    line, child = marks[0], unpacked(marks[1])
    if isinstance(child, dict):
        child = {k: _tupled(v) for k, v in child.items()}
    elif isinstance(child, list):
        child = [_tupled(v) for v in child]
    return (line, child)


def _same_as_whole(got: Parsed, text: str) -> None:
    whole = _from_events(text)
    assert whole is not _UNSUPPORTED, "spliced a text the whole parse refuses"
    assert got.data == whole[0]
    assert load_memo.shared_places(got.data) == load_memo.shared_places(whole[0])
    assert _tupled(got.marks) == _tupled(whole[2])
    assert (got.bounded, got.file_refs, got.nodes) == (whole[1], whole[3], whole[4])
    if got.parts is not None:  # the parts' digests, known without digesting them all
        truth = spec_parts(whole[0])
        assert truth is not None and got.parts[:3] == truth[:3]
        assert got.parts.may_hold_nan or not truth.may_hold_nan


def _mutated(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    line = lines[i]
    indent = " " * (len(line) - len(line.lstrip(" ")))
    kind = rng.randrange(6)
    if kind == 0:
        lines[i] = line.rstrip("\n") + "x\n"
    elif kind == 1:
        del lines[i]
    elif kind == 2:
        lines.insert(i, line)
    elif kind == 3:
        lines.insert(i, f"{indent}x-added: 1\n")
    elif kind == 4 and ": " in line:
        lines[i] = line.split(": ", 1)[0] + ": changed value\n"
    else:
        lines[i] = " " + line
    return "".join(lines)


def _documents() -> list[Path]:
    """Beam and YAML corpus documents that a load keeps: read by `_from_events`, within
    the bounds it vouches for."""
    docs = [BEAM_SPEC]
    if CORPUS is not None:
        docs += sorted(p for p in CORPUS.glob("*.y*ml"))[:12]
    kept = []
    for path in docs:
        whole = _from_events(path.read_text())
        if whole is not _UNSUPPORTED and whole[1] and whole[6]:
            kept.append(path)
    return kept


@pytest.mark.parametrize("path", _documents(), ids=lambda p: p.name)
def test_a_spliced_load_is_the_whole_parse(path: Path) -> None:
    text = path.read_text()
    rng = random.Random(path.name)
    spliced = 0
    for _ in range(25):
        new = _mutated(text, rng)
        got = load_memo._spliced(_entry(text), new)
        if got is not None:
            _same_as_whole(got, new)
            spliced += 1
    # and the common edit, an operation's summary, is always spliced
    line = next(
        (l for l in text.splitlines() if l.strip().startswith("summary: ") and l.split(": ", 1)[1][:1].isalpha()),
        None,
    )
    if line is None:
        return
    new = text.replace(line, line.rstrip() + " (edited)", 1)
    got = load_memo._spliced(_entry(text), new)
    assert got is not None
    _same_as_whole(got, new)
    assert spliced > 0
    if line.startswith(" " * 6):  # an operation's: its path item alone digested again
        assert got.parts is not None


def test_an_unchanged_text_is_the_cached_load() -> None:
    text = BEAM_SPEC.read_text()
    got = load_memo._spliced(_entry(text), text)
    assert got is not None and got.recalled
    _same_as_whole(got, text)


SPEC = """\
openapi: 3.0.3
info:
  title: T
  version: "1"
paths:
  /a:
    get:
      summary: first
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                required: &names [id, name]
  /b:
    get:
      summary: second
      responses:
        "200":
          description: ok
components:
  schemas:
    S:
      type: object
      required: *names
"""


@pytest.mark.parametrize(
    "old, new",
    [
        ("summary: second", "summary: [unclosed"),  # not YAML
        ("summary: second", "summary: *names"),  # an alias into the entry
        ("summary: second", "summary: &x second"),  # an anchor in it
        ("required: &names [id, name]", "required: &names [id, name, x]"),  # the entry is anchored
        ("type: object\n      required: *names", "type: object\n      required: [id]"),  # an alias's place
        ("  /b:\n", "  /a:\n"),  # its key taken by a sibling
        ("      summary: second\n", "\tsummary: second\n"),  # a tab
        ("      summary: second\n", "  summary: second\n"),  # less indented than the entry
        ("      summary: second\n", "      summary: second\r\n"),  # another line break
        ("      summary: second\n", "      summary: second\n      $ref: other.yaml\n"),  # another file
        ("\ncomponents:", "\n components:"),  # into the line after an entry
        ("  /b:", " /b:"),
        ("  /b:\n", "  \n"),  # its key gone: the lines join the entry before
        ("  /b:\n", "  # /b:\n"),
    ],
)
def test_edits_the_memo_declines(old: str, new: str) -> None:
    assert old in SPEC
    assert load_memo._spliced(_entry(SPEC), SPEC.replace(old, new, 1)) is None


@pytest.mark.parametrize(
    "old, new",
    [
        # a key repeated in the entry's mapping, or above it: lines are the first one's,
        # the value the last one's
        ("r:\n  b:\n    c: 1\n    d: 2\n    c: 1\n", "r:\n  b:\n    c: 5\n    d: 2\n    c: 1\n"),
        ("r:\n  a:\n    b:\n      c: 1\n  z: 0\n  a:\n    b:\n      c: 1\n", "r:\n  a:\n    b:\n      c: 5\n  z: 0\n  a:\n    b:\n      c: 1\n"),
        # the entry inside a flow mapping over several lines
        ("a: {b: {\n  c: 1\n  , d: 2}}\n", "a: {b: {\n  c: 1, e\n  , d: 2}}\n"),
        ("a: {b: {\n  c: 1\n  }, d: 1}\n", "a: {b: {\n  c: |\n    y\n  }, d: 1}\n"),
    ],
)
def test_documents_the_memo_does_not_keep(old: str, new: str) -> None:
    parsed = _from_events(old)
    assert parsed is not _UNSUPPORTED and not parsed[6]
    assert not load_memo.worth_keeping(Cache(Path("unused")), Parsed(*parsed[:5], tidy=parsed[6]))


def test_an_edit_that_repeats_a_key_is_parsed_whole() -> None:
    text = SPEC.replace("      summary: second\n", "      summary: second\n      summary: again\n", 1)
    assert load_memo._spliced(_entry(SPEC), text) is None


def test_edits_the_memo_takes() -> None:
    for old, new in [
        ("summary: first", "summary: edited"),  # beside, not in, the anchored container
        ("summary: first", "summary: |\n        two\n        lines"),  # lines move for an alias below
        ("summary: second", "summary: changed"),
        ("summary: second\n", "summary: second\n\n   # a comment\n\n"),  # blank and comment lines
        ("summary: second", "summary: |\n        two\n        lines"),
        ("  /b:\n", "  /c:\n"),  # a renamed path
        ("          description: ok\ncomponents", "          description: ok\n  /z:\n    get: {}\ncomponents"),
    ]:
        text = SPEC.replace(old, new, 1)
        got = load_memo._spliced(_entry(SPEC), text)
        assert got is not None, new
        _same_as_whole(got, text)


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    text = SPEC.replace("summary: second", "summary: changed")
    entry = _as_kept(_entry(SPEC))
    for damaged in (None, [], {"format": 99}, {**entry, "marks": 3}, Path("a class"), print):
        cache.put_bytes(load_memo.KIND, load_memo.slot("spec.yml"), pickle.dumps(damaged))
        assert load_memo.recall(cache, "spec.yml", text) is None
    for garbage in (b"", b"\x80\x05garbage", pickle.dumps(entry)[:-5]):
        cache.put_bytes(load_memo.KIND, load_memo.slot("spec.yml"), garbage)
        assert load_memo.recall(cache, "spec.yml", text) is None
    cache.put_bytes(load_memo.KIND, load_memo.slot("spec.yml"), pickle.dumps(entry))
    got = load_memo.recall(cache, "spec.yml", text)
    assert got is not None and got.parts == spec_parts(got.data)  # (the entry itself is fine)
    for parts in ([1, 2], [*entry["parts"][:2], [["'/a'", 3]], False], "x"):  # damaged digests: made again
        cache.put_bytes(load_memo.KIND, load_memo.slot("spec.yml"), pickle.dumps({**entry, "parts": parts}))
        got = load_memo.recall(cache, "spec.yml", text)
        assert got is not None and got.parts is None


def _kept(cache: Cache, text: str) -> None:
    entry = _entry(text)
    cache.put_plain(load_memo.KIND, load_memo.slot("spec.yml"), _as_kept(entry))


def _load(cache: Cache, text: str) -> Parsed:
    """As load() does it: recall, then keep."""
    got = load_memo.recall(cache, "spec.yml", text)
    assert got is not None
    _same_as_whole(got, text)
    load_memo.keep(cache, "spec.yml", text, got)
    return got


def test_a_spliced_load_is_kept_as_a_patch_of_the_kept_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    _kept(cache, SPEC)
    kept = cache.get_bytes(load_memo.KIND, load_memo.slot("spec.yml"))
    first = SPEC.replace("summary: second", "summary: changed")
    assert _load(cache, first).spliced_from == SPEC.encode()
    assert cache.get_bytes(load_memo.KIND, load_memo.slot("spec.yml")) == kept, "the kept load stays"
    patch = cache.get_plain(load_memo.KIND, load_memo.patch_slot("spec.yml"))
    assert load_memo._patched(SPEC.encode(), patch) == first.encode()
    assert len(patch["stretch"]) < 10, "the patch holds the stretch that changed, not the text"
    # the same entry edited again: spliced from the kept load
    again = SPEC.replace("summary: second", "summary: changed again")
    assert _load(cache, again).spliced_from == SPEC.encode()
    # another entry edited besides: through the patch, then kept in full
    both = again.replace("summary: first", "summary: also changed")
    through = _load(cache, both)
    assert through.spliced_from is None and not through.recalled
    assert cache.get_bytes(load_memo.KIND, load_memo.slot("spec.yml")) != kept
    assert load_memo.recall(cache, "spec.yml", both).recalled


def test_a_patch_of_another_kept_load_or_a_damaged_one_is_not_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    _kept(cache, SPEC)
    first = SPEC.replace("summary: second", "summary: changed")
    _load(cache, first)
    both = first.replace("summary: first", "summary: also changed")
    patch = cache.get_plain(load_memo.KIND, load_memo.patch_slot("spec.yml"))
    damages = [
        {**patch, "base": "another"},
        {**patch, "stretch": 3},
        {**patch, "stretch": "changed"},
        {**patch, "format": 0},
        [],
        {**patch, "stretch": b"x: [\n"},
        {**patch, "start": -1},
        {**patch, "end": len(SPEC) + 1},
        {**patch, "start": patch["end"] + 1},
        {**patch, "end": None},
    ]
    for damaged in damages:
        cache.put_plain(load_memo.KIND, load_memo.patch_slot("spec.yml"), damaged)
        assert load_memo.recall(cache, "spec.yml", both) is None
    cache.put_plain(load_memo.KIND, load_memo.patch_slot("spec.yml"), patch)
    _same_as_whole(load_memo.recall(cache, "spec.yml", both), both)


def _beam_runs(tmp_path: Path) -> tuple[Path, Callable[..., tuple[int, str]]]:
    """A copy of the Beam spec, and a function that generates it into a folder of
    `tmp_path` with the extra arguments given: its exit code and diagnostics."""
    spec = tmp_path / "spec.yml"
    shutil.copy(BEAM_SPEC, spec)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.generator]\npackage = "beam_api"\n')

    def gen(out: str, *extra: str) -> tuple[int, str]:
        run = run_cli("--config", config, "generate", spec, "-o", tmp_path / out, *extra)
        return run.code, run.stderr

    return spec, gen


def test_generation_through_the_memo_writes_what_a_cold_run_writes(tmp_path: Path) -> None:
    spec, gen = _beam_runs(tmp_path)
    cache_dir = tmp_path / "cache"
    assert gen("warm", "--cache-dir", str(cache_dir))[0] == 0
    assert list((cache_dir / load_memo.KIND).rglob("*")), "the load is kept"
    text = spec.read_text()
    line = next(l for l in text.splitlines() if l.strip().startswith("summary: "))
    recalled: list[Any] = []
    real = load_memo._spliced
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load_memo, "_spliced", lambda entry, new: recalled.append(real(entry, new)) or recalled[-1])
        for n in range(3):
            spec.write_text(text.replace(line, f"{line} {n}", 1))
            warm = gen("warm", "--cache-dir", str(cache_dir))
            shutil.rmtree(tmp_path / "cold", ignore_errors=True)
            shutil.copytree(tmp_path / "warm", tmp_path / "cold")
            cold = gen("cold", "--no-cache")
            assert warm == cold
            assert tree_bytes(tmp_path / "warm") == tree_bytes(tmp_path / "cold")
    assert len(recalled) == 3 and all(r is not None and not r.recalled for r in recalled)
    kept = [p for p in (cache_dir / load_memo.KIND).rglob("*") if p.is_file()]
    assert len(kept) == 2, "the first load, and the last edit as a patch of it"


@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80", b"\xc3"])
def test_an_edit_that_is_not_utf8_fails_as_a_cold_run_does(tmp_path: Path, bad: bytes) -> None:
    """The text is decoded only where a splice changes it, and strictly there: bytes
    that are not UTF-8 in an edited entry (a stray byte, an encoded surrogate, a
    character cut short) fail the load with the cold run's diagnostic."""
    spec, gen = _beam_runs(tmp_path)
    cache_dir = tmp_path / "cache"
    assert gen("warm", "--cache-dir", str(cache_dir))[0] == 0
    raw = spec.read_bytes()
    line = next(l for l in raw.splitlines() if l.strip().startswith(b"summary: "))
    spec.write_bytes(raw.replace(line, line + b" " + bad + b"x", 1))
    warm = gen("warm", "--cache-dir", str(cache_dir))
    cold = gen("cold", "--no-cache")
    assert warm == cold and warm[0] == 2 and "cannot read" in warm[1]
    spec.write_bytes(raw)  # and the run after it takes the kept load again
    assert gen("warm", "--cache-dir", str(cache_dir))[0] == 0


def test_packed_marks_read_as_the_plain_ones() -> None:
    """The load memo keeps each part's marks packed (marks.py): every pointer's line
    reads as from the plain marks, unpacked in place where first read, moved lines
    move alike, and packing leaves the marks it is given as they are."""
    from generator.load import SourceMap
    from generator.marks import is_packed, plain, shifted
    from generator.diagnostics import pointer_join

    text = BEAM_SPEC.read_text()
    data, _, root, *_ = _from_events(text)
    before = _tupled(root)
    kept = plain_loads(pickle.dumps(packed(root)))  # (as it reads back from the cache)
    assert _tupled(root) == before
    assert any(is_packed(mark[1]) for mark in kept[1]["paths"][1].values())
    assert any(is_packed(mark[1]) for mark in kept[1]["components"][1]["schemas"][1].values())
    assert _tupled(kept) == before and (kept[0], plain(kept[1])) == (root[0], plain(root[1]))
    pointers = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, node = stack.pop()
        pointers.append(pointer)
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((pointer_join(pointer, str(k)), v) for k, v in items)
    fresh, lazy = SourceMap("a", text, root), SourceMap("a", text, kept)
    assert len(pointers) > 200
    assert [lazy.line_of(p) for p in pointers] == [fresh.line_of(p) for p in pointers]
    assert not any(is_packed(mark[1]) for mark in kept[1]["paths"][1].values())  # unpacked where read
    moved = (kept[0], shifted(packed(root)[1], 7))
    assert _tupled(moved) == (root[0], _tupled((0, shifted(root[1], 7)))[1])


def test_damaged_packed_marks_are_a_miss_and_lines_still_read(tmp_path: Path) -> None:
    """A packed part's marks cut short in the cache: an edit that reaches the part
    loads as if nothing were kept, and a line under the part is read from the text."""
    from generator.load import SourceMap, load

    spec = tmp_path / "spec.yaml"
    text = BEAM_SPEC.read_text()
    spec.write_text(text)
    cache = Cache(tmp_path / "cache")
    fresh = load(spec, Diagnostics())
    assert fresh.parsed is not None
    load_memo.keep(cache, str(spec), text, fresh.parsed)
    entry = cache.get_plain("load", load_memo.slot(str(spec)))
    paths = entry["marks"][1]["paths"][1]
    first = next(iter(paths))
    line, (tag, blob, lines) = paths[first]
    paths[first] = (line, (tag, blob[:-5], lines))
    cache.put_plain("load", load_memo.slot(str(spec)), entry)
    summary = next(l for l in text.splitlines() if l.strip().startswith("summary: "))
    edited = text.replace(summary, summary + " edited", 1)
    assert load_memo.recall(cache, str(spec), edited) is None  # (the first path item's summary)
    kept = load_memo.recall(cache, str(spec), text)
    assert kept is not None and kept.recalled
    pointer = f"/paths/{first.replace('~', '~0').replace('/', '~1')}"
    source = SourceMap(str(spec), text, kept.marks)
    assert source.line_of(pointer + "/get") == SourceMap(str(spec), text).line_of(pointer + "/get") > 0


UNICODE_SPEC = """\
openapi: 3.0.3
info:
  title: Café — T
  version: "1"
paths:
  /a:
    get:
      summary: première é
      description: "naïve ☃ 𝄞"
      responses:
        "200":
          description: ok é
  /b:
    get:
      summary: zweite ß
      responses:
        "200":
          description: ok
"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("première é", "première è"),  # a character for another, their first byte alike
        ("première é", "première ée"),
        ("première é", "première "),
        ("naïve ☃ 𝄞", "naïve ☃ 𝄢"),  # four-byte characters, last bytes differing
        ("naïve ☃ 𝄞", "naïve ☄ 𝄞"),
        ("zweite ß", "zweite ss"),
        ("zweite ß", "zweite ẞ"),
        ("ok é\n", "ok è\n"),
    ],
)
def test_an_edit_of_characters_beyond_ascii_is_spliced_as_parsed_whole(old: str, new: str) -> None:
    """Offsets are bytes: a change inside a character's UTF-8 bytes is read from that
    character's start (never from inside it)."""
    text = UNICODE_SPEC.replace(old, new, 1)
    assert text != UNICODE_SPEC
    got = load_memo._spliced(_entry(UNICODE_SPEC), text)
    assert got is not None
    _same_as_whole(got, text)
    assert load_memo._spliced(_entry(UNICODE_SPEC), text.encode()) is not None  # (the file's bytes)


@pytest.mark.parametrize("other", ["\u2028", "\u2029", "\x85", "\r", "\x0c"])
def test_another_line_break_in_the_edit_is_parsed_whole(other: str) -> None:
    text = UNICODE_SPEC.replace("première é", f"première{other}é", 1)
    assert load_memo._spliced(_entry(UNICODE_SPEC), text) is None


def test_a_line_break_whose_bytes_begin_as_the_old_characters_is_seen() -> None:
    """U+2027 and U+2028 differ in their last UTF-8 byte only: the edit that makes one
    the other is parsed whole, and one to another character is spliced."""
    before = UNICODE_SPEC.replace("première é", "première \u2027 é", 1)
    after = before.replace("\u2027", "\u2028", 1)
    assert load_memo._spliced(_entry(before), after) is None
    assert load_memo._spliced(_entry(before), before.replace("\u2027", "\u2026", 1)) is not None
