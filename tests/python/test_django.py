"""connectly.django.webhook through Django's test client and a live server."""

from __future__ import annotations

import gzip
import threading
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from conftest import DJANGO_SECRET, INBOUND_BODY, configure_django

SECRET = DJANGO_SECRET

configure_django()

from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

import connectly  # noqa: E402
import connectly.django  # noqa: E402
from connectly.testing import MockServer  # noqa: E402

RECEIVED: list[tuple[connectly.WebhookEvent, Any]] = []


@connectly.django.webhook()
def receive(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    RECEIVED.append((event, None))
    return JsonResponse({"text": event.text})


@connectly.django.webhook
def with_arg(request: HttpRequest, event: connectly.WebhookEvent, slug: str) -> None:
    RECEIVED.append((event, slug))


@connectly.django.webhook(secret=[b"new", SECRET], max_body_size=1024)
def small(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    RECEIVED.append((event, "small"))
    return HttpResponse("ok")


@connectly.django.webhook(secret=SECRET)
async def async_view(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    RECEIVED.append((event, "async"))
    return HttpResponse("async ok")


@connectly.django.webhook(secret=SECRET)
def rereads(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    RECEIVED.append((event, (request.body, request.read())))
    return HttpResponse("ok")


urlpatterns = [
    path("async", async_view),
    path("webhook", receive),
    path("hook/<slug:slug>", with_arg),
    path("small", small),
    path("rereads", rereads),
]


@pytest.fixture(autouse=True)
def _clear() -> None:
    RECEIVED.clear()


def signed(body: bytes = INBOUND_BODY) -> dict[str, str]:
    return {"HTTP_X_CONNECTLY_HMAC_SHA256": connectly.Webhook(SECRET).sign(body)}


def test_valid_delivery_with_csrf_checks_on() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/webhook", INBOUND_BODY, content_type="text/plain", **signed())
    assert response.status_code == 200
    assert response.json() == {"text": "TEST 11"}
    assert RECEIVED[0][0].sender.id == "+16315555500"


def test_url_args_and_none_return() -> None:
    response = Client().post("/hook/abc", INBOUND_BODY, content_type="text/plain", **signed())
    assert response.status_code == 200
    assert RECEIVED[0][1] == "abc"


def test_async_view() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/async", INBOUND_BODY, content_type="text/plain", **signed())
    assert response.status_code == 200
    assert response.content == b"async ok"
    assert client.post("/async", INBOUND_BODY, content_type="text/plain").status_code == 403
    assert client.get("/async").status_code == 405
    assert RECEIVED[0][1] == "async"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_non_post_is_405(method: str) -> None:
    response = getattr(Client(), method)("/webhook")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert RECEIVED == []


def test_refusals() -> None:
    client = Client()
    assert client.post("/webhook", INBOUND_BODY, content_type="text/plain").status_code == 403
    bad = {"HTTP_X_CONNECTLY_HMAC_SHA256": connectly.Webhook("x").sign(INBOUND_BODY)}
    response = client.post("/webhook", INBOUND_BODY, content_type="text/plain", **bad)
    assert response.status_code == 403
    body = b'{"not": "an event"}'
    response = client.post("/webhook", body, content_type="text/plain", **signed(body))
    assert response.status_code == 400
    assert RECEIVED == []


def test_gzip_rotation_and_size_cap() -> None:
    client = Client()
    response = client.post(
        "/small",
        gzip.compress(INBOUND_BODY),
        content_type="text/plain",
        HTTP_CONTENT_ENCODING="gzip",
        **signed(),
    )
    assert response.status_code == 200
    big = b"x" * 2000
    response = client.post("/small", big, content_type="text/plain", **signed(big))
    assert response.status_code == 413
    assert len(RECEIVED) == 1


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_live_server_receives_a_mock_delivery() -> None:
    from django.core.wsgi import get_wsgi_application

    server: WSGIServer = make_server(
        "127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with MockServer(webhook_secret=SECRET) as mock:
            client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
            client.create_webhook(f"http://127.0.0.1:{server.server_port}/webhook")
            delivery = mock.deliver_inbound("+15555550100", "hello django")
            assert delivery.status == 200
            assert RECEIVED[0][0].text == "hello django"
            assert mock.deliver_raw(delivery.body, "bad").status == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_view_receives_typed_events_from_the_mock() -> None:
    from django.core.wsgi import get_wsgi_application

    server: WSGIServer = make_server(
        "127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with MockServer(webhook_secret=SECRET) as mock:
            client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
            address = f"http://127.0.0.1:{server.server_port}/webhook"
            client.create_webhook(address)
            client.create_webhook(address, topic="delivery_status")
            sent = client.send_text("+15555555555", "your order")
            mock.deliver_status(sent.data["id"], "read")
            mock.deliver_media(
                "+15555550100", "document", "https://cdn.example.com/invoice.pdf", caption="inv"
            )
            [(status, _), (media, _)] = RECEIVED
            assert isinstance(status, connectly.DeliveryStatus)
            assert (status.message_id, status.status) == (sent.data["id"], "read")
            assert status.error is None
            assert isinstance(media, connectly.InboundMessage)
            assert media.attachment is not None
            assert media.attachment.type == "document"
            assert media.attachment.url == "https://cdn.example.com/invoice.pdf"
            assert media.attachment.caption == "inv"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_view_can_read_the_body_again() -> None:
    # Before: request.body raised RawPostDataException (the helper had read the stream).
    compressed = gzip.compress(INBOUND_BODY)
    response = Client().post(
        "/rereads",
        compressed,
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
        **signed(),
    )
    assert response.status_code == 200
    [(event, again)] = RECEIVED
    assert event.body == INBOUND_BODY
    assert again == (compressed, compressed)


def test_the_smaller_data_upload_max_memory_size_applies() -> None:
    # Before: a 4 MiB delivery passed with the setting at 1 KiB.
    body = INBOUND_BODY[:-1] + b',"pad":"' + b"x" * 4096 + b'"}'
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = Client().post("/webhook", body, content_type="text/plain", **signed(body))
        assert response.status_code == 413
        assert response.content == b"webhook body too large"
        small_enough = Client().post(
            "/webhook", INBOUND_BODY, content_type="text/plain", **signed()
        )
        assert small_enough.status_code == 200
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
        response = Client().post("/webhook", body, content_type="text/plain", **signed(body))
        assert response.status_code == 200
    assert len(RECEIVED) == 2


def test_a_lower_case_method_is_405() -> None:
    # Django upper-cases request.method; the policy is case-sensitive.
    response = Client().generic("post", "/webhook", INBOUND_BODY, "text/plain", **signed())
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert RECEIVED == []


def test_an_unencodable_secret_is_not_quoted() -> None:
    # Before: UnicodeEncodeError with the secret in its args.
    lone = "whsec_SUPERSECRET_\udcff"
    with override_settings(CONNECTLY_WEBHOOK_SECRET=lone):
        with pytest.raises(connectly.InvalidSecretError) as caught:
            Client().post("/webhook", INBOUND_BODY, content_type="text/plain", **signed())
    error = caught.value
    shown = [str(error), repr(error), repr(error.args), repr(vars(error))]
    assert error.__cause__ is None
    assert all("SUPERSEC" not in text for text in shown)
