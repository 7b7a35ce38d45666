"""Stand-ins for the settings modules of openapi-spec-validator and
openapi-schema-validator, installed before the validator is imported when no environment
variable sets any of their settings.

Each library reads three numbers and a name from the environment through
pydantic-settings, and importing pydantic for that is half of the validator's import
(about a tenth of a second of each run that validates, on the path of its result). With
no such variable set, the settings are the libraries' defaults, which the stand-ins
hold; with one set, the libraries' own modules are imported and read it. A test compares
the stand-ins with the real modules, attribute by attribute."""

from __future__ import annotations

import os
import sys
import types
from typing import Any

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
