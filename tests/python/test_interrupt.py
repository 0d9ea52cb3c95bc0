"""Ctrl-C during a blocking call on the main thread: a long ``send_many`` or a wait between
retries stops about 50 ms later with the signal handler's exception, nothing is sent after it,
and ``send_many``'s exception carries every message's result."""

from __future__ import annotations

import _thread
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Optional

import pytest

import connectly
from connectly.testing import MockServer

RETRY_AFTER = 30.0
"""The wait a 429 asks for: an interrupted call must end well before it."""


def client_for(mock: MockServer) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)


@pytest.fixture(autouse=True)
def default_sigint() -> Iterator[None]:
    """Python's own SIGINT handler (``KeyboardInterrupt``) during the test, the previous one
    after it; and the test runs on the main thread, the only one that runs handlers."""
    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@contextmanager
def interrupt_after(seconds: float) -> Iterator[None]:
    """Interrupts the main thread as Ctrl-C does, ``seconds`` from now; the timer is stopped
    on the way out."""
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()


def test_ctrl_c_stops_a_wait_between_retries(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    connectly_mock.fail_next([{"status": 429, "retry_after": RETRY_AFTER}])
    started = time.monotonic()
    with interrupt_after(0.2), pytest.raises(KeyboardInterrupt):
        client.send_text("+15555555555", "hi")
    assert time.monotonic() - started < RETRY_AFTER / 2
    assert connectly_mock.request_count == 1, "no request after the interruption"


def test_ctrl_c_stops_send_many_and_tells_what_was_sent(connectly_mock: MockServer) -> None:
    total = 2_000
    # Each reply takes 50 ms: with 4 in flight, sending them all would take 25 s.
    connectly_mock.fail_next([{"delay": 0.05}] * total)
    messages = [connectly.TextMessage("+15555555555", f"bulk {i}") for i in range(total)]
    client = client_for(connectly_mock)
    started = time.monotonic()
    with interrupt_after(0.3), pytest.raises(KeyboardInterrupt) as caught:
        client.send_many(messages, concurrency=4)
    assert time.monotonic() - started < total * 0.05 / 4 / 2

    results: list[connectly.SendResult] = vars(caught.value)["results"]
    assert [r.index for r in results] == list(range(total))
    sent = [r.json["message"]["text"] for r in connectly_mock.requests()]
    assert len(sent) == len(set(sent)), "a message was sent twice"
    assert len(sent) < total / 10
    assert {f"bulk {r.index}" for r in results if r.ok} == set(sent)
    for result in results:
        if not result.ok:
            assert isinstance(result.error, connectly.CancelledError), result
            assert result.error.kind == "Cancelled"
            assert result.error.attempts == 0
            assert result.error.possibly_sent is False
    # Nothing goes on in the background once the call has raised.
    time.sleep(0.1)
    assert connectly_mock.request_count == len(sent)


def test_the_exception_is_the_one_the_handler_raised(connectly_mock: MockServer) -> None:
    class Stop(Exception):
        pass

    def stop(signum: int, frame: Optional[FrameType]) -> None:
        raise Stop

    signal.signal(signal.SIGINT, stop)
    client = client_for(connectly_mock)
    connectly_mock.fail_next([{"status": 429, "retry_after": RETRY_AFTER}])
    started = time.monotonic()
    with interrupt_after(0.2), pytest.raises(Stop):
        client.create_webhook("http://127.0.0.1:5000/hook")
    assert time.monotonic() - started < RETRY_AFTER / 2
    assert connectly_mock.request_count == 1


def test_a_handler_that_returns_runs_during_the_call_which_goes_on(
    connectly_mock: MockServer,
) -> None:
    requests_seen: list[int] = []

    def note(signum: int, frame: Optional[FrameType]) -> None:
        requests_seen.append(connectly_mock.request_count)

    signal.signal(signal.SIGINT, note)
    client = client_for(connectly_mock)
    connectly_mock.fail_next([{"status": 429, "retry_after": "1"}])
    with interrupt_after(0.2):
        response = client.send_template("+15555555555", "welcome", {"name": "Ada"})
    assert response.attempts == 2
    # The handler ran while the call waited to retry, not once it had returned.
    assert requests_seen == [1]
