"""canonical.py: equal values merged before a memo entry is written, and nothing a
reader could tell apart."""

from __future__ import annotations

import copy
import math
import pickle
from dataclasses import dataclass

from generator.canonical import canonical
from generator.model.types import AnyType, Array, LiteralType, Primitive


@dataclass(frozen=True)
class Pair:
    left: object
    right: object


@dataclass
class Loose:
    value: object


def _fresh(text: str) -> str:
    return "".join(list(text))  # an equal string, another object


def test_equal_strings_and_values_become_one_object() -> None:
    a, b = _fresh("description"), _fresh("description")
    assert a is not b
    value = {"x": [Primitive(_fresh("str")), Primitive(_fresh("str"))], a: (1, AnyType()), b + "2": (1, AnyType())}
    out = canonical(value)
    assert out == value
    first, second = out["x"]
    assert first is second
    assert out[a][1] is out[b + "2"][1] and out[a] is out[b + "2"]
    keys = list(out)
    assert keys == list(value)  # (order kept)
    assert keys[1] is not keys[2] and keys[2].startswith(keys[1])


def test_values_that_a_reader_tells_apart_stay_apart() -> None:
    nan = float("nan")
    value = [
        LiteralType(1),
        LiteralType(True),
        (0.0,),
        (-0.0,),
        (float("nan"),),
        (float("nan"),),
        (nan,),
        (nan,),
    ]
    out = canonical(value)
    assert out[0] is not out[1] and type(out[0].value) is int and type(out[1].value) is bool
    assert out[2] is not out[3] and math.copysign(1, out[3][0]) == -1
    assert out[4] is not out[5]  # two NaN objects: holders compare unequal, as before
    assert out[4] != out[5] and out[6] == out[7]
    assert out[6] is out[7]  # the very same NaN: merging changes nothing


def test_sharing_is_kept_and_nothing_given_changes() -> None:
    shared = {"k": [_fresh("v")]}
    loose = Loose(_fresh("v"))
    value = {"a": shared, "b": shared, "c": [shared], "loose": [loose, Loose(_fresh("v"))], "tuple": Array(Primitive("int"))}
    before = copy.deepcopy(value)
    out = canonical(value)
    assert value == before and value["a"] is value["b"] is value["c"][0]  # (unchanged)
    assert out == value and out is not value
    assert out["a"] is out["b"] is out["c"][0] and out["a"] is not shared
    assert out["loose"][0] is loose and out["loose"][1] is not loose  # not frozen: never merged
    cyclic: list[object] = [_fresh("x")]
    cyclic.append(cyclic)
    again = canonical(cyclic)
    assert again[1] is again and again[0] == "x"


def test_pickles_to_the_same_values_and_reads_back_alike() -> None:
    value = {"types": [Array(Primitive(_fresh("str"))) for _ in range(50)], "pairs": [Pair(_fresh("a"), (1, 2)) for _ in range(50)]}
    out = canonical(value)
    assert len(pickle.dumps(out)) < len(pickle.dumps(value)) / 3
    back = pickle.loads(pickle.dumps(out))
    assert back == value
    assert back["types"][0] is back["types"][49]
