"""Per-call timing, run in its own interpreter: `python -m tests.bench.client_calls URL N ROUNDS OUT`.

Alternates blocks of N sequential calls through raw httpx and through the generated
Beam client (sync, then async), ROUNDS times, and prints per-call medians as JSON."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import uuid

import httpx

URL, N, ROUNDS, OUT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, OUT)
import beam_api  # noqa: E402

TASK_ID = uuid.UUID("5b1e2c4a-8a7e-4a55-9a4c-1a2b3c4d5e6f")
HEADERS = {"Authorization": "Bearer bench"}


def sync_round() -> tuple[float, float]:
    with httpx.Client() as http:
        for _ in range(20):  # warm the connection
            http.get(f"{URL}/v2/task/{TASK_ID}/", headers=HEADERS)
        t0 = time.perf_counter()
        for _ in range(N):
            r = http.get(f"{URL}/v2/task/{TASK_ID}/", headers=HEADERS)
            r.raise_for_status()
            r.json()
        raw = (time.perf_counter() - t0) / N
    client = beam_api.Client("bench", server_overrides={"https://api.beam.cloud": URL})
    for _ in range(20):
        client.tasks.get_task_status(TASK_ID)
    t0 = time.perf_counter()
    for _ in range(N):
        client.tasks.get_task_status(TASK_ID)
    ours = (time.perf_counter() - t0) / N
    client.close()
    return raw, ours


async def async_round() -> tuple[float, float]:
    async with httpx.AsyncClient() as http:
        for _ in range(20):
            await http.get(f"{URL}/v2/task/{TASK_ID}/", headers=HEADERS)
        t0 = time.perf_counter()
        for _ in range(N):
            r = await http.get(f"{URL}/v2/task/{TASK_ID}/", headers=HEADERS)
            r.raise_for_status()
            r.json()
        raw = (time.perf_counter() - t0) / N
    client = beam_api.AsyncClient("bench", server_overrides={"https://api.beam.cloud": URL})
    for _ in range(20):
        await client.tasks.get_task_status(TASK_ID)
    t0 = time.perf_counter()
    for _ in range(N):
        await client.tasks.get_task_status(TASK_ID)
    ours = (time.perf_counter() - t0) / N
    await client.close()
    return raw, ours


def main() -> None:
    result = {}
    for name, run in (("sync", sync_round), ("async", lambda: asyncio.run(async_round()))):
        raws, ours = [], []
        for _ in range(ROUNDS):
            raw, mine = run()
            raws.append(raw)
            ours.append(mine)
        result[name] = {"raw": statistics.median(raws), "ours": statistics.median(ours)}
    print(json.dumps(result))


main()
