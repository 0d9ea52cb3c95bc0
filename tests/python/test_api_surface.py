"""The calls beyond text, on the wire against the mock: session messages of every kind,
templates with every field, webhook management (list, update, delete, upsert both ways),
template listing, campaigns, and ``send_many`` with every message type."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable

import pytest

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"


def client_for(mock: MockServer, **options: Any) -> connectly.Client:
    return connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, **options)


def last_body(mock: MockServer) -> Any:
    return mock.requests()[-1].json


# Session messages


def test_send_text_is_send_message_with_a_text(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    client.send_text(PHONE, "hello!")
    client.send_message(PHONE, text="hello!")
    first, second = connectly_mock.requests()
    assert (
        first.json
        == second.json
        == {
            "recipient": {"channelType": "whatsapp", "id": PHONE},
            "message": {"text": "hello!"},
        }
    )


def test_buttons_with_a_sender_a_name_and_an_id(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    buttons = connectly.ReplyButtons(
        [connectly.Button("yes", "Yes"), connectly.Button("no", "No")], footer="Reply soon"
    )
    response = client.send_message(
        PHONE,
        text="Did it arrive?",
        buttons=buttons,
        sender="+14151111234",
        message_id="m-1",
        recipient_name="Ada",
    )
    assert response.status_code == 200
    assert last_body(connectly_mock) == {
        "sender": {"channelType": "whatsapp", "id": "+14151111234"},
        "recipient": {"channelType": "whatsapp", "id": PHONE, "name": "Ada"},
        "message": {
            "id": "m-1",
            "text": "Did it arrive?",
            "replyButtonMessage": {
                "footer": {"text": "Reply soon"},
                "buttons": [{"id": "yes", "text": "Yes"}, {"id": "no", "text": "No"}],
            },
        },
    }


def test_every_refusal_comes_before_any_byte(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    image = connectly.Attachment("image", "https://cdn.example.com/a.jpg")
    refusals: dict[str, Callable[[], object]] = {
        "attachment url": lambda: client.send_message(
            PHONE, attachment=connectly.Attachment("image", "http://cdn.example.com/a.jpg")
        ),
        "message": lambda: client.send_message(
            PHONE, attachment=image, location=connectly.Location(1.0, 2.0)
        ),
        "location latitude": lambda: client.send_message(
            PHONE, location=connectly.Location(float("nan"), 0.0)
        ),
        "callback data": lambda: client.send_template(
            PHONE, "welcome", callback_data={"k": "x" * 1100}
        ),
        "configuration": lambda: client.create_webhook(
            "https://example.com/h",
            configuration=["not", "an", "object"],  # type: ignore[arg-type]
        ),
    }
    for field, call in refusals.items():
        with pytest.raises(connectly.ValidationError) as refused:
            call()
        assert refused.value.field == field
    with pytest.raises(connectly.ValidationError) as refused:
        connectly.Attachment("sticker", "https://cdn.example.com/a.webp")
    assert refused.value.field == "attachment type"
    assert connectly_mock.request_count == 0


def test_value_class_arguments_are_type_checked(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    with pytest.raises(TypeError):
        client.send_message(PHONE, attachment={"type": "image"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ListRow"):
        connectly.ListSection("A", [("r1", "One")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="Button"):
        connectly.ReplyButtons(["yes"])  # type: ignore[list-item]
    assert connectly_mock.request_count == 0


# Templates


def test_template_with_every_field(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    client.send_template(
        "bsuid:US.13491208655302741918",
        "order_update",
        {"body_1": "Ada"},
        language="en_US",
        sender="+14151111234",
        callback_data={"order": 42, "note": "ça va 👋", "items": [1, None, True]},
        campaign_name="autumn",
    )
    assert last_body(connectly_mock) == {
        "number": "bsuid:US.13491208655302741918",
        "templateName": "order_update",
        "parameters": [{"name": "body_1", "value": "Ada"}],
        "language": "en_US",
        "sender": "+14151111234",
        "callbackData": {"order": 42, "note": "ça va 👋", "items": [1, None, True]},
        "campaignName": "autumn",
    }
    client.send_template(PHONE, "hello_world")
    assert last_body(connectly_mock)["parameters"] == []


def test_callback_data_the_core_refuses_or_json_cannot_write(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    secretish = "do-not-quote-" + "y" * 1100
    with pytest.raises(connectly.ValidationError) as too_big:
        client.send_template(PHONE, "welcome", callback_data=secretish)
    assert too_big.value.field == "callback data"
    assert "do-not-quote" not in str(too_big.value)
    for unwritable in (float("nan"), {"lone": "\udcff"}):
        with pytest.raises(connectly.ValidationError) as refused:
            client.send_template(PHONE, "welcome", callback_data=unwritable)
        assert refused.value.field == "callback data"
    with pytest.raises(TypeError):
        client.send_template(PHONE, "welcome", callback_data={1, 2})
    assert connectly_mock.request_count == 0
    # 1024 bytes of compact JSON (non-ASCII counted as UTF-8) pass.
    exactly = "é" * 511  # 2 quotes + 511 * 2 bytes
    client.send_template(PHONE, "welcome", callback_data=exactly)
    assert last_body(connectly_mock)["callbackData"] == exactly


# Webhook management


def test_list_update_and_delete_act_on_the_mocks_state(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    assert client.list_webhooks() == []
    client.create_webhook("https://example.com/messages")
    client.create_webhook(
        "https://example.com/statuses",
        "delivery_status",
        type="zapier",
        configuration={"echo": False, "channelTypes": ["whatsapp"]},
    )
    listed = {info.topic: info for info in client.list_webhooks()}
    assert set(listed) == {"messages", "delivery_status"}
    statuses = listed["delivery_status"]
    assert statuses.address == "https://example.com/statuses"
    assert statuses.configuration == {"echo": False, "channelTypes": ["whatsapp"]}
    assert statuses.raw["id"] == statuses.id
    registered = {w.topic: w for w in connectly_mock.webhook_registrations()}
    assert registered["delivery_status"].type == "zapier"
    assert registered["delivery_status"].id == statuses.id

    client.update_webhook(statuses.id, configuration={"echo": True})
    assert connectly_mock.requests()[-1].json == {"configuration": {"echo": True}}
    client.update_webhook(listed["messages"].id, address="https://example.com/v2")
    after = {info.topic: info for info in client.list_webhooks()}
    assert after["delivery_status"].configuration == {"echo": True}
    assert after["delivery_status"].address == "https://example.com/statuses"
    assert after["messages"].address == "https://example.com/v2"

    client.delete_webhook(listed["messages"].id)
    assert [info.topic for info in client.list_webhooks()] == ["delivery_status"]
    assert connectly_mock.webhooks == {"delivery_status": "https://example.com/statuses"}

    unknown_ids: list[Callable[[], object]] = [
        lambda: client.update_webhook("wh_unknown", address="https://example.com/x"),
        lambda: client.delete_webhook(listed["messages"].id),
    ]
    for call in unknown_ids:
        with pytest.raises(connectly.APIError) as unknown:
            call()
        assert unknown.value.status_code == 404


def test_upsert_when_the_provider_replaces(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    client.create_webhook("https://example.com/old")
    connectly_mock.clear_requests()
    response = client.upsert_webhook("https://example.com/new", configuration={"echo": True})
    assert response.status_code == 200
    [create] = connectly_mock.requests()
    assert (create.method, create.path.rsplit("/", 2)[-2:]) == ("POST", ["create", "webhooks"])
    [registration] = connectly_mock.webhook_registrations()
    assert registration.address == "https://example.com/new"
    assert registration.configuration == {"echo": True}


def test_upsert_when_the_provider_answers_409() -> None:
    with MockServer(webhook_conflicts=True) as mock:
        client = client_for(mock)
        client.create_webhook("https://example.com/old", "delivery_status")
        with pytest.raises(connectly.APIError) as conflict:
            client.create_webhook("https://example.com/again", "delivery_status")
        assert conflict.value.status_code == 409
        [before] = mock.webhook_registrations()
        mock.clear_requests()

        response = client.upsert_webhook("https://example.com/new", "delivery_status")
        assert response.status_code == 200
        calls = [(r.method, r.path.split("/", 4)[-1]) for r in mock.requests()]
        assert calls == [
            ("POST", "create/webhooks"),
            ("GET", "webhooks"),
            ("PUT", f"update/webhooks/{before.id}"),
        ]
        [after] = mock.webhook_registrations()
        assert (after.id, after.address) == (before.id, "https://example.com/new")

        # A topic not registered yet is simply created.
        mock.clear_requests()
        client.upsert_webhook("https://example.com/messages")
        assert mock.request_count == 1
        # Switched to replacing, the same call is one create again.
        mock.set_webhook_conflicts(False)
        mock.clear_requests()
        client.upsert_webhook("https://example.com/newer", "delivery_status")
        assert mock.request_count == 1


def test_management_calls_are_retried_and_campaigns_are_not(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock, max_retries=2)
    connectly_mock.fail_next([{"status": 500}])
    assert client.list_webhooks() == []
    connectly_mock.fail_next([{"status": 503}])
    assert client.list_templates()
    assert connectly_mock.request_count == 4
    connectly_mock.clear_requests()
    connectly_mock.fail_next([{"status": 500}])
    with pytest.raises(connectly.ServerError) as failed:
        client.send_campaign([connectly.CampaignEntry(PHONE, "autumn")])
    assert failed.value.attempts == 1
    assert connectly_mock.request_count == 1


# Templates


def test_templates_are_listed_typed_with_the_rejection_reason_from_either_place() -> None:
    groups = [
        {
            "id": "tg_1",
            "name": "summer_sale",
            "category": "MARKETING",
            "templates": [
                {
                    "id": "t_en",
                    "language": {"code": "en"},
                    "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
                    "rejectionReason": "PROMOTIONAL",
                },
                {
                    "id": "t_pt",
                    "language": "pt_BR",
                    "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
                    "externalTemplate": {"whatsapp": {"rejectedReason": "INVALID_FORMAT"}},
                    "extra": [1, 2],
                },
            ],
        },
        {"id": "tg_2", "name": "hello", "templates": [{"status": "APPROVED"}]},
    ]
    with MockServer(templates=groups) as mock:
        client = client_for(mock)
        en, pt, hello = client.list_templates()
        assert (en.name, en.group, en.language, en.status, en.category) == (
            "summer_sale",
            "tg_1",
            "en",
            "MESSAGE_TEMPLATE_STATUS_REJECTED",
            "MARKETING",
        )
        assert en.rejection_reason == "PROMOTIONAL"
        assert pt.rejection_reason == "INVALID_FORMAT"
        assert pt.language == "pt_BR"
        assert pt.raw == groups[0]["templates"][1]  # type: ignore[index]
        assert (hello.name, hello.language, hello.category, hello.rejection_reason) == (
            "hello",
            None,
            None,
            None,
        )
        [request] = mock.requests()
        assert (request.method, request.body) == ("POST", b"")
        assert mock.templates == groups

        mock.set_templates([])
        assert client.list_templates() == []


# Campaigns


def test_campaign_counts_and_the_409_of_an_unpublished_campaign() -> None:
    with MockServer(unpublished_campaigns=["draft"]) as mock:
        client = client_for(mock)
        result = client.send_campaign(
            [
                connectly.CampaignEntry(PHONE, "autumn", variables={"name": "Ada"}, version="v2"),
                {"client": "+15555555556", "campaign_name": "autumn", "sender": "+14151111234"},
            ]
        )
        assert (result.accepted, result.rejected, result.error) == (2, 0, None)
        assert result.status_code == 200
        assert result.attempts == 1
        assert result.raw["data"][0]["acceptedCount"] == 2
        assert last_body(mock) == {
            "entries": [
                {
                    "client": PHONE,
                    "campaignName": "autumn",
                    "campaignVersion": "v2",
                    "variables": {"name": "Ada"},
                },
                {"client": "+15555555556", "campaignName": "autumn", "sender": "+14151111234"},
            ]
        }
        with pytest.raises(connectly.APIError) as unpublished:
            client.send_campaign([connectly.CampaignEntry(PHONE, "draft")])
        assert unpublished.value.status_code == 409
        mock.set_unpublished_campaigns([])
        assert client.send_campaign([connectly.CampaignEntry(PHONE, "draft")]).accepted == 1


def test_campaign_entries_are_checked_before_sending(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    with pytest.raises(connectly.ValidationError) as not_strings:
        client.send_campaign([{"client": PHONE, "campaign_name": "a", "variables": {"n": 1}}])
    assert not_strings.value.field == "variables"
    with pytest.raises(connectly.ValidationError) as empty:
        client.send_campaign([])
    assert empty.value.field == "campaign entries"
    with pytest.raises(TypeError):
        client.send_campaign([{"client": PHONE, "campaign_name": "a", "unknown": 1}])
    with pytest.raises(TypeError, match="CampaignEntry"):
        client.send_campaign([PHONE])  # type: ignore[list-item]
    assert connectly_mock.request_count == 0
    entry = connectly.CampaignEntry(PHONE, "autumn", variables={"b": "2", "a": "1"})
    assert entry.variables == {"b": "2", "a": "1"}
    assert (entry.client, entry.campaign_name, entry.version) == (PHONE, "autumn", None)


# send_many and the async client


def test_send_many_takes_every_message_type(connectly_mock: MockServer) -> None:
    client = client_for(connectly_mock)
    location = connectly.MessageRequest(
        PHONE, location=connectly.Location(37.48, -122.15, name="HQ"), channel="whatsapp"
    )
    template = connectly.TemplateMessage(
        PHONE, "order_update", [("body_1", "Ada")], language="en", callback_data=[1, "two"]
    )
    results = client.send_many(
        [connectly.TextMessage(PHONE, "hi"), location, template], concurrency=1
    )
    assert [r.ok for r in results] == [True, True, True]
    bodies = [r.json for r in connectly_mock.requests()]
    assert bodies[1]["message"] == {
        "location": {"latitude": 37.48, "longitude": -122.15, "name": "HQ"}
    }
    assert bodies[2]["language"] == "en"
    assert bodies[2]["callbackData"] == [1, "two"]
    assert template.callback_data == [1, "two"]
    assert (template.language, template.sender, template.campaign_name) == ("en", None, None)

    # A request the core refuses fails alone, before any byte of it is sent.
    bad = connectly.MessageRequest(PHONE, attachment=connectly.Attachment("image", "/a.jpg"))
    connectly_mock.clear_requests()
    [failed, sent] = client.send_many([bad, connectly.TextMessage(PHONE, "ok")])
    assert isinstance(failed.error, connectly.ValidationError)
    assert failed.error.field == "attachment url"
    assert sent.ok
    assert connectly_mock.request_count == 1
    with pytest.raises(connectly.ValidationError) as two_kinds:
        connectly.MessageRequest(
            PHONE,
            attachment=connectly.Attachment("image", "https://a.example/a.jpg"),
            location=connectly.Location(0, 0),
        )
    assert two_kinds.value.field == "message"


def test_the_async_client_has_every_new_call(connectly_mock: MockServer) -> None:
    mock = connectly_mock

    async def main() -> None:
        async with connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url) as c:
            await c.send_message(PHONE, location=connectly.Location(1.5, 2.5))
            await c.send_template(PHONE, "welcome", language="en", callback_data={"a": 1})
            await c.create_webhook("https://example.com/h", "delivery_status", type="custom")
            [info] = await c.list_webhooks()
            await c.update_webhook(info.id, configuration={"echo": True})
            await c.upsert_webhook("https://example.com/m")
            await c.delete_webhook(info.id)
            assert len(await c.list_templates()) > 0
            result = await c.send_campaign(iter([{"client": PHONE, "campaign_name": "x"}]))
            assert result.accepted == 1
            [sent] = await c.send_many([connectly.MessageRequest(PHONE, text="many")])
            assert sent.ok

    asyncio.run(main())
    calls = [(r.method, r.path.split("/", 4)[-1]) for r in mock.requests()]
    assert calls == [
        ("POST", "send/messages"),
        ("POST", "send/whatsapp_templated_messages"),
        ("POST", "create/webhooks"),
        ("GET", "webhooks"),
        ("PUT", calls[4][1]),
        ("POST", "create/webhooks"),
        ("DELETE", calls[6][1]),
        ("POST", "get/templates"),
        ("POST", "send/campaigns"),
        ("POST", "send/messages"),
    ]
    assert mock.requests()[1].json["callbackData"] == {"a": 1}
    assert json.loads(mock.requests()[4].body) == {"configuration": {"echo": True}}
