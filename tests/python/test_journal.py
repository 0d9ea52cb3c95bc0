"""Resumable bulk sends: ``send_many(..., journal=PATH)`` run again sends only what never
reached the server, reports without resending what may have, and refuses a journal written
for other messages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"


def client_for(mock: MockServer) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, max_retries=0)


def texts(prefix: str, count: int) -> list[connectly.TextMessage]:
    return [connectly.TextMessage(PHONE, f"{prefix}-{i}") for i in range(count)]


def test_a_second_run_with_the_journal_sends_nothing(
    connectly_mock: MockServer, tmp_path: Path
) -> None:
    client = client_for(connectly_mock)
    journal = tmp_path / "campaign.journal"
    messages = texts("j", 12)
    first = client.send_many(messages, journal=str(journal))
    assert all(result.ok for result in first)
    assert [result.response.attempts for result in first if result.response] == [1] * 12
    assert connectly_mock.request_count == 12

    # A path-like works as well as a str.
    again = client.send_many(messages, journal=journal)
    assert connectly_mock.request_count == 12, "nothing is sent again"
    assert [result.index for result in again] == list(range(12))
    for before, after in zip(first, again):
        assert after.ok
        assert after.response is not None
        assert before.response is not None
        # Read back from the journal: the same answer, no attempt made.
        assert after.response.attempts == 0
        assert after.response.status_code == before.response.status_code
        assert after.response.data == before.response.data


def test_what_may_have_reached_the_server_is_reported_not_resent(
    connectly_mock: MockServer, tmp_path: Path
) -> None:
    client = client_for(connectly_mock)
    journal = tmp_path / "unsure.journal"
    messages = texts("u", 3)
    # The first message's request gets a 500: it may have been accepted.
    connectly_mock.fail_next({"status": 500})
    first = client.send_many(messages, concurrency=1, journal=journal)
    assert [result.ok for result in first] == [False, True, True]
    assert isinstance(first[0].error, connectly.ServerError)
    assert connectly_mock.request_count == 3

    again = client.send_many(messages, concurrency=1, journal=journal)
    assert connectly_mock.request_count == 3
    unsure = again[0].error
    assert isinstance(unsure, connectly.CancelledError)
    assert unsure.possibly_sent is True
    assert unsure.attempts == 0
    assert [result.ok for result in again[1:]] == [True, True]


def test_a_failure_that_never_reached_the_server_is_sent_again(
    connectly_mock: MockServer, tmp_path: Path
) -> None:
    client = client_for(connectly_mock)
    journal = tmp_path / "retry.journal"
    messages = texts("r", 2)
    # A 401 is an answer that the message was refused: sendable again.
    connectly_mock.fail_next({"status": 401})
    first = client.send_many(messages, concurrency=1, journal=journal)
    assert isinstance(first[0].error, connectly.AuthenticationError)
    again = client.send_many(messages, concurrency=1, journal=journal)
    assert [result.ok for result in again] == [True, True]
    assert again[0].response is not None
    assert again[0].response.attempts == 1
    assert connectly_mock.request_count == 3


def test_a_journal_for_other_messages_is_refused(
    connectly_mock: MockServer, tmp_path: Path
) -> None:
    client = client_for(connectly_mock)
    journal = tmp_path / "other.journal"
    client.send_many(texts("a", 3), journal=journal)
    sent = connectly_mock.request_count
    for other in (texts("b", 3), texts("a", 4), texts("a", 2)):
        results = client.send_many(other, journal=journal)
        assert len(results) == len(other)
        for result in results:
            assert isinstance(result.error, connectly.ValidationError)
            assert result.error.field == "journal"
            assert str(journal) in str(result.error)
    assert connectly_mock.request_count == sent, "nothing was sent"


def test_the_async_client_resumes_too(connectly_mock: MockServer, tmp_path: Path) -> None:
    journal = tmp_path / "async.journal"
    messages = texts("as", 4)

    async def run() -> list[connectly.SendResult]:
        client = connectly.AsyncClient(
            connectly_mock.api_key, connectly_mock.business_id, base_url=connectly_mock.url
        )
        return await client.send_many(messages, journal=journal)

    assert all(result.ok for result in asyncio.run(run()))
    again = asyncio.run(run())
    assert [r.response.attempts for r in again if r.response] == [0, 0, 0, 0]
    assert connectly_mock.request_count == 4


def test_an_unwritable_journal_fails_every_message_before_sending(
    connectly_mock: MockServer, tmp_path: Path
) -> None:
    client = client_for(connectly_mock)
    results = client.send_many(texts("w", 2), journal=tmp_path / "missing" / "dir" / "j")
    assert all(isinstance(result.error, connectly.ConfigurationError) for result in results)
    assert connectly_mock.request_count == 0
    with pytest.raises(TypeError):
        client.send_many(texts("w", 1), journal=3)  # type: ignore[arg-type]
