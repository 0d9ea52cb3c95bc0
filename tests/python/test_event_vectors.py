"""tests/vectors/events.json, every row: signed bodies and the typed event each gives.

Nothing is signed here: each row carries its signature. A verifier built on the file's secret
accepts every body; ``verify_event`` refuses the invalid payloads and gives every other row
its class (``InboundMessage``, ``DeliveryStatus`` or a plain ``WebhookEvent``) with every typed
field equal to the row's expectation. The count goes to ``conformance-check``.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from conftest import VECTORS, report_conformance

import connectly

FILE = "events.json"
DATA: dict[str, Any] = json.loads((VECTORS / FILE).read_text("utf-8"))
ROWS: list[dict[str, Any]] = DATA["vectors"]
WEBHOOK = connectly.Webhook(DATA["secret"])

CLASSES: dict[str, type[connectly.WebhookEvent]] = {
    "message": connectly.InboundMessage,
    "delivery_status": connectly.DeliveryStatus,
    "other": connectly.WebhookEvent,
}


def fields(value: Any, names: list[str]) -> Optional[dict[str, Any]]:
    """The named attributes of a typed value (``type`` for ``type``), or ``None``."""
    if value is None:
        return None
    return {name: getattr(value, name) for name in names}


def party(value: connectly.Party) -> Optional[dict[str, Any]]:
    return fields(value, ["id", "channel_type", "name", "user_id", "phone_number"])


def typed(event: connectly.WebhookEvent) -> dict[str, Any]:
    """Every typed field of ``event``, in the file's vocabulary."""
    shown: dict[str, Any] = {
        "topic": event.topic,
        "timestamp": event.timestamp,
        "sender": party(event.sender),
        "recipient": party(event.recipient),
        "callback_data": event.callback_data,
    }
    if isinstance(event, connectly.InboundMessage):
        shown.update(
            kind="message",
            text=event.text,
            attachment=fields(event.attachment, ["type", "url", "caption", "filename"]),
            location=fields(event.location, ["latitude", "longitude", "name", "address"]),
            button_reply=fields(event.button_reply, ["text", "payload", "id"]),
            list_reply=fields(event.list_reply, ["id", "text", "description"]),
            reply_to_id=event.reply_to_id,
            referral=event.referral,
        )
    elif isinstance(event, connectly.DeliveryStatus):
        shown.update(
            kind="delivery_status",
            message_id=event.message_id,
            status=event.status,
            error=fields(event.error, ["code", "type", "message", "trace_id"]),
            campaign_name=event.campaign_name,
        )
    else:
        shown["kind"] = "other"
    return shown


def test_every_row_of_events_json(capsys: pytest.CaptureFixture[str]) -> None:
    ran = 0
    for row in ROWS:
        name, expect = row["name"], row["expect"]
        body = row["body"].encode("utf-8")
        WEBHOOK.verify(body, row["signature"])
        if "kind" not in expect:
            assert expect == {"error": "invalid_payload"}, name
            with pytest.raises(connectly.InvalidPayloadError) as refused:
                WEBHOOK.verify_event(body, row["signature"])
            assert refused.value.kind == "InvalidPayload", name
        else:
            event = WEBHOOK.verify_event(body, row["signature"])
            assert type(event) is CLASSES[expect["kind"]], name
            assert isinstance(event, connectly.WebhookEvent), name
            assert typed(event) == expect, name
            assert event.body == body, name
            # The base keeps working as before: ``text`` on every event, ``raw`` the delivery.
            assert event.text == expect.get("text"), name
            assert event.raw == json.loads(body), name
        ran += 1
    with capsys.disabled():
        print(f"\n{FILE}: {ran} rows")
    assert ran == len(ROWS) == 108
    report_conformance(FILE, ran)


def test_the_vectors_cover_every_class() -> None:
    kinds = {row["expect"].get("kind", "error") for row in ROWS}
    assert kinds == {"message", "delivery_status", "other", "error"}
