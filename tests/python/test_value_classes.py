"""The value classes of session messages, and the typed results: attributes, equality, and
reprs that read as the call that makes them and never show a secret."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CANARY_KEY, CANARY_SECRET

import connectly
from connectly.testing import MockServer


def rebuilt(value: object) -> Any:
    """``value``'s repr, evaluated with the package's names: a value class's repr is the call
    that makes it."""
    return eval(repr(value), {name: getattr(connectly, name) for name in connectly.__all__})


def test_attachment() -> None:
    doc = connectly.Attachment(
        "document", "https://cdn.example.com/a.pdf", caption="Invoice", filename="a.pdf"
    )
    assert (doc.type, doc.url, doc.caption, doc.filename) == (
        "document",
        "https://cdn.example.com/a.pdf",
        "Invoice",
        "a.pdf",
    )
    assert repr(doc) == (
        "Attachment('document', 'https://cdn.example.com/a.pdf', caption='Invoice', "
        "filename='a.pdf')"
    )
    assert rebuilt(doc) == doc
    image = connectly.Attachment(type="image", url="https://cdn.example.com/a.jpg")
    assert (image.caption, image.filename) == (None, None)
    assert image != doc
    assert image != "image"
    assert hash(image) == hash(connectly.Attachment("image", "https://cdn.example.com/a.jpg"))
    assert len({image, rebuilt(image), doc}) == 2


def test_location() -> None:
    place = connectly.Location(37.48, -122, name="HQ", address="1 Market St")
    assert (place.latitude, place.longitude, place.name, place.address) == (
        37.48,
        -122.0,
        "HQ",
        "1 Market St",
    )
    assert repr(place) == "Location(37.48, -122.0, name='HQ', address='1 Market St')"
    assert rebuilt(place) == place
    assert connectly.Location(0, 0) == connectly.Location(0.0, -0.0)
    assert hash(connectly.Location(0, 0)) == hash(connectly.Location(0.0, -0.0))


def test_list_message() -> None:
    rows = [connectly.ListRow("r1", "Small", description="10 inch"), connectly.ListRow("r2", "L")]
    section = connectly.ListSection("Pizza", iter(rows))
    listed = connectly.ListMessage("View", [section], header="Sizes", footer="Tax included")
    assert section.rows == rows
    assert (section.title, listed.button, listed.header, listed.footer) == (
        "Pizza",
        "View",
        "Sizes",
        "Tax included",
    )
    assert listed.sections == [section]
    assert repr(listed) == (
        "ListMessage('View', [ListSection('Pizza', [ListRow('r1', 'Small', "
        "description='10 inch'), ListRow('r2', 'L')])], header='Sizes', footer='Tax included')"
    )
    assert rebuilt(listed) == listed
    assert listed != connectly.ListMessage("View", [section])


def test_reply_buttons() -> None:
    buttons = connectly.ReplyButtons((connectly.Button("y", "Yes"), connectly.Button("n", "No")))
    assert [(b.id, b.text) for b in buttons.buttons] == [("y", "Yes"), ("n", "No")]
    assert (buttons.header, buttons.footer) == (None, None)
    assert repr(buttons) == "ReplyButtons([Button('y', 'Yes'), Button('n', 'No')])"
    assert rebuilt(buttons) == buttons


def test_message_request_and_template_message() -> None:
    image = connectly.Attachment("image", "https://cdn.example.com/a.jpg")
    request = connectly.MessageRequest("+15555555555", attachment=image, recipient_name="Ada")
    assert (request.to, request.channel, request.attachment, request.recipient_name) == (
        "+15555555555",
        "whatsapp",
        image,
        "Ada",
    )
    assert (request.text, request.location, request.list, request.buttons) == (
        None,
        None,
        None,
        None,
    )
    assert (request.sender, request.message_id) == (None, None)
    assert request == connectly.MessageRequest(
        "+15555555555", attachment=image, recipient_name="Ada"
    )
    assert (
        repr(request) == "MessageRequest('+15555555555', channel='whatsapp', parts=['attachment'])"
    )
    with pytest.raises(TypeError):
        hash(request)
    template = connectly.TemplateMessage("+1555", "welcome", callback_data={"order": 1})
    assert "order" not in repr(template)


def test_reprs_show_no_secret() -> None:
    with MockServer(api_key=CANARY_KEY, webhook_secret=CANARY_SECRET) as mock:
        client = connectly.Client(CANARY_KEY, mock.business_id, base_url=mock.url)
        sent = client.send_text("+15555555555", "hi")
        client.create_webhook("https://example.com/h", configuration={"echo": True})
        shown = [
            repr(client),
            repr(sent),
            repr(client.list_webhooks()),
            repr(client.list_templates()),
            repr(client.send_campaign([connectly.CampaignEntry("+15555555555", "autumn")])),
            repr(connectly.CampaignEntry("+15555555555", "autumn", variables={"k": "v"})),
            repr(connectly.StatusTracker()),
            repr(mock.webhook_registrations()),
            repr(mock.messages()),
        ]
        webhook = connectly.Webhook(CANARY_SECRET)
        body = (
            b'{"topic":"delivery_status","timestamp":"1","sender":{"id":"+1","channelType":"x"},'
            b'"recipient":{"id":"+2","channelType":"x"},"statusUpdate":{"id":"m","status":"read",'
            b'"error":{"code":"C","type":"T","message":"M","cntTraceId":"9"}}}'
        )
        status = webhook.verify_event(body, webhook.sign(body))
        assert isinstance(status, connectly.DeliveryStatus)
        shown += [repr(status), repr(status.error), repr(status.sender)]
    for text in shown:
        assert CANARY_KEY not in text
        assert CANARY_SECRET not in text
    assert "DeliveryStatus(timestamp=1, message_id='m', status='read'" in shown[-3]
    assert shown[-2] == "APIErrorDetail(code='C', type='T', message='M', trace_id='9')"
