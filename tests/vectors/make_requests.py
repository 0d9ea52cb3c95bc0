#!/usr/bin/env python3
"""Writes tests/vectors/requests.json: calls, and the request each sends or the field it refuses.

Independent of the SDK on purpose: the request shapes come from WIRE.md ("Requests" and "The
rest of the API") and the validation rules from README.md ("requests.json"). Every row's
expectation is written out by hand; `check()` below is a second, separate reading of the
rules that lists every rule an input breaks and builds the body from the args, and each row
must agree with it: an ok row breaks no rule and gives exactly the written request, an error
row breaks exactly one rule (so the expected field does not depend on the order in which an
implementation checks). Rerun after editing a row (the output is deterministic):

    python3 tests/vectors/make_requests.py
"""

import json
import math
import pathlib
import urllib.parse

OUT = pathlib.Path(__file__).with_name("requests.json")

TO = "+15555555555"
SENDER = "+14151111234"
ULID = "01FPW47QF69Y5JZH24605VAKQB"
BSUID = "bsuid:US.13491208655302741918"
IMAGE = "https://cdn.example.com/media/receipt.jpg"

ROWS = []


def ok(name, call, args, method, path, body):
    ROWS.append(
        {
            "name": name,
            "call": call,
            "args": args,
            "expect": {"method": method, "path": path, "body": body},
        }
    )


def refused(name, call, args, field):
    ROWS.append(
        {
            "name": name,
            "call": call,
            "args": args,
            "expect": {"error": {"kind": "validation", "field": field}},
        }
    )


def whatsapp(pid=TO, **extra):
    return {"id": pid, "channelType": "whatsapp", **extra}


def sent(message, **envelope):
    """A /send/messages body to TO on whatsapp."""
    return {"recipient": whatsapp(), "message": message, **envelope}


def msg(**args):
    return {"to": TO, **args}


# --- send_message: accepted ------------------------------------------------------------------

M, SM = "send_message", "/send/messages"
ok(
    "message-text-doc",
    M,
    msg(text="hello!"),
    "POST",
    SM,
    {"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "hello!"}},
)
ok(
    "message-text-unknown-channel",
    M,
    msg(channel="rcs", text="hi"),
    "POST",
    SM,
    {"recipient": {"id": TO, "channelType": "rcs"}, "message": {"text": "hi"}},
)
ok(
    "message-full-envelope",
    M,
    msg(text="Your order shipped", sender=SENDER, recipient_name="Ada", message_id=ULID),
    "POST",
    SM,
    {
        "sender": {"id": SENDER, "channelType": "whatsapp"},
        "recipient": whatsapp(name="Ada"),
        "message": {"id": ULID, "text": "Your order shipped"},
    },
)
ok(
    "message-bsuid-recipient",
    M,
    {"to": BSUID, "text": "hi"},
    "POST",
    SM,
    {"recipient": {"id": BSUID, "channelType": "whatsapp"}, "message": {"text": "hi"}},
)
ok(
    "message-e164-8-digits",
    M,
    {"to": "+12345678", "text": "hi"},
    "POST",
    SM,
    {"recipient": {"id": "+12345678", "channelType": "whatsapp"}, "message": {"text": "hi"}},
)
ok(
    "message-e164-15-digits",
    M,
    {"to": "+123456789012345", "text": "hi"},
    "POST",
    SM,
    {"recipient": {"id": "+123456789012345", "channelType": "whatsapp"}, "message": {"text": "hi"}},
)
ok(
    "message-text-unicode",
    M,
    msg(text='héllo 👋 مرحبا 你好\n<b>&</b> "q" \\'),
    "POST",
    SM,
    sent({"text": 'héllo 👋 مرحبا 你好\n<b>&</b> "q" \\'}),
)
ok(
    "message-image-caption",
    M,
    msg(
        attachment={
            "type": "image",
            "url": "https://cdn.example.com:8443/a.jpg?sig=x%2By",
            "caption": "your receipt",
        }
    ),
    "POST",
    SM,
    sent(
        {
            "attachments": [
                {
                    "type": "image",
                    "url": "https://cdn.example.com:8443/a.jpg?sig=x%2By",
                    "caption": "your receipt",
                }
            ]
        }
    ),
)
ok(
    "message-document",
    M,
    msg(
        attachment={
            "type": "document",
            "url": "https://cdn.example.com/inv.pdf",
            "caption": "invoice",
            "filename": "invoice-42.pdf",
        }
    ),
    "POST",
    SM,
    sent(
        {
            "attachments": [
                {
                    "type": "document",
                    "url": "https://cdn.example.com/inv.pdf",
                    "caption": "invoice",
                    "filename": "invoice-42.pdf",
                }
            ]
        }
    ),
)
ok(
    "message-video",
    M,
    msg(attachment={"type": "video", "url": "https://cdn.example.com/v.mp4"}, message_id=ULID),
    "POST",
    SM,
    sent({"id": ULID, "attachments": [{"type": "video", "url": "https://cdn.example.com/v.mp4"}]}),
)
ok(
    "message-location",
    M,
    msg(
        location={
            "latitude": 37.48,
            "longitude": -122.15,
            "name": "Connectly HQ",
            "address": "1 Market St",
        }
    ),
    "POST",
    SM,
    sent(
        {
            "location": {
                "latitude": 37.48,
                "longitude": -122.15,
                "name": "Connectly HQ",
                "address": "1 Market St",
            }
        }
    ),
)
ok(
    "message-location-max-bounds",
    M,
    msg(location={"latitude": 90, "longitude": 180}),
    "POST",
    SM,
    sent({"location": {"latitude": 90, "longitude": 180}}),
)
ok(
    "message-location-min-bounds",
    M,
    msg(location={"latitude": -90.0, "longitude": -180.0}),
    "POST",
    SM,
    sent({"location": {"latitude": -90.0, "longitude": -180.0}}),
)
ok(
    "message-list",
    M,
    msg(
        text="Pick a size",
        list={
            "button": "View options",
            "header": "Sizes",
            "footer": "Prices include tax",
            "sections": [
                {
                    "title": "Pizza",
                    "rows": [
                        {"id": "r1", "text": "Small", "description": "10 inch"},
                        {"id": "r2", "text": "Large"},
                    ],
                },
                {"title": "Drinks", "rows": [{"id": "r3", "text": "Cola"}]},
            ],
        },
    ),
    "POST",
    SM,
    sent(
        {
            "text": "Pick a size",
            "listMessage": {
                "header": {"text": "Sizes"},
                "footer": {"text": "Prices include tax"},
                "button": {"text": "View options"},
                "sections": [
                    {
                        "title": "Pizza",
                        "rows": [
                            {"id": "r1", "text": "Small", "description": "10 inch"},
                            {"id": "r2", "text": "Large"},
                        ],
                    },
                    {"title": "Drinks", "rows": [{"id": "r3", "text": "Cola"}]},
                ],
            },
        }
    ),
)
TEN = [{"id": f"r{i}", "text": f"Option {i}"} for i in range(10)]
ok(
    "message-list-ten-rows",
    M,
    msg(
        text="Pick one",
        list={
            "button": "Choose",
            "sections": [{"title": "A", "rows": TEN[:6]}, {"title": "B", "rows": TEN[6:]}],
        },
    ),
    "POST",
    SM,
    sent(
        {
            "text": "Pick one",
            "listMessage": {
                "button": {"text": "Choose"},
                "sections": [{"title": "A", "rows": TEN[:6]}, {"title": "B", "rows": TEN[6:]}],
            },
        }
    ),
)
ok(
    "message-buttons-three",
    M,
    msg(
        text="Confirm?",
        buttons={
            "header": "Order 42",
            "footer": "Reply in 24 h",
            "buttons": [
                {"id": "b1", "text": "Yes"},
                {"id": "b2", "text": "No"},
                {"id": "b3", "text": "Later"},
            ],
        },
    ),
    "POST",
    SM,
    sent(
        {
            "text": "Confirm?",
            "replyButtonMessage": {
                "header": {"text": "Order 42"},
                "footer": {"text": "Reply in 24 h"},
                "buttons": [
                    {"id": "b1", "text": "Yes"},
                    {"id": "b2", "text": "No"},
                    {"id": "b3", "text": "Later"},
                ],
            },
        }
    ),
)
ok(
    "message-buttons-one",
    M,
    msg(text="Still there?", buttons={"buttons": [{"id": "yes", "text": "Yes ✅"}]}),
    "POST",
    SM,
    sent(
        {
            "text": "Still there?",
            "replyButtonMessage": {"buttons": [{"id": "yes", "text": "Yes ✅"}]},
        }
    ),
)

# --- send_message: refused -------------------------------------------------------------------

for label, bad in [
    ("empty", ""),
    ("too-short", "+1555"),
    ("too-long", "+1234567890123456"),
    ("control", "user\n123"),
]:
    refused(f"message-to-{label}", M, {"to": bad, "text": "hi"}, "recipient id")
refused("message-channel-empty", M, msg(channel="", text="hi"), "channel")
refused("message-sender-not-e164", M, msg(sender="+123", text="hi"), "sender")
refused("message-id-blank", M, msg(message_id="   ", text="hi"), "message id")
refused("message-recipient-name-blank", M, msg(recipient_name=" ", text="hi"), "recipient name")
refused("message-no-content", M, msg(), "message")
refused(
    "message-text-and-attachment",
    M,
    msg(text="look", attachment={"type": "image", "url": IMAGE}),
    "message",
)
refused(
    "message-text-and-location",
    M,
    msg(text="here", location={"latitude": 1.5, "longitude": 2.5}),
    "message",
)
refused(
    "message-list-and-buttons",
    M,
    msg(
        text="pick",
        list={
            "button": "Open",
            "sections": [{"title": "A", "rows": [{"id": "r1", "text": "One"}]}],
        },
        buttons={"buttons": [{"id": "b1", "text": "Yes"}]},
    ),
    "message",
)
refused("message-text-blank", M, msg(text=" \t "), "text")
refused(
    "message-list-without-text",
    M,
    msg(
        list={"button": "Open", "sections": [{"title": "A", "rows": [{"id": "r1", "text": "One"}]}]}
    ),
    "text",
)
refused(
    "message-buttons-without-text",
    M,
    msg(buttons={"buttons": [{"id": "b1", "text": "Yes"}]}),
    "text",
)
refused(
    "attachment-type-unknown",
    M,
    msg(attachment={"type": "sticker", "url": IMAGE}),
    "attachment type",
)
for label, url in [
    ("http", "http://cdn.example.com/a.jpg"),
    ("http-loopback", "http://127.0.0.1:8080/a.jpg"),
    ("user-info", "https://user:pw@cdn.example.com/a.jpg"),
    ("relative", "/media/a.jpg"),
]:
    refused(
        f"attachment-url-{label}",
        M,
        msg(attachment={"type": "image", "url": url}),
        "attachment url",
    )
refused(
    "attachment-filename-on-image",
    M,
    msg(attachment={"type": "image", "url": IMAGE, "filename": "a.jpg"}),
    "attachment filename",
)
refused(
    "attachment-filename-blank",
    M,
    msg(attachment={"type": "document", "url": "https://cdn.example.com/a.pdf", "filename": "  "}),
    "attachment filename",
)
refused(
    "attachment-caption-blank",
    M,
    msg(attachment={"type": "image", "url": IMAGE, "caption": ""}),
    "attachment caption",
)
for label, lat, lon, field in [
    ("latitude-above", 90.5, 0, "location latitude"),
    ("latitude-nan", "NaN", 0, "location latitude"),
    ("longitude-infinity", 0, "-Infinity", "location longitude"),
    ("longitude-below", 0, -181, "location longitude"),
    ("longitude-nan", 0, "NaN", "location longitude"),
]:
    refused(f"location-{label}", M, msg(location={"latitude": lat, "longitude": lon}), field)


def with_buttons(buttons):
    return msg(text="pick", buttons={"buttons": buttons})


refused("buttons-none", M, with_buttons([]), "buttons")
refused(
    "buttons-four", M, with_buttons([{"id": f"b{i}", "text": f"B{i}"} for i in range(4)]), "buttons"
)
refused("button-id-blank", M, with_buttons([{"id": " ", "text": "Yes"}]), "button id")
refused(
    "button-id-repeated",
    M,
    with_buttons([{"id": "b1", "text": "Yes"}, {"id": "b1", "text": "No"}]),
    "button id",
)
refused("button-text-blank", M, with_buttons([{"id": "b1", "text": ""}]), "button text")


def with_list(sections, button="Open"):
    return msg(text="pick", list={"button": button, "sections": sections})


ONE = [{"title": "A", "rows": [{"id": "r1", "text": "One"}]}]
refused("list-no-sections", M, with_list([]), "list rows")
refused("list-section-without-rows", M, with_list([*ONE, {"title": "B", "rows": []}]), "list rows")
refused(
    "list-eleven-rows",
    M,
    with_list(
        [{"title": "A", "rows": TEN}, {"title": "B", "rows": [{"id": "r10", "text": "Option 10"}]}]
    ),
    "list rows",
)
refused(
    "list-row-id-blank",
    M,
    with_list([{"title": "A", "rows": [{"id": "", "text": "One"}]}]),
    "row id",
)
refused(
    "list-row-id-repeated-across-sections",
    M,
    with_list([*ONE, {"title": "B", "rows": [{"id": "r1", "text": "Two"}]}]),
    "row id",
)
refused(
    "list-row-text-blank",
    M,
    with_list([{"title": "A", "rows": [{"id": "r1", "text": " "}]}]),
    "row text",
)
refused("list-button-blank", M, with_list(ONE, button="  "), "list button")
refused(
    "list-section-title-blank",
    M,
    with_list([{"title": "", "rows": [{"id": "r1", "text": "One"}]}]),
    "section title",
)

# --- send_template ---------------------------------------------------------------------------

T, ST = "send_template", "/send/whatsapp_templated_messages"


def tpl(**args):
    return {"number": TO, "template_name": "order_update", "params": [["body_1", "Ada"]], **args}


def tpl_body(**fields):
    return {
        "number": TO,
        "templateName": "order_update",
        "parameters": [{"name": "body_1", "value": "Ada"}],
        **fields,
    }


ok(
    "template-getting-started",
    T,
    {"number": TO, "template_name": "welcome", "params": [["var1", "value1"], ["var2", "value2"]]},
    "POST",
    ST,
    {
        "parameters": [{"name": "var1", "value": "value1"}, {"name": "var2", "value": "value2"}],
        "number": "+15555555555",
        "templateName": "welcome",
    },
)
ok(
    "template-all-fields",
    T,
    tpl(language="en_US", sender=SENDER, callback_data={"orderId": 42}, campaign_name="autumn"),
    "POST",
    ST,
    {
        "number": "+15555555555",
        "templateName": "order_update",
        "language": "en_US",
        "parameters": [{"name": "body_1", "value": "Ada"}],
        "sender": "+14151111234",
        "callbackData": {"orderId": 42},
        "campaignName": "autumn",
    },
)
ok(
    "template-no-params",
    T,
    {"number": TO, "template_name": "hello_world", "params": []},
    "POST",
    ST,
    {"number": TO, "templateName": "hello_world", "parameters": []},
)
ok("template-bsuid-number", T, tpl(number=BSUID), "POST", ST, tpl_body(number=BSUID))
ok(
    "template-param-order-kept",
    T,
    tpl(params=[["z", "1"], ["a", "2"], ["m", "3"]]),
    "POST",
    ST,
    tpl_body(
        parameters=[
            {"name": "z", "value": "1"},
            {"name": "a", "value": "2"},
            {"name": "m", "value": "3"},
        ]
    ),
)
ok(
    "template-unicode-values",
    T,
    tpl(language="pt_BR", params=[["nome", "João 👋"], ["cidade", "São Paulo"]]),
    "POST",
    ST,
    tpl_body(
        language="pt_BR",
        parameters=[{"name": "nome", "value": "João 👋"}, {"name": "cidade", "value": "São Paulo"}],
    ),
)
CB_STRING_1024 = "x" * 1022
CB_OBJECT_1024 = {"k": "y" * 1016}
for label, data in [
    ("array", [1, "two", None, {"three": [3]}]),
    ("unicode", {"note": "ça va 👋"}),
    ("string-1024-bytes", CB_STRING_1024),
    ("object-1024-bytes", CB_OBJECT_1024),
]:
    ok(
        f"template-callback-{label}",
        T,
        tpl(callback_data=data),
        "POST",
        ST,
        tpl_body(callbackData=data),
    )
refused(
    "template-callback-string-1025-bytes",
    T,
    tpl(callback_data=CB_STRING_1024 + "x"),
    "callback data",
)
refused(
    "template-callback-object-1025-bytes", T, tpl(callback_data={"k": "y" * 1017}), "callback data"
)
refused("template-number-empty", T, tpl(number=""), "number")
refused("template-number-not-e164", T, tpl(number="+12"), "number")
refused("template-name-blank", T, tpl(template_name="  "), "template name")
refused("template-param-name-empty", T, tpl(params=[["", "v"]]), "template parameter name")
refused(
    "template-param-name-repeated",
    T,
    tpl(params=[["a", "1"], ["a", "2"]]),
    "template parameter name",
)
refused("template-language-blank", T, tpl(language=" "), "language")
refused("template-campaign-name-blank", T, tpl(campaign_name=""), "campaign name")
refused("template-sender-not-e164", T, tpl(sender="+1-415"), "sender")

# --- webhooks and templates ------------------------------------------------------------------

CW, PW = "create_webhook", "/create/webhooks"
UW, DW, UP = "update_webhook", "delete_webhook", "upsert_webhook_create"
CONFIG = {
    "echo": True,
    "channelTypes": ["whatsapp"],
    "filters": [{"field": "campaign_name", "expression": "summer-*"}],
}
ok(
    "webhook-create-doc",
    CW,
    {"address": "https://example.com/webhook", "topic": "messages"},
    "POST",
    PW,
    {"topic": "messages", "address": "https://example.com/webhook"},
)
ok(
    "webhook-create-all-fields",
    CW,
    {
        "address": "https://hooks.example.com/connectly?k=1",
        "topic": "delivery_status",
        "type": "zapier",
        "configuration": CONFIG,
    },
    "POST",
    PW,
    {
        "topic": "delivery_status",
        "address": "https://hooks.example.com/connectly?k=1",
        "type": "zapier",
        "configuration": CONFIG,
    },
)
for label, address in [
    ("loopback-ipv4", "http://127.0.0.1:8080/hook"),
    ("localhost", "http://localhost/hook"),
]:
    ok(
        f"webhook-create-{label}",
        CW,
        {"address": address, "topic": "messages"},
        "POST",
        PW,
        {"topic": "messages", "address": address},
    )
for label, address in [
    ("http", "http://example.com/hook"),
    ("user-info", "https://user:pw@example.com/hook"),
    ("relative", "/hook"),
]:
    refused(
        f"webhook-create-address-{label}",
        CW,
        {"address": address, "topic": "messages"},
        "webhook address",
    )
refused(
    "webhook-create-topic-blank", CW, {"address": "https://example.com/h", "topic": " "}, "topic"
)
ok("webhook-list", "list_webhooks", {}, "GET", "/webhooks", None)
ok("templates-list", "list_templates", {}, "POST", "/get/templates", None)
ok(
    "webhook-update-address",
    UW,
    {"webhook_id": "wh_01H8XKQ", "address": "https://example.com/new"},
    "PUT",
    "/update/webhooks/wh_01H8XKQ",
    {"address": "https://example.com/new"},
)
ok(
    "webhook-update-configuration",
    UW,
    {"webhook_id": "0b6f3a9e-4c1d-4f7a-9b3e-2d5c8e1f7a60", "configuration": {"echo": False}},
    "PUT",
    "/update/webhooks/0b6f3a9e-4c1d-4f7a-9b3e-2d5c8e1f7a60",
    {"configuration": {"echo": False}},
)
ok(
    "webhook-update-both-encoded-id",
    UW,
    {"webhook_id": "wh/1 2%", "address": "https://example.com/h", "configuration": CONFIG},
    "PUT",
    "/update/webhooks/wh%2F1%202%25",
    {"address": "https://example.com/h", "configuration": CONFIG},
)
ok(
    "webhook-update-unicode-id",
    UW,
    {"webhook_id": "wh-ü?x#y", "address": "http://127.0.0.1:9000/h"},
    "PUT",
    "/update/webhooks/wh-%C3%BC%3Fx%23y",
    {"address": "http://127.0.0.1:9000/h"},
)
refused(
    "webhook-update-id-blank",
    UW,
    {"webhook_id": " ", "address": "https://example.com/h"},
    "webhook id",
)
refused("webhook-update-nothing", UW, {"webhook_id": "wh_1"}, "webhook update")
refused(
    "webhook-update-address-http",
    UW,
    {"webhook_id": "wh_1", "address": "http://example.com/h"},
    "webhook address",
)
ok(
    "webhook-delete-encoded-id",
    DW,
    {"webhook_id": "wh/1 2%"},
    "DELETE",
    "/delete/webhooks/wh%2F1%202%25",
    None,
)
refused("webhook-delete-id-empty", DW, {"webhook_id": ""}, "webhook id")
ok(
    "webhook-upsert-create",
    UP,
    {"address": "https://example.com/webhook", "topic": "messages"},
    "POST",
    PW,
    {"topic": "messages", "address": "https://example.com/webhook"},
)
refused(
    "webhook-upsert-address-http",
    UP,
    {"address": "http://example.com/hook", "topic": "messages"},
    "webhook address",
)
refused(
    "webhook-upsert-topic-empty", UP, {"address": "https://example.com/h", "topic": ""}, "topic"
)

# --- send_campaign ---------------------------------------------------------------------------

C, SC = "send_campaign", "/send/campaigns"
ok(
    "campaign-minimal",
    C,
    {"entries": [{"client": TO, "campaign_name": "autumn"}]},
    "POST",
    SC,
    {"entries": [{"client": TO, "campaignName": "autumn"}]},
)
ok(
    "campaign-all-fields",
    C,
    {
        "entries": [
            {
                "client": TO,
                "campaign_name": "autumn",
                "variables": {"name": "Ada"},
                "version": "v2",
                "sender": SENDER,
                "scheduled_at": "2030-01-01T09:00:00Z",
            }
        ]
    },
    "POST",
    SC,
    {
        "entries": [
            {
                "client": "+15555555555",
                "campaignName": "autumn",
                "campaignVersion": "v2",
                "variables": {"name": "Ada"},
                "sender": "+14151111234",
                "scheduledAt": "2030-01-01T09:00:00Z",
            }
        ]
    },
)
ok(
    "campaign-several-entries-in-order",
    C,
    {
        "entries": [
            {
                "client": "+15555555556",
                "campaign_name": "autumn",
                "variables": {"name": "Zoë 👋", "city": ""},
            },
            {"client": BSUID, "campaign_name": "autumn"},
            {"client": "+15555555555", "campaign_name": "winter", "version": "3"},
        ]
    },
    "POST",
    SC,
    {
        "entries": [
            {
                "client": "+15555555556",
                "campaignName": "autumn",
                "variables": {"name": "Zoë 👋", "city": ""},
            },
            {"client": BSUID, "campaignName": "autumn"},
            {"client": "+15555555555", "campaignName": "winter", "campaignVersion": "3"},
        ]
    },
)
refused("campaign-no-entries", C, {"entries": []}, "campaign entries")
refused(
    "campaign-client-not-e164",
    C,
    {"entries": [{"client": TO, "campaign_name": "a"}, {"client": "+12", "campaign_name": "a"}]},
    "client",
)
refused(
    "campaign-name-blank", C, {"entries": [{"client": TO, "campaign_name": " "}]}, "campaign name"
)
refused(
    "campaign-variables-number",
    C,
    {"entries": [{"client": TO, "campaign_name": "a", "variables": {"n": 1}}]},
    "variables",
)
refused(
    "campaign-sender-not-e164",
    C,
    {"entries": [{"client": TO, "campaign_name": "a", "sender": "+1"}]},
    "sender",
)


# --- the second reading: every rule an input breaks, and the body it gives -------------------


def blank(value):
    return value.strip() == ""


def control(value):
    return any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)


def name_ok(value):
    return not blank(value) and not control(value)


def id_ok(value):
    if not name_ok(value):
        return False
    if value.startswith("+"):
        digits = value[1:]
        return 8 <= len(digits) <= 15 and all(c in "0123456789" for c in digits)
    return True


def number(value):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)


def https_url(value, *, loopback_http):
    parts = urllib.parse.urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme == "http" and loopback_http:
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            return False
    elif parts.scheme != "https":
        return False
    return bool(host) and "@" not in parts.netloc


def compact_size(value):
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8"))


def broken(call, a):
    """Every rule the args break, as field names (repeats allowed)."""
    out = []
    if call == "send_message":
        out += [] if id_ok(a["to"]) else ["recipient id"]
        out += [] if a.get("channel", "whatsapp") else ["channel"]
        out += [] if "sender" not in a or id_ok(a["sender"]) else ["sender"]
        out += ["message id"] if "message_id" in a and blank(a["message_id"]) else []
        out += ["recipient name"] if "recipient_name" in a and blank(a["recipient_name"]) else []
        kinds = [k for k in ("attachment", "location", "list", "buttons") if k in a]
        if not kinds and "text" not in a:
            out.append("message")
        if len(kinds) > 1 or ("text" in a and kinds and kinds[0] in ("attachment", "location")):
            out.append("message")
        if ("text" in a and blank(a["text"])) or (
            "text" not in a and kinds and kinds[0] in ("list", "buttons")
        ):
            out.append("text")
        out += attachment_rules(a["attachment"]) if "attachment" in a else []
        if "location" in a:
            lat, lon = (number(a["location"][k]) for k in ("latitude", "longitude"))
            out += [] if -90 <= lat <= 90 else ["location latitude"]
            out += [] if -180 <= lon <= 180 else ["location longitude"]
        out += button_rules(a["buttons"]) if "buttons" in a else []
        out += list_rules(a["list"]) if "list" in a else []
    elif call == "send_template":
        out += [] if id_ok(a["number"]) else ["number"]
        out += [] if name_ok(a["template_name"]) else ["template name"]
        names = [n for n, _ in a["params"]]
        bad = [n for n in names if not name_ok(n)] or len(set(names)) != len(names)
        out += ["template parameter name"] if bad else []
        out += ["language"] if "language" in a and blank(a["language"]) else []
        out += [] if "sender" not in a or id_ok(a["sender"]) else ["sender"]
        too_big = "callback_data" in a and compact_size(a["callback_data"]) > 1024
        out += ["callback data"] if too_big else []
        out += ["campaign name"] if "campaign_name" in a and blank(a["campaign_name"]) else []
    elif call in ("create_webhook", "upsert_webhook_create"):
        out += [] if https_url(a["address"], loopback_http=True) else ["webhook address"]
        out += [] if name_ok(a["topic"]) else ["topic"]
    elif call == "update_webhook":
        out += [] if name_ok(a["webhook_id"]) else ["webhook id"]
        out += [] if "address" in a or "configuration" in a else ["webhook update"]
        good = "address" not in a or https_url(a["address"], loopback_http=True)
        out += [] if good else ["webhook address"]
    elif call == "delete_webhook":
        out += [] if name_ok(a["webhook_id"]) else ["webhook id"]
    elif call == "send_campaign":
        out += [] if a["entries"] else ["campaign entries"]
        for entry in a["entries"]:
            out += [] if id_ok(entry["client"]) else ["client"]
            out += [] if name_ok(entry["campaign_name"]) else ["campaign name"]
            values = entry.get("variables", {}).values()
            out += [] if all(isinstance(v, str) for v in values) else ["variables"]
            out += [] if "sender" not in entry or id_ok(entry["sender"]) else ["sender"]
    return out


def attachment_rules(att):
    out = [] if att["type"] in ("image", "video", "audio", "document") else ["attachment type"]
    out += [] if https_url(att["url"], loopback_http=False) else ["attachment url"]
    if "filename" in att and (att["type"] != "document" or blank(att["filename"])):
        out.append("attachment filename")
    out += ["attachment caption"] if "caption" in att and blank(att["caption"]) else []
    return out


def button_rules(spec):
    buttons = spec["buttons"]
    out = [] if 1 <= len(buttons) <= 3 else ["buttons"]
    ids = [b["id"] for b in buttons]
    out += ["button id"] if any(blank(i) for i in ids) or len(set(ids)) != len(ids) else []
    out += ["button text"] if any(blank(b["text"]) for b in buttons) else []
    return out


def list_rules(spec):
    sections = spec["sections"]
    rows = [r for s in sections for r in s["rows"]]
    out = ["list button"] if blank(spec["button"]) else []
    if not 1 <= len(rows) <= 10 or any(not s["rows"] for s in sections):
        out.append("list rows")
    ids = [r["id"] for r in rows]
    out += ["row id"] if any(blank(i) for i in ids) or len(set(ids)) != len(ids) else []
    out += ["row text"] if any(blank(r["text"]) for r in rows) else []
    out += ["section title"] if any(blank(s["title"]) for s in sections) else []
    return out


def pick(source, names):
    """The (wire name, value) pairs of the optional args present, as {wire: value}."""
    return {wire: source[arg] for arg, wire in names if arg in source}


def texted(value):
    return {"text": value}


def request(call, a):
    """The (method, path, body) the args give."""
    if call == "send_message":
        channel = a.get("channel", "whatsapp")
        body = {}
        if "sender" in a:
            body["sender"] = {"id": a["sender"], "channelType": channel}
        body["recipient"] = {
            "id": a["to"],
            "channelType": channel,
            **pick(a, [("recipient_name", "name")]),
        }
        message = pick(a, [("message_id", "id"), ("text", "text")])
        if "attachment" in a:
            message["attachments"] = [dict(a["attachment"])]
        if "location" in a:
            message["location"] = dict(a["location"])
        if "list" in a:
            spec = a["list"]
            message["listMessage"] = {
                **{k: texted(spec[k]) for k in ("header", "footer") if k in spec},
                "button": texted(spec["button"]),
                "sections": spec["sections"],
            }
        if "buttons" in a:
            spec = a["buttons"]
            message["replyButtonMessage"] = {
                **{k: texted(spec[k]) for k in ("header", "footer") if k in spec},
                "buttons": spec["buttons"],
            }
        body["message"] = message
        return "POST", "/send/messages", body
    if call == "send_template":
        body = {
            "number": a["number"],
            "templateName": a["template_name"],
            "parameters": [{"name": n, "value": v} for n, v in a["params"]],
            **pick(
                a,
                [
                    ("language", "language"),
                    ("sender", "sender"),
                    ("callback_data", "callbackData"),
                    ("campaign_name", "campaignName"),
                ],
            ),
        }
        return "POST", "/send/whatsapp_templated_messages", body
    if call in ("create_webhook", "upsert_webhook_create"):
        return (
            "POST",
            "/create/webhooks",
            {
                "topic": a["topic"],
                "address": a["address"],
                **pick(a, [("type", "type"), ("configuration", "configuration")]),
            },
        )
    segment = urllib.parse.quote(a.get("webhook_id", ""), safe="")
    if call == "update_webhook":
        return (
            "PUT",
            "/update/webhooks/" + segment,
            pick(a, [("address", "address"), ("configuration", "configuration")]),
        )
    if call == "delete_webhook":
        return "DELETE", "/delete/webhooks/" + segment, None
    if call == "list_webhooks":
        return "GET", "/webhooks", None
    if call == "list_templates":
        return "POST", "/get/templates", None
    if call == "send_campaign":
        names = [
            ("client", "client"),
            ("campaign_name", "campaignName"),
            ("variables", "variables"),
            ("version", "campaignVersion"),
            ("sender", "sender"),
            ("scheduled_at", "scheduledAt"),
        ]
        return "POST", "/send/campaigns", {"entries": [pick(e, names) for e in a["entries"]]}
    raise AssertionError(call)


def check(entry):
    fields = broken(entry["call"], entry["args"])
    expect = entry["expect"]
    if "error" in expect:
        assert fields == [expect["error"]["field"]], (entry["name"], fields)
    else:
        assert not fields, (entry["name"], fields)
        method, path, body = request(entry["call"], entry["args"])
        assert [method, path, body] == [expect["method"], expect["path"], expect["body"]], (
            entry["name"],
            method,
            path,
            body,
        )


def main():
    names = [r["name"] for r in ROWS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"duplicate row names: {duplicates}"
    for entry in ROWS:
        check(entry)
    assert compact_size(CB_STRING_1024) == 1024
    assert compact_size(CB_OBJECT_1024) == 1024
    doc = {
        "description": (
            "Calls and what each must do before and on the wire. Each row: name, call "
            "(send_message, send_template, create_webhook, list_webhooks, update_webhook, "
            "delete_webhook, upsert_webhook_create, list_templates, send_campaign), args "
            "(language-neutral; the runner maps them to its own API; a location coordinate "
            'written "NaN", "Infinity" or "-Infinity" is that IEEE value), expect: '
            "{method, path (after /v1/businesses/{businessId}), body (compared as parsed "
            'JSON; null: no body)} or {error: {kind: "validation", field}} (nothing is '
            "sent). Made by make_requests.py from WIRE.md and the rules in README.md."
        ),
        "vectors": ROWS,
    }
    OUT.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(ROWS)} rows")


if __name__ == "__main__":
    main()
