"""Fault injection: 300 ``AsyncClient`` calls at once against a mock that drops, resets,
holds answers past the client's timeout and fails about 30% of requests with 5xx or 429,
while tasks are cancelled at random. Every call ends exactly once — with its result, a
connectly error of a kind its fault explains, or ``asyncio.CancelledError`` — every
submission to the core completes exactly once, and once the client and the loop are gone
the process's descriptors and threads are back to what they were before."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import random
import threading
import time
from collections import Counter
from typing import Any, Callable, Optional

import connectly
from connectly import _async
from connectly._connectly import _CompletionQueue, _Operation, _Ticket
from connectly.testing import MockServer

PHONE = "+15555555555"
CALLS = 300
TIMEOUT = 0.3
"""The client's timeout per attempt; held answers are held longer."""
DEADLINE = 30.0
# The kinds of error a call may end with, given the faults: 5xx (Server), 429 out of retries
# (RateLimited), an answer held past the timeout (Timeout), a connection dropped or reset
# (Transport).
EXPECTED_KINDS = {"Server", "RateLimited", "Timeout", "Transport"}


def fault(rng: random.Random) -> dict[str, Any]:
    """One request's fate: about 30% 5xx or 429, 10% each dropped, reset mid-body and held
    past the timeout; the rest answered at once."""
    roll = rng.random()
    if roll < 0.3:
        status = rng.choice([500, 502, 503, 429])
        return {"status": status, "retry_after": "0"} if status == 429 else {"status": status}
    if roll < 0.4:
        return {"drop": True}
    if roll < 0.5:
        return {"reset_mid_body": True}
    if roll < 0.6:
        return {"delay": TIMEOUT * rng.uniform(2, 4)}
    return {"delay": 0}


class Recording:
    """A completion queue that notes each tag submitted and each tag drained."""

    def __init__(self, queue: _CompletionQueue) -> None:
        self.queue = queue
        self.submitted: Counter[int] = Counter()
        self.drained: Counter[int] = Counter()

    @property
    def fd(self) -> Optional[int]:
        return self.queue.fd

    def submit(self, operation: _Operation[Any], tag: int) -> _Ticket:
        self.submitted[tag] += 1
        return self.queue.submit(operation, tag)

    def drain(self) -> list[tuple[int, bool, Any]]:
        done = self.queue.drain()
        self.drained.update(tag for tag, _, _ in done)
        return done


def descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def resources() -> tuple[int, int, int]:
    """Open descriptors, OS threads, and threads ``threading`` knows."""
    return descriptors(), len(os.listdir("/proc/self/task")), threading.active_count()


def runtime_threads() -> int:
    """The threads of live clients' runtimes (``connectly-io``)."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as comm:
                count += comm.read().strip() == "connectly-io"
        except FileNotFoundError:
            pass  # ended meanwhile
    return count


def quiet() -> tuple[int, int, int]:
    """:func:`resources` once no client is left (no runtime thread) and nothing has changed
    for a quarter of a second: the mock closes its side of a dropped client's connections
    in the background."""
    end = time.monotonic() + DEADLINE
    seen: list[tuple[int, int, int]] = []
    while runtime_threads() or len(seen) < 25 or len(set(seen[-25:])) > 1:
        assert time.monotonic() < end, f"no quiet state: {seen[-25:]}"
        gc.collect()
        seen.append(resources())
        time.sleep(0.01)
    return seen[-1]


def settle(expected: tuple[int, int, int], what: str) -> None:
    """Waits until :func:`resources` is ``expected``: dropped clients stop their runtime's
    threads, and the mock closes its side of their connections, in the background."""
    end = time.monotonic() + DEADLINE
    while resources() != expected:
        assert time.monotonic() < end, f"{what}: {resources()} != {expected}"
        gc.collect()
        time.sleep(0.02)


def async_client(mock: MockServer) -> connectly.AsyncClient:
    return connectly.AsyncClient(
        mock.api_key, mock.business_id, base_url=mock.url, timeout=TIMEOUT, max_retries=2
    )


class Seen(logging.Handler):
    """Notes the clients whose records it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.clients: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.clients.add(getattr(record, "connectly_client", 0))


def warm_up(mock: MockServer) -> None:
    """One client's worth of what the SDK starts once per process and keeps: the logging
    thread, and the entry ``threading`` makes for it when it hands over its first record."""
    logger = logging.getLogger("connectly")
    seen = Seen()
    logger.addHandler(seen)
    try:
        client = async_client(mock)
        mock.fail_next([{"status": 401}])
        try:
            asyncio.run(client.send_text(PHONE, "warm-up"))
        except connectly.AuthenticationError:
            pass
        end = time.monotonic() + DEADLINE
        while client.id not in seen.clients:
            assert time.monotonic() < end, "the warm-up's failure was not logged"
            time.sleep(0.01)
    finally:
        logger.removeHandler(seen)


def classify(
    results: list[Any],
    cancelled: dict[int, bool],
    accounts: dict[int, Optional[connectly.CancelledError]],
    where: str,
) -> Counter[str]:
    """How each call ended; fails on a call that ended in a way its faults do not explain."""
    outcomes: Counter[str] = Counter()
    for i, result in enumerate(results):
        if isinstance(result, connectly.Response):
            outcomes["answered"] += 1
        elif isinstance(result, asyncio.CancelledError):
            assert cancelled.get(i), f"call {i} was cancelled, but not by the test {where}"
            stopped = accounts.get(i)
            assert stopped is not None, f"call {i}: no account of the cancel {where}"
            outcomes[f"cancelled, possibly sent: {stopped.possibly_sent}"] += 1
        elif isinstance(result, connectly.ConnectlyError):
            assert result.kind in EXPECTED_KINDS, f"call {i}: {result!r} {where}"
            outcomes[result.kind] += 1
        else:
            raise AssertionError(f"call {i} ended with {result!r} {where}")
        if cancelled.get(i):
            # A cancel that took effect (task.cancel() returned True) ends the call with it.
            assert isinstance(result, asyncio.CancelledError), f"call {i} {where}"
    return outcomes


def test_every_call_ends_exactly_once_and_the_process_gives_everything_back(
    connectly_mock: MockServer,
) -> None:
    mock = connectly_mock
    seed = int(os.environ.get("FAULT_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    warm_up(mock)
    baseline = quiet()

    # Enough fates for every attempt (each call makes up to three).
    mock.fail_next([fault(rng) for _ in range(3 * CALLS)])
    cancelled: dict[int, bool] = {}
    accounts: dict[int, Optional[connectly.CancelledError]] = {}
    recording: dict[str, Recording] = {}

    async def storm() -> list[Any]:
        loop = asyncio.get_running_loop()
        client = async_client(mock)
        completions = _async._Completions(loop)
        queue = Recording(completions._queue)
        completions._queue = queue  # type: ignore[assignment]
        _async._by_loop[loop] = completions
        recording["queue"] = queue

        async def call(i: int) -> connectly.Response:
            try:
                return await client.send_text(PHONE, f"m{i}")
            except asyncio.CancelledError as error:
                # Read in the task: `gather` hands over a new CancelledError of its own.
                accounts[i] = connectly.CancelledError.find(error)
                raise

        tasks = [asyncio.create_task(call(i)) for i in range(CALLS)]

        def cancel(i: int) -> Callable[[], None]:
            return lambda: cancelled.__setitem__(i, tasks[i].cancel())

        for i in rng.sample(range(CALLS), CALLS // 5):
            loop.call_later(rng.uniform(0.001, 4 * TIMEOUT), cancel(i))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        # The cancels scheduled after every task had ended.
        await asyncio.sleep(4 * TIMEOUT)
        assert not completions._calls, "calls still in flight after every task ended"
        assert not completions._watched
        return results

    where = f"(FAULT_SEED={seed})"
    # The results (whose tracebacks hold the client) are gone once classified.
    outcomes = classify(asyncio.run(storm()), cancelled, accounts, where)
    queue = recording.pop("queue")
    assert len(queue.submitted) == CALLS, where
    assert set(queue.submitted.values()) == {1}, where
    assert queue.drained == queue.submitted, f"a submission did not complete once {where}"
    assert sum(outcomes.values()) == CALLS
    # Each way to end was taken (at these rates, missing one means something is wrong).
    for way in ("answered", "Server", "Timeout", "Transport"):
        assert outcomes[way] > 0, outcomes
    assert any(key.startswith("cancelled") for key in outcomes), outcomes

    del queue  # it holds the loop's completion queue (two descriptors)
    settle(baseline, f"after the client and its loop were dropped {where}")
    print(f"fault injection {where}: {dict(outcomes)}; back to {baseline}")
