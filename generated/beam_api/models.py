"""Data models of Beam API.

Models keep every field the server sends: unknown ones land in `additional_properties`.
Enums are open: a value the spec does not list is kept as a member, not raised.
Optional fields are `NOT_GIVEN` when absent and `None` when the server sent null.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ._base import NOT_GIVEN, NotGiven, open_enum_member, parse_datetime, present, take

__all__ = [
    "CancelTasksBody",
    "Task",
    "TaskStatus",
    "TaskSubmitResponse",
]


class TaskStatus(str, enum.Enum):
    """Current task state."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"
    TIMEOUT = "TIMEOUT"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return open_enum_member(cls, value)


@dataclass(kw_only=True)
class TaskSubmitResponse:
    task_id: UUID | None | NotGiven = NOT_GIVEN
    """Identifier used to poll status or correlate the callback."""
    additional_properties: dict[str, Any] = field(default_factory=dict[str, Any])
    """Fields the server sent that the spec does not declare."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskSubmitResponse:
        d = dict(data)
        v1: Any = take(d, "task_id", NOT_GIVEN)
        if present(v1):
            v1 = UUID(v1)
        return cls(
            task_id=v1,
            additional_properties=d,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.additional_properties)
        if not isinstance(self.task_id, NotGiven):
            out["task_id"] = None if self.task_id is None else str(self.task_id)
        return out


@dataclass(kw_only=True)
class Task:
    id: UUID | None | NotGiven = NOT_GIVEN
    status: TaskStatus | None | NotGiven = NOT_GIVEN
    """Current task state."""
    outputs: list[dict[str, Any]] | None | NotGiven = NOT_GIVEN
    """Output artifacts (e.g. files with downloadable URLs)."""
    started_at: datetime | None | NotGiven = NOT_GIVEN
    ended_at: datetime | None | NotGiven = NOT_GIVEN
    expires_in: int | None | NotGiven = NOT_GIVEN
    """Seconds until the outputs expire."""
    additional_properties: dict[str, Any] = field(default_factory=dict[str, Any])
    """Fields the server sent that the spec does not declare."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        d = dict(data)
        v1: Any = take(d, "id", NOT_GIVEN)
        if present(v1):
            v1 = UUID(v1)
        v2: Any = take(d, "status", NOT_GIVEN)
        if present(v2):
            v2 = TaskStatus(v2)
        v3: Any = take(d, "outputs", NOT_GIVEN)
        v4: Any = take(d, "started_at", NOT_GIVEN)
        if present(v4):
            v4 = parse_datetime(v4)
        v5: Any = take(d, "ended_at", NOT_GIVEN)
        if present(v5):
            v5 = parse_datetime(v5)
        v6: Any = take(d, "expires_in", NOT_GIVEN)
        return cls(
            id=v1,
            status=v2,
            outputs=v3,
            started_at=v4,
            ended_at=v5,
            expires_in=v6,
            additional_properties=d,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.additional_properties)
        if not isinstance(self.id, NotGiven):
            out["id"] = None if self.id is None else str(self.id)
        if not isinstance(self.status, NotGiven):
            out["status"] = None if self.status is None else self.status.value
        if not isinstance(self.outputs, NotGiven):
            out["outputs"] = self.outputs
        if not isinstance(self.started_at, NotGiven):
            out["started_at"] = None if self.started_at is None else self.started_at.isoformat()
        if not isinstance(self.ended_at, NotGiven):
            out["ended_at"] = None if self.ended_at is None else self.ended_at.isoformat()
        if not isinstance(self.expires_in, NotGiven):
            out["expires_in"] = self.expires_in
        return out


@dataclass(kw_only=True)
class CancelTasksBody:
    task_ids: list[UUID]
    additional_properties: dict[str, Any] = field(default_factory=dict[str, Any])
    """Fields the server sent that the spec does not declare."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CancelTasksBody:
        d = dict(data)
        v1: Any = take(d, "task_ids")
        if present(v1):
            v1 = [UUID(_i0) for _i0 in v1]
        return cls(
            task_ids=v1,
            additional_properties=d,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.additional_properties)
        out["task_ids"] = [str(_i0) for _i0 in self.task_ids]
        return out
