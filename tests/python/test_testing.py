"""connectly.testing: the MockServer wrapper and the connectly_mock pytest fixture."""

from __future__ import annotations

import pytest

import connectly
from connectly.testing import DeliveryError, MockServer, RecordedRequest


def test_fixture_is_registered_by_the_entry_point(connectly_mock: MockServer) -> None:
    assert connectly_mock.url.startswith("http://127.0.0.1:")
    assert connectly_mock.api_key == "mock-api-key"
    assert connectly_mock.business_id == "mock-business"
    assert connectly_mock.webhook_secret == "mock-webhook-secret"
    client = connectly.Client(
        **{
            "api_key": connectly_mock.api_key,
            "business_id": connectly_mock.business_id,
            "base_url": connectly_mock.url,
        }
    )
    client.send_text("+15555555555", "via fixture")
    assert connectly_mock.requests()[0].json["message"]["text"] == "via fixture"


def test_settings_env_and_close() -> None:
    mock = MockServer(api_key="k", business_id="b", webhook_secret="s", business_phone="+1999")
    with mock:
        assert mock.env() == {
            "CONNECTLY_API_KEY": "k",
            "CONNECTLY_BUSINESS_ID": "b",
            "CONNECTLY_BASE_URL": mock.url,
            "CONNECTLY_WEBHOOK_SECRET": "s",
        }
        assert not mock.closed
    assert mock.closed
    mock.close()  # again: nothing
    with pytest.raises(RuntimeError, match="closed"):
        mock.requests()


def test_bad_settings() -> None:
    with pytest.raises(connectly.ConnectlyError, match="API key"):
        MockServer(api_key="")


def test_recorded_requests_and_reset(connectly_mock: MockServer) -> None:
    client = connectly.Client(
        connectly_mock.api_key, connectly_mock.business_id, base_url=connectly_mock.url
    )
    client.send_text("+15555555555", "one")
    [request] = connectly_mock.requests()
    assert request.text is not None
    assert "one" in request.text
    assert request.header("X-API-KEY") == "mock-api-key"
    assert request.header("nope") is None
    assert "body" not in repr(request)
    assert connectly_mock.request_count == 1
    connectly_mock.clear_requests()
    assert connectly_mock.requests() == []
    connectly_mock.fail_next({"status": 500})
    assert connectly_mock.pending_failures() == [{"status": 500}]
    connectly_mock.reset()
    assert connectly_mock.pending_failures() == []


def test_failure_forms(connectly_mock: MockServer) -> None:
    connectly_mock.fail_next(
        [
            {"status": 429, "retry_after": 2},
            {"status": 500, "body": "oops"},
            {"delay": 0.25},
            {"delay_ms": 10},
            {"drop": True},
            {"drop_before_read": True},
        ]
    )
    assert connectly_mock.pending_failures() == [
        {"status": 429, "retry_after": "2"},
        {"status": 500, "body": "oops"},
        {"delay_ms": 250},
        {"delay_ms": 10},
        {"drop": True},
        {"drop_before_read": True},
    ]


@pytest.mark.parametrize(
    "failure",
    [{"status": 99}, {"drop": False}, {"nope": 1}, {"delay": -1}, {"delay": "1"}],
)
def test_bad_failures(connectly_mock: MockServer, failure: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        connectly_mock.fail_next([failure])


def test_delivery_without_webhook(connectly_mock: MockServer) -> None:
    with pytest.raises(DeliveryError) as caught:
        connectly_mock.deliver_inbound("+15555550100", "hi")
    assert caught.value.kind == "NoWebhook"
    assert isinstance(caught.value, connectly.ConnectlyError)


def test_delivery_to_an_unreachable_receiver(connectly_mock: MockServer) -> None:
    client = connectly.Client(
        connectly_mock.api_key, connectly_mock.business_id, base_url=connectly_mock.url
    )
    with MockServer() as gone:
        dead = gone.url
    client.create_webhook(dead + "/webhook")
    assert connectly_mock.webhooks == {"messages": dead + "/webhook"}
    with pytest.raises(DeliveryError) as caught:
        connectly_mock.deliver_inbound("+15555550100", "hi")
    assert caught.value.kind == "Transport"


def test_reprs_hide_secret_headers(connectly_mock: MockServer) -> None:
    # Before: RecordedRequest's repr showed the x-api-key header.
    client = connectly.Client(
        connectly_mock.api_key, connectly_mock.business_id, base_url=connectly_mock.url
    )
    client.send_text("+15555555555", "one")
    [request] = connectly_mock.requests()
    assert request.header("x-api-key") == "mock-api-key"
    for shown in (repr(request), str(request), repr(connectly_mock.requests())):
        assert "mock-api-key" not in shown
        assert "[REDACTED]" in shown
    made = RecordedRequest(
        "POST",
        "/p",
        [
            ("Authorization", "Bearer token-1"),
            ("COOKIE", "session=token-2"),
            ("proxy-authorization", "Basic token-3"),
            ("X-Api-Key", "token-4"),
            ("X-Trace", "visible"),
        ],
        b"body-token-5",
    )
    assert "token-" not in repr(made)
    assert "'X-Trace', 'visible'" in repr(made)
    assert made.header("cookie") == "session=token-2"
