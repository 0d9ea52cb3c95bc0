"""connectly.Webhook: the shared vectors, every error kind, body and secret types."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import math
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from conftest import INBOUND_BODY, VECTORS, load_vectors, report_conformance

import connectly

SECRET = "YOUR_SECRET_VALUE"


def reference_signature(secret: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def test_shared_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    rows = load_vectors("webhooks.json")
    ran = 0
    for row in rows:
        secret = bytes.fromhex(row["secret_hex"])
        body = bytes.fromhex(row["body_hex"])
        webhook = connectly.Webhook(secret)
        webhook.verify(body, row["signature"])
        assert webhook.sign(body) == row["signature"], row["name"]
        ran += 1
    with capsys.disabled():
        print(f"\nwebhooks.json: {ran} rows")
    assert ran == 7
    report_conformance("webhooks.json", ran)


@pytest.mark.skipif(
    not (VECTORS / "webhook_errors.json").exists(), reason="no webhook_errors.json vectors"
)
def test_shared_error_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    rows = load_vectors("webhook_errors.json")
    ran = 0
    for row in rows:
        body = bytes.fromhex(row["body_hex"]) if "body_hex" in row else row["body"].encode("utf-8")
        body *= row.get("body_repeat", 1)
        options: dict[str, Any] = {}
        if "max_body_size" in row:
            options["max_body_size"] = row["max_body_size"]
        if "tolerance_s" in row:
            options["tolerance"] = row["tolerance_s"]
        if row["expected_verify"] == "InvalidSecret":
            with pytest.raises(connectly.InvalidSecretError):
                connectly.Webhook(row["secret"], **options)
            assert row["expected_verify_event"] == "InvalidSecret", row["name"]
            ran += 1
            continue
        webhook = connectly.Webhook(row["secret"], **options)
        for method, expected in (
            (webhook.verify, row["expected_verify"]),
            (webhook.verify_event, row["expected_verify_event"]),
        ):
            if expected == "ok":
                method(body, row["signature"])
                continue
            with pytest.raises(connectly.WebhookVerificationError) as caught:
                method(body, row["signature"])
            assert caught.value.kind == expected, row["name"]
        ran += 1
    with capsys.disabled():
        print(f"\nwebhook_errors.json: {ran} rows")
    assert ran == len(rows) > 0
    report_conformance("webhook_errors.json", ran)


def test_verify_event_fields() -> None:
    webhook = connectly.Webhook(SECRET)
    event = webhook.verify_event(INBOUND_BODY, webhook.sign(INBOUND_BODY))
    assert event.timestamp == 1639083206
    assert event.sender.id == "+16315555500"
    assert event.sender.channel_type == "whatsapp"
    assert event.recipient.id == "123456123"
    assert event.recipient.channel_type == "whatsapp"
    assert event.text == "TEST 11"
    assert event.raw == json.loads(INBOUND_BODY)
    assert "TEST 11" in repr(event)


def test_event_keeps_unknown_fields() -> None:
    body = json.dumps(
        {
            "timestamp": 1639083206,
            "sender": {"id": "a", "channelType": "sms"},
            "recipient": {"id": "b", "channelType": "sms"},
            "extra": {"nested": [1, 2.5, True, None]},
        }
    ).encode()
    webhook = connectly.Webhook(SECRET)
    event = webhook.verify_event(body, webhook.sign(body))
    assert event.text is None
    assert event.raw["extra"] == {"nested": [1, 2.5, True, None]}


def test_sign_matches_stdlib_hmac() -> None:
    webhook = connectly.Webhook(SECRET)
    assert webhook.sign(INBOUND_BODY) == reference_signature(SECRET.encode(), INBOUND_BODY)


@pytest.mark.parametrize("body_type", [bytes, bytearray, memoryview])
def test_body_types(body_type: Any) -> None:
    webhook = connectly.Webhook(SECRET)
    signature = reference_signature(SECRET.encode(), INBOUND_BODY)
    webhook.verify(body_type(INBOUND_BODY), signature)
    assert webhook.verify_event(body_type(INBOUND_BODY), signature).text == "TEST 11"
    assert webhook.sign(body_type(INBOUND_BODY)) == signature


@pytest.mark.parametrize("body", [INBOUND_BODY.decode(), json.loads(INBOUND_BODY), None, 42])
def test_str_or_dict_body_is_a_type_error_that_explains(body: Any) -> None:
    webhook = connectly.Webhook(SECRET)
    for method in (webhook.verify, webhook.verify_event):
        with pytest.raises(TypeError) as caught:
            method(body, "x")
        message = str(caught.value)
        assert "raw request body" in message
        assert "request.get_data()" in message
        assert "request.body" in message
        assert "await request.body()" in message


@pytest.mark.parametrize("secret", [SECRET, SECRET.encode(), bytearray(SECRET.encode())])
def test_secret_types(secret: Any) -> None:
    webhook = connectly.Webhook(secret)
    webhook.verify(INBOUND_BODY, reference_signature(SECRET.encode(), INBOUND_BODY))


def test_rotation() -> None:
    old, new = "old-secret", b"new-secret"
    rotating = connectly.Webhook([new, old])
    rotating.verify(INBOUND_BODY, reference_signature(old.encode(), INBOUND_BODY))
    rotating.verify(INBOUND_BODY, reference_signature(new, INBOUND_BODY))
    assert rotating.sign(INBOUND_BODY) == reference_signature(new, INBOUND_BODY)
    assert connectly.Webhook((old,)).sign(INBOUND_BODY) == reference_signature(
        old.encode(), INBOUND_BODY
    )


@pytest.mark.parametrize("secret", ["", b"", [], ["ok", ""], ["s"] * 9])
def test_invalid_secrets(secret: Any) -> None:
    with pytest.raises(connectly.InvalidSecretError) as caught:
        connectly.Webhook(secret)
    assert caught.value.kind == "InvalidSecret"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("secret", [None, 5, [1], {"a": "b"}])
def test_secret_of_wrong_type(secret: Any) -> None:
    with pytest.raises(TypeError):
        connectly.Webhook(secret)


@pytest.mark.parametrize(
    ("signature", "error", "kind"),
    [
        (None, connectly.MissingSignatureError, "MissingSignature"),
        ("", connectly.MissingSignatureError, "MissingSignature"),
        ("   ", connectly.MissingSignatureError, "MissingSignature"),
        ("not base64!", connectly.MalformedSignatureError, "MalformedSignature"),
        ("AAAA", connectly.MalformedSignatureError, "MalformedSignature"),
        (
            base64.b64encode(b"\0" * 32).decode(),
            connectly.InvalidSignatureError,
            "InvalidSignature",
        ),
    ],
)
def test_signature_errors(
    signature: Any, error: type[connectly.WebhookVerificationError], kind: str
) -> None:
    webhook = connectly.Webhook(SECRET)
    for method in (webhook.verify, webhook.verify_event):
        with pytest.raises(error) as caught:
            method(INBOUND_BODY, signature)
        assert type(caught.value) is error
        assert caught.value.kind == kind


def test_signature_of_wrong_type() -> None:
    webhook = connectly.Webhook(SECRET)
    with pytest.raises(TypeError):
        webhook.verify(INBOUND_BODY, b"bytes")  # type: ignore[arg-type]


def test_altered_body_is_refused() -> None:
    webhook = connectly.Webhook(SECRET)
    signature = webhook.sign(INBOUND_BODY)
    with pytest.raises(connectly.InvalidSignatureError):
        webhook.verify(INBOUND_BODY.replace(b"TEST 11", b"TEST 12"), signature)


@pytest.mark.parametrize("body_type", [bytes, bytearray, memoryview])
def test_payload_too_large(body_type: Any) -> None:
    webhook = connectly.Webhook(SECRET, max_body_size=100)
    assert webhook.max_body_size == 100
    body = b"x" * 101
    with pytest.raises(connectly.PayloadTooLargeError) as caught:
        webhook.verify(body_type(body), reference_signature(SECRET.encode(), body))
    assert caught.value.size == 101
    assert caught.value.limit == 100
    exact = b"y" * 100
    webhook.verify(body_type(exact), reference_signature(SECRET.encode(), exact))


def test_invalid_payload() -> None:
    webhook = connectly.Webhook(SECRET)
    for body in (b"not json", b"[]", b'{"timestamp":"x"}'):
        webhook.verify(body, webhook.sign(body))  # verify alone does not parse
        with pytest.raises(connectly.InvalidPayloadError) as caught:
            webhook.verify_event(body, webhook.sign(body))
        assert caught.value.kind == "InvalidPayload"


def test_tolerance() -> None:
    now = int(time.time())
    fresh = INBOUND_BODY.replace(b"1639083206", str(now).encode())
    for tolerance in (300, 300.0, timedelta(minutes=5)):
        webhook = connectly.Webhook(SECRET, tolerance=tolerance)
        assert webhook.tolerance == 300.0
        webhook.verify_event(fresh, webhook.sign(fresh))
        with pytest.raises(connectly.TimestampOutsideToleranceError) as caught:
            webhook.verify_event(INBOUND_BODY, webhook.sign(INBOUND_BODY))
        assert caught.value.tolerance == 300.0
        assert caught.value.skew > 300
    assert connectly.Webhook(SECRET).tolerance is None
    with pytest.raises(ValueError, match="tolerance"):
        connectly.Webhook(SECRET, tolerance=-1)


def test_large_bodies_verify_without_the_gil() -> None:
    body = b'{"timestamp":"1","pad":"' + b"a" * (4 * 1024 * 1024) + b'"}'
    webhook = connectly.Webhook(SECRET)
    signature = webhook.sign(body)
    stop = threading.Event()
    ticks = [0]

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        for _ in range(5):
            webhook.verify(body, signature)
            webhook.verify(bytearray(body), signature)
    finally:
        stop.set()
        spinner.join()
    assert ticks[0] > 0


def test_verify_many_threads_share_one_webhook() -> None:
    webhook = connectly.Webhook(SECRET)
    signature = webhook.sign(INBOUND_BODY)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(500):
                webhook.verify(INBOUND_BODY, signature)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_event_body_is_the_signed_bytes() -> None:
    webhook = connectly.Webhook(SECRET)
    event = webhook.verify_event(bytearray(INBOUND_BODY), webhook.sign(INBOUND_BODY))
    assert type(event.body) is bytes
    assert event.body == INBOUND_BODY


def test_raw_is_what_json_loads_gives() -> None:
    # Before: raw was converted from a serde Value: 1e400 refused the delivery, and key order
    # was lost.
    body = (
        b'{"z":1e400,"big":123456789012345678901234567890,"timestamp":"1",'
        b'"sender":{"id":"a","channelType":"sms","n":-1e999},'
        b'"recipient":{"id":"b","channelType":"sms"},"m":{"y":1,"x":2.50}}'
    )
    webhook = connectly.Webhook(SECRET)
    for event in (
        webhook.verify_event(body, webhook.sign(body)),
        webhook.receive("POST", None, body, webhook.sign(body)),
    ):
        expected = json.loads(body)
        assert event.raw == expected
        assert list(event.raw) == list(expected)
        assert list(event.raw["m"]) == ["y", "x"]
        assert event.raw["big"] == 123456789012345678901234567890
        assert event.raw["z"] == math.inf
        assert event.raw["sender"]["n"] == -math.inf
        assert event.raw is event.raw  # parsed once


def test_receive_follows_the_core_policy() -> None:
    webhook = connectly.Webhook(SECRET, max_body_size=len(INBOUND_BODY))
    signature = webhook.sign(INBOUND_BODY)
    event = webhook.receive("POST", None, INBOUND_BODY, signature)
    assert event.text == "TEST 11"
    event = webhook.receive("POST", " X-Gzip ", gzip.compress(INBOUND_BODY), signature)
    assert event.body == INBOUND_BODY
    halves = gzip.compress(INBOUND_BODY[:50]) + gzip.compress(INBOUND_BODY[50:])
    event = connectly.Webhook(SECRET).receive("POST", "gzip", memoryview(halves), signature)
    assert event.body == INBOUND_BODY

    cases: list[tuple[tuple[Any, ...], type[connectly.WebhookVerificationError], int, str]] = [
        (("GET", None, INBOUND_BODY, None), connectly.MethodNotAllowedError, 405,
         "method not allowed"),
        (("post", None, INBOUND_BODY, signature), connectly.MethodNotAllowedError, 405,
         "method not allowed"),
        (("POST", "br", INBOUND_BODY, None), connectly.UnsupportedEncodingError, 415,
         "unsupported content encoding"),
        (("POST", "gzip", b"not gzip", signature), connectly.MalformedEncodingError, 400,
         "malformed gzip body"),
        (("POST", None, INBOUND_BODY + b" ", None), connectly.PayloadTooLargeError, 413,
         "webhook body too large"),
        (("POST", "gzip", gzip.compress(INBOUND_BODY + b" "), signature),
         connectly.PayloadTooLargeError, 413, "webhook body too large"),
        (("POST", None, INBOUND_BODY, None), connectly.MissingSignatureError, 403,
         "invalid webhook signature"),
        (("POST", None, INBOUND_BODY, "\udcff" * 44), connectly.MalformedSignatureError, 403,
         "invalid webhook signature"),
        (("POST", None, b"[]", webhook.sign(b"[]")), connectly.InvalidPayloadError, 400,
         "invalid webhook payload"),
        (("P\udcffST", "gzip\udcff", INBOUND_BODY, None), connectly.MethodNotAllowedError, 405,
         "method not allowed"),
    ]  # fmt: skip
    for args, error, status, reason in cases:
        with pytest.raises(error) as caught:
            webhook.receive(*args)
        assert type(caught.value) is error, args[:2]
        assert caught.value.http_status == status, args[:2]
        assert caught.value.reason == reason, args[:2]
        assert caught.value.kind == error.kind
        assert isinstance(caught.value, connectly.WebhookVerificationError)


def test_admit_checks_the_method_and_the_declared_length() -> None:
    webhook = connectly.Webhook(SECRET, max_body_size=100)
    webhook.admit("POST", None)
    webhook.admit("POST", 100)
    for method, length, error, status in [
        ("PUT", 1, connectly.MethodNotAllowedError, 405),
        ("POST", 101, connectly.PayloadTooLargeError, 413),
        ("POST", 2**70, connectly.PayloadTooLargeError, 413),
    ]:
        with pytest.raises(error) as caught:
            webhook.admit(method, length)
        assert caught.value.http_status == status
    with pytest.raises(ValueError, match="negative"):
        webhook.admit("POST", -1)
    with pytest.raises(TypeError):
        webhook.admit("POST", "5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        webhook.admit(b"POST", None)  # type: ignore[arg-type]


def test_verify_errors_carry_the_core_status_too() -> None:
    webhook = connectly.Webhook(SECRET, max_body_size=10)
    for call, status in [
        (lambda: webhook.verify(INBOUND_BODY, None), 403),
        (lambda: webhook.verify(INBOUND_BODY, webhook.sign(INBOUND_BODY)), 413),
        (lambda: connectly.Webhook(SECRET).verify_event(b"{}", webhook.sign(b"{}")), 400),
        (lambda: connectly.Webhook([]), 500),
    ]:
        with pytest.raises(connectly.WebhookVerificationError) as caught:
            call()
        assert caught.value.http_status == status


def test_large_bodies_are_received_without_the_gil() -> None:
    body = b'{"timestamp":"1","pad":"' + b"a" * (4 * 1024 * 1024) + b'"}'
    webhook = connectly.Webhook(SECRET)
    signature = webhook.sign(body)
    compressed = gzip.compress(body)
    stop = threading.Event()
    ticks = [0]

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        for _ in range(3):
            with pytest.raises(connectly.InvalidPayloadError):
                webhook.receive("POST", None, body, signature)
            with pytest.raises(connectly.InvalidPayloadError):
                webhook.receive("POST", "gzip", compressed, signature)
    finally:
        stop.set()
        spinner.join()
    assert ticks[0] > 0


def test_receive_gives_the_typed_event_too() -> None:
    webhook = connectly.Webhook(SECRET)
    status = (
        b'{"timestamp":"1641513098","sender":{"id":"+16044441111","channelType":"whatsapp"},'
        b'"recipient":{"id":"+16044551234","channelType":"whatsapp"},'
        b'"statusUpdate":{"id":"01FRRWW2","status":"read"},"callbackData":"opaque"}'
    )
    compressed = gzip.compress(status)
    event = webhook.receive("POST", "gzip", compressed, webhook.sign(status))
    assert isinstance(event, connectly.DeliveryStatus)
    assert (event.topic, event.message_id, event.status) == ("delivery_status", "01FRRWW2", "read")
    assert (event.callback_data, event.campaign_name, event.text) == ("opaque", None, None)
    assert event.body == status
    inbound = webhook.receive("POST", None, INBOUND_BODY, webhook.sign(INBOUND_BODY))
    assert isinstance(inbound, connectly.InboundMessage)
    assert (inbound.text, inbound.attachment, inbound.referral) == ("TEST 11", None, None)
    assert repr(inbound).startswith("InboundMessage(timestamp=1639083206, sender=Party(")
