"""Unions decode through one module-level function each: flat `if`s, the same union
shared by every field that holds it, clean under mypy --strict and pyright strict, and
decoding as the variants' order and discriminator say."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import generate, imported
from tests.test_typecheck import mypy, pyright

SPEC = (Path(__file__).parent / "unions.yaml").read_text(encoding="utf-8")


def _generated(tmp_path: Path) -> Path:
    run, out = generate(tmp_path, SPEC)
    assert run.code == 0, run.output
    return out


def test_one_flat_function_per_union(tmp_path: Path) -> None:
    out = _generated(tmp_path)
    models = (out / "client" / "models.py").read_text(encoding="utf-8")
    names = re.findall(r"^def (_decode_\w+)\(", models, re.M)
    assert names == sorted(set(names)) and len(names) >= 10
    # `Pet` is held by three fields and inside another union: one function for it
    pet = [n for n in names if re.search(rf"def {n}\(value: Any\) -> Cat \| Dog:", models)]
    assert len(pet) == 1
    assert models.count(f"{pet[0]}(") >= 4
    # flat: no conditional expression left in a decoder
    assert " if " not in "".join(re.findall(r"^def _decode_.*?(?=^def |\Z)", models, re.M | re.S)).replace("    if ", "")
    resource = (out / "client" / "resources" / "default.py").read_text(encoding="utf-8")
    assert re.search(r"^def _decode_\w+\(value: Any\) -> Cat \| Dog \| str:", resource, re.M)


def test_decoders_are_strictly_typed(tmp_path: Path) -> None:
    out = _generated(tmp_path)
    result = mypy("-p", "client", path=out, cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    report = pyright(tmp_path, out / "client", extra=out)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]  # type: ignore[index, union-attr]
    assert errors == [], errors[:5]


def test_decoding_follows_checks_and_discriminator(tmp_path: Path) -> None:
    out = _generated(tmp_path)
    with imported(out):
        import client.models as m  # type: ignore[import-not-found]

        box = m.Box.from_dict(
            {
                "a": 1.5,
                "b": "x",
                "c": "red",
                "d": ["p", "q"],
                "e": {"n": 1},
                "f": [{"kind": "dog"}, {"kind": "cat", "lives": 9}],
                "g": {"rex": {"kind": "dog"}},
                "i": [{"kind": "cat", "lives": 1}],
                "k": "00000000-0000-0000-0000-000000000001",
                "m": 3,
            }
        )
        assert box.a == 1.5 and isinstance(box.a, float)
        assert box.b == "x"
        assert box.c is m.Color.RED
        assert box.d == ["p", "q"]
        assert box.e == {"n": 1}
        assert [type(p).__name__ for p in box.f] == ["Dog", "Cat"]
        assert type(box.g["rex"]).__name__ == "Dog"
        assert [type(p).__name__ for p in box.i] == ["Cat"]
        assert str(box.k).endswith("0001")
        assert box.m == 3
        assert m.Box.from_dict({"a": 2}).a == 2 and m.Box.from_dict({"a": True}).a is True
        assert type(m.Box.from_dict({"b": {"kind": "cat", "lives": 1}}).b).__name__ == "Cat"
        assert type(m.Box.from_dict({"d": {"kind": "dog"}}).d).__name__ == "Dog"
        # the discriminator decides, not the shape: a "dog" with lives is a Dog
        assert type(m.Box.from_dict({"f": [{"kind": "dog", "lives": 1}]}).f[0]).__name__ == "Dog"
