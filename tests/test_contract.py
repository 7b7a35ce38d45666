"""docs/template-contract.md is generated from the code and must be current."""

from __future__ import annotations

from generator import contract


def test_contract_doc_is_current() -> None:
    assert contract.DOC.read_text(encoding="utf-8") == contract.render_contract(), (
        "docs/template-contract.md is stale: run `python -m generator.contract` "
        "(and bump TEMPLATE_API_VERSION in generator/render.py if the change can break user templates)"
    )


def test_contract_lists_every_block_and_ir_field() -> None:
    text = contract.render_contract()
    for block in ("method_signature", "method_docstring", "method_body", "request_preparation", "class_body", "client_body", "model_methods"):
        assert f"| `{block}` |" in text
    for member in ("`operation_id`", "`result_kind`", "`security_schemes`", "`discriminator`"):
        assert member in text
