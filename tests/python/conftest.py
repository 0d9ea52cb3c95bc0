"""Shared fixtures. The suite runs against the wheel installed in the virtualenv: this
directory is the rootdir, and the source tree's ``python/`` is never on ``sys.path``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

WSGIApplication = Callable[..., Any]

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"

# Canary credentials: tests assert that they never appear in a repr, str or traceback.
CANARY_KEY = "canary-api-key-4f1c2b9e7d"
CANARY_SECRET = "canary-webhook-secret-9a8b7c6d5e"

INBOUND_BODY = (
    b'{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},'
    b'"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}'
)


DJANGO_SECRET = "django-secret"


def configure_django() -> None:
    """Configures Django once per process, whichever module that uses it is imported first:
    test_django's URLs and secret are the defaults, which other modules override."""
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1", "testserver", "localhost"],
        ROOT_URLCONF="test_django",
        SECRET_KEY="test-only-django-secret-key",
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        CONNECTLY_WEBHOOK_SECRET=DJANGO_SECRET,
        USE_TZ=True,
    )
    django.setup()


def load_vectors(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((VECTORS / name).read_text("utf-8"))["vectors"]
    return rows


def report_conformance(file: str, ran: int) -> None:
    """Records how many rows of a shared vector file this suite ran, for the repository's
    `conformance-check` (target/conformance/python/<file>)."""
    folder = REPO / "target" / "conformance" / "python"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text(f"{ran}\n", "utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """A WSGI app served by werkzeug on loopback in a thread."""

    def __init__(self, app: WSGIApplication) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def serve() -> Iterator[Callable[[WSGIApplication], LiveServer]]:
    servers: list[LiveServer] = []

    def start(app: WSGIApplication) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "CONNECTLY_API_KEY",
        "CONNECTLY_BUSINESS_ID",
        "CONNECTLY_BASE_URL",
        "CONNECTLY_WEBHOOK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# Redis, for the fleet tests: `make test-python` runs pytest under scripts/with-redis.sh (a
# fresh redis-server, its URL in CONNECTLY_TEST_REDIS_URL) with CONNECTLY_REQUIRE_REDIS=1, so
# that a missing Redis fails those tests there; run by hand without it, they are skipped.
REDIS_ENV = "CONNECTLY_TEST_REDIS_URL"


def require_redis() -> str:
    """The test Redis's URL, or a skip (a failure under ``CONNECTLY_REQUIRE_REDIS``)."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("CONNECTLY_REQUIRE_REDIS"):
            pytest.fail(f"{REDIS_ENV} is not set: run the tests under scripts/with-redis.sh")
        pytest.skip(f"{REDIS_ENV} is not set (run under scripts/with-redis.sh)")
    return url


@pytest.fixture
def redis_url() -> str:
    """The Redis shared by the suite (scripts/with-redis.sh)."""
    return require_redis()


def unique() -> str:
    """A suffix no other test (nor run) uses, for keys in a Redis that outlives a test."""
    return uuid.uuid4().hex[:12]


class RedisServer:
    """A ``redis-server`` of a test's own on a loopback port (nothing saved to disk), which
    the test may kill and start again on the same port."""

    def __init__(self, port: Optional[int] = None) -> None:
        program = shutil.which("redis-server")
        if program is None:
            if os.environ.get("CONNECTLY_REQUIRE_REDIS"):
                pytest.fail("redis-server is not installed (make redis-server-tool)")
            pytest.skip("redis-server is not installed (make redis-server-tool)")
        self.program = program
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="connectly-redis-")
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Starts it (again) on its port, and waits until it accepts connections."""
        self.process = subprocess.Popen(
            [
                *(self.program, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.dir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.01)

    def kill(self) -> None:
        """Kills it (SIGKILL): whatever it held is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A ``redis-server`` of this test's own (see :class:`RedisServer`)."""
    server = RedisServer()
    yield server
    server.close()
