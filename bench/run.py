"""Runs every benchmark, each beside its peer in the same run, and writes BENCHMARKS.md.

`make bench` (or `python3 bench/run.py [quick]`). Harnesses print JSON lines; this script
starts the mock Connectly for the ones that send, collects the lines, checks each figure
against its target, and writes the report with the exact commands that produced it.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUICK = "quick" in sys.argv[1:]
VENV_PY = ROOT / "build" / "bench-venv" / "bin" / "python"
CLI = ROOT / "target" / "release" / "connectly"


@dataclass
class Section:
    title: str
    command: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def run(
    cmd: list[str] | str, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: int = 1800
) -> str:
    shown = cmd if isinstance(cmd, str) else " ".join(cmd)
    print(f"bench: $ {shown}", file=sys.stderr, flush=True)
    done = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        shell=isinstance(cmd, str),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{shown} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


class Mock:
    """The mock Connectly, started through the release CLI."""

    def __enter__(self) -> dict[str, str]:
        self.dir = tempfile.mkdtemp()
        env_file = Path(self.dir) / "mock.env"
        self.proc = subprocess.Popen(
            [str(CLI), "mock", "--env-file", str(env_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            if env_file.exists() and env_file.stat().st_size:
                break
            time.sleep(0.05)
        pairs = (line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
        return {**os.environ, **dict(pairs)}

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def rust_section() -> Section:
    cmd = "cargo bench --locked -p connectly --bench rust" + (" -- quick" if QUICK else "")
    # Its in-flight rows send to the mock Connectly the Go row sends to; the rest start
    # mocks of their own.
    with Mock() as env:
        return Section("Rust", cmd, json_lines(run(cmd, env=env)))


def openssl_section() -> Section:
    cmd = "openssl speed -seconds 3 -bytes 16384 -hmac sha256"
    out = run(cmd)
    match = re.search(r"hmac\(sha256\)\s+([\d.]+)k", out)
    rows = []
    if match:
        rows.append(
            {
                "group": "openssl",
                "name": "HMAC-SHA256, 16 KiB blocks",
                "mb_per_s": float(match.group(1)) / 1000,
            }
        )
    return Section("OpenSSL (the 1 MiB throughput reference)", cmd, rows)


def mock_section() -> Section:
    if shutil.which("wrk") is None:
        return Section(
            "Mock Connectly throughput", "wrk", note="wrk is not installed: not measured"
        )
    with Mock() as env:
        business = env["CONNECTLY_BUSINESS_ID"]
        url = f"{env['CONNECTLY_BASE_URL']}/v1/businesses/{business}/send/messages"
        seconds = 3 if QUICK else 10
        cmd = f"wrk -t2 -c8 -d{seconds}s -s bench/post.lua {url}"
        out = run(cmd, env=env)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rows = [
        {
            "group": "mock",
            "name": "POST /send/messages, 8 keep-alive connections",
            "per_s": float(match.group(1)) if match else 0.0,
            "non_2xx": int(errors.group(1)) if errors else 0,
        }
    ]
    return Section(
        "Mock Connectly throughput",
        cmd.replace(url, "$MOCK/v1/businesses/mock-business/send/messages"),
        rows,
    )


def python_section() -> Section | None:
    if not VENV_PY.exists():
        return None
    cmd = "build/bench-venv/bin/python bench/python/bench.py" + (" quick" if QUICK else "")
    with Mock() as env:
        rows = json_lines(run(cmd, env=env))
    # The median of 5 fresh interpreters: one import alone ranged from 13 to 38 ms here,
    # depending on what the page cache still held.
    imports = []
    for _ in range(5):
        trace = subprocess.run(
            [str(VENV_PY), "-X", "importtime", "-c", "import connectly"],
            capture_output=True,
            text=True,
        ).stderr
        cumulative = [
            int(m.group(1)) for m in re.finditer(r"\|\s+(\d+) \| \s*connectly$", trace, re.M)
        ]
        if cumulative:
            imports.append(cumulative[-1])
    if imports:
        rows.append(
            {
                "group": "footprint",
                "name": "import connectly (median of 5)",
                "us": sorted(imports)[len(imports) // 2],
            }
        )
    wheels = sorted((ROOT / "dist").glob("connectly_sdk-*.whl"))
    if wheels:
        rows.append(
            {"group": "footprint", "name": "wheel size", "bytes": wheels[-1].stat().st_size}
        )
    return Section("Python", cmd, rows)


def extra_sections() -> list[Section]:
    """Harnesses other languages add: bench/<lang>/run prints JSON lines given the mock env."""
    sections = []
    for script in sorted(ROOT.glob("bench/*/run")):
        cmd = f"{script.relative_to(ROOT)}" + (" quick" if QUICK else "")
        with Mock() as env:
            sections.append(
                Section(
                    script.parent.name.upper()
                    if len(script.parent.name) == 1
                    else script.parent.name.capitalize(),
                    cmd,
                    json_lines(run(cmd, env=env)),
                )
            )
    return sections


def fleet_section() -> Section:
    """Four `connectly bulk` processes sharing one RedisRateLimiter at 200/s: the aggregate
    rate the mock saw, and its busiest second."""
    redis = os.environ.get("CONNECTLY_TEST_REDIS_URL")
    per_process, rate = (300 if QUICK else 1000), 200
    cmd = (
        f"4 x connectly bulk FILE --redis $REDIS --redis-rate {rate} ({per_process} messages each)"
    )
    if not redis:
        return Section("Fleet", cmd, note="no Redis (make bench starts one): not measured")
    import urllib.request

    with Mock() as env, tempfile.TemporaryDirectory() as tmp:
        procs = []
        for p in range(4):
            path = Path(tmp) / f"p{p}.jsonl"
            path.write_text(
                "".join(
                    json.dumps({"to": "+15555555555", "text": f"p{p}-{i}"}) + "\n"
                    for i in range(per_process)
                )
            )
            procs.append(
                subprocess.Popen(
                    [str(CLI), "bulk", str(path), "--redis", redis, "--redis-rate", str(rate)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"connectly bulk failed: {err.decode()[-2000:]}")
        request = urllib.request.Request(
            f"{env['CONNECTLY_BASE_URL']}/_mock/requests",
            headers={"X-API-Key": env["CONNECTLY_API_KEY"]},
        )
        with urllib.request.urlopen(request) as reply:
            log = json.load(reply)
    times = sorted(r["received_unix_ms"] for r in log)
    texts = [r["json"]["message"]["text"] for r in log]
    most, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= 1000:
            start += 1
        most = max(most, end - start + 1)
    seconds = (times[-1] - times[0]) / 1000
    row = {
        "group": "fleet",
        "name": f"4 processes, one RedisRateLimiter at {rate}/s (burst 20)",
        "per_s": (len(times) - 1) / seconds,
        "target_per_s": rate,
        "messages": len(times),
        "most_in_one_second": most,
        "bound": rate + 20,
        "each_once": len(set(texts)) == len(texts) == 4 * per_process,
    }
    return Section("Fleet", cmd, [row])


def library_size() -> Section | None:
    lib = ROOT / "target" / "release" / "libconnectly.so"
    if not lib.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        stripped = Path(tmp) / "libconnectly.so"
        shutil.copy(lib, stripped)
        subprocess.run(["strip", str(stripped)], check=True)
        size = stripped.stat().st_size
    return Section(
        "C library",
        "strip target/release/libconnectly.so",
        [{"group": "footprint", "name": "libconnectly.so, stripped", "bytes": size}],
    )


def fmt_ns(ns: float) -> str:
    return (
        f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} us" if ns >= 1e3 else f"{ns:.0f} ns"
    )


def check(row: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The target this row answers to, and whether it is met."""
    group, name, ratio = row.get("group", ""), row.get("name", ""), row.get("ratio")
    targets: list[tuple[bool, str]] = []
    if group == "webhook verify" and name == "167 B" and ratio:
        targets.append((1 / ratio <= 1.4, "time <= 1.4x bare HMAC"))
    if group == "webhook verify" and name == "1 MiB":
        ssl = next((r["mb_per_s"] for r in rows if r.get("group") == "openssl"), None)
        if ssl:
            share = row["ours_mb_per_s"] / ssl
            targets.append((share >= 0.95, f"{share:.2f}x openssl throughput (>= 0.95x)"))
    if group == "python webhook verify" and ratio:
        need = {"167 B": 4.0, "4 KiB": 1.5, "1 MiB": 0.95}[name]
        targets.append((ratio >= need, f">= {need}x stdlib"))
    if group.startswith("send_text, one thread") and ratio:
        targets.append((ratio >= 0.9, ">= 0.9x bare reqwest"))
    if group == "python send_text, one thread" and ratio:
        need = 4.0 if row["peer"].startswith("requests") else 2.5
        targets.append((ratio >= need, f">= {need}x {row['peer']}"))
    if group == "python send_text, 8 threads" and ratio:
        targets.append((ratio >= 10, ">= 10x requests, 8 threads"))
    if group.startswith("python AsyncClient, concurrent") and ratio and name.startswith("1,000"):
        if row["peer"].startswith("httpx"):
            targets.append((ratio >= 1.5, ">= 1.5x httpx at 1,000"))
        targets.append((row["threads"] < 32, f"{row['threads']} threads (< 32)"))
    if group.startswith("AsyncClient, 1,000 concurrent") and ratio:
        targets.append((ratio >= 0.9, ">= 0.9x bare async reqwest"))
    if group == "go send_text, 8 goroutines" and ratio:
        targets.append((ratio >= 1.0, ">= 1.0x net/http"))
    if group.startswith("go SendText, 1,000 goroutines") and ratio:
        targets.append((1 / ratio <= 1.5, "wall time within 1.5x of net/http"))
        targets.append((row["threads"] < 32, f"{row['threads']} threads (< 32)"))
    if group == "cancellation":
        targets.append((row["ms"] < 50, "< 50 ms from cancel to the server seeing the close"))
    if group == "go webhook verify" and name == "167 B" and ratio:
        targets.append((ratio >= 1.5, ">= 1.5x crypto/hmac"))
    if group == "c webhook verify" and ratio:
        targets.append((1 / ratio <= 1.15, "within 1.15x of the Rust call"))
    if group == "mock":
        targets.append((row["per_s"] >= 50_000, ">= 50k req/s"))
    if group == "fleet" and "per_s" in row:
        targets.append(
            (
                row["most_in_one_second"] <= row["bound"],
                f"{row['most_in_one_second']} in the busiest second (<= {row['bound']})",
            )
        )
        targets.append((row["each_once"], "every message exactly once"))
    if (
        group in ("send_many", "python send_many", "go send_many", "fleet")
        and "target_per_s" in row
    ):
        off = abs(row["per_s"] / row["target_per_s"] - 1)
        targets.append((off <= 0.05, f"within 5% of {row['target_per_s']:.0f}/s"))
    if group == "python send_many" and "target_per_s" not in row:
        targets.append((row["per_s"] >= 20_000, ">= 20k messages/s"))
    if group == "memory":
        targets.append((row["growth_kib"] < 5 * 1024, "RSS growth < 5 MiB"))
    if name.startswith("import connectly"):
        targets.append((row["us"] < 20_000, "< 20 ms"))
    if name == "wheel size":
        targets.append((row["bytes"] < 6 << 20, "< 6 MiB"))
    if name == "libconnectly.so, stripped":
        targets.append((row["bytes"] < 8 << 20, "< 8 MiB"))
    return "; ".join(f"{'met' if ok else 'NOT MET'}: {what}" for ok, what in targets)


def describe(row: dict[str, Any]) -> str:
    if "ms" in row:
        return f"{row['ms']:.2f} ms median" + (
            f", {row['max_ms']:.2f} ms at most over {row['trials']} trials"
            if "max_ms" in row
            else ""
        )
    if "ours_s" in row:
        text = f"{row['ours_s']:.2f} s vs {row['peer_s']:.2f} s ({row['peer']})"
        return text + (f"; {row['threads']} threads" if "threads" in row else "")
    if "ours_ns" in row:
        return f"{fmt_ns(row['ours_ns'])} vs {fmt_ns(row['peer_ns'])} ({row['peer']})"
    if "ours_per_s" in row:
        text = f"{row['ours_per_s']:,.0f}/s vs {row['peer_per_s']:,.0f}/s ({row['peer']})"
        if "ours_sched_wait_us_per_call" in row:
            text += (
                f"; waiting runnable for a P: {row['ours_sched_wait_us_per_call']:.1f} us"
                f" vs {row['peer_sched_wait_us_per_call']:.1f} us per call"
                f" (GOMAXPROCS={row['gomaxprocs']})"
            )
        return text
    if "per_s" in row:
        return f"{row['per_s']:,.0f}/s" + (
            f" over {row['messages']:,} messages" if "messages" in row else ""
        )
    if "growth_kib" in row:
        return (
            f"{row['rss_before_kib']:,} -> {row['rss_after_kib']:,} KiB over {row['sends']:,} sends"
        )
    if "mb_per_s" in row:
        return f"{row['mb_per_s']:,.0f} MB/s"
    if "us" in row:
        return f"{row['us'] / 1000:.1f} ms"
    if "bytes" in row:
        return f"{row['bytes'] / (1 << 20):.2f} MiB"
    return json.dumps(row)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    sha = "SHA-NI" if "sha_ni" in Path("/proc/cpuinfo").read_text() else "no SHA-NI"
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    system = f"{platform.system()} {platform.release()}"
    python = f"Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {sha}; {system}; {rustc}; {python}"


def main() -> None:
    run("cargo build --locked --release -p connectly-cli -p connectly-ffi")
    sections = [rust_section(), openssl_section(), mock_section()]
    for extra in (python_section(), fleet_section(), library_size()):
        if extra:
            sections.append(extra)
    sections += extra_sections()
    all_rows = [row for s in sections for row in s.rows]
    out = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python3 bench/run.py`); every figure beside its peer",
        "from the same run. Ratios above 1 mean the SDK is faster. Timings are medians;",
        "the mock Connectly runs on the same 2 cores as the client, so absolute rates",
        "are lower bounds and the ratios are what to compare.",
        "",
        f"Machine: {machine()}",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        + (" (quick)" if QUICK else ""),
        "",
    ]
    for s in sections:
        out += [f"## {s.title}", "", f"Command: `{s.command}`", ""]
        if s.note:
            out += [s.note, ""]
        if s.rows:
            out += ["| benchmark | result | ratio | target |", "|---|---|---|---|"]
            for row in s.rows:
                ratio = f"{row['ratio']:.2f}x" if "ratio" in row else ""
                name = f"{row.get('group', '')}: {row.get('name', '')}"
                out.append(f"| {name} | {describe(row)} | {ratio} | {check(row, all_rows)} |")
            out.append("")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main()
