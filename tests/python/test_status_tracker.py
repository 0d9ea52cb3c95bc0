"""connectly.StatusTracker: out-of-order and repeated statuses never move a message back."""

from __future__ import annotations

import itertools
import random
import threading

import pytest
from conftest import RedisServer, unique

import connectly


def test_every_order_of_the_three_statuses_ends_at_read() -> None:
    for order in itertools.permutations(["sent", "delivered", "read"]):
        tracker = connectly.StatusTracker()
        moved = [tracker.advance("m1", status) for status in order]
        assert moved[0], order
        assert tracker.status("m1") == "read", order
        # The ones that moved it are in increasing order: a late one never counts.
        forward = [status for status, news in zip(order, moved) if news]
        assert forward == sorted(forward, key=["sent", "delivered", "read"].index), order


def test_repeats_are_not_news_and_messages_are_apart() -> None:
    tracker = connectly.StatusTracker()
    assert tracker.status("m1") is None
    assert tracker.advance("m1", "delivered")
    assert not tracker.advance("m1", "delivered")
    assert not tracker.advance("m1", "sent")
    assert tracker.advance("m2", "sent")
    assert (tracker.status("m1"), tracker.status("m2")) == ("delivered", "sent")


def test_failure_is_final_and_unknown_statuses_only_start() -> None:
    tracker = connectly.StatusTracker()
    assert tracker.advance("m", "pending")
    assert tracker.status("m") == "pending"
    assert tracker.advance("m", "delivery_failure")
    assert tracker.status("m") == "delivery_failed"
    assert not tracker.advance("m", "read")
    assert not tracker.advance("m", "queued")
    assert tracker.status("m") == "delivery_failed"


def test_shared_between_threads() -> None:
    tracker = connectly.StatusTracker()
    news: list[bool] = []
    lock = threading.Lock()

    def deliver() -> None:
        moved = tracker.advance("m", "read")
        with lock:
            news.append(moved)

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert news.count(True) == 1


def test_a_store_is_memory_or_redis() -> None:
    assert connectly.StatusTracker(store=None).status("m") is None
    assert connectly.StatusTracker().store is None
    with pytest.raises(TypeError, match="RedisStatusStore") as caught:
        connectly.StatusTracker(store="redis://:pw@127.0.0.1:6379/0")  # type: ignore[arg-type]
    assert "pw@" not in str(caught.value)
    with pytest.raises(TypeError):
        connectly.StatusStore()
    with pytest.raises(connectly.ConfigurationError) as config:
        connectly.RedisStatusStore("nope://:store-password@host")
    assert "store-password" not in str(config.value)
    store = connectly.RedisStatusStore("redis://:store-password@127.0.0.1:6379/0")
    tracker = connectly.StatusTracker(store=store)
    assert tracker.store is store
    for shown in (repr(store), repr(tracker)):
        assert "store-password" not in shown
    assert repr(tracker) == "StatusTracker(store=RedisStatusStore('[REDACTED]'))"


def test_two_trackers_on_one_memory_store_share_it() -> None:
    store = connectly.MemoryStatusStore()
    first, second = connectly.StatusTracker(store), connectly.StatusTracker(store=store)
    assert first.advance("m", "delivered")
    assert not second.advance("m", "sent")
    assert second.status("m") == "delivered"
    # A tracker of its own does not see them.
    assert connectly.StatusTracker().status("m") is None


def test_two_trackers_on_one_redis_end_every_message_at_its_furthest_status(
    redis_url: str,
) -> None:
    # A delivery-status stream shuffled and repeated, split between two workers that each
    # have their own tracker on the same Redis.
    prefix = unique()
    final = {
        f"{prefix}-{i}": ["sent", "delivered", "read", "delivery_failed"][i % 4] for i in range(40)
    }
    order = ["sent", "delivered", "read", "delivery_failed"]
    stream = [
        (message, status)
        for message, last in final.items()
        for status in order[: order.index(last) + 1]
        if not (last == "delivery_failed" and status == "read")
    ] * 3
    random.Random(7).shuffle(stream)
    trackers = [
        connectly.StatusTracker(store=connectly.RedisStatusStore(redis_url)) for _ in range(2)
    ]
    news: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(part: int) -> None:
        tracker = trackers[part]
        for message, status in stream[part::2]:
            if tracker.advance(message, status):
                with lock:
                    news.append((message, status))

    threads = [threading.Thread(target=worker, args=(part,)) for part in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for message, last in final.items():
        assert trackers[0].status(message) == last, message
        assert trackers[1].status(message) == last, message
    # A status counted as news once at most, whichever worker saw it: the repeats never.
    assert len(news) == len(set(news))
    assert (
        connectly.StatusTracker(store=connectly.RedisStatusStore(redis_url)).status(f"{prefix}-0")
        == "sent"
    )


def test_while_redis_is_away_every_status_is_news() -> None:
    redis = RedisServer()
    url = redis.url
    redis.close()
    tracker = connectly.StatusTracker(store=connectly.RedisStatusStore(url))
    assert tracker.advance("m", "read")
    assert tracker.advance("m", "read")
    assert tracker.status("m") is None
