from pathlib import Path

from tests.helpers import generate, imported, minimal_spec


def test_minimal_spec_generates_and_imports(tmp_path: Path) -> None:
    spec = minimal_spec(
        {
            "/items/{item_id}": {
                "get": {
                    "operationId": "getItem",
                    "tags": ["Items"],
                    "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}},
                }
            }
        }
    )
    run, out = generate(tmp_path, spec)
    assert run.code == 0, run.stderr
    with imported(out) as client:
        c = client.Client(token="t")
        assert hasattr(c.items, "get_item")
