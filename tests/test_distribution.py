"""`generated/` is an installable distribution carrying its stubs and py.typed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_generated_builds_a_wheel_with_stubs(tmp_path: Path) -> None:
    src = tmp_path / "src"
    subprocess.run(["cp", "-r", str(ROOT / "generated"), str(src)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("beam_api-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("__init__", "_base", "_client", "_exceptions", "models", "resources/tasks"):
        assert f"beam_api/{module}.py" in names
        assert f"beam_api/{module}.pyi" in names
    assert "beam_api/py.typed" in names
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Python: >=3.10" in text and "Requires-Dist: httpx" in text
