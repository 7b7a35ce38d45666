"""Stand-ins for the settings modules of openapi-spec-validator and
openapi-schema-validator, installed before the validator is imported when no environment
variable sets any of their settings.

Each library reads three numbers and a name from the environment through
pydantic-settings, and importing pydantic for that is half of the validator's import
(about a tenth of a second of each run that validates, on the path of its result). With
no such variable set, the settings are the libraries' defaults, which the stand-ins
hold; with one set, the libraries' own modules are imported and read it. A test compares
the stand-ins with the real modules, attribute by attribute.

`defer_urllib`: the validator's URL handlers take `urlopen` from `urllib.request` as they
are imported, which imports `http.client`, `ssl` and `email` (about 0.015 s), for
documents with no URL to open. The validator's child stands a module in for it whose
`urlopen` imports the real one when called.

`read_schemas_directly`: openapi-spec-validator reads the OpenAPI schema it ships, a JSON
file, through that URL handler and a YAML loader on each run (about 0.01 s, and the
import of urllib.request). Read as JSON, it is the same data (a test compares them,
types and key order too)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import types
from pathlib import Path
from typing import Any, cast

SPEC_PREFIX = "OPENAPI_SPEC_VALIDATOR_"
SCHEMA_PREFIX = "OPENAPI_SCHEMA_VALIDATOR_"


def _spec_settings() -> types.ModuleType:
    """openapi_spec_validator.settings, as it reads an environment that sets nothing."""
    module = types.ModuleType("openapi_spec_validator.settings", "Defaults of openapi-spec-validator's settings.")
    values: dict[str, Any] = {
        "ENV_PREFIX": SPEC_PREFIX,
        "RESOLVED_CACHE_MAXSIZE_DEFAULT": 128,
        "SCHEMA_VALIDATOR_BACKEND_DEFAULT": "auto",
        "SCHEMA_VALIDATOR_BACKEND_ALLOWED": {"auto", "jsonschema", "jsonschema-rs"},
    }

    class OpenAPISpecValidatorSettings:
        resolved_cache_maxsize = values["RESOLVED_CACHE_MAXSIZE_DEFAULT"]
        schema_validator_backend = values["SCHEMA_VALIDATOR_BACKEND_DEFAULT"]

    module.__dict__.update(
        values,
        OpenAPISpecValidatorSettings=OpenAPISpecValidatorSettings,
        get_resolved_cache_maxsize=lambda: OpenAPISpecValidatorSettings.resolved_cache_maxsize,
        get_schema_validator_backend=lambda: OpenAPISpecValidatorSettings.schema_validator_backend,
    )
    return module


def _schema_settings() -> types.ModuleType:
    """openapi_schema_validator.settings, as it reads an environment that sets nothing."""
    module = types.ModuleType("openapi_schema_validator.settings", "Defaults of openapi-schema-validator's settings.")

    class OpenAPISchemaValidatorSettings:
        compiled_validator_cache_max_size = 128

    settings = OpenAPISchemaValidatorSettings()

    def get_settings() -> OpenAPISchemaValidatorSettings:
        return settings

    get_settings.cache_clear = lambda: None  # type: ignore[attr-defined]  # (an lru_cache there)
    module.__dict__.update(
        OpenAPISchemaValidatorSettings=OpenAPISchemaValidatorSettings,
        get_settings=get_settings,
        reset_settings_cache=get_settings.cache_clear,  # type: ignore[attr-defined]
    )
    return module


_installed = False


def install() -> bool:
    """Put the stand-ins in place, unless the environment sets a setting or a library
    is imported already. Whether they are in place."""
    global _installed
    if _installed:
        return True
    if any(name.upper().startswith((SPEC_PREFIX, SCHEMA_PREFIX)) for name in os.environ):
        return False
    if any(name.split(".")[0] in ("openapi_spec_validator", "openapi_schema_validator") for name in sys.modules):
        return False
    sys.modules["openapi_spec_validator.settings"] = _spec_settings()
    sys.modules["openapi_schema_validator.settings"] = _schema_settings()
    _installed = True
    return True


def _real_urllib_request() -> types.ModuleType:
    """The real `urllib.request`, imported in the stand-in's place."""
    module = sys.modules.get("urllib.request")
    if isinstance(module, _LazyRequest):
        del sys.modules["urllib.request"]
        module = importlib.import_module("urllib.request")  # (sets urllib.request too)
    return module if module is not None else importlib.import_module("urllib.request")


class _LazyRequest(types.ModuleType):
    """Stands in for `urllib.request` until any other name is wanted of it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks (`__path__`), not a use
            raise AttributeError(name)
        return getattr(_real_urllib_request(), name)


def _urlopen(*args: Any, **kwargs: Any) -> Any:
    return _real_urllib_request().urlopen(*args, **kwargs)


def defer_urllib() -> bool:
    """Put the `urllib.request` stand-in in place, unless it is imported already.
    Whether it is in place."""
    if "urllib.request" in sys.modules:
        return isinstance(sys.modules["urllib.request"], _LazyRequest)
    import urllib

    stand_in = _LazyRequest("urllib.request", "Stands in for urllib.request until it is used.")
    stand_in.urlopen = _urlopen  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    urllib.request = stand_in
    return True


def read_schemas_directly() -> bool:
    """Have openapi-spec-validator (imported by now) read its schemas as JSON files.
    Whether it does."""
    try:
        from openapi_spec_validator.schemas import utils
    except ImportError:
        return False
    original = getattr(utils, "get_schema", None)
    if original is None or getattr(original, "reads_directly", False):
        return original is not None
    import importlib.resources  # (here: the main process, which never validates, skips it)

    root = importlib.resources.files("openapi_spec_validator")
    if not isinstance(root, Path):
        return False  # not a folder of files (a zip, say): read as the library does

    def get_schema(version: str) -> tuple[Any, str]:
        path = (root / f"resources/schemas/v{version}/schema.json").absolute()
        if not path.is_file():
            return cast("tuple[Any, str]", original(version))
        return json.loads(path.read_text(encoding="utf-8")), path.as_uri()

    get_schema.reads_directly = True  # type: ignore[attr-defined]
    utils.get_schema = get_schema
    return True
