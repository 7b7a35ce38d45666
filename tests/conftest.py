from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers import ROOT

# The committed client is imported straight from generated/, as users would after
# `pip install ./generated`.
sys.path.insert(0, str(ROOT / "generated"))


@pytest.fixture(autouse=True)
def _shared_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generator runs in tests keep their cache in one folder of the session, so tests that
    watch a project folder see only what generation itself writes there."""
    monkeypatch.setenv("GENERATOR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "generator-cache"))


@pytest.fixture(scope="module")
def beam() -> Iterator[Any]:
    from tests.beam_server import BeamServer

    with BeamServer() as server:
        yield server


@pytest.fixture
def server(beam: Any) -> Any:
    beam.state.clear()
    return beam


class Harness:
    """Drives the sync or the async client with one test body."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.loop = asyncio.new_event_loop()
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        import beam_api

        cls = beam_api.AsyncClient if self.kind == "async" else beam_api.Client
        client = cls(**kwargs)
        self.clients.append(client)
        return client

    def run(self, value: Any) -> Any:
        return self.loop.run_until_complete(value) if inspect.isawaitable(value) else value

    def raises(self, exc: type[BaseException], fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with pytest.raises(exc) as info:
            self.run(fn(*args, **kwargs))
        return info.value

    def close(self) -> None:
        for client in self.clients:
            self.run(client.close())
        self.loop.close()


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    h = Harness(request.param)
    yield h
    h.close()
