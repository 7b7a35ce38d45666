"""Of a schema's meta-schema errors, openapi-spec-validator reports one: with
generator/validator_order.py it is the first in the schema as written, under any
PYTHONHASHSEED (jsonschema yields them in an order that follows string hashes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from generator.validator_order import document_order

from .helpers import ROOT
from .test_validation_fast import CORPUS, corpus, needs_corpus

_FIND = """
import json, sys
from generator.validate import schema_findings
doc = json.loads(sys.argv[1])
print(json.dumps([f[2] for f in schema_findings(doc, fast=sys.argv[2] == "fast")]))
"""


def _doc(names: list[str]) -> dict[str, Any]:
    wrong = {"oneOf": [{"type": "null"}, {"type": "number", "exclusiveMinimum": True}]}
    properties = {name: json.loads(json.dumps(wrong)) for name in names}
    schema = {"type": "object", "properties": properties}
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"S": schema}}}


def _pointers(doc: dict[str, Any], seed: int, mode: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    proc = subprocess.run([sys.executable, "-c", _FIND, json.dumps(doc), mode], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return list(json.loads(proc.stdout))


def test_the_first_of_equal_errors_in_document_order_under_any_seed() -> None:
    for names in (["a", "b", "c"], ["c", "b", "a"]):
        first = names[0]
        expected = [f"/components/schemas/S/properties/{first}/oneOf/1/exclusiveMinimum"]
        for seed in range(1, 5):
            for mode in ("fast", "slow"):
                assert _pointers(_doc(names), seed, mode) == expected, (names, seed, mode)


def test_document_order() -> None:
    data = {"b": {"y": [10, {"q": 1}]}, "a": {"x": 1}}
    assert document_order(data, ["a", "x"]) == [1, 0]
    assert document_order(data, ["b", "y", 1, "q"]) == [0, 0, 1, 0]
    assert document_order(data, ["b", "nowhere"]) < document_order(data, ["a"])
    assert document_order(data, ["b", "y", 7]) == [0, 0, 1 << 30]


_CORPUS_FINDINGS = """
import json, sys
from generator.diagnostics import Diagnostics
from generator.load import load
from generator.validate import schema_findings
print(json.dumps({path: schema_findings(load(path, Diagnostics()).data) for path in sys.argv[1:]}))
"""


@needs_corpus
def test_corpus_findings_are_the_same_under_two_seeds() -> None:
    assert CORPUS is not None
    names = {name for version in ("3.0", "3.1") for name in sorted(corpus(version))[:8]}
    # (the OpenAI document holds equal mistakes: without the fix, its findings differ)
    names |= {name for version in ("3.0", "3.1") for name in corpus(version) if name.startswith("openai__")}
    paths = [str(CORPUS / name) for name in sorted(names)]
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", _CORPUS_FINDINGS, *paths], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=600
        )
        runs.append(json.loads(proc.stdout))
    assert runs[0] == runs[1]
    assert sum(len(found) for found in runs[0].values()) > 0
