"""connectly.Client against the mock: wire exactness, configuration, every error mapping,
validation before I/O, and the GIL released while a request is in flight."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import pytest
from conftest import CANARY_KEY

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"


@pytest.fixture
def mock() -> Any:
    with MockServer(api_key=CANARY_KEY, business_id="biz-1") as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, max_retries=2)


def test_send_text_wire(mock: MockServer, client: connectly.Client) -> None:
    response = client.send_text(PHONE, "hello!")
    assert response.status_code == 200
    assert response.attempts == 1
    assert isinstance(response.data, dict)
    assert response.trace_id == response.data["cntTraceId"]
    [request] = mock.requests()
    assert request.method == "POST"
    assert request.path == "/v1/businesses/biz-1/send/messages"
    assert request.header("x-api-key") == CANARY_KEY
    assert request.header("content-type") == "application/json"
    assert request.header("accept") == "application/json"
    assert request.body == (
        b'{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}'
    )


def test_send_text_other_channel(mock: MockServer, client: connectly.Client) -> None:
    client.send_text(PHONE, "hi", channel="sms")
    client.send_text("user-123", "hi", "messenger")
    first, second = (r.json for r in mock.requests())
    assert first["recipient"] == {"channelType": "sms", "id": PHONE}
    assert second["recipient"] == {"channelType": "messenger", "id": "user-123"}


@pytest.mark.parametrize(
    "params",
    [
        {"var1": "value1", "var2": "value2"},
        [("var1", "value1"), ("var2", "value2")],
        (["var1", "value1"], ["var2", "value2"]),
    ],
)
def test_send_template_wire_keeps_order(
    mock: MockServer, client: connectly.Client, params: Any
) -> None:
    client.send_template(PHONE, "welcome", params)
    [request] = mock.requests()
    assert request.path == "/v1/businesses/biz-1/send/whatsapp_templated_messages"
    assert request.body == (
        b'{"parameters":[{"name":"var1","value":"value1"},{"name":"var2","value":"value2"}],'
        b'"number":"+15555555555","templateName":"welcome"}'
    )


def test_send_template_order_is_the_callers(mock: MockServer, client: connectly.Client) -> None:
    client.send_template(PHONE, "t", [("z", "1"), ("a", "2"), ("m", "3")])
    names = [p["name"] for p in mock.requests()[0].json["parameters"]]
    assert names == ["z", "a", "m"]


def test_create_webhook_wire(mock: MockServer, client: connectly.Client) -> None:
    response = client.create_webhook("https://example.com/webhook")
    client.create_webhook("https://example.com/status", topic="delivery_status")
    first, second = mock.requests()
    assert first.path == "/v1/businesses/biz-1/create/webhooks"
    assert first.body == b'{"topic":"messages","address":"https://example.com/webhook"}'
    assert second.json == {"topic": "delivery_status", "address": "https://example.com/status"}
    assert response.status_code == 200
    assert mock.webhooks == {
        "messages": "https://example.com/webhook",
        "delivery_status": "https://example.com/status",
    }


def test_env_defaults(clean_env: pytest.MonkeyPatch, mock: MockServer) -> None:
    clean_env.setenv("CONNECTLY_API_KEY", mock.api_key)
    clean_env.setenv("CONNECTLY_BUSINESS_ID", mock.business_id)
    clean_env.setenv("CONNECTLY_BASE_URL", mock.url)
    client = connectly.Client()
    assert client.business_id == "biz-1"
    assert client.timeout == 30.0
    assert client.max_retries == 2
    client.send_text(PHONE, "from env")
    assert mock.requests()[0].header("x-api-key") == CANARY_KEY
    # Arguments win over the environment.
    other = connectly.Client(business_id="other", base_url=mock.url)
    assert other.business_id == "other"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "API key"),
        ({"api_key": "k"}, "business id"),
        ({"api_key": "k", "business_id": "b", "timeout": 0}, "timeout"),
        ({"api_key": "k", "business_id": "b", "timeout": -1.0}, "timeout"),
        ({"api_key": "k", "business_id": "b", "timeout": float("nan")}, "timeout"),
        ({"api_key": "k", "business_id": "b", "max_retries": -1}, "retries"),
        ({"api_key": "k", "business_id": "b", "max_retries": 11}, "retries"),
        ({"api_key": "k", "business_id": "b", "base_url": "http://example.com"}, "base URL"),
        ({"api_key": "k", "business_id": "b", "base_url": "not a url"}, "base URL"),
    ],
)
def test_configuration_errors(clean_env: pytest.MonkeyPatch, kwargs: Any, match: str) -> None:
    with pytest.raises(connectly.ValidationError, match=match) as caught:
        connectly.Client(**kwargs)
    assert caught.value.attempts == 0
    assert caught.value.kind in ("Config", "Validation")


def test_missing_key_is_a_configuration_error(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(connectly.ConfigurationError) as caught:
        connectly.Client()
    assert caught.value.kind == "Config"


def test_repr_hides_the_key(client: connectly.Client) -> None:
    assert CANARY_KEY not in repr(client)
    assert "REDACTED" in repr(client)
    assert "biz-1" in repr(client)


INVALID_CALLS: list[tuple[str, Callable[[connectly.Client], object]]] = [
    ("empty text", lambda c: c.send_text(PHONE, "")),
    ("blank text", lambda c: c.send_text(PHONE, "   ")),
    ("bad e164", lambda c: c.send_text("+1", "hi")),
    ("letters in number", lambda c: c.send_text("+1555abc5555", "hi")),
    ("empty recipient", lambda c: c.send_text("", "hi")),
    ("empty channel", lambda c: c.send_text(PHONE, "hi", channel="")),
    ("template bad number", lambda c: c.send_template("+12", "welcome", {})),
    ("template empty name", lambda c: c.send_template(PHONE, "", {"a": "b"})),
    ("template repeated param", lambda c: c.send_template(PHONE, "t", [("a", "1"), ("a", "2")])),
    ("template empty param name", lambda c: c.send_template(PHONE, "t", {"": "1"})),
    ("webhook relative address", lambda c: c.create_webhook("/webhook")),
    ("webhook http address", lambda c: c.create_webhook("http://example.com/webhook")),
    ("webhook empty topic", lambda c: c.create_webhook("https://example.com/w", topic="")),
]


@pytest.mark.parametrize(("name", "call"), INVALID_CALLS, ids=[n for n, _ in INVALID_CALLS])
def test_validation_sends_nothing(
    mock: MockServer,
    client: connectly.Client,
    name: str,
    call: Callable[[connectly.Client], object],
) -> None:
    with pytest.raises(connectly.ValidationError) as caught:
        call(client)
    assert caught.value.attempts == 0
    assert caught.value.kind == "Validation"
    assert caught.value.field
    assert mock.request_count == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.send_text(PHONE, 5),
        lambda c: c.send_text(None, "x"),
        lambda c: c.send_template(PHONE, "t", {"a": 1}),
        lambda c: c.send_template(PHONE, "t", "ab"),
        lambda c: c.send_template(PHONE, "t", [("a",)]),
        lambda c: c.send_template(PHONE, "t", 3),
    ],
)
def test_wrong_types_are_type_errors(
    mock: MockServer, client: connectly.Client, call: Callable[[connectly.Client], object]
) -> None:
    with pytest.raises(TypeError):
        call(client)
    assert mock.request_count == 0


@pytest.mark.parametrize(
    ("failure", "error", "kind", "status"),
    [
        ({"status": 401}, connectly.AuthenticationError, "Authentication", 401),
        ({"status": 403}, connectly.AuthenticationError, "Authentication", 403),
        ({"status": 400}, connectly.APIError, "Api", 400),
        ({"status": 404}, connectly.APIError, "Api", 404),
        ({"status": 409}, connectly.APIError, "Api", 409),
        ({"status": 500}, connectly.ServerError, "Server", 500),
        ({"status": 503}, connectly.ServerError, "Server", 503),
        ({"status": 302}, connectly.TransportError, "Redirect", 302),
    ],
)
def test_status_mapping(
    mock: MockServer,
    client: connectly.Client,
    failure: dict[str, Any],
    error: type[connectly.ConnectlyError],
    kind: str,
    status: int,
) -> None:
    mock.fail_next([failure])
    with pytest.raises(error) as caught:
        client.send_text(PHONE, "hi")
    exc: Any = caught.value
    assert type(exc) is error
    assert exc.kind == kind
    assert exc.status_code == status
    assert exc.attempts == 1
    # A 5xx may have been acted on; a 4xx or a redirect says the message was not taken.
    assert exc.possibly_sent is (kind == "Server")
    assert mock.request_count == 1  # a send is never repeated after it may have arrived


def test_api_error_fields(mock: MockServer, client: connectly.Client) -> None:
    body = {
        "message": "bad number",
        "type": "ERROR_TYPE_INVALID_REQUEST",
        "code": "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
        "cntTraceId": "11824978358485860716",
        "details": {},
    }
    mock.fail_next([{"status": 400, "body": json.dumps(body)}])
    with pytest.raises(connectly.APIError) as caught:
        client.send_text(PHONE, "hi")
    exc = caught.value
    assert exc.status_code == 400
    assert exc.code == "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT"
    assert exc.error_type == "ERROR_TYPE_INVALID_REQUEST"
    assert exc.message == "bad number"
    assert exc.trace_id == "11824978358485860716"
    assert exc.body == body
    assert "11824978358485860716" in str(exc)


def test_api_error_with_a_non_json_body(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"status": 502, "body": "<html>bad gateway</html>"}])
    with pytest.raises(connectly.ServerError) as caught:
        client.send_text(PHONE, "hi")
    assert caught.value.body is None
    assert caught.value.message == "<html>bad gateway</html>"
    assert caught.value.code is None


def test_rate_limit_retried_then_raised(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"status": 429, "retry_after": "0"}] * 3)
    with pytest.raises(connectly.RateLimitError) as caught:
        client.send_text(PHONE, "hi")
    exc = caught.value
    assert exc.attempts == 3
    assert exc.retry_after == 0.0
    assert exc.code == "ERROR_CODE_BUSINESS_REACHED_LIMITS"
    assert exc.trace_id
    assert exc.possibly_sent is False
    assert mock.request_count == 3


def test_rate_limit_then_success(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"status": 429, "retry_after": 0}])
    response = client.send_text(PHONE, "hi")
    assert response.attempts == 2


def test_rate_limit_too_long_is_not_waited(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"status": 429, "retry_after": "3600"}])
    with pytest.raises(connectly.RateLimitError) as caught:
        client.send_text(PHONE, "hi")
    assert caught.value.retry_after == 3600.0
    assert caught.value.attempts == 1


def test_dropped_connection_is_a_transport_error(
    mock: MockServer, client: connectly.Client
) -> None:
    mock.fail_next([{"drop": True}])
    with pytest.raises(connectly.TransportError) as caught:
        client.send_text(PHONE, "hi")
    assert type(caught.value) is connectly.TransportError
    assert caught.value.kind == "Transport"
    assert caught.value.possibly_sent is True  # the mock read the request, then dropped it
    assert "may have received the request" in str(caught.value)
    assert mock.request_count == 1


def test_timeout(mock: MockServer) -> None:
    client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, timeout=0.2)
    mock.fail_next([{"delay": 0.6}])
    with pytest.raises(connectly.TimeoutError) as caught:
        client.send_text(PHONE, "hi")
    assert caught.value.kind == "Timeout"
    assert caught.value.attempts == 1
    assert caught.value.possibly_sent is True  # the request was written before time ran out
    assert isinstance(caught.value, TimeoutError)


def test_create_webhook_retried_on_server_error(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"status": 503}])
    response = client.create_webhook("https://example.com/webhook")
    assert response.attempts == 2


def test_unreachable_server_is_a_transport_error() -> None:
    with MockServer() as mock:
        url, key, business = mock.url, mock.api_key, mock.business_id
    client = connectly.Client(key, business, base_url=url, max_retries=0)
    with pytest.raises(connectly.TransportError) as caught:
        client.send_text(PHONE, "hi")
    assert caught.value.attempts == 1
    assert caught.value.possibly_sent is False  # no connection ever opened


def test_gil_released_while_a_request_is_in_flight(
    mock: MockServer, client: connectly.Client
) -> None:
    mock.fail_next([{"delay": 0.5}])
    done = threading.Event()
    result: list[object] = []

    def send() -> None:
        result.append(client.send_text(PHONE, "slow"))
        done.set()

    sender = threading.Thread(target=send)
    sender.start()
    ticks = 0
    started = time.monotonic()
    while not done.is_set():
        ticks += 1  # pure Python work: runs only while the sender does not hold the GIL
        time.sleep(0)
    elapsed = time.monotonic() - started
    sender.join()
    assert elapsed >= 0.4
    assert ticks > 1000, ticks
    assert isinstance(result[0], connectly.Response)


def test_threads_overlap(mock: MockServer, client: connectly.Client) -> None:
    mock.fail_next([{"delay": 0.4}] * 4)
    threads = [threading.Thread(target=client.send_text, args=(PHONE, "t")) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert mock.request_count == 4
    assert elapsed < 1.2, f"4 requests of 0.4 s took {elapsed:.2f} s: they did not overlap"


def test_response_repr(client: connectly.Client) -> None:
    response = client.send_text(PHONE, "hi")
    assert repr(response).startswith("Response(status_code=200, attempts=1")


def test_response_id_is_the_replys_id(mock: MockServer, client: connectly.Client) -> None:
    sent = client.send_template("+15555555555", "welcome", {"var1": "Ada"})
    assert sent.id is not None
    assert sent.id == sent.data["id"]
    assert [m.id for m in mock.messages()] == [sent.id]
    hook = client.create_webhook("https://example.com/webhook", topic="messages")
    assert hook.id == mock.webhook_registrations()[0].id
