"""Runs every guide example (examples/GUIDES.md) against one mock Connectly.

    python tests/docs/run_examples.py [--lang python|rust|go|c|cli ...] [--only TASK ...]

`make test-docs` builds the examples first (mk/docs.mk) and runs this under
scripts/with-redis.sh, whose server's URL (CONNECTLY_TEST_REDIS_URL) becomes the examples'
REDIS_URL. Each example gets the mock's settings in its environment, a free PORT, and a
scratch working directory; the mock is reset between examples. A receiver is driven through
the protocol GUIDES.md gives: a forged delivery refused, an inbound message and a delivery
status printed. Prints one line per example and exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
KIND = re.compile(r"connectly-example:\s*(run|receiver|test|module)\b")
INBOUND_TEXT = "hello from the docs"
RUN_TIMEOUT = 120.0
READY_TIMEOUT = 60.0
PRINT_TIMEOUT = 15.0


@dataclass
class Example:
    """One file of examples/<language>/guides and how to start it."""

    language: str
    task: str
    path: Path
    kind: str
    command: list[str]
    cwd: Path | None = None


def kind_of(path: Path) -> str:
    """The kind the file declares near its top."""
    match = KIND.search(path.read_text(encoding="utf-8")[:2000])
    if match is None:
        raise SystemExit(f"{path}: no `connectly-example: run|receiver|test|module` line")
    return match.group(1)


def discover(python: str, languages: set[str]) -> list[Example]:
    """Every guide example of these languages, with its command."""
    found: list[Example] = []
    scripts = (EXAMPLES / "python" / "guides").glob("*.py") if "python" in languages else []
    for path in sorted(scripts):
        kind = kind_of(path)
        if kind == "module":  # imported by the examples that run
            continue
        command = [python, str(path)]
        if kind == "test":
            command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
        found.append(Example("python", path.stem, path, kind, command))
    return found + discover_compiled(languages)


def discover_compiled(languages: set[str]) -> list[Example]:
    """The guide examples of the compiled languages and the CLI."""
    found: list[Example] = []
    if "rust" in languages:
        found += discover_rust()
    if "go" in languages:
        found += discover_go()
    if "c" in languages:
        for path in sorted((EXAMPLES / "c" / "guides").glob("*.c")):
            binary = REPO / "build" / "guides" / "c" / path.stem
            found.append(Example("c", path.stem, path, kind_of(path), [str(binary)]))
    if "cli" in languages:
        for path in sorted((EXAMPLES / "cli" / "guides").glob("*.sh")):
            found.append(Example("cli", path.stem, path, kind_of(path), ["bash", str(path)]))
    return found


def discover_rust() -> list[Example]:
    """The binaries and tests of the connectly-guides crate."""
    found: list[Example] = []
    for path in sorted((EXAMPLES / "rust" / "guides" / "src" / "bin").glob("*.rs")):
        binary = REPO / "target" / "debug" / path.stem
        found.append(Example("rust", path.stem, path, kind_of(path), [str(binary)]))
    for path in sorted((EXAMPLES / "rust" / "guides" / "tests").glob("*.rs")):
        command = ["cargo", "test", "--locked", "--quiet", "-p", "connectly-guides"]
        command += ["--test", path.stem]
        found.append(Example("rust", path.stem, path, kind_of(path), command, REPO))
    return found


def discover_go() -> list[Example]:
    """The programs (built into build/guides/go) and tests of examples/go/guides."""
    found: list[Example] = []
    for directory in sorted((EXAMPLES / "go" / "guides").glob("*/")):
        tests = sorted(directory.glob("*_test.go"))
        if tests:
            command = ["go", "test", "-count=1", "-tags", "connectly_intree"]
            command.append(f"./guides/{directory.name}/")
            found.append(
                Example("go", directory.name, tests[0], kind_of(tests[0]), command, EXAMPLES / "go")
            )
            continue
        main = directory / "main.go"
        binary = REPO / "build" / "guides" / "go" / directory.name
        if main.exists():
            found.append(Example("go", directory.name, main, kind_of(main), [str(binary)]))
    return found


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mock:
    """The mock Connectly, started through the CLI for the whole run."""

    def __init__(self, binary: Path, scratch: Path) -> None:
        env_file = scratch / "mock.env"
        self.process = subprocess.Popen(
            [str(binary), "mock", "--env-file", str(env_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not (env_file.exists() and env_file.stat().st_size > 0):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the mock Connectly did not start")
            time.sleep(0.05)
        self.env = dict(
            line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line
        )

    def control(self, path: str, body: bytes | None = None) -> str:
        """A call to the mock's control API (/_mock/...); its answer's text."""
        request = urllib.request.Request(
            self.env["CONNECTLY_BASE_URL"] + "/_mock/" + path,
            data=body,
            method="POST" if body is not None else "GET",
            headers={"x-api-key": self.env["CONNECTLY_API_KEY"]},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return str(answer.read().decode())

    def stop(self) -> None:
        """Stops the mock."""
        self.process.kill()
        self.process.wait()


class Lines:
    """What a running receiver has printed so far, read without blocking."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def wait_for(self, *needles: str) -> bool:
        """True once one printed line holds every needle."""
        deadline = time.monotonic() + PRINT_TIMEOUT
        while time.monotonic() < deadline:
            for line in self.log.read_text(errors="replace").splitlines():
                if all(needle in line for needle in needles):
                    return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        return False


def cli(binary: Path, env: dict[str, str], *args: str) -> str:
    """Runs the connectly CLI; its standard output. Raises when it fails."""
    done = subprocess.run(
        [str(binary), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"connectly {' '.join(args)}: exit {done.returncode}: {done.stderr}")
    return done.stdout


def post_forged(url: str) -> int:
    """Posts a delivery with a wrong signature; the HTTP status it got."""
    body = b'{"sender":{"id":"+15555550100"},"message":{"text":"forged"}}'
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Connectly-Hmac-Sha256": "AAAA"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def drive_receiver(
    example: Example, env: dict[str, str], mock: Mock, binary: Path, log: Path
) -> str | None:
    """Runs a receiver through the protocol; None when it kept it, else what went wrong."""
    url = f"http://127.0.0.1:{env['PORT']}/webhook"
    with log.open("wb") as out:
        process = subprocess.Popen(
            example.command,
            env=env,
            cwd=example.cwd or log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lines = Lines(process, log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                return f"exited {process.returncode} before serving"
            if time.monotonic() > deadline:
                return "did not serve and register both topics in time"
            try:
                with socket.create_connection(("127.0.0.1", int(env["PORT"])), timeout=1):
                    registered = mock.control("webhooks")
                topics = all(f'"{t}"' in registered for t in ("messages", "delivery_status"))
                if topics and registered.count(url) >= 2:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        status = post_forged(url)
        if status not in (400, 401, 403):
            return f"a forged delivery got HTTP {status}, not 400/401/403"
        cli(binary, env, "mock", "deliver", "--text", INBOUND_TEXT)
        if not lines.wait_for(INBOUND_TEXT):
            return f"no line with {INBOUND_TEXT!r}"
        sent = json.loads(cli(binary, env, "send-text", "--to", "+15555555555", "--text", "hi"))
        message_id = sent["body"]["id"]
        cli(binary, env, "mock", "deliver", "--status", "delivered", "--for", message_id)
        if not lines.wait_for(message_id, "delivered"):
            return f"no line with {message_id!r} and 'delivered'"
        return None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run_one(
    example: Example, env: dict[str, str], mock: Mock, binary: Path, scratch: Path
) -> str | None:
    """Runs one example; None when it passed, else what went wrong."""
    if example.command[0].startswith("/") and not Path(example.command[0]).exists():
        return f"{example.command[0]} is not built (make docs-examples)"
    workdir = Path(tempfile.mkdtemp(prefix=f"{example.language}-{example.task}-", dir=scratch))
    log = workdir / "output.log"
    if example.kind == "receiver":
        return drive_receiver(example, env, mock, binary, log)
    try:
        done = subprocess.run(
            example.command,
            env=env,
            cwd=example.cwd or workdir,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"still running after {RUN_TIMEOUT:.0f} s"
    return None if done.returncode == 0 else f"exit {done.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", choices=["python", "rust", "go", "c", "cli"])
    parser.add_argument("--only", action="append", help="run only these tasks")
    parser.add_argument("--bin", default=str(REPO / "target" / "debug" / "connectly"))
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    binary = Path(args.bin).resolve()
    languages = set(args.lang or ["python", "rust", "go", "c", "cli"])
    examples = [e for e in discover(args.python, languages) if not args.only or e.task in args.only]
    if not examples:
        print("no examples matched", file=sys.stderr)
        return 1
    redis = os.environ.get("CONNECTLY_TEST_REDIS_URL") or os.environ.get("REDIS_URL", "")
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="connectly-guides-") as name:
        scratch = Path(name)
        mock = Mock(binary, scratch)
        try:
            for example in examples:
                mock.control("reset", b"")
                env = dict(os.environ)
                env.update(mock.env)
                env["REDIS_URL"] = redis
                env["PORT"] = str(free_port())
                env["CONNECTLY_BIN"] = str(binary)
                env["PATH"] = f"{binary.parent}{os.pathsep}{env.get('PATH', '')}"
                started = time.monotonic()
                problem = run_one(example, env, mock, binary, scratch)
                took = time.monotonic() - started
                name = f"{example.language:6} {example.task:16} {example.kind:8}"
                if problem is None:
                    print(f"ok    {name} {took:5.1f} s", flush=True)
                    continue
                failures.append(f"{example.language}/{example.task}")
                print(f"FAIL  {name} {took:5.1f} s: {problem}", flush=True)
                logs = sorted(scratch.glob(f"{example.language}-{example.task}-*/output.log"))
                for line in logs[-1].read_text(errors="replace").splitlines() if logs else []:
                    print(f"      | {line}")
        finally:
            mock.stop()
    print(f"{len(examples) - len(failures)} of {len(examples)} examples passed", flush=True)
    if failures:
        print("failed: " + ", ".join(failures), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
