"""Stage 2: check the document against the OpenAPI schema and our own core rules.

Two kinds of findings:
- core errors (not OpenAPI 3, a dangling `$ref`, nothing to generate): always fatal;
- schema violations reported by openapi-spec-validator: errors for `validate`, and
  warnings in the tolerant default of `generate`, because many real documents break
  the schema on trifles that do not stop a usable client.
"""

from __future__ import annotations

from typing import Any, Iterator

from .bundle import in_extension
from .diagnostics import Diagnostics, Level, pointer_join, pointer_tokens

MAX_VALIDATOR_MESSAGE = 300


def resolve_pointer(data: Any, pointer: str) -> tuple[bool, Any]:
    node = data
    for token in pointer_tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def iter_refs(data: Any) -> Iterator[tuple[str, str]]:
    """Yield (pointer of the $ref object, target) for every reference in the document."""
    stack: list[tuple[str, Any]] = [("", data)]
    seen: set[int] = set()
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield pointer, ref
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((pointer_join(pointer, key), value))
        elif isinstance(node, list):
            if id(node) in seen:
                continue
            seen.add(id(node))
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((pointer_join(pointer, index), value))


def openapi_version(data: Any) -> str:
    version = data.get("openapi") if isinstance(data, dict) else None
    return version if isinstance(version, str) else ""


def check_core(data: Any, diagnostics: Diagnostics) -> bool:
    """Rules without which no client can be built. Returns False when any fails."""
    before = len(diagnostics.items)
    if not isinstance(data, dict):
        diagnostics.error("not-openapi", "the document is not a mapping; expected an OpenAPI object")
        return False
    version = openapi_version(data)
    if "swagger" in data and not version:
        diagnostics.error(
            "swagger-2",
            f"this is a Swagger {data.get('swagger')} document; only OpenAPI 3.0 and 3.1 are "
            "supported (convert it first, e.g. with swagger2openapi)",
            "/swagger",
        )
        return False
    if not version:
        diagnostics.error("not-openapi", "missing the `openapi` version field", "")
        return False
    if not (version.startswith("3.0") or version.startswith("3.1")):
        diagnostics.error(
            "unsupported-version", f"OpenAPI {version} is not supported (3.0.x or 3.1.x)", "/openapi"
        )
        return False
    paths = data.get("paths")
    if paths is None and not data.get("webhooks") and not data.get("components"):
        diagnostics.error("no-paths", "the document has no `paths`: nothing to generate", "")
    elif paths is not None and not isinstance(paths, dict):
        diagnostics.error("no-paths", "`paths` must be a mapping of path templates", "/paths")
    unresolved_in_extensions: list[str] = []
    for pointer, ref in iter_refs(data):
        if in_extension(pointer):
            # vendor data (code samples, policies): not needed for a client. Files named
            # there are not read at all; a broken local reference is worth a warning.
            if ref.startswith("#") and not resolve_pointer(data, ref[1:])[0]:
                unresolved_in_extensions.append(pointer_join(pointer, "$ref"))
        elif ref.startswith("#"):
            found, _ = resolve_pointer(data, ref[1:])
            if not found:
                diagnostics.error(
                    "dangling-ref", f"$ref {ref!r} points at nothing", pointer_join(pointer, "$ref")
                )
        else:
            diagnostics.error(
                "external-ref",
                f"$ref {ref!r} points outside the document and was not resolved",
                pointer_join(pointer, "$ref"),
            )
    if unresolved_in_extensions:
        first = min(unresolved_in_extensions)
        diagnostics.warning(
            "extension-ref",
            f"{len(unresolved_in_extensions)} $ref(s) inside x- extensions point at nothing "
            "(extensions are not used to generate the client); the first is here",
            first,
        )
    return not any(d.level is Level.ERROR for d in diagnostics.items[before:])


def check_schema(data: dict[str, Any], diagnostics: Diagnostics, level: Level) -> None:
    """Run openapi-spec-validator and turn each finding into a located diagnostic."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_cls = (
        OpenAPIV31SpecValidator if openapi_version(data).startswith("3.1") else OpenAPIV30SpecValidator
    )
    try:
        for error in validator_cls(data).iter_errors():
            path = getattr(error, "absolute_path", None) or getattr(error, "path", ())
            message = str(getattr(error, "message", error))
            if len(message) > MAX_VALIDATOR_MESSAGE:
                message = message[:MAX_VALIDATOR_MESSAGE] + "..."
            diagnostics.add("spec-invalid", level, message, pointer_join("", *path))
    except RecursionError:
        diagnostics.add("spec-invalid", level, "the validator gave up: nesting too deep", "")
    except Exception as exc:  # the validator raises on what it cannot resolve
        diagnostics.add(
            "spec-invalid",
            level,
            f"the validator stopped early: {type(exc).__name__}: {str(exc)[:MAX_VALIDATOR_MESSAGE]}",
            "",
        )


def validate(data: Any, diagnostics: Diagnostics, *, tolerant: bool) -> bool:
    """Return True when the document can go on to the model stage."""
    if not check_core(data, diagnostics):
        return False
    check_schema(data, diagnostics, Level.WARNING if tolerant else Level.ERROR)
    return True
