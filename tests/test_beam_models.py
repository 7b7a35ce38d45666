"""Decoding and encoding of the generated Beam models, without the network."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import beam_api
from beam_api.models import Task, TaskStatus


def test_omitted_and_null_are_told_apart() -> None:
    assert Task().to_dict() == {}
    assert Task(status=None).to_dict() == {"status": None}
    task = Task.from_dict({"status": None})
    assert task.status is None and task.started_at is beam_api.NOT_GIVEN
    assert task.to_dict() == {"status": None}


def test_round_trip_keeps_unknown_fields_and_values() -> None:
    wire = {
        "id": "55108039-e3bf-409b-bad5-f4982b2f1c02",
        "status": "RETRY",
        "started_at": "2026-11-30T10:31:52.123456789Z",
        "ended_at": None,
        "stats": {"queue_depth": 3},
        "outputs": [{"name": "a", "url": "u", "expires_in": 3600}],
    }
    task = Task.from_dict(wire)
    assert task.id == uuid.UUID(wire["id"])  # type: ignore[arg-type]
    assert task.status == "RETRY" and isinstance(task.status, TaskStatus)
    assert task.started_at == datetime(2026, 11, 30, 10, 31, 52, 123456, tzinfo=timezone.utc)
    assert task.additional_properties == {"stats": {"queue_depth": 3}}
    encoded = task.to_dict()
    assert encoded["status"] == "RETRY" and encoded["stats"] == {"queue_depth": 3}
    assert encoded["ended_at"] is None
    assert Task.from_dict(encoded) == task


def test_timestamps_with_offsets_and_no_fraction() -> None:
    from beam_api._base import parse_datetime

    assert parse_datetime("2026-11-30T10:31:52+02:00").utcoffset() == timedelta(hours=2)
    assert parse_datetime("2026-11-30T10:31:52.5Z").microsecond == 500000
    assert parse_datetime("2026-11-30t10:31:52.000000001z").tzinfo == timezone.utc


def test_known_enum_members_stay_singletons() -> None:
    assert TaskStatus("COMPLETE") is TaskStatus.COMPLETE
    assert TaskStatus("EXPIRED").value == "EXPIRED"
