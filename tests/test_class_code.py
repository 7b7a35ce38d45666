"""The code compiled as classes are made, kept in the cache (generator/class_code.py):
dataclasses, named tuples and forward references made with it are those Python makes
on its own, down to their code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.helpers import cache_entries, flip_a_bit, script_facts


# Run in a fresh interpreter: `use` changes `dataclasses`, `collections` and `typing`
# for the process.
SCRIPT = textwrap.dedent(
    """
    import collections, dataclasses, json, marshal, sys, typing
    from pathlib import Path
    from generator import class_code
    from generator.cache import Cache, DISABLED

    mode, root = sys.argv[1], sys.argv[2]
    cache = DISABLED if mode == "disabled" else Cache(Path(root))
    if mode != "plain":
        class_code.use(cache)

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 2
        tags: tuple[str, ...] = ()
        seen: list[int] = dataclasses.field(default_factory=list, compare=False, repr=False)

    @dataclasses.dataclass
    class Box:
        inner: Point
        count: int = dataclasses.field(default=0, init=False)

    p = Point(1)
    facts = {
        "repr": repr(p),
        "eq": p == Point(1, 2, (), [5]),
        "lt": Point(0, 9) < p,
        "hash": hash(p) == hash(Point(1)),
        "box": repr(Box(p)),
    }
    try:
        p.x = 3  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        facts["frozen"] = True
    methods = [Point.__init__, Point.__repr__, Point.__eq__, Point.__lt__, Point.__hash__, Point.__setattr__, Box.__init__]

    class Pair(typing.NamedTuple):
        left: "Point"
        right: "typing.Optional[Box]" = None

    Span = collections.namedtuple("Span", "start end")
    methods += [Pair.__new__, Span.__new__]
    facts["code"] = [marshal.dumps(m.__code__).hex() for m in methods]
    facts["qualnames"] = [m.__qualname__ for m in methods]
    refs = [typing.ForwardRef("Point"), typing.ForwardRef("dict[str, Box | None]"), *typing.Optional["Pair"].__args__]
    facts["refs"] = [[r.__forward_arg__, marshal.dumps(r.__forward_code__).hex()] for r in refs if isinstance(r, typing.ForwardRef)]
    facts["resolved"] = repr(typing.get_type_hints(Pair, globals()))
    facts["tuples"] = [repr(Pair(p)), repr(Span(1, 2)), Pair._fields, Span(3, end=4).end]
    try:
        typing.ForwardRef("1 +")
    except SyntaxError as exc:
        facts["bad_ref"] = str(exc)
    store = class_code._store
    facts["shim"] = [getattr(m, n, None) is not None for m, n in ((dataclasses, "exec"), (collections, "eval"), (typing, "compile"))]
    facts["new"] = store.new if store is not None else None
    facts["held"] = len(store.code) if store is not None else None
    class_code.keep(cache)
    print(json.dumps(facts))
    """
)


def _run(mode: str, root: Path) -> dict[str, object]:
    return script_facts(SCRIPT, mode, str(root))


def _entries(root: Path) -> list[Path]:
    return cache_entries(root, "class-code")


def test_kept_code_makes_the_same_classes(tmp_path: Path) -> None:
    plain = _run("plain", tmp_path / "unused")
    first = _run("cache", tmp_path)  # compiles, and keeps what it compiled
    assert first["new"] and first["new"] == first["held"]
    assert len(_entries(tmp_path)) == 1
    second = _run("cache", tmp_path)  # takes every method's code from the cache
    assert second["new"] == 0 and second["held"] == first["held"]
    for facts in (first, second):
        for key in ("repr", "eq", "lt", "hash", "box", "frozen", "code", "qualnames", "refs", "resolved", "tuples", "bad_ref"):
            assert facts[key] == plain[key], key
    assert plain["frozen"] is True and plain["eq"] is True and plain["lt"] is True
    assert first["shim"] == [True, True, True] and len(plain["refs"]) == 3 and "bad_ref" in plain


def test_damaged_entry_is_not_taken(tmp_path: Path) -> None:
    plain = _run("plain", tmp_path / "unused")
    _run("cache", tmp_path)
    (entry,) = _entries(tmp_path)
    flip_a_bit(entry)
    again = _run("cache", tmp_path)  # compiles all again, and keeps a sound entry
    assert again["new"] == again["held"] and again["code"] == plain["code"]
    assert _run("cache", tmp_path)["new"] == 0
    entry.write_bytes(b"short")
    assert _run("cache", tmp_path)["code"] == plain["code"]


def test_disabled_cache_leaves_the_modules_alone(tmp_path: Path) -> None:
    facts = _run("disabled", tmp_path)
    assert facts["shim"] == [False, False, False] and facts["new"] is None
    assert not (tmp_path / "class-code").exists()
