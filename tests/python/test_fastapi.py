"""connectly.fastapi.webhook_event through FastAPI's test client."""

from __future__ import annotations

import gzip
import json
import math
from typing import Annotated, Any

from conftest import INBOUND_BODY
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

import connectly
import connectly.fastapi

SECRET = "fastapi-secret"
RECEIVED: list[connectly.WebhookEvent] = []

app = FastAPI()
app.state.connectly_webhook_secret = SECRET

Event = Annotated[connectly.WebhookEvent, Depends(connectly.fastapi.webhook_event)]
SmallEvent = Annotated[
    connectly.WebhookEvent,
    Depends(connectly.fastapi.webhook(secret=["newer", SECRET], max_body_size=1024)),
]


@app.post("/webhook")
async def receive(event: Event) -> dict[str, object]:
    RECEIVED.append(event)
    return {"text": event.text, "sender": event.sender.id}


@app.post("/small")
def small(event: SmallEvent) -> dict[str, object]:
    RECEIVED.append(event)
    return {"ok": True}


AGAIN: list[tuple[bytes, bytes, Any]] = []


@app.post("/again")
async def again(request: Request, event: Event) -> dict[str, object]:
    AGAIN.append((event.body, await request.body(), event.raw))
    return {"ok": True}


@app.api_route("/any", methods=["GET", "POST", "PUT"])
async def any_method(event: Event) -> dict[str, object]:
    RECEIVED.append(event)
    return {"ok": True}


def headers(body: bytes = INBOUND_BODY, **extra: str) -> dict[str, str]:
    return {"x-connectly-hmac-sha256": connectly.Webhook(SECRET).sign(body), **extra}


def test_valid() -> None:
    RECEIVED.clear()
    with TestClient(app) as client:
        response = client.post("/webhook", content=INBOUND_BODY, headers=headers())
    assert response.status_code == 200
    assert response.json() == {"text": "TEST 11", "sender": "+16315555500"}
    assert len(RECEIVED) == 1


def test_refusals() -> None:
    RECEIVED.clear()
    with TestClient(app) as client:
        assert client.post("/webhook", content=INBOUND_BODY).status_code == 403
        bad = {"x-connectly-hmac-sha256": "AAAA"}
        assert client.post("/webhook", content=INBOUND_BODY, headers=bad).status_code == 403
        body = b"[1, 2]"
        assert client.post("/webhook", content=body, headers=headers(body)).status_code == 400
        big = b"x" * 2000
        assert client.post("/small", content=big, headers=headers(big)).status_code == 413
    assert RECEIVED == []


def test_gzip_and_rotation() -> None:
    RECEIVED.clear()
    with TestClient(app) as client:
        response = client.post(
            "/small",
            content=gzip.compress(INBOUND_BODY),
            headers=headers(**{"content-encoding": "gzip"}),
        )
        assert response.status_code == 200
        bomb = gzip.compress(b" " * 5_000_000)
        response = client.post(
            "/small", content=bomb, headers=headers(b"", **{"content-encoding": "gzip"})
        )
        assert response.status_code == 413
    assert len(RECEIVED) == 1


def test_the_endpoint_can_read_the_body_again() -> None:
    # Before: `await request.body()` in the endpoint raised "Stream consumed".
    AGAIN.clear()
    compressed = gzip.compress(INBOUND_BODY)
    with TestClient(app) as client:
        response = client.post(
            "/again", content=compressed, headers=headers(**{"content-encoding": "gzip"})
        )
    assert response.status_code == 200
    assert [(body, again) for body, again, _ in AGAIN] == [(INBOUND_BODY, compressed)]


def test_numbers_no_float_holds_keep_their_value_and_order() -> None:
    AGAIN.clear()
    body = INBOUND_BODY[:-1] + b',"n":123456789012345678901234567890,"f":1e400,"z":{"b":1,"a":2}}'
    with TestClient(app) as client:
        assert client.post("/again", content=body, headers=headers(body)).status_code == 200
    [(_, _, raw)] = AGAIN
    assert raw == json.loads(body)
    assert raw["n"] == 123456789012345678901234567890
    assert raw["f"] == math.inf
    assert list(raw["z"]) == ["b", "a"]


def test_other_methods_are_405_from_the_dependency() -> None:
    RECEIVED.clear()
    with TestClient(app) as client:
        for method in ("GET", "PUT"):
            response = client.request(method, "/any", content=INBOUND_BODY, headers=headers())
            assert response.status_code == 405
            assert response.headers["allow"] == "POST"
            assert response.json() == {"detail": "method not allowed"}
        assert client.post("/any", content=INBOUND_BODY, headers=headers()).status_code == 200
    assert len(RECEIVED) == 1


STATUS_BODY = (
    b'{"topic":"delivery_status","timestamp":"1641513098",'
    b'"sender":{"id":"+16044441111","channelType":"whatsapp"},'
    b'"recipient":{"id":"+16044551234","channelType":"whatsapp"},'
    b'"statusUpdate":{"id":"01FRRWW2ZAHD9GJ1SWY4VF2GBD","status":"delivery_failed",'
    b'"error":{"code":"ERROR_CODE_MESSAGE_UNDELIVERABLE","type":"ERROR_TYPE_INVALID_REQUEST",'
    b'"message":"undeliverable","cntTraceId":"77"}},"metadata":{"campaign_name":"autumn"},'
    b'"callbackData":{"order":42}}'
)
MEDIA_BODY = (
    b'{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},'
    b'"recipient":{"id":"+16044441234","channelType":"whatsapp"},'
    b'"message":{"attachments":[{"type":"audio","url":"https://cdn.example.com/v.ogg"}]}}'
)


def test_the_endpoint_receives_a_typed_delivery_status() -> None:
    RECEIVED.clear()
    response = TestClient(app).post("/webhook", content=STATUS_BODY, headers=headers(STATUS_BODY))
    assert response.status_code == 200
    [status] = RECEIVED
    assert isinstance(status, connectly.DeliveryStatus)
    assert status.message_id == "01FRRWW2ZAHD9GJ1SWY4VF2GBD"
    assert status.status == "delivery_failed"
    assert status.campaign_name == "autumn"
    assert status.callback_data == {"order": 42}
    assert status.error is not None
    assert (status.error.code, status.error.trace_id) == ("ERROR_CODE_MESSAGE_UNDELIVERABLE", "77")
    assert status.error.type == "ERROR_TYPE_INVALID_REQUEST"


def test_the_endpoint_receives_a_typed_media_message() -> None:
    RECEIVED.clear()
    response = TestClient(app).post("/webhook", content=MEDIA_BODY, headers=headers(MEDIA_BODY))
    assert response.status_code == 200
    [media] = RECEIVED
    assert isinstance(media, connectly.InboundMessage)
    assert media.attachment is not None
    assert (media.attachment.type, media.attachment.url) == (
        "audio",
        "https://cdn.example.com/v.ogg",
    )
    assert media.attachment.caption is None
    assert media.text is None
