"""The generated client promises Python >= 3.10: run it on 3.10 itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

SCRIPT = """
import asyncio, uuid
import beam_api
from beam_api._base import parse_datetime
from beam_api.models import Task
task = Task.from_dict({"status": "RETRY", "started_at": "2026-11-30T10:31:52.123456789Z", "x": 1})
assert task.status == "RETRY" and task.started_at.microsecond == 123456, task
assert task.additional_properties == {"x": 1}
assert parse_datetime("2026-11-30t10:31:52.5z").microsecond == 500000
client = beam_api.Client(token="t")
assert client.tasks.with_raw_response is not None
async def main():
    async with beam_api.AsyncClient(token="t") as c:
        assert c.web_endpoints is not None
asyncio.run(main())
print("ok")
"""


def python310() -> str:
    # pyenv's shim for python3.10 refuses to run unless 3.10 is selected: use the binary
    found = next(
        (str(p) for p in sorted(Path("/root/.pyenv/versions").glob("3.10.*/bin/python3.10"))), None
    ) or shutil.which("python3.10")
    if found is None:
        pytest.fail("no Python 3.10 interpreter on this machine")
    return found


def test_client_imports_and_decodes_on_python310(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([python310(), "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "httpx", "typing_extensions"],
        capture_output=True, text=True, timeout=300,
    )
    assert pip.returncode == 0, pip.stderr
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SCRIPT],
        cwd=ROOT / "generated", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
