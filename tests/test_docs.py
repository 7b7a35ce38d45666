"""docs/ir.md is generated from the IR dataclasses and must stay in step with them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator import docs
from generator.model.operation import Api


def test_ir_doc_is_current() -> None:
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.render(), (
        "docs/ir.md is stale: run `python -m generator.docs` (or `make docs`)"
    )


def test_every_ir_field_and_member_is_described() -> None:
    assert docs.undocumented() == [], "describe these in a source comment or in generator/docs.py"


def test_every_class_reachable_from_api_is_documented() -> None:
    names = {cls.__name__ for cls in docs.ir_classes()}
    text = docs.render()
    for cls in docs.ir_classes():
        assert f"### `{cls.__name__}`" in text
        for f in dataclasses.fields(cls):
            assert f"| `{f.name}` |" in text
    assert {"Api", "Resource", "Operation", "Parameter", "TypeRef", "Union"} <= names
    assert [c.__name__ for c in docs.ir_classes()][0] == Api.__name__


def test_check_mode_reports_a_stale_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ir.md"
    monkeypatch.setattr(docs, "DOC_PATH", target)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert docs.main(["--check"]) == 0
    target.write_text(target.read_text() + "edited\n")
    assert docs.main(["--check"]) == 1
