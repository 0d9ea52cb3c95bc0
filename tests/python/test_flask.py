"""connectly.flask.webhook: a real Flask app served by werkzeug on loopback receives
deliveries from the mock; the test client covers gzip, size caps and refusals."""

from __future__ import annotations

import gzip
import json
import math
import threading
from typing import Any, Callable

import flask
import pytest
from conftest import INBOUND_BODY, LiveServer
from werkzeug.test import EnvironBuilder, run_wsgi_app

import connectly
import connectly.flask
from connectly.testing import MockServer

SECRET = "flask-secret"


def make_app(received: list[connectly.WebhookEvent], **options: Any) -> flask.Flask:
    app = flask.Flask("test_flask")

    @app.post("/webhook")
    @connectly.flask.webhook(**options)
    def receive(event: connectly.WebhookEvent) -> Any:
        received.append(event)
        return {"ok": True, "text": event.text}

    @app.post("/bare/<name>")
    @connectly.flask.webhook
    def bare(event: connectly.WebhookEvent, name: str) -> None:
        received.append(event)

    @app.post("/async")
    @connectly.flask.webhook(secret=SECRET)
    async def async_view(event: connectly.WebhookEvent) -> Any:
        received.append(event)
        return {"async": True}

    return app


def test_live_delivery_from_the_mock(serve: Callable[[Any], LiveServer]) -> None:
    received: list[connectly.WebhookEvent] = []
    with MockServer(webhook_secret=SECRET) as mock:
        app = make_app(received)
        app.config["CONNECTLY_WEBHOOK_SECRET"] = SECRET
        server = serve(app)
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        client.create_webhook(server.url + "/webhook")

        delivery = mock.deliver_inbound("+15555550100", "hello from the mock")
        assert delivery.status == 200
        assert b'"ok":true' in delivery.response.replace(b" ", b"")
        assert len(received) == 1
        event = received[0]
        assert event.text == "hello from the mock"
        assert event.sender.id == "+15555550100"
        assert event.recipient.id == mock.business_id

        # A tampered delivery is refused with 403, and the view does not run.
        tampered = mock.deliver_raw(delivery.body.replace(b"hello", b"HELLO"), delivery.signature)
        assert tampered.status == 403
        unsigned = mock.deliver_raw(delivery.body, None)
        assert unsigned.status == 403
        assert len(received) == 1


def test_concurrent_live_deliveries(serve: Callable[[Any], LiveServer]) -> None:
    received: list[connectly.WebhookEvent] = []
    with MockServer(webhook_secret=SECRET) as mock:
        app = make_app(received, secret=SECRET)
        server = serve(app)
        connectly.Client(mock.api_key, mock.business_id, base_url=mock.url).create_webhook(
            server.url + "/webhook"
        )
        threads = [
            threading.Thread(target=mock.deliver_inbound, args=("+15555550100", f"m{i}"))
            for i in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(e.text or "" for e in received) == [f"m{i}" for i in range(8)]


@pytest.fixture
def app_client() -> tuple[Any, list[connectly.WebhookEvent]]:
    received: list[connectly.WebhookEvent] = []
    app = make_app(received, secret=SECRET, max_body_size=1024)
    return app.test_client(), received


def sign(body: bytes) -> str:
    return connectly.Webhook(SECRET).sign(body)


def test_valid_and_bare(app_client: Any, clean_env: pytest.MonkeyPatch) -> None:
    client, received = app_client
    headers = {"x-connectly-hmac-sha256": sign(INBOUND_BODY), "content-type": "text/plain"}
    response = client.post("/webhook", data=INBOUND_BODY, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "text": "TEST 11"}
    clean_env.setenv("CONNECTLY_WEBHOOK_SECRET", SECRET)
    response = client.post("/bare/x", data=INBOUND_BODY, headers=headers)
    assert response.status_code == 200
    assert response.data == b""
    assert len(received) == 2


def test_async_view(app_client: Any) -> None:
    client, received = app_client
    headers = {"x-connectly-hmac-sha256": sign(INBOUND_BODY)}
    assert client.post("/async", data=INBOUND_BODY, headers=headers).get_json() == {"async": True}
    assert client.post("/async", data=INBOUND_BODY).status_code == 403
    assert len(received) == 1


def test_missing_secret_is_a_server_error(clean_env: pytest.MonkeyPatch) -> None:
    app = make_app([])
    app.testing = False
    response = app.test_client().post("/bare/x", data=INBOUND_BODY)
    assert response.status_code == 500


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({"x-connectly-hmac-sha256": ""}, 403),
        ({"x-connectly-hmac-sha256": "garbage"}, 403),
        ({"x-connectly-hmac-sha256": connectly.Webhook("other").sign(INBOUND_BODY)}, 403),
    ],
)
def test_refusals(app_client: Any, headers: dict[str, str], status: int) -> None:
    client, received = app_client
    response = client.post("/webhook", data=INBOUND_BODY, headers=headers)
    assert response.status_code == status
    assert received == []


def test_nothing_is_parsed_before_verification(app_client: Any) -> None:
    client, received = app_client
    response = client.post("/webhook", data=b"not json at all")
    assert response.status_code == 403
    assert received == []


def test_signed_but_not_an_event(app_client: Any) -> None:
    client, received = app_client
    body = b'{"hello": 1}'
    response = client.post("/webhook", data=body, headers={"x-connectly-hmac-sha256": sign(body)})
    assert response.status_code == 400
    assert received == []


def test_gzip(app_client: Any) -> None:
    client, received = app_client
    headers = {"x-connectly-hmac-sha256": sign(INBOUND_BODY), "content-encoding": "gzip"}
    response = client.post("/webhook", data=gzip.compress(INBOUND_BODY), headers=headers)
    assert response.status_code == 200
    assert received[0].text == "TEST 11"
    # gzip of something else, or a truncated stream
    bad = client.post("/webhook", data=gzip.compress(INBOUND_BODY)[:-5], headers=headers)
    assert bad.status_code == 400
    assert client.post("/webhook", data=b"not gzip", headers=headers).status_code == 400
    other = {**headers, "content-encoding": "br"}
    assert client.post("/webhook", data=INBOUND_BODY, headers=other).status_code == 415
    assert len(received) == 1


def test_size_caps(app_client: Any) -> None:
    client, received = app_client
    big = b"x" * 1025
    response = client.post("/webhook", data=big, headers={"x-connectly-hmac-sha256": sign(big)})
    assert response.status_code == 413
    bomb = gzip.compress(b"{" + b" " * 800_000 + b"}")
    assert len(bomb) < 1024
    response = client.post(
        "/webhook",
        data=bomb,
        headers={"x-connectly-hmac-sha256": sign(b"{}"), "content-encoding": "gzip"},
    )
    assert response.status_code == 413
    assert received == []


def signed_headers(body: bytes = INBOUND_BODY) -> dict[str, str]:
    return {"x-connectly-hmac-sha256": sign(body)}


def test_body_read_by_a_before_request_hook_is_used() -> None:
    # Before: the helper read request.stream after the hook had drained it: 403 for every
    # genuine delivery.
    app = flask.Flask("hooked")
    hooked: list[bytes] = []
    app.before_request(lambda: hooked.append(flask.request.get_data()) or None)
    seen: list[bytes] = []

    @app.post("/webhook")
    @connectly.flask.webhook(SECRET)
    def view(event: connectly.WebhookEvent) -> str:
        seen.append(event.body)
        return "ok"

    response = app.test_client().post("/webhook", data=INBOUND_BODY, headers=signed_headers())
    assert response.status_code == 200
    assert hooked == [INBOUND_BODY]
    assert seen == [INBOUND_BODY]


def test_the_view_can_read_the_body_again() -> None:
    app = flask.Flask("reread")
    again: list[tuple[bytes, bytes]] = []

    @app.post("/webhook")
    @connectly.flask.webhook(SECRET)
    def view(event: connectly.WebhookEvent) -> str:
        again.append((flask.request.get_data(), flask.request.data))
        return "ok"

    compressed = gzip.compress(INBOUND_BODY)
    headers = {**signed_headers(), "Content-Encoding": "gzip"}
    response = app.test_client().post("/webhook", data=compressed, headers=headers)
    assert response.status_code == 200
    assert again == [(compressed, compressed)]


def test_a_route_for_get_and_post_answers_get_with_405() -> None:
    # Before: 403 (the GET reached the signature check).
    app = flask.Flask("methods")

    @app.route("/webhook", methods=["GET", "POST"])
    @connectly.flask.webhook(SECRET)
    def view(event: connectly.WebhookEvent) -> str:
        return "ok"

    response = app.test_client().get("/webhook", headers=signed_headers())
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_data() == b"method not allowed"


class CountingStream:
    """A request stream of ``size`` bytes that counts what was read from it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        self.read_bytes += n
        return b"x" * n


@pytest.mark.parametrize("size", [1024, 1025, 10 * 1024 * 1024])
def test_a_body_without_content_length_is_read_capped(size: int) -> None:
    app = flask.Flask("streaming")
    seen: list[bytes] = []

    @app.post("/webhook")
    @connectly.flask.webhook(SECRET, max_body_size=1024)
    def view(event: connectly.WebhookEvent) -> str:
        seen.append(event.body)
        return "ok"

    stream = CountingStream(size)
    environ = EnvironBuilder("/webhook", method="POST", headers=signed_headers(b"x" * size))
    request = environ.get_environ()
    # No Content-Length, from a server that ends the stream itself (chunked, say).
    request.pop("CONTENT_LENGTH", None)
    request.update({"wsgi.input": stream, "wsgi.input_terminated": True})
    _, status, _ = run_wsgi_app(app, request, buffered=True)
    assert stream.read_bytes <= 1025
    if size <= 1024:
        # Read whole, then verified: x's are not an event.
        assert stream.read_bytes == size
        assert status.startswith("400 ")
    else:
        assert status.startswith("413 ")
    assert seen == []


def test_the_apps_smaller_max_content_length_applies() -> None:
    app = flask.Flask("app-limit")
    app.config["MAX_CONTENT_LENGTH"] = 100

    @app.post("/webhook")
    @connectly.flask.webhook(SECRET)
    def view(event: connectly.WebhookEvent) -> str:
        return "ok"

    assert len(INBOUND_BODY) > 100
    response = app.test_client().post("/webhook", data=INBOUND_BODY, headers=signed_headers())
    assert response.status_code == 413
    assert response.get_data() == b"webhook body too large"


def test_numbers_no_float_holds_keep_their_value_and_order() -> None:
    body = INBOUND_BODY[:-1] + b',"n":123456789012345678901234567890,"f":1e400,"z":{"b":1,"a":2}}'
    app = flask.Flask("numbers")
    raws: list[Any] = []

    @app.post("/webhook")
    @connectly.flask.webhook(SECRET)
    def view(event: connectly.WebhookEvent) -> str:
        raws.append(event.raw)
        return "ok"

    response = app.test_client().post("/webhook", data=body, headers=signed_headers(body))
    assert response.status_code == 200
    [raw] = raws
    assert raw == json.loads(body)
    assert raw["n"] == 123456789012345678901234567890
    assert raw["f"] == math.inf
    assert list(raw) == list(json.loads(body))
    assert list(raw["z"]) == ["b", "a"]


def test_the_view_receives_typed_events_from_the_mock(serve: Callable[[Any], LiveServer]) -> None:
    received: list[connectly.WebhookEvent] = []
    with MockServer(webhook_secret=SECRET) as mock:
        server = serve(make_app(received, secret=SECRET))
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        client.create_webhook(server.url + "/webhook")
        client.create_webhook(server.url + "/webhook", topic="delivery_status")

        sent = client.send_template(
            "+15555555555", "order_update", [("body_1", "Ada")], callback_data={"order": 42}
        )
        mock.deliver_status(sent.data["id"], "delivered")
        mock.deliver_media("+15555550100", "image", "https://cdn.example.com/a.jpg", caption="hi")

        status, media = received
        assert isinstance(status, connectly.DeliveryStatus)
        assert status.message_id == sent.data["id"]
        assert status.status == "delivered"
        assert status.callback_data == {"order": 42}
        assert status.topic == "delivery_status"
        assert status.text is None
        assert isinstance(media, connectly.InboundMessage)
        assert media.attachment is not None
        assert media.attachment.type == "image"
        assert media.attachment.url == "https://cdn.example.com/a.jpg"
        assert media.attachment.caption == "hi"
        assert media.sender.id == "+15555550100"
