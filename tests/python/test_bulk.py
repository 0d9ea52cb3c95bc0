"""``Client.send_many``: every message once, results in input order, progress."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

import connectly
from connectly.testing import MockServer


def client_for(mock: MockServer, **options: object) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, **options)  # type: ignore[arg-type]


def test_ten_thousand_messages_each_sent_once_in_order(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    messages = [connectly.TextMessage("+15555555555", f"bulk {i}") for i in range(10_000)]
    seen: list[tuple[int, int, int]] = []
    lock = threading.Lock()

    def progress(done: int, failed: int, total: int) -> None:
        with lock:
            seen.append((done, failed, total))

    results = client.send_many(messages, on_progress=progress)
    assert [r.index for r in results] == list(range(10_000))
    assert all(r.response is not None and r.response.status_code == 200 for r in results)
    texts = [r.json["message"]["text"] for r in connectly_mock.requests()]
    assert len(texts) == 10_000
    assert len(set(texts)) == 10_000, "a message was sent twice"
    assert len(seen) == 10_000
    assert max(seen) == (10_000, 0, 10_000)


def test_failures_stay_with_their_message(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock, max_retries=0)
    connectly_mock.fail_next([{"status": 500}])
    messages = [
        connectly.TextMessage("+15555555555", "first"),
        connectly.TextMessage("+1", "bad number"),
        connectly.TemplateMessage("+15555555555", "welcome", {"b": "2", "a": "1"}),
        connectly.TextMessage("+15555555555", "by sms", channel="sms"),
    ]
    results = client.send_many(messages, concurrency=1)
    assert isinstance(results[0].error, connectly.ServerError)
    assert isinstance(results[1].error, connectly.ValidationError)
    assert [r.ok for r in results] == [False, False, True, True]
    sent = [r.json for r in connectly_mock.requests()]
    assert len(sent) == 3, "the invalid message was never sent"
    assert sent[1]["parameters"] == [{"name": "b", "value": "2"}, {"name": "a", "value": "1"}]
    assert sent[2]["recipient"]["channelType"] == "sms"
    assert "ok=False" in repr(results[0])


def test_message_types_are_checked() -> None:
    client = connectly.Client("k", "b", base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match="TextMessage, MessageRequest and TemplateMessage"):
        client.send_many([{"to": "+15555555555", "text": "hi"}])  # type: ignore[list-item]
    template = connectly.TemplateMessage("+15555555555", "t", [("x", "1")])
    assert template.params == [("x", "1")]
    assert connectly.TemplateMessage("+15555555555", "t").params == []


def test_a_failing_progress_callback_does_not_stop_the_batch(
    connectly_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(connectly_mock)
    calls = []
    reported: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))

    def broken(done: int, failed: int, total: int) -> None:
        calls.append(done)
        raise RuntimeError("progress bar broke")

    messages = [connectly.TextMessage("+15555555555", f"m{i}") for i in range(20)]
    results = client.send_many(messages, on_progress=broken)
    assert all(r.ok for r in results)
    assert connectly_mock.request_count == 20
    assert len(calls) == 1, "a callback that raised is not called again"
    assert len(reported) == 1
    assert isinstance(reported[0], RuntimeError)


def test_async_send_many(connectly_mock: MockServer) -> None:
    mock = connectly_mock
    client = connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url)
    messages = [connectly.TextMessage("+15555555555", f"a{i}") for i in range(50)]
    results = asyncio.run(client.send_many(messages, concurrency=4))
    assert len(results) == 50
    assert all(r.ok for r in results)
