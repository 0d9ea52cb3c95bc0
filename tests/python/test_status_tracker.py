"""connectly.StatusTracker: out-of-order and repeated statuses never move a message back."""

from __future__ import annotations

import itertools
import threading

import pytest

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


def test_only_the_in_memory_store_exists_yet() -> None:
    assert connectly.StatusTracker(store=None).status("m") is None
    with pytest.raises(TypeError, match="issue 14"):
        connectly.StatusTracker(store="redis://127.0.0.1:6379/0")  # type: ignore[arg-type]
