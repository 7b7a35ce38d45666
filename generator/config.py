"""`[tool.generator]` in pyproject.toml -> a frozen Config."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Protocol


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class OperationOptions:
    """Per-operation settings, keyed by operationId."""

    timeout: float | None = None
    # "any": the operation returns whatever JSON value the server sends, whatever the
    # spec declares (for gateways looser than their spec).
    response: str = ""


@dataclass(frozen=True)
class Config:
    spec: Path = Path("specs/openapi.yml")
    output: Path = Path("generated")
    package: str = ""  # default: derived from the spec title
    dist_name: str = ""  # default: the package name with dashes
    env_prefix: str = ""  # default: derived from the package name
    templates: tuple[Path, ...] = ()
    overlays: tuple[Path, ...] = ()
    timeout: float = 60.0
    connect_timeout: float = 5.0
    operations: Mapping[str, OperationOptions] = field(default_factory=lambda: MappingProxyType({}))
    strict: bool = False
    # black over all output, even what templates render in black's style (a check of
    # that style; command line only)
    full_black: bool = False

    def options_for(self, operation_id: str) -> OperationOptions:
        return self.operations.get(operation_id, OperationOptions())

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(value: Any, where: str) -> float:
    # (TOML reads nan and inf: neither is a timeout, nor a literal the client could hold)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ConfigError(f"{where} must be a positive number, not {value!r}")
    return float(value)


def _paths(table: dict[str, Any], key: str, base: Path, where: Path) -> tuple[Path, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: [tool.generator] {key} must be a list of paths")
    return tuple(base / v for v in value)


def load_config(pyproject: Path | None, tables: TableMemo | None = None) -> Config:
    """Read the config; a missing file or table gives the defaults. `tables`: the
    `[tool.generator]` tables read before, by the file's bytes (TOML's parser, with the
    `datetime` it imports, is a twentieth of a run that finds its stamp fresh)."""
    if pyproject is None or not pyproject.is_file():
        return Config()
    try:
        data = pyproject.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table = tables.get(data) if tables is not None else None
    if table is None:
        import tomllib

        if "\r" in text:  # (as text mode reads it)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        try:
            table = tomllib.loads(text).get("tool", {}).get("generator", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{pyproject}: {exc}") from None
        if tables is not None and isinstance(table, dict):
            tables.put(data, table)
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.generator] must be a table")
    base = pyproject.parent
    known = {f for f in Config.__dataclass_fields__} | {"package-name", "env-prefix", "dist-name"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown [tool.generator] keys: {', '.join(unknown)}")
    ops: dict[str, OperationOptions] = {}
    for op_id, raw in sorted(table.get("operations", {}).items()):
        where = f"[tool.generator.operations.{op_id}]"
        if not isinstance(raw, dict) or set(raw) - {"timeout", "response"}:
            raise ConfigError(f"{pyproject}: {where} takes only `timeout` and `response`")
        response = raw.get("response", "")
        if response not in ("", "any"):
            raise ConfigError(f"{pyproject}: {where} response must be \"any\"")
        timeout = _number(raw["timeout"], f"{where} timeout") if "timeout" in raw else None
        ops[op_id] = OperationOptions(timeout=timeout, response=response)
    return Config(
        spec=base / table.get("spec", "specs/openapi.yml"),
        output=base / table.get("output", "generated"),
        package=str(table.get("package", table.get("package-name", ""))),
        dist_name=str(table.get("dist_name", table.get("dist-name", ""))),
        env_prefix=str(table.get("env_prefix", table.get("env-prefix", ""))),
        templates=_paths(table, "templates", base, pyproject),
        overlays=_paths(table, "overlays", base, pyproject),
        timeout=_number(table.get("timeout", 60.0), "timeout"),
        connect_timeout=_number(table.get("connect_timeout", 5.0), "connect_timeout"),
        operations=MappingProxyType(ops),
        strict=bool(table.get("strict", False)),
    )


class TableMemo(Protocol):
    """Config tables by the bytes of the file they were read from (cache.ConfigTables)."""

    def get(self, data: bytes) -> dict[str, Any] | None: ...

    def put(self, data: bytes, table: dict[str, Any]) -> None: ...


