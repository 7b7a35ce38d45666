"""The corpus script on a few small real-world documents (the whole corpus: `make corpus`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.corpus import DEFAULT_CORPUS, ROOT, find_documents

pytestmark = pytest.mark.skipif(not DEFAULT_CORPUS.is_dir(), reason="no corpus checked out beside the repo")


def test_corpus_script_on_small_documents() -> None:
    names = ["oai__petstore__1.0.0.yaml", "redocly__cafe-starter__1.0.0", "fixture-osv__empty__none.yaml"]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.corpus", str(DEFAULT_CORPUS), "--only", *names],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.split() and line.split()[0] in names}
    # name, generated, warnings, import, mypy, strict, seconds
    assert rows["oai__petstore__1.0.0.yaml"][1:2] + rows["oai__petstore__1.0.0.yaml"][3:6] == ["yes", "yes", "0", "0"]
    assert rows["redocly__cafe-starter__1.0.0"][3:5] == ["yes", "0"]  # the multi-file tree
    assert rows["fixture-osv__empty__none.yaml"][1] == "NO"  # no paths: a located error
    assert "fixture-osv__empty__none.yaml: not generated (exit 2)" in proc.stdout
    assert "error[no-paths]" in proc.stdout


def test_multi_file_trees_are_found_by_their_root() -> None:
    found = dict(find_documents(DEFAULT_CORPUS))
    assert found["digitalocean__public-api__2.0"].name == "DigitalOcean-public.v2.yaml"
    assert found["redocly__cafe-starter__1.0.0"].name == "openapi.yaml"
