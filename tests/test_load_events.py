"""The event-driven YAML builder (load._from_events) against the full loader.

Where the builder takes a document, its data must be the loader's data: same types,
same key order, same values, and the same sharing where an alias repeats a node. Where
it declines, the full loader runs, so errors and exotic YAML read as before.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import load as load_module
from generator.bundle import has_file_refs
from generator.diagnostics import pointer_join
from generator.load import LoadError, SourceMap, SpecLoader, check_bounds, parse_bounded

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "dev"
BEAM = HERE.parent / "specs" / "beam-cloud-openapi.yml"


def _yaml_files() -> list[Path]:
    folders = [HERE / "hostile", HERE / "broken", CORPUS]
    found = [p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*")) if p.suffix in (".yaml", ".yml")]
    return [BEAM, HERE / "unions.yaml", *found]


def same(a: Any, b: Any, seen: dict[int, int] | None = None) -> bool:
    """Equal types, values and key order; NaN equals NaN; a shared node is shared alike."""
    seen = {} if seen is None else seen
    if type(a) is not type(b):
        return False
    if isinstance(a, (dict, list)):
        if id(a) in seen:
            return seen[id(a)] == id(b)
        seen[id(a)] = id(b)
        if isinstance(a, dict):
            return list(a) == list(b) and all(same(a[k], b[k], seen) for k in a)
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def full(text: str) -> Any:
    return yaml.load(text, Loader=SpecLoader)


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.name)
def test_documents_build_as_the_loader_builds_them(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        expected = full(text)
    except yaml.YAMLError:
        assert load_module._from_events(text) is load_module._UNSUPPORTED
        return
    built = load_module._from_events(text)
    if built is load_module._UNSUPPORTED:
        return
    data, bounded, marks, file_refs, nodes, anchored, tidy = built
    assert same(data, expected)
    assert tidy == _tidy(yaml.compose(text, Loader=load_module.SpecLoader))
    assert bounded == (nodes <= load_module.MAX_NODES)
    events = yaml.parse(text, Loader=load_module.SpecLoader)
    starts = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
    assert anchored == any(isinstance(e, starts) and e.anchor is not None for e in events)
    if bounded:
        check_bounds(data)  # the skipped check would have passed
    try:
        check_bounds(data)
    except LoadError:
        return  # a cycle, which has_file_refs cannot walk (and load never asks it to)
    assert file_refs == has_file_refs(data)
    if path.parent == CORPUS or not path.is_relative_to(CORPUS):  # not in a multi-file tree
        _same_lines(str(path), text, data, marks)


def _pointers(data: Any, limit: int = 3000) -> list[str]:
    """Pointers to nodes of `data`, spread over the document, and to missing children."""
    found: list[str] = [""]
    stack: list[tuple[str, Any]] = [("", data)]
    seen: set[int] = set()
    while stack:
        pointer, node = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for token, child in items:
            found.append(pointer_join(pointer, token))
            stack.append((found[-1], child))
        found += [pointer_join(pointer, "no such key"), pointer_join(pointer, 10**6)]
    step = max(1, len(found) // limit)
    return found[::step]


def _same_lines(path: str, text: str, data: Any, marks: Any) -> None:
    fast, composed = SourceMap(path, text, marks), SourceMap(path, text)
    for pointer in _pointers(data):
        assert fast.line_of(pointer) == composed.line_of(pointer), pointer


def test_the_corpus_takes_the_fast_path() -> None:
    """The speed-up must apply to real documents, not only be correct when it applies."""
    files = [BEAM, *(p for p in sorted(CORPUS.glob("*")) if p.suffix in (".yaml", ".yml"))]
    taken = [p.name for p in files if load_module._from_events(p.read_text()) is not load_module._UNSUPPORTED]
    assert BEAM.name in taken
    assert len(taken) == len(files), sorted({p.name for p in files} - set(taken))


SCALARS = """\
a: 1
b: -0x1F
c: 0o17
d: 1_000
e: 1:30
f: 1.5e3
g: .inf
h: -.Inf
i: .nan
j: true
k: False
l: yes
m: ~
n: null
o:
p: 2023-01-01
q: 2001-12-14t21:59:43.10-05:00
r: "1"
s: '2'
t: |
  block
u: >
  folded
  text
w: 0b101
x: +12
y: 012
z: 1e3
"200": ok
404: missing
true: yes
~: nothing
"""


def test_scalars_resolve_as_the_loader_resolves_them() -> None:
    data, bounded, *_ = load_module._from_events(SCALARS)
    assert bounded
    assert same(data, full(SCALARS))
    assert data["p"] == "2023-01-01"  # timestamps stay text
    assert list(data)[-3:] == ["404", "true", "~"]  # keys are the text written


def _tidy(node: Any, seen: set[int] | None = None) -> bool:
    """No mapping repeats a key, no flow collection spans lines (from the node tree)."""
    seen = set() if seen is None else seen
    if id(node) in seen or not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return True
    seen.add(id(node))
    if node.flow_style and node.start_mark.line != node.end_mark.line:
        return False
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value]
        if len(keys) != len(set(keys)):
            return False
        return all(_tidy(v, seen) for _, v in node.value)
    return all(_tidy(v, seen) for v in node.value)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "a: &x {k: v}\nb: [*x, *x]\n",
        "a: &s text\nb: *s\n",
        "a: &n 12\nb: *n\n",
        "a: &x [*x]\n",  # an alias inside its own anchor: a cycle, as the loader builds it
        "a: {b: 1, c: [2, {d: 3}]}\ne: [[], {}]\n",
        "a: 1\na: 2\nb: 3\n",  # a repeated key keeps its first place and last value
        "- 1\n- two\n- {three: 3}\n",
        "just text\n",
        "---\na: 1\n...\n",
    ],
)
def test_shapes_build_as_the_loader_builds_them(text: str) -> None:
    built = load_module._from_events(text)
    assert built is not load_module._UNSUPPORTED
    assert same(built[0], full(text))


@pytest.mark.parametrize(
    ("text", "bounded"),
    [
        ("a: &x {k: v}\nb: *x\n", True),  # a closed mapping of scalars
        ("a: &x [1, 2]\nb: [*x, *x]\n", True),
        ("a: &x {k: [1]}\nb: *x\n", False),  # a container holding containers
        ("a: &x [1, *x]\n", False),  # a cycle
        ("a: &x\n  b: *x\n", False),
    ],
)
def test_aliases_share_the_node_and_keep_the_bounds_check_where_needed(text: str, bounded: bool) -> None:
    built = load_module._from_events(text)
    assert built[1] is bounded
    assert same(built[0], full(text))  # sharing included


def test_an_alias_is_the_anchored_node() -> None:
    data = load_module._from_events("a: &x {k: v}\nb: [*x, *x]\n")[0]
    assert data["b"][0] is data["a"] and data["b"][1] is data["a"]


def test_alias_bombs_are_refused() -> None:
    """Aliases of aliases double the document at each level: refused before any stage
    walks it, whichever builder read it."""
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "\n".join(levels) + "\n"
    assert not load_module._from_events(text)[1]
    with pytest.raises(LoadError) as raised:
        parse_bounded(text, "spec.yaml")
    assert raised.value.code == "too-large"


@pytest.mark.parametrize(
    "text",
    [
        "a: &x\n  k: v\n  l: [1, 2]\nb: *x\nc:\n  - *x\n  - &y 3\n  - *y\n",
        "a: 1\na:\n  b: 2\nc: {d: [e, {f: g}]}\n",  # a repeated key: the first one's line
        "- x\n-\n  - y\n  - z: 1\n",
        "a: |\n  text\n  more\nb: >\n  folded\nc: 'q'\n",
    ],
)
def test_lines_are_those_of_the_node_tree(text: str) -> None:
    data, _, marks, *_ = load_module._from_events(text)
    _same_lines("spec.yaml", text, data, marks)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 1\n",  # explicit tag
        "a: !custom x\n",
        "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n",  # merge key
        "? [a, b]\n: c\n",  # non-scalar key
        "&k a: 1\nb: *k\n",  # anchored key
        "a: 1\n---\nb: 2\n",  # two documents
        "a: =\n",  # the value tag, which no constructor takes
        "a: *nowhere\n",  # undefined alias
        "a: &x 1\nb: &x 2\n",  # repeated anchor
        "a: [1, 2\n",  # syntax error
        "",  # empty stream
    ],
)
def test_other_yaml_goes_to_the_full_loader(text: str) -> None:
    assert load_module._from_events(text) is load_module._UNSUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n",
        "a: !!str 1\nb: !!float 2\n",
        "",
        "a: [1, 2\n",
        "a: 1\n---\nb: 2\n",
        "a: &x [*x]\n",
        "[" * 600 + "]" * 600,
    ],
)
def test_parse_results_and_errors_are_the_loaders(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def outcome() -> Any:
        try:
            return ("data", parse_bounded(text, "spec.yaml").data)
        except LoadError as exc:
            return ("error", exc.code, exc.message, exc.line)

    fast = outcome()
    monkeypatch.setattr(load_module, "_from_events", lambda text: load_module._UNSUPPORTED)
    slow = outcome()
    assert fast[0] == slow[0]
    assert same(fast[1:2], slow[1:2]) if fast[0] == "data" else fast == slow


def test_deep_nesting_is_left_to_the_bounds_check() -> None:
    # the mapping holds the first list: MAX_DEPTH lists make one level too many
    deep = "a: " + "[" * load_module.MAX_DEPTH + "]" * load_module.MAX_DEPTH + "\n"
    assert load_module._from_events(deep) is load_module._UNSUPPORTED
    with pytest.raises(LoadError) as raised:
        parse_bounded(deep, "spec.yaml")
    assert raised.value.code == "too-deep"
    shallow = "a: " + "[" * (load_module.MAX_DEPTH - 1) + "]" * (load_module.MAX_DEPTH - 1) + "\n"
    assert load_module._from_events(shallow)[1]
    assert parse_bounded(shallow, "spec.yaml").data["a"] == full(shallow)["a"]
    assert parse_bounded(shallow, "spec.yaml").data == full(shallow)


@pytest.mark.parametrize("raw", [b"a: 1\nb: caf\xc3\xa9\n", b"a: 1\r\nb: 2\r\n", b"a: 1\rb: 2\r", b"a: 1\r\n\rb: 2\n\r", b""])
def test_a_file_reads_as_text_mode_reads_it(tmp_path: Path, raw: bytes) -> None:
    """Each line break a \\n, as `open(..., encoding="utf-8").read()` gives it; the text
    is left to decode from the bytes when they are its UTF-8 (no other line break)."""
    path = tmp_path / "spec.yaml"
    path.write_bytes(raw)
    with open(path, encoding="utf-8") as fh:
        expected = fh.read()
    text, data = load_module._read_file(path)
    assert data == raw and (text is None) == (b"\r" not in raw)
    assert (text if text is not None else load_module._decoded(path, data)) == expected == load_module.read_file(path)
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(LoadError, match="cannot read"):
        load_module.read_file(path)
