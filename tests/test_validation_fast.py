"""What makes schema validation faster must not change a finding.

The proof that lets it skip the meta-schema check of a schema (generator/dialect_check.py,
for the OAS 3.1 base dialect and for 3.0's Draft 4) must never skip a check that would
have found something:
- the keywords it models are exactly those the shipped meta-schema documents constrain,
  and those documents are the ones it was written against;
- whenever it says a schema is valid, the real check (`OAS31Validator.check_schema`
  with the OAS 3.1 format checker, `OAS30Validator.check_schema`) raises nothing: on
  every schema object of the shared corpus documents, and on schemas mutated keyword by
  keyword.
And `schema_findings` gives the very same findings with and without the speed-ups
(`validator_speedups.faster`: that proof, and two memos), on corpus documents, the documents of
this repository, and documents built to hit each case.

The real check is slow (the reason for the proof): the tests take the smaller corpus
documents and one large one; `python -m tests.test_validation_fast [DOCUMENT ...]` runs
the corpus checks on every document, and compares the findings on any named.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from jsonschema.exceptions import SchemaError
from jsonschema.validators import Draft4Validator, Draft202012Validator, validator_for
from openapi_schema_validator import (
    OAS31_BASE_DIALECT_ID,
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from openapi_schema_validator.validators import check_openapi_schema

from generator import dialect_check, validate, validator_speedups
from generator.diagnostics import Diagnostics, GenerationFailed
from generator.dialect_check import (
    BOOLEAN_OR_SCHEMA,
    DEPENDENCIES,
    KEYWORDS,
    KEYWORDS_30,
    OAS_30,
    OAS_31,
    PATTERN_SCHEMA_MAP,
    REQUIRES_30,
    SCHEMA,
    SCHEMA_LIST,
    SCHEMA_MAP,
    SCHEMA_OR_LIST,
    UNCONSTRAINED,
    UNCONSTRAINED_30,
    Dialect,
    proves_valid,
)
from generator.load import bundle_files, load

ROOT = Path(__file__).resolve().parent.parent


def _find_corpus() -> Path | None:
    # the shared corpus sits beside the main checkout (../shared), or beside the folder
    # of worktrees that hold this one
    for parent in ROOT.parents:
        candidate = parent / "shared" / "corpus" / "dev"
        if candidate.is_dir():
            return candidate
    return None


CORPUS = _find_corpus()
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="no shared/corpus/dev beside the checkout")


def corpus(version: str) -> dict[str, int]:
    """The documents of the corpus of an OpenAPI version (MANIFEST.tsv: path under dev/ -> bytes)."""
    if CORPUS is None:
        return {}
    with open(CORPUS.parent / "MANIFEST.tsv", newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    return {
        row["file"].removeprefix("dev/"): int(row["bytes"])
        for row in rows
        if row["openapi_version"].startswith(version)
    }


# The real check costs ~2 ms a schema in 3.1: the tests take the documents below 500 kB
# for the schema objects, and below 200 kB and one large one for the findings (3.0:
# below 100 kB); `python -m tests.test_validation_fast` runs both on every document.
LARGE = "adyen__checkout__v72.json"
SCHEMA_OBJECT_DOCUMENTS = sorted(name for name, size in corpus("3.1").items() if size < 500_000)
SCHEMA_OBJECT_DOCUMENTS += sorted(name for name, size in corpus("3.0").items() if size < 100_000)
FINDINGS_DOCUMENTS = sorted(name for name, size in corpus("3.1").items() if size < 200_000 or name == LARGE)
FINDINGS_DOCUMENTS += sorted(name for name, size in corpus("3.0").items() if size < 100_000)


DIALECTS = [OAS_31, OAS_30]


def format_checker(dialect: Dialect) -> Any:
    return oas31_format_checker if dialect is OAS_31 else OAS30Validator.FORMAT_CHECKER


def real_check_passes(schema: Any, dialect: Dialect = OAS_31) -> bool:
    """What openapi-spec-validator runs for a schema of the default 3.1 dialect, or of 3.0."""
    try:
        if dialect is OAS_31:
            OAS31Validator.check_schema(schema, format_checker=oas31_format_checker)
        else:
            OAS30Validator.check_schema(schema)
    except SchemaError:
        return False
    return True


def proved(schema: Any, dialect: Dialect = OAS_31) -> bool:
    """The proof's verdict, after making sure a True is borne out by the real check."""
    verdict = proves_valid(schema, format_checker(dialect), dialect)
    if verdict:
        assert real_check_passes(schema, dialect), f"proved valid, but the real check fails: {schema!r}"
    return verdict


# ------------------------------------------------------------------ the meta-schema

# sha256 of the meta-schema documents each dialect reaches (sorted JSON, keyed by $id):
# jsonschema-specifications 2025.9.1 and openapi-schema-validator 0.9.0. When one
# changes, review generator/dialect_check.py against the new documents, then update it.
META_SCHEMA_DIGEST = "4a634c00a70d8592eb83309916344dbb68c2df4857162843fb8e5e40b30e6050"
META_SCHEMA_DIGEST_30 = "3c44caea73b2f781ff5a82ae0c0afd31023d6321447b7c7cf68421c5ed0180ca"

# what a vocabulary meta-schema may hold besides its `properties`
STRUCTURE = {
    "$schema",
    "$id",
    "$vocabulary",
    "$dynamicAnchor",
    "title",
    "description",
    "$comment",
    "$defs",
    "allOf",
    "$ref",
    "type",
    "properties",
}


def _dialect() -> tuple[dict[str, Any], dict[str, list[Any]], list[Any]]:
    """The documents the OAS 3.1 dialect reaches through `allOf` and `$ref`, from the
    registry `check_schema` resolves against; the subschemas they give each keyword of
    a schema; anything found at their top level besides `properties` and structure."""
    from openapi_schema_validator._specifications import REGISTRY

    root = REGISTRY.resolver().lookup(OAS31_BASE_DIALECT_ID)
    documents: dict[str, Any] = {}
    constraints: dict[str, list[Any]] = {}
    unexpected: list[Any] = []
    stack = [(root.contents, root.resolver)]
    while stack:
        schema, resolver = stack.pop()
        if "$id" in schema:
            if schema["$id"] in documents:
                continue
            documents[schema["$id"]] = schema
        unexpected.extend(sorted(set(schema) - STRUCTURE))
        if "type" in schema and schema["type"] != ["object", "boolean"]:
            unexpected.append(("type", schema["type"]))
        for name, sub in schema.get("properties", {}).items():
            constraints.setdefault(name, []).append(sub)
        if "$ref" in schema:
            resolved = resolver.lookup(schema["$ref"])
            stack.append((resolved.contents, resolved.resolver))
        for sub in schema.get("allOf", []):
            stack.append((sub, resolver))
    return documents, constraints, unexpected


def test_the_modelled_keywords_are_those_the_dialect_constrains() -> None:
    documents, constraints, unexpected = _dialect()
    assert unexpected == []  # only `type: [object, boolean]` and `properties` constrain a schema
    constrained = {name for name, subs in constraints.items() if any(sub is not True for sub in subs)}
    assert constrained == set(KEYWORDS)
    assert set(constraints) - constrained == UNCONSTRAINED
    assert OAS31_BASE_DIALECT_ID in documents and "https://spec.openapis.org/oas/3.1/meta/base" in documents


def test_the_modelled_keywords_are_those_draft_4_constrains() -> None:
    meta = OAS30Validator.META_SCHEMA
    assert set(meta) <= {"id", "$schema", "description", "definitions", "type", "properties", "dependencies", "default"}
    assert meta["type"] == "object"  # so `true` and `false` are not schemas
    properties = meta["properties"]
    assert {name for name, sub in properties.items() if sub != {}} == set(KEYWORDS_30)
    assert {name for name, sub in properties.items() if sub == {}} == UNCONSTRAINED_30
    assert meta["dependencies"] == {name: [needed] for name, needed in REQUIRES_30.items()}


def _digest(documents: Any) -> str:
    return hashlib.sha256(json.dumps(documents, sort_keys=True).encode()).hexdigest()


def test_the_meta_schema_documents_are_those_the_proof_was_written_against() -> None:
    documents, _, _ = _dialect()
    assert _digest(documents) == META_SCHEMA_DIGEST
    assert _digest(OAS30Validator.META_SCHEMA) == META_SCHEMA_DIGEST_30


def test_the_check_is_the_one_the_proof_models() -> None:
    # check_schema runs the dialect's meta-schema with jsonschema's Draft 2020-12
    # validator (standard `pattern`, `format`, types), as the proof assumes
    assert OAS31Validator.check_schema.__func__ is check_openapi_schema  # type: ignore[attr-defined]
    assert validator_for(OAS31Validator.META_SCHEMA) is Draft202012Validator
    assert OAS31Validator.META_SCHEMA["$id"] == OAS31_BASE_DIALECT_ID
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    assert OpenAPIV31SchemaValidator.default_jsonschema_dialect_id == OAS31_BASE_DIALECT_ID
    assert OpenAPIV31SchemaValidator.schema_validator_format_checker is oas31_format_checker
    # 3.0: Draft 4's meta-schema, the OAS 3.0 format checker, the draft 4 type checker
    from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator

    assert OAS30Validator.check_schema.__func__ is check_openapi_schema  # type: ignore[attr-defined]
    assert validator_for(OAS30Validator.META_SCHEMA) is Draft4Validator
    assert OAS30Validator.FORMAT_CHECKER is oas30_format_checker
    assert OpenAPIV30SchemaValidator.schema_validator_cls is OAS30Validator
    assert not Draft4Validator(OAS30Validator.META_SCHEMA).is_type(1.0, "integer")


# ------------------------------------------------------------------ mutated schemas

# fmt: off
PALETTE: list[Any] = [
    None, True, False, 0, 1, -1, 2**40, 0.0, -0.0, 1.0, 1.5, -1.0, -1.5, float("inf"), float("nan"),
    "", "x", "string", "strin", "null", "(", "^x-", "a#", "a#b", "#", "http://e.com/s#", "_a", "a.b-c", "1a", "a\n",
    [], [1], [True], [None], ["a"], ["a", "a"], ["a", "b"], ["a", 1], ["string"], ["string", "null"],
    ["string", "string"], ["number", "integer"], ["strin"], [{}], [True, {}], [{"type": 1}], [[]],
    {}, {"a": 1}, {"a": "b"}, {"a": True}, {"a": {}}, {"a": []}, {"a": ["b"]}, {"a": ["b", "b"]}, {"a": [1]},
    {"a": {"type": "string"}}, {"a": {"type": "strin"}}, {"(": {}}, {"^a": {}}, {1: {}}, {"x-a": 1},
    {"http://e.com/v": True}, {"http://e.com/v": 1},
    # Discriminator, External Documentation and XML objects: fields, wrong types, unknown keys, extensions
    {"propertyName": "kind"}, {"propertyName": 1}, {"propertyName": "kind", "mapping": {"a": "#/x"}},
    {"propertyName": "kind", "mapping": {"a": 1}}, {"propertyName": "kind", "mapping": []},
    {"propertyName": "kind", "x-a": {"b": 1}}, {"propertyName": "kind", "other": 1}, {"mapping": {}},
    {"url": "https://e.com"}, {"url": 1}, {"url": "https://e.com", "description": "d"},
    {"url": "https://e.com", "description": 1}, {"url": "https://e.com", "x-b": None}, {"url": "u", "title": "t"},
    {"name": "n", "namespace": "https://e.com/ns", "prefix": "p", "attribute": True, "wrapped": False},
    {"name": 1}, {"attribute": "yes"}, {"wrapped": 0}, {"namespace": 1}, {"name": "n", "x-c": 1}, {"name": "n", "nme": 1},
    {"propertyName": "kind", "x-": 1}, {"X-a": 1},
]
# fmt: on


def positions(dialect: Dialect) -> dict[str, Any]:
    """Where a schema can sit inside a schema: a name -> how to put it there."""
    found: dict[str, Any] = {}
    for name, kind in dialect.keywords.items():
        if kind in (SCHEMA, BOOLEAN_OR_SCHEMA, SCHEMA_OR_LIST):
            found[name] = lambda s, n=name: {n: s}
        if kind in (SCHEMA_MAP, PATTERN_SCHEMA_MAP, DEPENDENCIES):
            found[name] = lambda s, n=name: {n: {"a": s}}
        if kind in (SCHEMA_LIST, SCHEMA_OR_LIST):
            found[f"{name}[]"] = lambda s, n=name: {n: [{}, s]}
    return found


def mutations(dialect: Dialect) -> Iterator[dict[str, Any]]:
    """Every keyword (modelled, unconstrained, unknown) with every value of the palette
    (and, in Draft 4, `maximum` beside `exclusiveMaximum` that needs it)."""
    unconstrained = UNCONSTRAINED if dialect is OAS_31 else UNCONSTRAINED_30
    for name in dict.fromkeys(
        [*dialect.keywords, *sorted(unconstrained), "nullable", "discriminator", "x-a", "unknown"]
    ):
        needed = dialect.requires.get(name)
        for value in PALETTE:
            yield {name: value, needed: 0} if needed else {name: value}


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_mutated_schemas_proved_valid_pass_the_real_check(dialect: Dialect) -> None:
    verdicts = [proved(schema, dialect) for schema in mutations(dialect)]
    assert 0 < sum(verdicts) < len(verdicts)


@functools.lru_cache(maxsize=None)
def _by_verdict(dialect: Dialect) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One schema holding a value proved valid of each keyword that has one, and every
    mutation not proved valid."""
    valid: dict[str, Any] = {}
    unproved: list[dict[str, Any]] = []
    for schema in mutations(dialect):
        if proves_valid(schema, format_checker(dialect), dialect):
            valid.update((name, value) for name, value in schema.items() if name not in valid)
        else:
            unproved.append(schema)
    return valid, unproved


@pytest.mark.parametrize(
    "dialect, position", [(d, p) for d in DIALECTS for p in positions(d)], ids=lambda v: getattr(v, "name", v)
)
def test_mutated_schemas_nested_at_every_position(dialect: Dialect, position: str) -> None:
    # the meta-schema constrains each keyword on its own, so one schema with all the
    # valid values stands for each of them (the real check is slow)
    wrap = positions(dialect)[position]
    valid, unproved = _by_verdict(dialect)
    unconstrained = UNCONSTRAINED if dialect is OAS_31 else UNCONSTRAINED_30
    assert len(valid) == len({*dialect.keywords, *unconstrained, "nullable", "discriminator", "x-a", "unknown"})
    assert proved(wrap(valid), dialect) and proved({"type": "object", "required": ["a"], **wrap(wrap(valid))}, dialect)
    for schema in unproved:
        assert not proved(wrap(schema), dialect)
        assert not proved({**valid, **wrap(wrap(schema))}, dialect)


@pytest.mark.parametrize(
    "schema, expected",
    [
        ({"minItems": 1.0}, True),
        ({"minItems": 1.5}, False),
        ({"minItems": True}, False),
        ({"minLength": -1}, False),
        ({"minLength": 0}, True),
        ({"exclusiveMinimum": True}, False),
        ({"exclusiveMinimum": 0.5}, True),
        ({"multipleOf": 0}, False),
        ({"required": ["a", "a"]}, False),
        ({"required": ["a", "b"]}, True),
        ({"type": ["string", "string"]}, False),
        ({"type": ["string", "null"]}, True),
        ({"type": []}, False),
        ({"allOf": []}, False),
        ({"anyOf": []}, False),
        ({"oneOf": []}, False),
        ({"pattern": "("}, False),
        ({"pattern": "^a+$"}, True),
        ({"patternProperties": {"(": {}}}, False),
        ({"patternProperties": {"^a": {"type": "string"}}}, True),
        ({"$recursiveAnchor": True}, False),
        ({"discriminator": {"propertyName": "kind", "x-a": 1}}, True),
        ({"discriminator": {"propertyName": "kind", "other": 1}}, False),
        ({"discriminator": {"mapping": {}}}, False),
        ({"externalDocs": {"url": "https://e.com", "x-b": 1}}, True),
        ({"externalDocs": {"url": "https://e.com", "title": "t"}}, False),
        ({"xml": {"name": "n", "x-c": 1}}, True),
        ({"xml": {"name": "n", "nme": 1}}, False),
        ({"properties": {"a": {"xml": {"wrapped": "yes"}}}}, False),
        ({"items": {"discriminator": {"propertyName": 1}}}, False),
        ({"nullable": True, "x-anything": object(), "example": object()}, True),
        ({"title": object()}, False),  # a type the proof does not know: left to the real check
        ({"properties": {1: {}}}, False),
        (True, True),
        (False, True),
        (None, False),
        ([], False),
    ],
)
def test_known_verdicts(schema: Any, expected: bool) -> None:
    assert proved(schema) is expected


@pytest.mark.parametrize(
    "schema, expected",
    [
        ({"minItems": 1}, True),
        ({"minItems": 1.0}, False),  # not an integer in Draft 4
        ({"minLength": -1}, False),
        ({"exclusiveMaximum": True}, False),  # only beside `maximum`
        ({"exclusiveMaximum": True, "maximum": 1}, True),
        ({"exclusiveMinimum": 0, "minimum": 1}, False),
        ({"required": []}, False),  # non-empty in Draft 4
        ({"required": ["a"]}, True),
        ({"enum": []}, False),
        ({"enum": [1, 1.0]}, False),
        ({"enum": [1, True, "1", None]}, True),
        ({"enum": [{"a": 1}]}, False),  # not a scalar: left to the real check
        ({"items": [{}]}, True),
        ({"items": []}, False),
        ({"items": True}, False),
        ({"additionalProperties": False, "additionalItems": True}, True),
        ({"not": True}, False),
        ({"properties": {"a": False}}, False),
        ({"type": "null"}, True),
        ({"pattern": "("}, False),
        ({"patternProperties": {"(": {}}}, True),  # no format on these keys in Draft 4
        ({"nullable": True, "discriminator": 1, "xml": 1, "example": object()}, True),
        ({"id": 1}, False),
        (True, False),
        ({}, True),
    ],
)
def test_known_verdicts_30(schema: Any, expected: bool) -> None:
    assert proved(schema, OAS_30) is expected


def test_a_cycle_is_left_to_the_real_check() -> None:
    schema: dict[str, Any] = {"type": "object"}
    schema["properties"] = {"self": schema}
    assert proves_valid(schema, oas31_format_checker) is False


def test_a_shared_subschema_is_proved_once() -> None:
    schema: Any = {"type": "string"}
    for _ in range(40):  # 2**40 paths through 41 distinct schemas
        schema = {"allOf": [schema, schema]}
    started = time.process_time()
    proves_valid(schema, oas31_format_checker)
    assert time.process_time() - started < 1


@pytest.mark.parametrize(
    "dialect, position", [(d, p) for d in DIALECTS for p in positions(d)], ids=lambda v: getattr(v, "name", v)
)
def test_deep_nesting_is_proved_only_where_the_real_check_has_the_stack(dialect: Dialect, position: str) -> None:
    """The real check recurses ~16 frames a nesting level; where it would run out of
    stack (a RecursionError, reported as its own finding), the proof must say False."""
    wrap = positions(dialect)[position]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(_frames()) + 700)  # the edge within reach
    try:
        chain: list[Any] = [{"type": "string", "xml": {"name": "n"}}]
        while len(chain) < 60:
            chain.append(wrap(chain[-1]))
        verdicts = [proves_valid(schema, format_checker(dialect), dialect) for schema in chain]
        assert verdicts[0] and not verdicts[-1]
        edge = verdicts.index(False) - 1  # proved up to this depth, and no deeper
        assert not any(verdicts[edge + 1 :])
        assert real_check_passes(chain[edge], dialect)  # so none shallower fails for want of stack
    finally:
        sys.setrecursionlimit(limit)


def _frames() -> list[Any]:
    frame, frames = sys._getframe(), []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back  # type: ignore[assignment]
    return frames


# ------------------------------------------------------------------ the corpus


def _load(name: str) -> Any:
    assert CORPUS is not None
    path = CORPUS / name
    diagnostics = Diagnostics()
    document = load(path, diagnostics)
    if path.parent != CORPUS:  # a multi-file tree
        bundle_files(document, path, diagnostics)
    return document.data


def schema_objects(data: Any, dialect: Dialect = OAS_31) -> list[Any]:
    """Every Schema Object of a document (each value of a `schema` field or under
    `schemas`, and the schemas inside those), once each."""
    found: list[Any] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema":
                    found.append(value)
                elif key == "schemas" and isinstance(value, dict):
                    found.extend(value.values())
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    seen: set[int] = set()
    result: dict[str, Any] = {}
    while found:
        schema = found.pop()
        if id(schema) in seen:
            continue
        seen.add(id(schema))
        result.setdefault(repr(schema), schema)
        if isinstance(schema, dict):
            for key, value in schema.items():
                kind = dialect.keywords.get(key)
                if kind in (SCHEMA_LIST, SCHEMA_OR_LIST) and isinstance(value, list):
                    found.extend(value)
                elif kind in (SCHEMA, BOOLEAN_OR_SCHEMA, SCHEMA_OR_LIST):
                    found.append(value)
                elif kind in (SCHEMA_MAP, PATTERN_SCHEMA_MAP, DEPENDENCIES) and isinstance(value, dict):
                    found.extend(value.values())
    return list(result.values())


def check_schema_objects(data: Any) -> tuple[int, int]:
    """Each schema object proved valid passes the real check: (proved, schema objects).
    And each left unproved fails it: on the corpus the proof misses no valid schema (not
    a matter of soundness, but of the speed it is for)."""
    dialect = OAS_31 if validate.openapi_version(data).startswith("3.1") else OAS_30
    schemas = schema_objects(data, dialect)
    unproved = [schema for schema in schemas if not proved(schema, dialect)]
    assert not [schema for schema in unproved if real_check_passes(schema, dialect)]
    return len(schemas) - len(unproved), len(schemas)


@needs_corpus
def test_the_corpus_has_the_documents_tested() -> None:
    assert len(corpus("3.1")) >= 18 and len(corpus("3.0")) >= 40 and LARGE in FINDINGS_DOCUMENTS
    assert len(SCHEMA_OBJECT_DOCUMENTS) >= 30 and len(FINDINGS_DOCUMENTS) >= 25


@needs_corpus
@pytest.mark.parametrize("name", SCHEMA_OBJECT_DOCUMENTS)
def test_corpus_schema_objects_proved_valid_pass_the_real_check(name: str) -> None:
    proved_valid, schemas = check_schema_objects(_load(name))
    assert proved_valid >= 0.8 * schemas


@needs_corpus
@pytest.mark.parametrize("name", FINDINGS_DOCUMENTS)
def test_corpus_findings_are_the_same_when_faster(name: str) -> None:
    data = _load(name)
    assert validate.schema_findings(data) == validate.schema_findings(data, fast=False)


# ------------------------------------------------------------------ schema_findings


def _document(schemas: dict[str, Any], version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "pattern": "("}}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "array", "items": {"minItems": -1}}}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
        **extra,
    }


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_findings_on_mutated_schemas_are_the_same_when_faster(dialect: Dialect) -> None:
    """Documents of mutated schemas, top level and nested, valid or not: whatever the
    validator makes of them (findings, or stopping early) must not change."""
    _, unproved = _by_verdict(dialect)
    chosen: dict[str, list[Any]] = {}
    for schema in [*mutations(dialect), *unproved]:  # a valid value first, then two invalid
        name = next(iter(schema))
        if len(chosen.setdefault(name, [])) < 3 and schema not in chosen[name]:
            chosen[name].append(schema)
    names = sorted(chosen)
    for part in range(4):  # the validator may stop early on one: four documents
        schemas: dict[str, Any] = {}
        for name in names[part::4]:
            for index, schema in enumerate(chosen[name]):
                schemas[f"{name}{index}"] = schema
                schemas[f"{name}{index}-nested"] = {"type": "object", "properties": {"p": {"items": schema}}}
        data = _document(schemas, "3.1.0" if dialect is OAS_31 else "3.0.3")
        assert validate.schema_findings(data) == validate.schema_findings(data, fast=False)


def test_the_proof_is_not_used_for_another_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = dialect_check.proves_valid

    def proves_valid(schema: Any, format_checker: Any, dialect: Dialect) -> bool:
        calls.append(schema)
        return real(schema, format_checker, dialect)

    monkeypatch.setattr(dialect_check, "proves_valid", proves_valid)
    schemas = {"a": {"type": "string"}, "b": {"type": "integer", "minimum": True}}
    for extra in ({"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema"}, {"jsonSchemaDialect": 5}):
        data = _document(schemas, **extra)
        assert validate.schema_findings(data) == validate.schema_findings(data, fast=False)
        assert calls == []
    own = _document({"a": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "strin"}})
    assert validate.schema_findings(own) == validate.schema_findings(own, fast=False)
    assert own["components"]["schemas"]["a"] not in calls
    default = _document(schemas, jsonSchemaDialect=OAS31_BASE_DIALECT_ID)
    assert validate.schema_findings(default) == validate.schema_findings(default, fast=False)
    assert schemas["a"] in calls and schemas["b"] in calls


def _patched() -> list[Any]:
    from openapi_spec_validator.validation.keywords import (
        OpenAPIV30SchemaValidator,
        OpenAPIV31SchemaValidator,
        SchemaValidator,
    )
    from pathable import accessors
    from referencing import Registry
    from referencing._core import Resolver

    return [
        accessors.Subscriptable,
        OpenAPIV31SchemaValidator._validate_schema_meta,
        OpenAPIV30SchemaValidator._validate_schema_meta,
        SchemaValidator.__init__,
        Resolver.lookup,
        Registry.crawl,
    ]


def test_the_validator_is_restored_afterwards() -> None:
    from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator, OpenAPIV31SchemaValidator

    before = _patched()
    validate.schema_findings(_document({"a": {"type": "string"}}))
    assert _patched() == before
    # inherited, as before
    assert "_validate_schema_meta" not in vars(OpenAPIV31SchemaValidator)
    assert "_validate_schema_meta" not in vars(OpenAPIV30SchemaValidator)
    with pytest.raises(KeyError):
        with validator_speedups.crawl_once(), validator_speedups.faster():
            assert all(now is not then for now, then in zip(_patched(), before))
            raise KeyError
    assert _patched() == before


def test_a_lookup_is_shared_only_within_its_document() -> None:
    from referencing import Registry
    from referencing.exceptions import PointerToNowhere, Unresolvable
    from referencing.jsonschema import DRAFT202012

    uri = "https://e.com/root"
    schema = {"$id": uri, "$defs": {"a": {"type": "string"}}}
    resolver = Registry().with_resource(uri, DRAFT202012.create_resource(schema)).resolver(base_uri=uri)
    with validator_speedups.lookup_once():
        first = resolver.lookup("#/$defs/a")
        assert resolver.lookup("#/$defs/a") is first and first.contents == {"type": "string"}
        for _ in range(2):  # a failure is not remembered
            with pytest.raises(PointerToNowhere):
                resolver.lookup("#/$defs/missing")
            with pytest.raises(Unresolvable):
                resolver.lookup("https://e.com/other#/a")  # another document: looked up as ever
        elsewhere = Registry().with_resource(uri, DRAFT202012.create_resource(schema)).resolver(base_uri=uri)
        assert elsewhere.lookup("#/$defs/a") is not first  # another registry
    assert resolver.lookup("#/$defs/a") is not first  # the memo ends with the context


def test_subscriptable_is_answered_per_type_as_the_protocol_answers() -> None:
    from pathable import accessors
    from pathable.protocols import Subscriptable

    class Holder:
        def __init__(self, members: bool) -> None:
            if members:  # the protocol's members on the instance, not the type
                self.__contains__ = self.__getitem__ = self.__len__ = len

    class Mapped(dict[str, int]):
        pass

    values: list[Any] = [{}, {"a": 1}, [], [1], "", "text", 0, 1.5, True, None, (1,), Mapped(), Holder(True), Holder(False)]
    with validator_speedups.protocol_checks_by_type():
        during = [isinstance(v, accessors.Subscriptable) for v in values]
        assert accessors.SubscriptableAccessor._get_subnode({"a": 1}, "a") == 1
        with pytest.raises(KeyError):
            accessors.SubscriptableAccessor._get_subnode(5, "a")
    assert accessors.Subscriptable is Subscriptable
    assert during == [isinstance(v, Subscriptable) for v in values]


def test_an_id_list_answers_as_a_list() -> None:
    ids = validator_speedups.IdList([3, 1])
    ids.append(7)
    assert ids == [3, 1, 7] and 7 in ids and 3 in ids and 2 not in ids


def _repository_documents() -> list[Path]:
    found = [ROOT / "specs" / "beam-cloud-openapi.yml"]
    for folder in ("broken", "hostile"):
        found += sorted(p for p in (ROOT / "tests" / folder).iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    return found


@pytest.mark.parametrize("path", _repository_documents(), ids=lambda p: p.name)
def test_findings_on_the_repositorys_documents_are_the_same_when_faster(path: Path) -> None:
    # hostile ones too: alias and $ref cycles (the validator's RecursionError), wrong types...
    try:
        data = load(path, Diagnostics()).data
    except GenerationFailed:
        return  # not a document the validator sees
    if isinstance(data, dict):
        assert validate.schema_findings(data) == validate.schema_findings(data, fast=False)


@pytest.mark.parametrize("depth", [10, 30, 50, 70, 120])
def test_findings_on_deep_schemas_are_the_same_when_faster(depth: int) -> None:
    # deep enough and the real check runs out of stack: "too-deep" or "validator-incomplete"
    schema: Any = {"type": "string"}
    for level in range(depth):
        schema = {"type": "object", "properties": {f"p{level}": schema}} if level % 2 else {"items": schema}
    data = _document({"deep": schema})
    assert validate.schema_findings(data) == validate.schema_findings(data, fast=False)


# ------------------------------------------------------------------ the script


def main(argv: list[str]) -> int:
    """Compare the findings with and without the speed-ups on every corpus document
    (3.0 and 3.1) and any document named, printing the CPU time of each; check the
    schema objects of every corpus document."""
    if CORPUS is None:
        print("no corpus: only the documents named")
        names = []
    else:
        with open(CORPUS.parent / "MANIFEST.tsv", newline="") as manifest:
            names = [row["file"].removeprefix("dev/") for row in csv.DictReader(manifest, delimiter="\t")]
    failed = 0
    totals = [0.0, 0.0]
    for name in [*names, *argv]:
        path = CORPUS / name if name in names and CORPUS else Path(name)
        diagnostics = Diagnostics()
        try:
            document = load(path, diagnostics)
            if CORPUS and path.parent.parent == CORPUS:
                bundle_files(document, path, diagnostics)
        except GenerationFailed:
            print(f"{name}: does not load")
            continue
        started = time.process_time()
        slow = validate.schema_findings(document.data, fast=False)
        middle = time.process_time()
        fast = validate.schema_findings(document.data)
        ended = time.process_time()
        totals[0] += middle - started
        totals[1] += ended - middle
        failed += slow != fast
        report = f"{name} ({validate.openapi_version(document.data)}): {len(slow)} findings, "
        report += f"{'the same' if slow == fast else 'DIFFERENT'} (CPU {middle - started:.2f} s, faster {ended - middle:.2f} s)"
        if name in names:
            try:
                proved_valid, schemas = check_schema_objects(document.data)
                report += f"; {proved_valid} of {schemas} schema objects proved valid, and pass the real check; the others fail it"
            except AssertionError as error:
                failed += 1
                report += f"; UNSOUND: {error}"
        print(report, flush=True)
    print(f"CPU in all: {totals[0]:.1f} s, faster {totals[1]:.1f} s; {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def test_paths_through_refs_are_given_as_written() -> None:
    data = {
        "paths": {"/p": {"get": {"schema": {"$ref": "#/components/schemas/A"}}}},
        "components": {"schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}}, "B": {"default": 1}}},
        "loop": {"$ref": "#/loop"},
    }
    walked = ["paths", "/p", "get", "schema", "properties", "b", "default"]
    assert validate._as_written(data, walked) == ["components", "schemas", "B", "default"]
    assert validate._as_written(data, ["components", "schemas", "A"]) == ["components", "schemas", "A"]
    assert validate._as_written(data, ["loop", "x"]) == ["loop", "x"]  # a $ref cycle: as walked
    assert validate._as_written(data, ["paths", "/q", "get"]) == ["paths", "/q", "get"]
