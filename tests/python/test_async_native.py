"""connectly.AsyncClient on the core's runtime: every call a native awaitable, as many in
flight as the app awaits on a few threads, and cancelling the awaiting task aborts the call."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
import weakref
from collections.abc import Awaitable, Coroutine, Iterator
from typing import Any, Callable

import pytest

import connectly
from connectly import _async
from connectly.testing import MockServer

PHONE = "+15555555555"
# Longer than any test waits: an answer held this long is never given while the test runs.
HELD = {"delay": 600}
DEADLINE = 60.0
MAX_THREADS = 32


def threads() -> int:
    """The process's thread count."""
    return len(os.listdir("/proc/self/task"))


def async_client(mock: MockServer, **options: Any) -> connectly.AsyncClient:
    return connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url, **options)


def blocking_client(mock: MockServer) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Waits, without blocking the loop, until ``condition()`` holds (at most DEADLINE)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not condition():
        assert loop.time() < end, what
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("count", [200, 1000])
def test_every_send_is_in_flight_at_once_on_a_few_threads_and_cancelling_aborts_them(
    connectly_mock: MockServer, count: int
) -> None:
    mock = connectly_mock
    mock.fail_next([HELD] * count)

    async def main() -> None:
        client = async_client(mock, max_retries=0)
        tasks = [asyncio.create_task(client.send_text(PHONE, f"m{i}")) for i in range(count)]
        most = 0

        def all_arrived() -> bool:
            nonlocal most
            most = max(most, threads())
            return mock.request_count == count

        await until(all_arrived, f"{mock.request_count} of {count} sends reached the mock")
        # Every answer is held: the mock holds all of them at once, none has finished.
        assert not any(task.done() for task in tasks)
        assert most < MAX_THREADS, most
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results), {
            type(r).__name__ for r in results
        }
        assert threads() < MAX_THREADS

    asyncio.run(main())
    texts = sorted(r.json["message"]["text"] for r in mock.requests())
    assert texts == sorted(f"m{i}" for i in range(count))


class Retrying(logging.Handler):
    """Notes the clients whose calls logged ``retrying`` (they wait to retry)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.clients: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "connectly_message", None) == "retrying":
            self.clients.add(getattr(record, "connectly_client", 0))


@pytest.fixture
def retrying() -> Iterator[Retrying]:
    handler = Retrying()
    logging.getLogger("connectly").addHandler(handler)
    yield handler
    logging.getLogger("connectly").removeHandler(handler)


def cause(error: BaseException) -> connectly.CancelledError:
    """The core's account of a cancelled call, behind the ``asyncio.CancelledError`` that
    awaiting its task raised (its cause, or on Python 3.9 and 3.10 the cause of its
    context)."""
    assert type(error) is asyncio.CancelledError, type(error)
    found = connectly.CancelledError.find(error)
    assert found is not None
    return found


def test_a_cancelled_call_whose_request_had_not_started_is_never_sent(
    connectly_mock: MockServer, retrying: Retrying
) -> None:
    mock = connectly_mock
    # The first attempt is answered 429, to be retried after a second; the task is cancelled
    # while it waits, so the retry's request has not started. The probe's answer is held
    # longer than that wait: when it arrives, a retry that was not aborted would have too.
    mock.fail_next([{"status": 429, "retry_after": "1"}, {"delay": 2.5}])

    async def main() -> None:
        client = async_client(mock, max_retries=1)
        task = asyncio.create_task(client.send_text(PHONE, "cancelled"))
        await until(lambda: client.id in retrying.clients, "the call did not wait to retry")
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as raised:
            await task
        stopped = cause(raised.value)
        assert stopped.possibly_sent is False
        assert stopped.attempts == 1
        probe = await client.send_text(PHONE, "probe")
        assert probe.status_code == 200

    asyncio.run(main())
    assert [r.json["message"]["text"] for r in mock.requests()] == ["cancelled", "probe"]


def test_a_cancelled_call_whose_request_was_written_is_reported_possibly_sent(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    mock.fail_next([{"delay": 2}])

    async def main() -> float:
        client = async_client(mock, max_retries=0)
        inside: list[BaseException] = []

        async def call() -> connectly.Response:
            try:
                return await client.send_text(PHONE, "in flight")
            except asyncio.CancelledError as error:
                inside.append(error)
                raise

        task = asyncio.create_task(call())
        await until(lambda: mock.request_count == 1, "the request did not arrive")
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as raised:
            await task
        took = time.monotonic() - cancelled_at
        stopped = cause(raised.value)
        assert stopped.possibly_sent is True
        assert stopped.attempts == 1
        assert "may have received it" in str(stopped)
        # In the task, the very asyncio.CancelledError, caused by the core's account.
        assert type(inside[0]) is asyncio.CancelledError
        assert inside[0].__cause__ is stopped
        return took

    took = asyncio.run(main())
    # The cancellation waited for the core's completion, not for the server's answer.
    assert took < 0.5, took
    assert [r.json["message"]["text"] for r in mock.requests()] == ["in flight"]


def test_asyncio_timeouts_still_raise_timeout_error_with_the_core_s_account_behind_it(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    mock.fail_next([HELD, HELD])

    async def main() -> list[BaseException]:
        client = async_client(mock, max_retries=0)
        caught: list[BaseException] = []
        try:
            await asyncio.wait_for(client.send_text(PHONE, "wait_for"), 0.5)
        except asyncio.TimeoutError as error:
            caught.append(error)
        if sys.version_info >= (3, 11):
            try:
                async with asyncio.timeout(0.5):
                    await client.send_text(PHONE, "timeout")
            except TimeoutError as error:
                caught.append(error)
        return caught

    caught = asyncio.run(main())
    assert len(caught) == (2 if sys.version_info >= (3, 11) else 1)
    for error in caught:
        stopped = connectly.CancelledError.find(error)
        assert stopped is not None
        assert stopped.possibly_sent is True
    assert connectly.CancelledError.find(ValueError()) is None


def test_a_call_that_ended_just_before_its_cancel_keeps_its_possibly_sent() -> None:
    answered = _async._cancellation(True, [])
    assert (answered.possibly_sent, answered.attempts) == (True, 1)
    failed = _async._cancellation(False, connectly.ServerError("x", attempts=3, possibly_sent=True))
    assert (failed.possibly_sent, failed.attempts) == (True, 3)
    assert failed.kind == "Cancelled"
    # A failure that says its request never arrived (a refused connection) keeps saying so.
    refused = _async._cancellation(False, connectly.TransportError("z", attempts=3))
    assert (refused.possibly_sent, refused.attempts) == (False, 3)
    assert "did not reach the server" in str(refused)
    core = connectly.CancelledError("y", attempts=0, possibly_sent=False)
    assert _async._cancellation(False, core) is core


def test_a_task_cancelled_before_it_ran_sends_nothing(connectly_mock: MockServer) -> None:
    async def main() -> None:
        client = async_client(connectly_mock)
        task = asyncio.create_task(client.send_text(PHONE, "never"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.send_text(PHONE, "after")

    asyncio.run(main())
    assert [r.json["message"]["text"] for r in connectly_mock.requests()] == ["after"]


def invalid_calls(
    client: Any,
) -> Iterator[tuple[str, Callable[[], Any]]]:
    """One call with a bad input for each method, on a blocking or an async client."""
    yield "send_text", lambda: client.send_text("+1", "x")
    yield "send_message", lambda: client.send_message(PHONE)
    yield (
        "send_message attachment",
        lambda: client.send_message(PHONE, attachment=connectly.Attachment("image", "/a.jpg")),
    )
    yield "send_template", lambda: client.send_template(PHONE, "t", [("a", 1)])
    yield "send_template number", lambda: client.send_template("+1", "t")
    yield "create_webhook", lambda: client.create_webhook("not a url")
    yield "update_webhook", lambda: client.update_webhook("wh_1")
    yield "delete_webhook", lambda: client.delete_webhook("")
    yield "upsert_webhook", lambda: client.upsert_webhook("not a url")
    yield "send_campaign", lambda: client.send_campaign([])
    yield "send_campaign entry", lambda: client.send_campaign([42])


def test_a_bad_input_raises_at_the_first_step_of_the_await_and_nothing_is_sent(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    expected: dict[str, tuple[type[BaseException], str]] = {}
    for name, call in invalid_calls(blocking_client(mock)):
        with pytest.raises((connectly.ConnectlyError, TypeError)) as raised:
            call()
        expected[name] = (type(raised.value), str(raised.value))

    async def main() -> None:
        for name, call in invalid_calls(async_client(mock)):
            coroutine: Coroutine[Any, Any, Any] = call()
            # Raised by the coroutine's first step: before it ever waited on anything.
            with pytest.raises((connectly.ConnectlyError, TypeError)) as raised:
                coroutine.send(None)
            assert (type(raised.value), str(raised.value)) == expected[name], name

    asyncio.run(main())
    assert mock.request_count == 0


def test_every_method_returns_what_the_blocking_client_returns(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    mock.set_webhook_conflicts(True)
    entry = {"client": PHONE, "campaign_name": "autumn"}

    def blocking() -> list[Any]:
        c = blocking_client(mock)
        created = c.create_webhook("https://a.example/m", type="custom")
        listed = c.list_webhooks()
        return [
            c.send_text(PHONE, "hi"),
            c.send_message(PHONE, location=connectly.Location(1.5, 2.5)),
            c.send_template(PHONE, "welcome", {"var1": "value1"}, language="en"),
            created,
            listed,
            c.update_webhook(listed[0].id, configuration={"echo": True}),
            c.upsert_webhook("https://a.example/m2"),
            c.delete_webhook(listed[0].id),
            c.list_templates(),
            c.send_campaign([entry]),
        ]

    async def asynchronous() -> list[Any]:
        c = async_client(mock)
        created = await c.create_webhook("https://a.example/m", type="custom")
        listed = await c.list_webhooks()
        return [
            await c.send_text(PHONE, "hi"),
            await c.send_message(PHONE, location=connectly.Location(1.5, 2.5)),
            await c.send_template(PHONE, "welcome", {"var1": "value1"}, language="en"),
            created,
            listed,
            await c.update_webhook(listed[0].id, configuration={"echo": True}),
            await c.upsert_webhook("https://a.example/m2"),
            await c.delete_webhook(listed[0].id),
            await c.list_templates(),
            await c.send_campaign([entry]),
        ]

    expected = blocking()
    blocking_bodies = [(r.method, r.json) for r in mock.requests()]
    mock.reset()
    mock.set_webhook_conflicts(True)
    got = asyncio.run(asynchronous())
    assert [(r.method, r.json) for r in mock.requests()] == blocking_bodies

    def shape(value: Any) -> Any:
        if isinstance(value, list):
            return ("list", [shape(item) for item in value])
        return type(value), getattr(value, "status_code", None)

    assert [shape(v) for v in got] == [shape(v) for v in expected]
    assert type(got[4][0]) is connectly.WebhookInfo
    assert len(got[8]) > 0
    assert type(got[8][0]) is connectly.TemplateInfo
    assert type(got[9]) is connectly.CampaignResult
    assert got[9].accepted == 1
    assert got[0].data.keys() == expected[0].data.keys()


def test_a_failing_call_leaves_the_others_alone(connectly_mock: MockServer) -> None:
    mock = connectly_mock
    mock.fail_next([{"status": 401}])

    async def main() -> list[Any]:
        client = async_client(mock, max_retries=0)
        calls: list[Awaitable[Any]] = [client.send_text(PHONE, f"m{i}") for i in range(30)]
        calls.insert(10, client.send_text("+1", "invalid"))
        return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(main())
    kinds = [type(r) for r in results]
    assert kinds.count(connectly.ValidationError) == 1
    assert kinds.count(connectly.AuthenticationError) == 1
    assert kinds.count(connectly.Response) == 29
    assert mock.request_count == 30


def descriptor(fd: int) -> str:
    """What descriptor ``fd`` is: its link (a socket's, ``socket:[inode]``, names it alone)
    and, for an eventfd (the completion queue's on Linux), whose link every eventfd shares,
    the ``eventfd-id`` the kernel shows in its fdinfo."""
    link = os.readlink(f"/proc/self/fd/{fd}")
    if link != "anon_inode:[eventfd]":
        return link
    with open(f"/proc/self/fdinfo/{fd}") as info:
        ids = [line.split()[1] for line in info if line.startswith("eventfd-id:")]
    assert ids, "this kernel names no eventfd in fdinfo: the test cannot tell them apart"
    return f"{link} {ids[0]}"


def queue_descriptor(loop: asyncio.AbstractEventLoop) -> str:
    """What the descriptor of ``loop``'s completion queue is (see ``descriptor``)."""
    return descriptor(_async._by_loop[loop]._fd)


def open_descriptors() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(descriptor(int(fd)))
        except FileNotFoundError:
            pass  # the listing's own descriptor, closed since
    return found


def test_the_queue_is_watched_only_while_calls_are_in_flight_and_goes_with_its_loop(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    seen: dict[str, Any] = {}

    async def main() -> None:
        client = async_client(mock, max_retries=0)
        loop = asyncio.get_running_loop()
        await client.send_text(PHONE, "done")
        fd = _async._by_loop[loop]._fd
        assert fd is not None
        # Nothing in flight: the loop does not watch the descriptor.
        assert not loop.remove_reader(fd)
        seen["descriptor"] = queue_descriptor(loop)
        seen["loop"] = weakref.ref(loop)
        mock.fail_next([HELD])
        # Left in flight when main returns: asyncio.run cancels it before closing the loop.
        held = asyncio.create_task(client.send_text(PHONE, "held"))
        await until(lambda: mock.request_count == 2, "the held send did not arrive")
        assert not held.done()

    asyncio.run(main())
    gc.collect()
    assert seen["loop"]() is None, "the closed loop is still referenced"
    end = time.monotonic() + DEADLINE
    while seen["descriptor"] in open_descriptors():
        assert time.monotonic() < end, "the queue's descriptor is still open"
        time.sleep(0.01)
        gc.collect()


def test_a_closed_loop_s_calls_in_flight_are_cancelled_and_the_loop_released(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    mock.fail_next([HELD])
    loop = asyncio.new_event_loop()
    client = async_client(mock, max_retries=0)

    async def start() -> asyncio.Task[connectly.Response]:
        held = asyncio.create_task(client.send_text(PHONE, "held"))
        await until(lambda: mock.request_count == 1, "the held send did not arrive")
        return held

    held = loop.run_until_complete(start())
    # Closed with the call in flight, never cancelled: the next loop's first call cancels it.
    loop.close()
    closed = weakref.ref(loop)
    del loop, held

    async def next_loop() -> connectly.Response:
        return await client.send_text(PHONE, "next")

    assert asyncio.run(next_loop()).status_code == 200
    gc.collect()
    assert closed() is None, "the closed loop is still referenced"


def refuse_readers(*args: object) -> None:
    """``add_reader`` of a loop that cannot watch descriptors (Windows' proactor loop)."""
    raise NotImplementedError


def test_a_loop_that_cannot_watch_descriptors_runs_each_call_in_a_worker_thread(
    connectly_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def main() -> tuple[connectly.Response, list[connectly.WebhookInfo]]:
        client = async_client(connectly_mock)
        with pytest.raises(connectly.ValidationError):
            await client.send_text("+1", "x")
        return await client.send_text(PHONE, "hi"), await client.list_webhooks()

    loop = asyncio.new_event_loop()
    monkeypatch.setattr(loop, "add_reader", refuse_readers)
    try:
        sent, listed = loop.run_until_complete(main())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    assert type(sent) is connectly.Response
    assert sent.status_code == 200
    assert listed == []
    assert connectly_mock.request_count == 2
