# connectly-example: test
"""Testing your own code offline, with pytest and the SDK's mock Connectly.

    pytest test_testing.py

The ``connectly_mock`` fixture comes with the SDK (a pytest plugin it installs): a fresh mock
Connectly on 127.0.0.1 for each test, a real HTTP server that checks each request's shape as
Connectly documents it, records what it received and fails on demand.
"""

import pytest

import connectly
from connectly.testing import MockServer


def notify_shipped(client: connectly.Client, number: str, order: str) -> str:
    """The code under test: tells a customer their order has shipped; the message's id."""
    sent = client.send_template(
        number, "order_shipped", {"order": order}, language="en", callback_data={"order": order}
    )
    message_id: str = sent.data["id"]
    return message_id


# --8<-- [start:mock]
@pytest.fixture
def client(connectly_mock: MockServer) -> connectly.Client:
    # connectly_mock: a mock Connectly started for this test, stopped after it.
    return connectly.Client(
        connectly_mock.api_key, connectly_mock.business_id, base_url=connectly_mock.url
    )
    # --8<-- [end:mock]


# --8<-- [start:assert]
def test_notify_shipped_sends_the_template(
    client: connectly.Client, connectly_mock: MockServer
) -> None:
    message_id = notify_shipped(client, "+15555555555", "1042")

    [request] = connectly_mock.requests()  # every API request, oldest first
    assert request.method == "POST"
    assert request.path.endswith("/send/whatsapp_templated_messages")
    assert request.json == {
        "number": "+15555555555",
        "templateName": "order_shipped",
        "parameters": [{"name": "order", "value": "1042"}],
        "language": "en",
        "callbackData": {"order": "1042"},
    }
    [accepted] = connectly_mock.messages()  # what it accepted, with the id it answered
    assert accepted.id == message_id
    assert accepted.recipient == "+15555555555"
    # --8<-- [end:assert]


# --8<-- [start:failures]
def test_a_rate_limit_is_waited_out(client: connectly.Client, connectly_mock: MockServer) -> None:
    connectly_mock.fail_next({"status": 429, "retry_after": "1"})  # the next request only
    notify_shipped(client, "+15555555555", "1042")
    assert connectly_mock.request_count == 2  # refused once, then sent


def test_a_server_error_is_not_resent(client: connectly.Client, connectly_mock: MockServer) -> None:
    connectly_mock.fail_next([{"status": 500}, {"status": 500}])
    with pytest.raises(connectly.ServerError) as failed:
        notify_shipped(client, "+15555555555", "1042")
    assert failed.value.status_code == 500
    assert connectly_mock.request_count == 1  # it may have been sent: never sent twice
    assert connectly_mock.messages() == []


def test_a_dropped_connection_is_a_transport_error(
    client: connectly.Client, connectly_mock: MockServer
) -> None:
    connectly_mock.fail_next({"drop": True})  # read the request, then hang up
    with pytest.raises(connectly.TransportError):
        notify_shipped(client, "+15555555555", "1042")
    # --8<-- [end:failures]
