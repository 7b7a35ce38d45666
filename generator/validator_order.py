"""The one meta-schema error openapi-spec-validator reports for a schema, chosen in
document order.

The validator checks each top-level schema against its dialect's meta-schema and
reports the first error jsonschema yields (`check_openapi_schema` raises it). jsonschema
yields a schema's errors in an order that follows string hashes (PYTHONHASHSEED): of two
equal mistakes in one schema, a run reports one or the other. While the validator runs,
the check raises instead the error that comes first in the schema as written (then by
schema path and message): every run reports the same one."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Any, Iterator


def document_order(instance: Any, path: Any) -> list[int]:
    """Where `path` leads in `instance`, as the position of each step among its
    siblings (a step that leads nowhere sorts last)."""
    key: list[int] = []
    node = instance
    for token in path:
        if isinstance(node, dict):
            keys = list(node)
            key.append(keys.index(token) if token in node else len(keys))
            node = node.get(token)
        elif isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node):
            key.append(token)
            node = node[token]
        else:
            key.append(1 << 30)
            node = None
    return key


@contextmanager
def meta_errors_in_document_order() -> Iterator[None]:
    """While it is open, the meta-schema checks raise their first error in document order."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from openapi_schema_validator import validators as oas

    from .validator_speedups import patched

    check = getattr(oas, "check_openapi_schema", None)
    classes = [c for c in (OAS30Validator, OAS31Validator, getattr(oas, "OAS32Validator", None)) if c is not None]
    unset = getattr(oas, "_CHECK_SCHEMA_UNSET", None)
    registry = getattr(oas, "OPENAPI_SPECIFICATIONS", None)
    if check is None or unset is None or registry is None or any(
        getattr(getattr(c, "check_schema", None), "__func__", None) is not check for c in classes
    ):
        yield  # not the check this was written against
        return

    def check_schema(cls: Any, schema: Any, format_checker: Any = unset) -> None:
        # check_openapi_schema, but of all the errors the one first in the schema
        if format_checker is unset:
            format_checker = cls.FORMAT_CHECKER
        validator_class = validator_for(cls.META_SCHEMA, default=cls)
        validator = validator_class(cls.META_SCHEMA, format_checker=format_checker, registry=registry)
        errors = list(validator.iter_errors(schema))
        if errors:
            first = min(
                errors,
                key=lambda e: (document_order(schema, e.absolute_path), [str(s) for s in e.absolute_schema_path], e.message),
            )
            raise SchemaError.create_from(first)

    with ExitStack() as stack:
        for cls in classes:
            stack.enter_context(patched(cls, "check_schema", classmethod(check_schema)))
        yield
