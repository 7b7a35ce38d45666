"""Prove, without jsonschema, that a schema passes the meta-schema check of its dialect.

openapi-spec-validator checks every top-level Schema Object of a document with
`check_schema` of openapi-schema-validator:
- 3.1: `OAS31Validator.check_schema`, jsonschema's Draft 2020-12 validator running the
  meta-schema of the OAS base dialect (https://spec.openapis.org/oas/3.1/dialect/base:
  the 2020-12 meta-schema, the keywords it keeps from older drafts, and the OAS base
  vocabulary). It resolves a `$dynamicRef` at every nesting level, which makes it the
  larger part of validating a big document;
- 3.0: `OAS30Validator.check_schema`, jsonschema's Draft 4 validator running the Draft 4
  meta-schema (a fifth of validating a 3.0 document).

`proves_valid` models those meta-schemas keyword by keyword and answers True only when
it can show the check would find nothing. On anything it does not model exactly (a
value of an unexpected Python type, a dict key that is not a string, a cycle, a format
check that raises, nesting deep enough that the real check could run out of stack) it
answers False, and the caller runs the real check, so the findings are those of the
real check either way. Formats are decided by the very format checker the real check
uses, and uniqueness (Draft 4 `enum`) by jsonschema's own `uniq`.

A meta-schema constrains only the keywords of its `Dialect` below; any other key of a
schema is allowed with any value. tests/test_validation_fast.py checks those lists
against the meta-schema documents shipped with jsonschema-specifications and
openapi-schema-validator, so a change there cannot go unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jsonschema._utils import uniq

# keyword -> what the dialect requires of its value
SCHEMA = "schema"  # a schema: a dict (or a bool, but in Draft 4)
SCHEMA_MAP = "schema-map"  # a dict of schemas
SCHEMA_LIST = "schema-list"  # a non-empty list of schemas
PATTERN_SCHEMA_MAP = "pattern-schema-map"  # a dict of schemas keyed by regular expressions
STRING = "string"
BOOLEAN = "boolean"
NUMBER = "number"
POSITIVE_NUMBER = "positive-number"
COUNT = "count"  # a non-negative integer
ARRAY = "array"
STRING_SET = "string-set"  # a list of unique strings
STRING_SET_MAP = "string-set-map"  # a dict of lists of unique strings
DEPENDENCIES = "dependencies"  # a dict of schemas or lists of unique strings
TYPE = "type"
URI = "uri"
URI_REFERENCE = "uri-reference"
ID = "id"
ANCHOR = "anchor"
VOCABULARY = "vocabulary"
DISCRIMINATOR = "discriminator"
EXTERNAL_DOCS = "external-docs"
XML = "xml"
STRING_MAP = "string-map"  # a dict of strings (a discriminator's `mapping`)
# Draft 4 only
BOOLEAN_OR_SCHEMA = "boolean-or-schema"
SCHEMA_OR_LIST = "schema-or-list"  # a schema, or a non-empty list of schemas
UNIQUE_ARRAY = "unique-array"  # a non-empty list without duplicates (jsonschema's `uniq`)

# the OAS 3.1 base dialect
KEYWORDS: dict[str, str] = {
    # core
    "$id": ID,
    "$schema": URI,
    "$ref": URI_REFERENCE,
    "$anchor": ANCHOR,
    "$dynamicRef": URI_REFERENCE,
    "$dynamicAnchor": ANCHOR,
    "$vocabulary": VOCABULARY,
    "$comment": STRING,
    "$defs": SCHEMA_MAP,
    # applicator
    "prefixItems": SCHEMA_LIST,
    "items": SCHEMA,
    "contains": SCHEMA,
    "additionalProperties": SCHEMA,
    "properties": SCHEMA_MAP,
    "patternProperties": PATTERN_SCHEMA_MAP,
    "dependentSchemas": SCHEMA_MAP,
    "propertyNames": SCHEMA,
    "if": SCHEMA,
    "then": SCHEMA,
    "else": SCHEMA,
    "allOf": SCHEMA_LIST,
    "anyOf": SCHEMA_LIST,
    "oneOf": SCHEMA_LIST,
    "not": SCHEMA,
    # unevaluated
    "unevaluatedItems": SCHEMA,
    "unevaluatedProperties": SCHEMA,
    # validation
    "type": TYPE,
    "enum": ARRAY,
    "multipleOf": POSITIVE_NUMBER,
    "maximum": NUMBER,
    "exclusiveMaximum": NUMBER,
    "minimum": NUMBER,
    "exclusiveMinimum": NUMBER,
    "maxLength": COUNT,
    "minLength": COUNT,
    "pattern": STRING,  # and a regex: checked apart
    "maxItems": COUNT,
    "minItems": COUNT,
    "uniqueItems": BOOLEAN,
    "maxContains": COUNT,
    "minContains": COUNT,
    "maxProperties": COUNT,
    "minProperties": COUNT,
    "required": STRING_SET,
    "dependentRequired": STRING_SET_MAP,
    # meta-data
    "title": STRING,
    "description": STRING,
    "deprecated": BOOLEAN,
    "readOnly": BOOLEAN,
    "writeOnly": BOOLEAN,
    "examples": ARRAY,
    # format-annotation
    "format": STRING,
    # content
    "contentEncoding": STRING,
    "contentMediaType": STRING,
    "contentSchema": SCHEMA,
    # kept by the 2020-12 meta-schema from older drafts
    "definitions": SCHEMA_MAP,
    "dependencies": DEPENDENCIES,
    "$recursiveAnchor": ANCHOR,
    "$recursiveRef": URI_REFERENCE,
    # OAS base vocabulary
    "discriminator": DISCRIMINATOR,
    "externalDocs": EXTERNAL_DOCS,
    "xml": XML,
}

# keywords the meta-schema names with the schema `true`: any value will do
UNCONSTRAINED = frozenset({"const", "default", "example"})

# the Draft 4 meta-schema (OpenAPI 3.0)
KEYWORDS_30: dict[str, str] = {
    "id": STRING,
    "$schema": STRING,
    "title": STRING,
    "description": STRING,
    "multipleOf": POSITIVE_NUMBER,
    "maximum": NUMBER,
    "exclusiveMaximum": BOOLEAN,  # and only beside `maximum`: checked apart
    "minimum": NUMBER,
    "exclusiveMinimum": BOOLEAN,  # and only beside `minimum`
    "maxLength": COUNT,
    "minLength": COUNT,
    "pattern": STRING,  # and a regex
    "additionalItems": BOOLEAN_OR_SCHEMA,
    "items": SCHEMA_OR_LIST,
    "maxItems": COUNT,
    "minItems": COUNT,
    "uniqueItems": BOOLEAN,
    "maxProperties": COUNT,
    "minProperties": COUNT,
    "required": STRING_SET,  # non-empty
    "additionalProperties": BOOLEAN_OR_SCHEMA,
    "definitions": SCHEMA_MAP,
    "properties": SCHEMA_MAP,
    "patternProperties": SCHEMA_MAP,  # no format on its keys in Draft 4
    "dependencies": DEPENDENCIES,
    "enum": UNIQUE_ARRAY,
    "type": TYPE,
    "format": STRING,
    "allOf": SCHEMA_LIST,
    "anyOf": SCHEMA_LIST,
    "oneOf": SCHEMA_LIST,
    "not": SCHEMA,
}
UNCONSTRAINED_30 = frozenset({"default"})
REQUIRES_30 = {"exclusiveMaximum": "maximum", "exclusiveMinimum": "minimum"}  # its `dependencies`


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Dialect:
    name: str
    keywords: dict[str, str]
    boolean_schemas: bool  # `true` and `false` are schemas (not in Draft 4)
    integral_floats: bool  # 1.0 is an integer (not in Draft 4)
    non_empty_string_sets: bool  # `required` and the like may not be empty (Draft 4)
    requires: dict[str, str]  # a keyword only allowed beside another


OAS_31 = Dialect("OAS 3.1 base dialect", KEYWORDS, True, True, False, {})
OAS_30 = Dialect("Draft 4 (OAS 3.0)", KEYWORDS_30, False, False, True, REQUIRES_30)

SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
ANCHOR_PATTERN = "^[A-Za-z_][-A-Za-z0-9._]*$"
ID_PATTERN = "^[^#]*#?$"

# Stack the real check needs, in recursion units: measured at 16 a nesting level at most
# (allOf, anyOf, oneOf, prefixItems of 3.1) and 21 besides on jsonschema 4.26 (3.0: 10
# and 15); twice that here.
UNITS_PER_LEVEL = 32
UNITS_FIXED = 100
MAX_LEVELS = 64  # deeper schemas are left to the real check

_anchor = re.compile(ANCHOR_PATTERN)
_id = re.compile(ID_PATTERN)


class _Unproven(Exception):
    pass


def _fail() -> Any:
    raise _Unproven


def _string_keyed(value: Any) -> Any:
    """The items of a JSON object whose keys are all strings (else unproven)."""
    if type(value) is not dict:
        _fail()
    for key in value:
        if type(key) is not str:
            _fail()
    return value.items()


class _Walk:
    """One proof: schema nodes already shown valid (id -> height) and those on the path."""

    __slots__ = ("dialect", "keywords", "conforms", "heights", "active")

    def __init__(self, dialect: Dialect, format_checker: Any) -> None:
        self.dialect = dialect
        self.keywords = dialect.keywords
        self.conforms = format_checker.conforms
        self.heights: dict[int, int] = {}
        self.active: set[int] = set()

    def format(self, value: str, name: str) -> None:
        try:
            ok = self.conforms(value, name)
        except Exception:  # the real check would raise it: let it
            ok = False
        if ok is not True:
            _fail()

    def schema(self, node: Any, level: int) -> int:
        """The nesting height of a valid schema; raise _Unproven otherwise."""
        kind = type(node)
        if kind is bool and self.dialect.boolean_schemas:
            return 0
        if kind is not dict:
            _fail()
        key = id(node)
        known = self.heights.get(key)
        if known is not None:
            return known
        if key in self.active or level >= MAX_LEVELS:
            _fail()  # a cycle, or deeper than worth proving
        self.active.add(key)
        height = 0
        for name, value in node.items():
            if type(name) is not str:
                _fail()
            what = self.keywords.get(name)
            if what is None:
                continue
            below = self.keyword(what, name, value, level)  # -1: no schema in it
            if below + 1 > height:
                height = below + 1
        for name, needed in self.dialect.requires.items():
            if name in node and needed not in node:
                _fail()
        self.active.discard(key)
        self.heights[key] = height
        return height

    def keyword(self, what: str, name: str, value: Any, level: int) -> int:
        """Check one keyword's value; the height of the schemas in it (-1: none)."""
        kind = type(value)
        if what is STRING:
            if kind is not str:
                _fail()
            if name == "pattern":
                self.format(value, "regex")
            return -1
        if what is SCHEMA:
            return self.schema(value, level + 1)
        if what is SCHEMA_MAP or what is PATTERN_SCHEMA_MAP:
            height = -1
            for key, sub in _string_keyed(value):
                if what is PATTERN_SCHEMA_MAP:
                    self.format(key, "regex")
                height = max(height, self.schema(sub, level + 1))
            return height
        if what is SCHEMA_LIST:
            if kind is not list or not value:
                _fail()
            return max(self.schema(sub, level + 1) for sub in value)
        if what is BOOLEAN_OR_SCHEMA:
            return -1 if kind is bool else self.schema(value, level + 1)
        if what is SCHEMA_OR_LIST:
            if kind is list:
                return self.keyword(SCHEMA_LIST, name, value, level)
            return self.schema(value, level + 1)
        if what is BOOLEAN:
            if kind is not bool:
                _fail()
            return -1
        if what is NUMBER:
            if kind is not int and kind is not float:
                _fail()
            return -1
        if what is POSITIVE_NUMBER:
            if (kind is not int and kind is not float) or not value > 0:
                _fail()
            return -1
        if what is COUNT:
            if kind is int:
                if value < 0:
                    _fail()
            elif kind is not float or not self.dialect.integral_floats or not value.is_integer() or value < 0:
                _fail()
            return -1
        if what is ARRAY:
            if kind is not list:
                _fail()
            return -1
        if what is UNIQUE_ARRAY:
            # scalars only: jsonschema's `uniq` recurses into lists and mappings
            if kind is not list or not value or any(type(item) not in _SCALARS for item in value):
                _fail()
            try:
                unique = uniq(value)
            except Exception:
                unique = False
            if unique is not True:
                _fail()
            return -1
        if what is TYPE:
            if kind is str:
                if value not in SIMPLE_TYPES:
                    _fail()
            elif kind is list:
                if not value or any(type(t) is not str or t not in SIMPLE_TYPES for t in value):
                    _fail()
                if len(set(value)) != len(value):
                    _fail()
            else:
                _fail()
            return -1
        if what is STRING_SET:
            self.string_set(value)
            return -1
        if what is STRING_SET_MAP:
            for key, sub in _string_keyed(value):
                self.string_set(sub)
            return -1
        if what is DEPENDENCIES:
            height = -1
            for key, sub in _string_keyed(value):
                if type(sub) is list:
                    self.string_set(sub)
                else:
                    height = max(height, self.schema(sub, level + 1))
            return height
        if what is URI or what is URI_REFERENCE:
            if kind is not str:
                _fail()
            self.format(value, what)
            return -1
        if what is ID:
            if kind is not str or not _id.search(value):
                _fail()
            self.format(value, URI_REFERENCE)
            return -1
        if what is ANCHOR:
            if kind is not str or not _anchor.search(value):
                _fail()
            return -1
        if what is VOCABULARY:
            if kind is not dict:
                _fail()
            for key, sub in value.items():
                if type(key) is not str or type(sub) is not bool:
                    _fail()
                self.format(key, URI)
            return -1
        if what is DISCRIMINATOR:
            self.oas_object(value, {"propertyName": STRING, "mapping": STRING_MAP}, "propertyName")
            return -1
        if what is EXTERNAL_DOCS:
            self.oas_object(value, {"url": URI_REFERENCE, "description": STRING}, "url")
            return -1
        if what is XML:
            fields = {"name": STRING, "namespace": URI, "prefix": STRING, "attribute": BOOLEAN, "wrapped": BOOLEAN}
            self.oas_object(value, fields, None)
            return -1
        _fail()  # a kind this walk does not know
        return -1  # pragma: no cover

    def string_set(self, value: Any) -> None:
        if type(value) is not list or (self.dialect.non_empty_string_sets and not value):
            _fail()
        for item in value:
            if type(item) is not str:
                _fail()
        if len(set(value)) != len(value):
            _fail()

    def oas_object(self, value: Any, fields: dict[str, str], required: str | None) -> None:
        """A Discriminator, External Documentation or XML object: these fields, and
        `x-` extensions with any value, and nothing else (`unevaluatedProperties: false`)."""
        if type(value) is not dict:
            _fail()
        if required is not None and required not in value:
            _fail()
        for key, sub in value.items():
            if type(key) is not str:
                _fail()
            what = fields.get(key)
            if what is None:
                if not key.startswith("x-"):
                    _fail()
            elif what is STRING_MAP:
                if type(sub) is not dict:
                    _fail()
                for name, target in sub.items():
                    if type(name) is not str or type(target) is not str:
                        _fail()
            elif what is STRING:
                if type(sub) is not str:
                    _fail()
            elif what is BOOLEAN:
                if type(sub) is not bool:
                    _fail()
            elif what is URI or what is URI_REFERENCE:
                if type(sub) is not str:
                    _fail()
                self.format(sub, what)
            else:
                _fail()


_SCALARS = frozenset({str, int, float, bool, type(None)})


def proves_valid(schema: Any, format_checker: Any, dialect: Dialect = OAS_31) -> bool:
    """True only when the meta-schema check of `dialect` with `format_checker` would
    raise nothing on `schema` (and would not run out of stack from here)."""
    walk = _Walk(dialect, format_checker)
    try:
        height = walk.schema(schema, 0)
    except (_Unproven, RecursionError):
        return False
    return _has_stack(UNITS_PER_LEVEL * (height + 1) + UNITS_FIXED)


def _has_stack(units: int) -> bool:
    """Whether `units` more nested calls fit under the recursion limit from here."""

    def descend(n: int) -> bool:
        return descend(n - 1) if n > 0 else True

    try:
        return descend(units)
    except RecursionError:
        return False
