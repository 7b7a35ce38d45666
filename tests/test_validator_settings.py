"""The stand-ins for the validator libraries' settings modules (generator/
validator_settings.py) hold what the real modules give when the environment sets
nothing, and stand aside when it sets something."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .helpers import BEAM_SPEC, ROOT

_READ = """
import json, sys
from generator import validator_settings
stood_in = validator_settings.install() if sys.argv[1] == "stand-in" else False
import openapi_spec_validator, openapi_schema_validator
from openapi_spec_validator import settings as spec
from openapi_schema_validator import settings as schema
from openapi_schema_validator import _caches
public = lambda m: sorted(n for n, v in vars(m).items() if not n.startswith("_") and not isinstance(v, type(json)))
s = spec.OpenAPISpecValidatorSettings()
print(json.dumps({
    "stood_in": stood_in,
    "pydantic": "pydantic" in sys.modules,
    "constants": [spec.ENV_PREFIX, spec.RESOLVED_CACHE_MAXSIZE_DEFAULT, spec.SCHEMA_VALIDATOR_BACKEND_DEFAULT, sorted(spec.SCHEMA_VALIDATOR_BACKEND_ALLOWED)],
    "spec": [s.resolved_cache_maxsize, s.schema_validator_backend, spec.get_resolved_cache_maxsize(), spec.get_schema_validator_backend()],
    "schema": [schema.get_settings().compiled_validator_cache_max_size],
    "names": [public(spec), public(schema)],
}))
"""


def _read(mode: str, **env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OPENAPI_SPEC_VALIDATOR_", "OPENAPI_SCHEMA_VALIDATOR_"))}
    proc = subprocess.run([sys.executable, "-c", _READ, mode], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_the_stand_ins_hold_what_the_real_modules_give() -> None:
    real, stand_in = _read("real"), _read("stand-in")
    assert stand_in["stood_in"] and not stand_in["pydantic"]
    assert not real["stood_in"] and real["pydantic"]
    for key in ("constants", "spec", "schema"):
        assert stand_in[key] == real[key], key
    # every public name of the real modules is there (the stand-ins may hold no more)
    for real_names, stand_in_names in zip(real["names"], stand_in["names"]):
        imported = {"BaseSettings", "SettingsConfigDict", "Field", "field_validator", "lru_cache"}
        assert set(real_names) - imported == set(stand_in_names)


def test_a_setting_in_the_environment_leaves_the_real_modules() -> None:
    for name in ("OPENAPI_SPEC_VALIDATOR_RESOLVED_CACHE_MAXSIZE", "openapi_schema_validator_compiled_validator_cache_max_size"):
        found = _read("stand-in", **{name: "7"})
        assert not found["stood_in"] and found["pydantic"]
    assert _read("stand-in", OPENAPI_SPEC_VALIDATOR_RESOLVED_CACHE_MAXSIZE="7")["spec"][0] == 7


def test_findings_are_the_same_either_way() -> None:
    code = (
        "import json, sys\n"
        "from generator.load import load\nfrom generator.diagnostics import Diagnostics\n"
        "from generator.validate import schema_findings\n"
        f"print(json.dumps(schema_findings(load({str(BEAM_SPEC)!r}, Diagnostics()).data)))\n"
    )
    runs = []
    for env in ({}, {"OPENAPI_SPEC_VALIDATOR_RESOLVED_CACHE_MAXSIZE": "128"}):
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=True)
        runs.append(json.loads(proc.stdout))
    assert runs[0] == runs[1]


_DEFERRED = """
import json, sys, os
from generator import validator_settings
validator_settings.install()  # as the validator's child does
deferred = validator_settings.defer_urllib()
import jsonschema_path, openapi_spec_validator
from jsonschema_path.handlers.urllib import UrllibHandler
from jsonschema_path.handlers.utils import uri_to_path
before = sorted(m for m in ("http.client", "ssl", "email") if m in sys.modules)
import tempfile
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
    fh.write('{"a": [1]}')
url = "file://" + fh.name
read = UrllibHandler("file")(url)  # through the stand-in's urlopen
import urllib.request
print(json.dumps({
    "deferred": deferred,
    "before": before,
    "read": read,
    "path": uri_to_path(url) == os.path.normpath("//" + fh.name),
    "real": type(sys.modules["urllib.request"]).__name__ == "module" and urllib.request.Request.__module__ == "urllib.request",
    "again": validator_settings.defer_urllib(),
}))
"""


def test_urllib_is_imported_only_when_a_url_is_opened() -> None:
    proc = subprocess.run([sys.executable, "-c", _DEFERRED], cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(proc.stdout)
    assert found["deferred"] and found["before"] == []  # the validator imported without them
    assert found["read"] == {"a": [1]} and found["path"] and found["real"]
    assert found["again"] is False  # the real module in place now: no stand-in again


_SCHEMAS = """
import json, sys
from generator import validator_settings
import openapi_spec_validator
from openapi_spec_validator.schemas import utils
versions = sys.argv[1:]
library = [utils.get_schema(v) for v in versions]
direct = validator_settings.read_schemas_directly()
ours = [utils.get_schema(v) for v in versions]
def shape(value):  # types and key order too
    if isinstance(value, dict):
        return ["dict", [[k, shape(v)] for k, v in value.items()]]
    if isinstance(value, list):
        return ["list", [shape(v) for v in value]]
    return [type(value).__name__, value]
print(json.dumps({"direct": direct, "again": validator_settings.read_schemas_directly(),
                  "same": [shape(a) == shape(b) and ua == ub for (a, ua), (b, ub) in zip(library, ours)],
                  "urllib": "http.client" in sys.modules}))
"""


def test_the_schemas_read_directly_are_the_librarys() -> None:
    import openapi_spec_validator

    folder = Path(openapi_spec_validator.__file__).parent / "resources" / "schemas"
    versions = sorted(p.parent.name[1:] for p in folder.glob("v*/schema.json"))
    assert {"3.0", "3.1"} <= set(versions)
    proc = subprocess.run([sys.executable, "-c", _SCHEMAS, *versions], cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(proc.stdout)
    assert found["direct"] and found["again"]
    assert found["same"] == [True] * len(versions)
