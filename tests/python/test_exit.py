"""Interpreter exit with calls in flight: daemon threads still in a blocking call, or in an
event loop awaiting one, when the main thread returns; the process exits with status 0,
without hanging, crashing, or losing the records it logged."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import asyncio, logging, sys, threading, time
import connectly
from connectly.testing import MockServer

logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(message)s")
mock = MockServer()
"""


def run(body: str) -> subprocess.CompletedProcess[str]:
    """Runs PRELUDE and ``body`` in a new interpreter, which must end within 60 s."""
    script = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("linger", [0.0, 0.05, 0.2])
def test_daemon_threads_sending_when_the_interpreter_exits(linger: float) -> None:
    # Each thread comes back from one send after another, some of them while the
    # interpreter finalises.
    done = run(
        f"""
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)

        def send_forever():
            while True:
                client.send_text("+15555555555", "x")

        for _ in range(4):
            threading.Thread(target=send_forever, daemon=True).start()
        while mock.request_count < 20:
            time.sleep(0.001)
        time.sleep({linger})
        print("exiting")
        """
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "exiting" in done.stdout
    assert "answered status=200" in done.stdout


def test_a_daemon_thread_s_event_loop_awaiting_held_calls_when_the_interpreter_exits() -> None:
    done = run(
        """
        mock.fail_next([{"delay": 30}] * 4)
        client = connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url)

        def held():
            async def main():
                await asyncio.gather(*(client.send_text("+15555555555", "x") for _ in range(4)))
            asyncio.run(main())

        threading.Thread(target=held, daemon=True).start()
        while mock.request_count < 4:
            time.sleep(0.01)
        print("exiting")
        """
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "exiting" in done.stdout
    assert done.stdout.count("sending method=POST") == 4


def test_an_atexit_callback_run_after_the_sdk_s_own_may_still_send() -> None:
    script = textwrap.dedent(
        """
        import atexit

        def last_words():
            print(client.send_text("+15555555555", "bye").status_code)

        # Registered before `connectly` registers its own: runs after it, on the main thread.
        atexit.register(last_words)
        import connectly
        from connectly.testing import MockServer

        mock = MockServer()
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.splitlines() == ["200"]
