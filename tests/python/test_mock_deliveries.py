"""connectly.testing's deliveries of every event kind, received by a live Flask app through
``connectly.flask.webhook``: each arrives as its typed event."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Callable

import flask
import pytest
from conftest import LiveServer

import connectly
import connectly.flask
from connectly.testing import DeliveryError, MockServer

PHONE = "+15555555555"
CUSTOMER = "+15555550100"


class Receiver:
    """A Flask app on loopback that keeps every event its webhook view receives."""

    def __init__(self, secret: str, serve: Callable[[Any], LiveServer]) -> None:
        self.events: list[connectly.WebhookEvent] = []
        self.arrived = threading.Condition()
        app = flask.Flask("mock_deliveries")

        @app.post("/hook")
        @connectly.flask.webhook(secret=secret)
        def hook(event: connectly.WebhookEvent) -> str:
            with self.arrived:
                self.events.append(event)
                self.arrived.notify_all()
            return "received"

        self.url = serve(app).url + "/hook"

    def wait_for(self, count: int) -> list[connectly.WebhookEvent]:
        """The events, once ``count`` arrived (a generous limit, never asserted on)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.events) >= count, timeout=30)
            return list(self.events)

    def last(self) -> connectly.WebhookEvent:
        return self.events[-1]


@pytest.fixture
def setup(
    serve: Callable[[Any], LiveServer],
) -> Iterator[tuple[MockServer, connectly.Client, Receiver]]:
    with MockServer() as mock:
        receiver = Receiver(mock.webhook_secret, serve)
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        client.create_webhook(receiver.url)
        client.create_webhook(receiver.url, "delivery_status")
        yield mock, client, receiver


def message(receiver: Receiver) -> connectly.InboundMessage:
    event = receiver.last()
    assert isinstance(event, connectly.InboundMessage)
    assert event.topic == "messages"
    assert event.sender.id == CUSTOMER
    return event


def test_inbound_kinds(setup: tuple[MockServer, connectly.Client, Receiver]) -> None:
    mock, _, receiver = setup
    mock.deliver_media(CUSTOMER, "video", "https://cdn.example.com/v.mp4")
    video = message(receiver).attachment
    assert video is not None
    assert (video.type, video.url, video.caption, video.filename) == (
        "video",
        "https://cdn.example.com/v.mp4",
        None,
        None,
    )

    mock.deliver_location(CUSTOMER, 37.48, -122.15, name="HQ")
    place = message(receiver).location
    assert place is not None
    assert (place.latitude, place.longitude, place.name, place.address) == (
        37.48,
        -122.15,
        "HQ",
        None,
    )

    mock.deliver_list_reply(CUSTOMER, "r2", "Large", description="14 inch")
    assert message(receiver).list_reply == message(receiver).list_reply
    picked = message(receiver).list_reply
    assert picked is not None
    assert (picked.id, picked.text, picked.description) == ("r2", "Large", "14 inch")

    mock.deliver_quoted_reply(CUSTOMER, "about this", "01FRRWW2ZAHD9GJ1SWY4VF2GBD")
    quoted = message(receiver)
    assert (quoted.text, quoted.reply_to_id) == ("about this", "01FRRWW2ZAHD9GJ1SWY4VF2GBD")

    mock.deliver_referral(
        CUSTOMER, "from the ad", ctwa_clid="c1", source_type="ad", headline="Sale"
    )
    referred = message(receiver)
    assert referred.referral == {"ctwaClid": "c1", "sourceType": "ad", "headline": "Sale"}
    assert referred.text == "from the ad"


def test_button_replies_in_their_three_shapes(
    setup: tuple[MockServer, connectly.Client, Receiver],
) -> None:
    mock, _, receiver = setup
    mock.deliver_button_reply(CUSTOMER, "Yes")
    flagged = message(receiver)
    assert flagged.button_reply is not None
    assert (flagged.button_reply.text, flagged.button_reply.payload) == ("Yes", None)
    mock.deliver_button_reply(
        CUSTOMER, "Yes", shape="with_context", payload="p1", reply_to_id="m-9"
    )
    with_context = message(receiver)
    assert with_context.button_reply is not None
    assert (with_context.button_reply.payload, with_context.reply_to_id) == ("p1", "m-9")
    mock.deliver_button_reply(CUSTOMER, "No", shape="with_id", payload="p2", id="b-2")
    with_id = message(receiver).button_reply
    assert with_id is not None
    assert (with_id.text, with_id.payload, with_id.id) == ("No", "p2", "b-2")
    with pytest.raises(ValueError, match="payload"):
        mock.deliver_button_reply(CUSTOMER, "No", shape="with_id", id="b-2")


def test_any_event_and_other_topics(setup: tuple[MockServer, connectly.Client, Receiver]) -> None:
    mock, _, receiver = setup
    mock.deliver_event(
        {
            "topic": "billing",
            "timestamp": "1700000000",
            "sender": {"id": "a", "channelType": "whatsapp"},
            "recipient": {"id": "b", "channelType": "whatsapp"},
            "callbackData": {"k": [1]},
        }
    )
    other = receiver.last()
    assert type(other) is connectly.WebhookEvent
    assert (other.topic, other.timestamp, other.text, other.callback_data) == (
        "billing",
        1700000000,
        None,
        {"k": [1]},
    )
    assert other.raw["topic"] == "billing"


def test_statuses_of_a_sent_message(setup: tuple[MockServer, connectly.Client, Receiver]) -> None:
    mock, client, receiver = setup
    sent = client.send_template(
        PHONE, "order_update", [("body_1", "Ada")], callback_data={"order": 7}, campaign_name="fall"
    )
    message_id = sent.data["id"]
    [accepted] = mock.messages()
    assert (accepted.id, accepted.callback_data, accepted.campaign_name) == (
        message_id,
        {"order": 7},
        "fall",
    )
    mock.deliver_status(message_id, "sent")
    mock.deliver_status(message_id, "delivery_failed", campaign_name_in="status_update")
    sent_status, failed = receiver.wait_for(2)
    for status in (sent_status, failed):
        assert isinstance(status, connectly.DeliveryStatus)
        assert status.message_id == message_id
        assert status.callback_data == {"order": 7}
        assert status.campaign_name == "fall"
    assert isinstance(sent_status, connectly.DeliveryStatus)
    assert isinstance(failed, connectly.DeliveryStatus)
    assert (sent_status.status, sent_status.error) == ("sent", None)
    assert failed.status == "delivery_failed"
    assert failed.error is not None
    assert failed.error.code is not None

    with pytest.raises(DeliveryError) as unknown:
        mock.deliver_status("never-sent", "read")
    assert unknown.value.kind == "UnknownMessage"


@pytest.mark.parametrize("order", ["in_order", "shuffled"])
def test_automatic_statuses(serve: Callable[[Any], LiveServer], order: str) -> None:
    with MockServer(auto_statuses=order) as mock:  # type: ignore[arg-type]
        receiver = Receiver(mock.webhook_secret, serve)
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        client.create_webhook(receiver.url, "delivery_status")
        message_id = client.send_text(PHONE, "track me").data["id"]
        events = receiver.wait_for(3)
        tracker = connectly.StatusTracker()
        statuses = []
        for event in events:
            assert isinstance(event, connectly.DeliveryStatus)
            assert event.message_id == message_id
            statuses.append(event.status)
            tracker.advance(event.message_id, event.status)
        assert sorted(statuses) == ["delivered", "read", "sent"]
        if order == "in_order":
            assert statuses == ["sent", "delivered", "read"]
        assert tracker.status(message_id) == "read"
        # Switched off: the next send brings no status, so the next event is this one.
        mock.set_auto_statuses(None)
        client.send_text(PHONE, "not tracked")
        mock.deliver_status(message_id, "read")
        fourth = receiver.wait_for(4)[3]
        assert isinstance(fourth, connectly.DeliveryStatus)
        assert fourth.message_id == message_id


def test_bad_arguments_to_the_mock() -> None:
    with MockServer() as mock:
        with pytest.raises(ValueError, match="shuffled"):
            mock.set_auto_statuses("sometimes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="referral"):
            mock.deliver_referral(CUSTOMER, "x", campaign="y")
        with pytest.raises(ValueError, match="campaign_name_in"):
            mock.deliver_status("m", "read", campaign_name_in="elsewhere")  # type: ignore[arg-type]
        with pytest.raises(DeliveryError) as no_webhook:
            mock.deliver_media(CUSTOMER, "image", "https://cdn.example.com/a.jpg")
        assert no_webhook.value.kind == "NoWebhook"
