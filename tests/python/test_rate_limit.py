"""Send budgets: ``connectly.LocalRateLimiter`` and ``connectly.RedisRateLimiter`` given to
clients as ``rate_limiter=``, shared by every client (and, through Redis, every process)
given the same budget; ``rate_limiter=False``; validation before anything is made.

Timings are lower bounds only: a budget makes sends wait, and a loaded machine only adds
to that."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from typing import Any

import pytest
from conftest import CANARY_SECRET, RedisServer, unique

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"


def client_for(mock: MockServer, **options: Any) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, **options)


def send_in_threads(clients: list[connectly.Client], each: int) -> float:
    """Sends ``each`` texts from every client at once (a thread per client); the seconds
    it took."""
    errors: list[BaseException] = []

    def send(client: connectly.Client) -> None:
        try:
            for i in range(each):
                client.send_text(PHONE, f"budget {i}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return time.monotonic() - start


def test_two_clients_of_one_local_limiter_share_its_budget(connectly_mock: MockServer) -> None:
    # 60 sends at 50/s after a burst of 5 take at least 1.1 s; two budgets would take 0.5 s.
    limiter = connectly.LocalRateLimiter(rate=50.0, burst=5)
    clients = [client_for(connectly_mock, rate_limiter=limiter) for _ in range(2)]
    elapsed = send_in_threads(clients, 30)
    assert elapsed >= 1.0, elapsed
    assert connectly_mock.request_count == 60


def test_two_clients_with_two_redis_limiters_on_one_redis_share_one_budget(
    connectly_mock: MockServer, redis_url: str
) -> None:
    # A rate no other test uses: its own key in the shared Redis.
    rate = 53.0
    clients = [
        client_for(connectly_mock, rate_limiter=connectly.RedisRateLimiter(redis_url, rate, 5))
        for _ in range(2)
    ]
    elapsed = send_in_threads(clients, 30)
    # 60 sends at 53/s after a burst of 5: at least 1.04 s for the pair (0.47 s each alone).
    assert elapsed >= (60 - 5) / rate - 0.05, elapsed
    assert connectly_mock.request_count == 60


def test_every_send_call_waits_on_the_budget(connectly_mock: MockServer) -> None:
    limiter = connectly.LocalRateLimiter(rate=40.0, burst=1)
    client = client_for(connectly_mock, rate_limiter=limiter)
    start = time.monotonic()
    client.send_text(PHONE, "first")
    client.send_template(PHONE, "welcome", {"var1": "x"})
    results = client.send_many([connectly.TextMessage(PHONE, f"m{i}") for i in range(19)])
    elapsed = time.monotonic() - start
    assert all(result.ok for result in results)
    assert connectly_mock.request_count == 21
    # 21 sends at 40/s, the first at once: at least half a second.
    assert elapsed >= 20 / 40.0 - 0.05, elapsed


def test_a_mock_client_has_no_budget_by_default_and_false_has_none(
    connectly_mock: MockServer,
) -> None:
    # The default budget (200/s) is for the Connectly API only: to another base URL (the
    # mock), and with rate_limiter=False anywhere, nothing waits. 600 sends under a 200/s
    # budget would take 2.9 s at least.
    for options in ({}, {"rate_limiter": None}, {"rate_limiter": False}):
        client = client_for(connectly_mock, **options)
        start = time.monotonic()
        results = client.send_many(
            [connectly.TextMessage(PHONE, f"m{i}") for i in range(600)], concurrency=16
        )
        elapsed = time.monotonic() - start
        assert all(result.ok for result in results)
        assert elapsed < 2.5, (options, elapsed)


def test_false_is_accepted_for_the_connectly_api_too(clean_env: pytest.MonkeyPatch) -> None:
    # No request is made: only the configuration is checked.
    connectly.Client("key", "business", rate_limiter=False)
    connectly.Client("key", "business", rate_limiter=connectly.LocalRateLimiter(100.0))


def test_async_client_waits_on_the_budget_without_holding_the_loop(
    connectly_mock: MockServer,
) -> None:
    limiter = connectly.LocalRateLimiter(rate=40.0, burst=2)

    async def main() -> tuple[float, int]:
        client = connectly.AsyncClient(
            connectly_mock.api_key,
            connectly_mock.business_id,
            base_url=connectly_mock.url,
            rate_limiter=limiter,
        )
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        start = time.monotonic()
        await asyncio.gather(*(client.send_text(PHONE, f"a{i}") for i in range(22)))
        elapsed = time.monotonic() - start
        ticker.cancel()
        return elapsed, ticks

    elapsed, ticks = asyncio.run(main())
    # 22 sends at 40/s after a burst of 2: at least half a second, the loop free meanwhile.
    assert elapsed >= 0.45, elapsed
    assert ticks >= 10, ticks
    assert connectly_mock.request_count == 22


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: connectly.LocalRateLimiter(rate=0.0), "rate limit"),
        (lambda: connectly.LocalRateLimiter(rate=-1.0), "rate limit"),
        (lambda: connectly.LocalRateLimiter(rate=math.nan), "rate limit"),
        (lambda: connectly.LocalRateLimiter(rate=math.inf), "rate limit"),
        (lambda: connectly.LocalRateLimiter(rate=0.001), "rate limit"),
        (lambda: connectly.LocalRateLimiter(burst=0), "burst"),
        (lambda: connectly.LocalRateLimiter(burst=-5), "burst"),
        (lambda: connectly.LocalRateLimiter(burst=2**40), "burst"),
        (lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", rate=0.0), "rate limit"),
        (lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", burst=0), "burst"),
        (
            lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", fallback_share=0.0),
            "fallback share",
        ),
        (
            lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", fallback_share=1.5),
            "fallback share",
        ),
        (
            lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", fallback_share=math.nan),
            "fallback share",
        ),
        (lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", timeout=0.0), "timeout"),
        (lambda: connectly.RedisRateLimiter("redis://127.0.0.1:1/0", timeout=-1), "timeout"),
    ],
)
def test_bad_limits_are_validation_errors(make: Any, field: str) -> None:
    with pytest.raises(connectly.ValidationError) as caught:
        make()
    assert caught.value.field == field


def test_an_unusable_redis_url_is_a_configuration_error_that_does_not_quote_it() -> None:
    for url in (f"nope://:{CANARY_SECRET}@host/0", f"redis://:{CANARY_SECRET}@host:notaport/0"):
        with pytest.raises(connectly.ConfigurationError) as caught:
            connectly.RedisRateLimiter(url)
        assert CANARY_SECRET not in str(caught.value)
        assert CANARY_SECRET not in repr(caught.value)
    with pytest.raises(TypeError):
        connectly.RedisRateLimiter(b"redis://127.0.0.1/0")  # type: ignore[arg-type]


def test_reprs_never_show_the_url() -> None:
    url = f"redis://:{CANARY_SECRET}@127.0.0.1:6379/0"
    limiter = connectly.RedisRateLimiter(url, 100.0, 10, 0.5, timeout=0.2)
    assert repr(limiter) == (
        "RedisRateLimiter('[REDACTED]', rate=100.0, burst=10, fallback_share=0.5, timeout=0.2)"
    )
    assert (limiter.rate, limiter.burst, limiter.fallback_share, limiter.timeout) == (
        100.0,
        10,
        0.5,
        0.2,
    )
    client = connectly.Client("key", "business", rate_limiter=limiter)
    for shown in (repr(limiter), str(limiter), repr(client)):
        assert CANARY_SECRET not in shown
    assert repr(connectly.LocalRateLimiter()) == "LocalRateLimiter(rate=200.0, burst=None)"
    assert isinstance(limiter, connectly.RateLimiter)
    assert isinstance(connectly.LocalRateLimiter(), connectly.RateLimiter)


@pytest.mark.parametrize("value", [True, 1, "redis://127.0.0.1:6379/0", object()])
def test_rate_limiter_takes_a_limiter_false_or_none(value: Any) -> None:
    with pytest.raises(TypeError, match="rate_limiter must be") as caught:
        connectly.Client("key", "business", rate_limiter=value)
    assert "redis://" not in str(caught.value)


def test_the_base_class_is_not_constructible() -> None:
    with pytest.raises(TypeError):
        connectly.RateLimiter()


def test_while_redis_is_away_sends_go_on_at_the_fallback_share(
    connectly_mock: MockServer,
) -> None:
    # A Redis that is not there: every send falls back to a local quarter of the rate.
    redis = RedisServer()
    url = redis.url
    redis.close()
    limiter = connectly.RedisRateLimiter(url, rate=80.0, fallback_share=0.25, timeout=0.05)
    client = client_for(connectly_mock, rate_limiter=limiter)
    start = time.monotonic()
    for i in range(6):
        client.send_text(PHONE, f"fallback {i} {unique()}")
    elapsed = time.monotonic() - start
    # 6 sends at 20/s without a burst: at least a quarter of a second; none lost.
    assert elapsed >= 5 / 20.0 - 0.02, elapsed
    assert connectly_mock.request_count == 6
