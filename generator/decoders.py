"""The decoder functions of unions.

A union is decoded by a module-level function of its own: an `if` per variant, in the
order of `Union.decoder_branches`, then the fallback. Every use of the union calls it,
so a union used by many fields or arrays is written once per module, and the code
stays flat however many variants it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .layout import bare, def_header, statement
from .model.operation import Model, Operation
from .model.types import TypeRef, Union


def unions_decoded(items: Iterable[Model | Operation | TypeRef]) -> list[Union]:
    """Every union that decoding the given models' fields, operations' results or types
    calls a function for, nested ones included, in the order of their names."""
    found: dict[str, Union] = {}
    for item in items:
        for t in _types(item):
            for node in t.walk():
                if isinstance(node, Union) and not node.is_identity:
                    found.setdefault(node.decoder_name, node)
    return [found[name] for name in sorted(found)]


def _types(item: Model | Operation | TypeRef) -> Iterator[TypeRef]:
    if isinstance(item, TypeRef):
        yield item
    elif isinstance(item, Model):
        yield from (f.type for f in item.fields)
        yield item.additional
    elif item.result is not None and item.result_kind == "json":
        yield item.result


def decoder_functions(items: Iterable[Model | Operation | TypeRef]) -> str:
    """The decoder functions the items need, each after two blank lines, in black's
    style."""
    out = []
    for union in unions_decoded(items):
        lines = ["", "", def_header(0, union.decoder_name, ["value: Any"], union.annotation())]
        for condition, value in union.decoder_branches("value"):
            if condition:
                lines.append(f"    if {bare(condition)}:")
                lines.append(statement("return ", bare(value), 8))
            else:
                lines.append(statement("return ", bare(value), 4))
        out.append("\n".join(lines) + "\n")
    return "".join(out)
