"""The logging bridge: the core's records reach ``logging.getLogger("connectly")`` from one
thread of the SDK's own (``connectly-log``), with their fields in the text and as attributes;
levels the logger is not enabled for make no records; a flood with a slow handler drops and
reports records instead of slowing sends; a script that logs and exits neither crashes nor
hangs, and its last records are handed over at exit."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"
DEADLINE = 30.0
THREAD_NAME = "connectly-log"


class Collected(logging.Handler):
    """Keeps every record it handles (on whichever thread hands them over)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.threads: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.threads.add(threading.get_native_id())

    def of(self, client: int) -> list[logging.LogRecord]:
        return [r for r in list(self.records) if extra(r, "client") == client]


@pytest.fixture
def collected() -> Iterator[Collected]:
    """A handler on the ``connectly`` logger, which is enabled for DEBUG meanwhile."""
    logger = logging.getLogger("connectly")
    handler = Collected()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def extra(record: logging.LogRecord, name: str) -> Any:
    """The record's attribute ``connectly_<name>`` (``None`` when it has none)."""
    return vars(record).get(f"connectly_{name}")


def client_for(mock: MockServer, **options: Any) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, **options)


def until(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, what
        time.sleep(0.005)


def messages(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records]


def forwarding_threads() -> set[int]:
    """The threads of this process named ``connectly-log`` (native ids)."""
    found = set()
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                if comm.read().strip() == THREAD_NAME:
                    found.add(int(task))
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return found


def test_a_call_s_records_carry_its_fields_and_client(
    connectly_mock: MockServer, collected: Collected
) -> None:
    client = client_for(connectly_mock)
    response = client.send_text(PHONE, "hi")
    until(lambda: len(collected.of(client.id)) == 2, "the call's two records did not arrive")
    sending, answered = collected.of(client.id)
    path = f"/v1/businesses/{connectly_mock.business_id}/send/messages"
    assert sending.levelno == logging.DEBUG
    assert sending.getMessage() == f"sending method=POST path={path} attempt=1"
    assert extra(sending, "message") == "sending"
    assert extra(sending, "fields") == {
        "method": "POST",
        "path": path,
        "attempt": "1",
    }
    assert answered.levelno == logging.INFO
    assert answered.name == "connectly"
    assert answered.getMessage() == f"answered status=200 attempts=1 trace_id={response.trace_id}"
    assert extra(answered, "fields")["status"] == "200"
    # Handed over by the SDK's own thread, never by the calling one.
    assert collected.threads == forwarding_threads()
    assert len(collected.threads) == 1


def test_a_retry_is_a_warning_between_two_attempts(
    connectly_mock: MockServer, collected: Collected
) -> None:
    connectly_mock.fail_next([{"status": 503}])
    client = client_for(connectly_mock, max_retries=1)
    assert client.list_webhooks() == []
    until(lambda: len(collected.of(client.id)) == 4, "the call's four records did not arrive")
    records = collected.of(client.id)
    assert [extra(r, "message") for r in records] == [
        "sending",
        "retrying",
        "sending",
        "answered",
    ]
    retrying = records[1]
    assert retrying.levelno == logging.WARNING
    assert extra(retrying, "fields")["attempt"] == "1"
    assert extra(retrying, "fields")["error"] == "Server"
    assert retrying.getMessage().startswith("retrying attempt=1 error=Server wait_ms=")
    assert extra(records[2], "fields")["attempt"] == "2"
    assert "attempts=2" in records[3].getMessage()


def test_a_failed_call_is_a_warning_naming_its_error_kind(
    connectly_mock: MockServer, collected: Collected
) -> None:
    connectly_mock.fail_next([{"status": 401}])
    client = client_for(connectly_mock)
    with pytest.raises(connectly.AuthenticationError):
        client.send_text(PHONE, "hi")
    until(lambda: len(collected.of(client.id)) == 2, "the call's two records did not arrive")
    failed = collected.of(client.id)[1]
    assert failed.levelno == logging.WARNING
    assert failed.getMessage() == "failed error=Authentication status=401"


def test_levels_the_logger_is_not_enabled_for_make_no_records(
    connectly_mock: MockServer, collected: Collected
) -> None:
    made: list[str] = []
    factory = logging.getLogRecordFactory()

    def counting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.name == "connectly":
            made.append(record.getMessage())
        return record

    logging.setLogRecordFactory(counting)
    try:
        logging.getLogger("connectly").setLevel(logging.WARNING)
        quiet = client_for(connectly_mock)
        quiet.send_text(PHONE, "not recorded")
        connectly_mock.fail_next([{"status": 400}])
        with pytest.raises(connectly.APIError):
            quiet.send_text(PHONE, "recorded: it failed")
        until(lambda: len(collected.of(quiet.id)) == 1, "the failure's warning did not arrive")
        assert messages(collected.of(quiet.id)) == ["failed error=Api status=400"]
        assert [m for m in made if m.startswith(("sending", "answered"))] == []
        logging.getLogger("connectly").setLevel(logging.DEBUG)
        loud = client_for(connectly_mock)
        loud.send_text(PHONE, "recorded")
        until(lambda: len(collected.of(loud.id)) == 2, "DEBUG and INFO records did not arrive")
    finally:
        logging.setLogRecordFactory(factory)


def test_one_forwarding_thread_however_many_clients(connectly_mock: MockServer) -> None:
    clients = [client_for(connectly_mock) for _ in range(5)]
    for client in clients:
        client.send_text(PHONE, "hi")
    asynchronous = connectly.AsyncClient(connectly_mock.api_key, connectly_mock.business_id)
    ids = {client.id for client in clients} | {asynchronous.id}
    assert len(ids) == len(clients) + 1
    assert len(forwarding_threads()) == 1


def test_a_flood_with_a_slow_handler_drops_and_reports_records_and_never_slows_a_send(
    connectly_mock: MockServer, collected: Collected
) -> None:
    release = threading.Event()
    waited: list[bool] = []

    class Blocking(logging.Handler):
        """Blocks the forwarding thread at its first record until the sends are done."""

        def emit(self, record: logging.LogRecord) -> None:
            if not waited:
                waited.append(release.wait(DEADLINE))

    logger = logging.getLogger("connectly")
    blocking = Blocking()
    logger.addHandler(blocking)
    client = client_for(connectly_mock)
    sends = 700  # two records each: more than the 1,024 the queue holds
    try:
        for i in range(sends):
            client.send_text(PHONE, f"m{i}")
        # Every send returned while the handler held the forwarding thread (had a send
        # waited for it, the handler would have timed out first).
        release.set()

        def dropped() -> int:
            return sum(
                int(extra(r, "fields")["count"])
                for r in list(collected.records)
                if extra(r, "message") == "records dropped"
            )

        # Each record was either handed over or counted as dropped. (Another test's stray
        # records, if any, count among the dropped too.)
        until(
            lambda: len(collected.of(client.id)) + dropped() >= 2 * sends,
            "records were lost without being reported",
        )
    finally:
        release.set()
        logger.removeHandler(blocking)
    assert waited == [True], "the handler was not reached, or a send waited for it"
    assert dropped() > 0
    report = next(r for r in collected.records if r.getMessage().startswith("records dropped"))
    assert report.levelno == logging.WARNING
    assert extra(report, "client") == 0
    # The queue held 1,024 of them while the handler was blocked.
    assert len(collected.of(client.id)) >= 1024


SCRIPT_PRELUDE = """
import logging, os, sys, time
import connectly
from connectly.testing import MockServer

def forwarding_threads():
    names = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/comm") as comm:
            names.append(comm.read().strip())
    return names.count("connectly-log")
"""


def run_script(body: str) -> subprocess.CompletedProcess[str]:
    """Runs ``body`` in a new interpreter (after SCRIPT_PRELUDE); it must exit within 60 s."""
    script = SCRIPT_PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


def test_the_thread_starts_with_the_first_client_and_only_once() -> None:
    done = run_script(
        """
        with MockServer() as mock:
            before = forwarding_threads()
            clients = [connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
                       for _ in range(3)]
            clients.append(connectly.AsyncClient(mock.api_key, mock.business_id))
            # The thread names itself once it runs.
            end = time.monotonic() + 30
            while forwarding_threads() == 0 and time.monotonic() < end:
                time.sleep(0.001)
            print(before, forwarding_threads())
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"]


def test_a_script_that_logs_and_exits_hands_over_its_last_records_and_exits_cleanly() -> None:
    # A slow handler: the sends outrun it, so most records are still waiting at exit, some
    # in the middle of a hand-off.
    done = run_script(
        """
        class Slow(logging.StreamHandler):
            def emit(self, record):
                time.sleep(0.005)
                super().emit(record)

        handler = Slow(sys.stdout)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        logging.getLogger("connectly").addHandler(handler)
        logging.getLogger("connectly").setLevel(logging.DEBUG)
        with MockServer() as mock:
            client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
            for i in range(100):
                client.send_text("+15555555555", f"m{i}")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    sending = "DEBUG sending method=POST path=/v1/businesses/mock-business/send/messages"
    assert lines.count(f"{sending} attempt=1") == 100
    assert len([line for line in lines if line.startswith("INFO answered status=200")]) == 100
