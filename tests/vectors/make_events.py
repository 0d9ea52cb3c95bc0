#!/usr/bin/env python3
"""Writes tests/vectors/events.json: signed webhook bodies and the typed event each one gives.

Independent of the SDK on purpose: the bodies are the payloads of WIRE.md ("Webhook events"
and "Webhook deliveries") and hostile variants of them, signed with Python's hmac module; the
expected events are written out by hand for every row and then checked against `reference()`
below, a second, separate reading of the parsing rules (README.md, "events.json"). The two
must agree before the file is written. Rerun after editing a row (the output is deterministic):

    python3 tests/vectors/make_events.py
"""

import base64
import hashlib
import hmac
import json
import pathlib

SECRET = "events-conformance-secret"
OUT = pathlib.Path(__file__).with_name("events.json")

TS = "1639083206"
STATUS_TS = "1641513098"
CUSTOMER = {"id": "+16315555500", "channelType": "whatsapp"}
BUSINESS = {"id": "+16044441234", "channelType": "whatsapp"}
AUDIO_URL = "https://cdn.connectly.ai/46b6/46b6725c-a821-480c-901b-8a76b990a25c"
REPLY_TO = "018d62f2-2524-10fa-f857-091ab99c14c8"
STATUS_ID = "01FRRWW2ZAHD9GJ1SWY4VF2GBD"
REFERRAL = {
    "ctwaClid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO",
    "sourceUrl": "https://fb.me/3cr4Wqqkb",
    "sourceId": "23851427181520397",
    "sourceType": "ad",
    "headline": "Autumn sale",
    "body": "Tap to chat with us",
    "mediaType": "image",
    "imageUrl": "https://scontent.example/ad.jpg",
    "videoUrl": "",
    "thumbnailUrl": "https://scontent.example/ad-thumb.jpg",
}
API_ERROR = {
    "message": "the customer has not opened a conversation in the last 24 hours",
    "type": "ERROR_TYPE_INVALID_REQUEST",
    "code": "ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW",
    "userTitle": "Message not delivered",
    "userMessage": "Send a template first",
    "cntTraceId": "11824978358485860716",
    "details": {},
}

INVALID = {"error": "invalid_payload"}


# --- the expected side, written by hand ------------------------------------------------------


def party(pid, channel="whatsapp", *, name=None, user_id=None, phone_number=None):
    return {
        "id": pid,
        "channel_type": channel,
        "name": name,
        "user_id": user_id,
        "phone_number": phone_number,
    }


CUSTOMER_X = party("+16315555500")
BUSINESS_X = party("+16044441234")


def message(
    *,
    topic="messages",
    timestamp=1639083206,
    sender=CUSTOMER_X,
    recipient=BUSINESS_X,
    callback_data=None,
    text=None,
    attachment=None,
    location=None,
    button_reply=None,
    list_reply=None,
    reply_to_id=None,
    referral=None,
):
    return {
        "kind": "message",
        "topic": topic,
        "timestamp": timestamp,
        "sender": sender,
        "recipient": recipient,
        "callback_data": callback_data,
        "text": text,
        "attachment": attachment,
        "location": location,
        "button_reply": button_reply,
        "list_reply": list_reply,
        "reply_to_id": reply_to_id,
        "referral": referral,
    }


def status(
    status_text,
    *,
    message_id=STATUS_ID,
    error=None,
    campaign_name=None,
    topic="delivery_status",
    timestamp=1641513098,
    sender=BUSINESS_X,
    recipient=CUSTOMER_X,
    callback_data=None,
):
    return {
        "kind": "delivery_status",
        "topic": topic,
        "timestamp": timestamp,
        "sender": sender,
        "recipient": recipient,
        "callback_data": callback_data,
        "message_id": message_id,
        "status": status_text,
        "error": error,
        "campaign_name": campaign_name,
    }


def other(
    topic, *, timestamp=1639083206, sender=CUSTOMER_X, recipient=BUSINESS_X, callback_data=None
):
    return {
        "kind": "other",
        "topic": topic,
        "timestamp": timestamp,
        "sender": sender,
        "recipient": recipient,
        "callback_data": callback_data,
    }


def attachment(kind, url, *, caption=None, filename=None):
    return {"type": kind, "url": url, "caption": caption, "filename": filename}


def location(latitude, longitude, *, name=None, address=None):
    return {"latitude": latitude, "longitude": longitude, "name": name, "address": address}


def button(text=None, *, payload=None, bid=None):
    return {"text": text, "payload": payload, "id": bid}


def list_reply(lid, *, text=None, description=None):
    return {"id": lid, "text": text, "description": description}


def error(*, code=None, kind=None, msg=None, trace_id=None):
    return {"code": code, "type": kind, "message": msg, "trace_id": trace_id}


# --- the delivered side ----------------------------------------------------------------------


def inbound(msg=None, *, ts=TS, sender=CUSTOMER, recipient=BUSINESS, **top):
    """A `messages` delivery: timestamp, sender, recipient, then `message`, then `top`."""
    body = {"timestamp": ts, "sender": sender, "recipient": recipient}
    if msg is not None:
        body["message"] = msg
    body.update(top)
    return body


def delivery(update, *, ts=STATUS_TS, sender=BUSINESS, recipient=CUSTOMER, **top):
    """A `delivery_status` delivery, laid out as WIRE.md's example."""
    body = {"topic": "delivery_status", "timestamp": ts, "sender": sender, "recipient": recipient}
    if update is not None:
        body["statusUpdate"] = update
    body.update(top)
    return body


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sign(body: str) -> str:
    mac = hmac.new(SECRET.encode("utf-8"), body.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


ROWS = []


def row(name, source, body, expect):
    """body: a dict (delivered compactly, keys in the order written) or the exact text."""
    text = body if isinstance(body, str) else compact(body)
    ROWS.append(
        {"name": name, "source": source, "body": text, "signature": sign(text), "expect": expect}
    )


WE = "WIRE.md, Webhook events"

# --- every payload WIRE.md shows ---------------------------------------------------------------

row(
    "doc-getting-started",
    "WIRE.md, Webhook deliveries: the documented body, its spacing kept",
    '{ "timestamp": "1639083206", "sender": { "id": "+16315555500", "channelType": "whatsapp" }, '
    '"recipient": { "id": "123456123", "channelType": "whatsapp" }, '
    '"message": { "text": "TEST 11" } }',
    message(recipient=party("123456123"), text="TEST 11"),
)
row(
    "doc-messages-names",
    WE + ": messages, sender and recipient with name",
    '{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp",'
    '"name":"Vasi"},"recipient":{"id":"+16044441234","channelType":"whatsapp",'
    '"name":"connectlyai"},"message":{"text":"TEST 11"}}',
    message(
        sender=party("+16315555500", name="Vasi"),
        recipient=party("+16044441234", name="connectlyai"),
        text="TEST 11",
    ),
)
row(
    "doc-messages-topic",
    WE + ': topic may be "messages"',
    {"topic": "messages", **inbound({"text": "hello"})},
    message(text="hello"),
)
row(
    "doc-media-audio",
    WE + ": media (the documented audio attachment)",
    inbound({"attachments": [{"type": "audio", "url": AUDIO_URL}]}),
    message(attachment=attachment("audio", AUDIO_URL)),
)
row(
    "doc-media-image-caption",
    WE + ": media, type image with a caption",
    inbound(
        {
            "attachments": [
                {
                    "type": "image",
                    "url": "https://cdn.connectly.ai/img/1.jpg",
                    "caption": "my receipt",
                }
            ]
        }
    ),
    message(
        attachment=attachment("image", "https://cdn.connectly.ai/img/1.jpg", caption="my receipt")
    ),
)
row(
    "doc-media-document",
    WE + ": media, type document with a filename",
    inbound(
        {
            "attachments": [
                {
                    "type": "document",
                    "url": "https://cdn.connectly.ai/d/inv.pdf",
                    "caption": "invoice",
                    "filename": "invoice-42.pdf",
                }
            ]
        }
    ),
    message(
        attachment=attachment(
            "document",
            "https://cdn.connectly.ai/d/inv.pdf",
            caption="invoice",
            filename="invoice-42.pdf",
        )
    ),
)
row(
    "doc-location",
    WE + ": location",
    inbound(
        {
            "location": {
                "latitude": 37.48,
                "longitude": -122.15,
                "name": "Connectly HQ",
                "address": "1 Market St, San Francisco",
            }
        }
    ),
    message(
        location=location(37.48, -122.15, name="Connectly HQ", address="1 Market St, San Francisco")
    ),
)
row(
    "doc-button-a",
    WE + ": button reply shape (a), message.isButtonResponse",
    inbound({"text": "Yes", "isButtonResponse": True}),
    message(text="Yes", button_reply=button("Yes")),
)
row(
    "doc-button-b",
    WE + ": button reply shape (b), buttonResponse with context.replyToId",
    inbound(
        {"text": "Yes"},
        buttonResponse={"text": "Yes", "payload": "1"},
        context={"replyToId": REPLY_TO},
    ),
    message(text="Yes", button_reply=button("Yes", payload="1"), reply_to_id=REPLY_TO),
)
row(
    "doc-button-c",
    WE + ": button reply shape (c), buttonResponse with id",
    inbound(
        {"text": "Yes"},
        buttonResponse={"text": "Yes", "id": "01GB6MZR50BY04MDAQH6TVYN40", "payload": "1"},
    ),
    message(text="Yes", button_reply=button("Yes", payload="1", bid="01GB6MZR50BY04MDAQH6TVYN40")),
)
row(
    "doc-quoted-reply",
    WE + ": a reply quoting an earlier message",
    inbound({"text": "about that order"}, context={"replyToId": REPLY_TO}),
    message(text="about that order", reply_to_id=REPLY_TO),
)
row(
    "doc-referral",
    WE + ": Click-to-WhatsApp referral, kept whole",
    inbound({"text": "Hello!", "referral": REFERRAL}),
    message(text="Hello!", referral=REFERRAL),
)
row(
    "doc-message-callback-data",
    WE + ": callbackData on a reply to a message sent with it",
    inbound({"text": "Yes"}, callbackData={"orderId": 42}),
    message(text="Yes", callback_data={"orderId": 42}),
)
row(
    "doc-stray-attachments-location",
    WE + ": stray top-level attachments/location ignored",
    inbound({"text": "hi"}, attachments=[], location=None),
    message(text="hi"),
)
row(
    "doc-bsuid-no-phone",
    WE + ': a customer known by a BSUID, phoneNumber ""',
    inbound(
        {"text": "hi"},
        sender={
            "id": "bsuid:US.13491208655302741918",
            "channelType": "whatsapp",
            "name": "Ada",
            "userId": "US.13491208655302741918",
            "phoneNumber": "",
        },
    ),
    message(
        sender=party(
            "bsuid:US.13491208655302741918",
            name="Ada",
            user_id="US.13491208655302741918",
            phone_number="",
        ),
        text="hi",
    ),
)
row(
    "doc-bsuid-with-phone",
    WE + ": a BSUID customer who also has a phone number",
    inbound(
        {"text": "hi"},
        sender={
            "id": "+16315555500",
            "channelType": "whatsapp",
            "userId": "US.13491208655302741918",
            "phoneNumber": "+16315555500",
        },
    ),
    message(
        sender=party(
            "+16315555500", user_id="US.13491208655302741918", phone_number="+16315555500"
        ),
        text="hi",
    ),
)
row(
    "doc-status-to-bsuid-customer",
    WE + ": a status of a message to a BSUID customer: the recipient carries userId and phoneNumber",
    delivery(
        {"id": STATUS_ID, "status": "read", "error": None},
        recipient={
            "id": "bsuid:US.13491208655302741918",
            "channelType": "whatsapp",
            "name": "Ada",
            "userId": "US.13491208655302741918",
            "phoneNumber": "+16315555500",
        },
    ),
    status(
        "read",
        recipient=party(
            "bsuid:US.13491208655302741918",
            name="Ada",
            user_id="US.13491208655302741918",
            phone_number="+16315555500",
        ),
    ),
)
row(
    "doc-status-delivered",
    WE + ": delivery_status, the documented example",
    '{"topic":"delivery_status","timestamp":"1641513098","sender":{"id":"+16044441111",'
    '"channelType":"whatsapp"},"recipient":{"id":"+16044551234","channelType":"whatsapp"},'
    '"statusUpdate":{"id":"01FRRWW2ZAHD9GJ1SWY4VF2GBD","status":"delivered","error":null},'
    '"metadata":{"campaign_name":"autumn"}}',
    status(
        "delivered",
        sender=party("+16044441111"),
        recipient=party("+16044551234"),
        campaign_name="autumn",
    ),
)
row(
    "doc-status-sent",
    WE + ": status sent",
    delivery({"id": STATUS_ID, "status": "sent"}),
    status("sent"),
)
row(
    "doc-status-read",
    WE + ": status read",
    delivery({"id": STATUS_ID, "status": "read", "error": None}),
    status("read"),
)
row(
    "doc-status-failed-error",
    WE + ": delivery_failed with the API error shape",
    delivery({"id": STATUS_ID, "status": "delivery_failed", "error": API_ERROR}),
    status(
        "delivery_failed",
        error=error(
            code="ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW",
            kind="ERROR_TYPE_INVALID_REQUEST",
            msg="the customer has not opened a conversation in the last 24 hours",
            trace_id="11824978358485860716",
        ),
    ),
)
row(
    "doc-status-failure-spelling",
    WE + ": the misspelling delivery_failure means failed",
    delivery({"id": STATUS_ID, "status": "delivery_failure", "error": None}),
    status("delivery_failed"),
)
row(
    "doc-status-campaign-nested",
    WE + ": statusUpdate.metadata.campaignName, metadata null",
    delivery(
        {"id": STATUS_ID, "status": "delivered", "metadata": {"campaignName": "summer"}},
        metadata=None,
    ),
    status("delivered", campaign_name="summer"),
)
row(
    "doc-status-callback-data",
    WE + ": callbackData on a status of a message sent with it",
    delivery({"id": STATUS_ID, "status": "read"}, callbackData={"orderId": 42, "step": "ship"}),
    status("read", callback_data={"orderId": 42, "step": "ship"}),
)
row(
    "sdk-list-reply-message",
    "SDK rule (WIRE.md shows no list reply): message.listReply",
    inbound(
        {"text": "Large", "listReply": {"id": "r2", "text": "Large", "description": "16 inch"}}
    ),
    message(text="Large", list_reply=list_reply("r2", text="Large", description="16 inch")),
)
row(
    "sdk-list-reply-top-level",
    "SDK rule (WIRE.md shows no list reply): top-level listResponse",
    inbound({"text": "Small"}, listResponse={"id": "r1", "text": "Small"}),
    message(text="Small", list_reply=list_reply("r1", text="Small")),
)

# --- hostile: not an event at all --------------------------------------------------------------

H = "hostile variant of "
row("not-json", H + "any delivery: not JSON", "not json", INVALID)
row("empty-body", H + "any delivery: an empty body", "", INVALID)
row(
    "json-array",
    H + "any delivery: a JSON array",
    "[" + compact(inbound({"text": "x"})) + "]",
    INVALID,
)
row("json-null", H + "any delivery: JSON null", "null", INVALID)
row(
    "trailing-garbage",
    H + "doc-messages-topic: a second value after the object",
    compact(inbound({"text": "x"})) + "{}",
    INVALID,
)
row(
    "nan-token-unread-field",
    H + "doc-messages-topic: NaN is not JSON, even unread",
    compact(inbound({"text": "x"}))[:-1] + ',"score":NaN}',
    INVALID,
)

# --- hostile: timestamp ------------------------------------------------------------------------

row(
    "timestamp-integer",
    H + "doc-messages-topic: timestamp as a JSON integer",
    inbound({"text": "x"}, ts=1639083206),
    message(text="x"),
)
row(
    "timestamp-zero-string",
    H + 'doc-messages-topic: timestamp "0"',
    inbound({"text": "x"}, ts="0"),
    message(text="x", timestamp=0),
)
row(
    "timestamp-leading-zero",
    H + "doc-messages-topic: decimal digits with a leading zero",
    inbound({"text": "x"}, ts="01639083206"),
    message(text="x"),
)
for label, bad in [
    ("missing", ...),
    ("null", None),
    ("bool", True),
    ("float", 1639083206.5),
    ("float-integral", "1639083206.0"),
    ("negative", -1),
    ("empty-string", ""),
    ("padded", " 1639083206"),
    ("hex", "0x61B2A3C6"),
    ("overflow-string", "99999999999999999999"),
    ("overflow-integer", "raw:100000000000000000000"),
]:
    body = inbound({"text": "x"})
    if bad is ...:
        del body["timestamp"]
        body_text = compact(body)
    elif bad == "1639083206.0":
        body_text = compact(body).replace('"timestamp":"1639083206"', '"timestamp":1639083206.0')
    elif isinstance(bad, str) and bad.startswith("raw:"):
        body_text = compact(body).replace('"timestamp":"1639083206"', '"timestamp":' + bad[4:])
    else:
        body["timestamp"] = bad
        body_text = compact(body)
    row(f"timestamp-{label}", H + "doc-messages-topic: timestamp " + label, body_text, INVALID)

# --- hostile: parties --------------------------------------------------------------------------


def without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


for label, sender, recipient in [
    ("sender-missing", ..., BUSINESS),
    ("sender-string", "+16315555500", BUSINESS),
    ("sender-id-missing", without(CUSTOMER, "id"), BUSINESS),
    ("sender-id-number", {"id": 16315555500, "channelType": "whatsapp"}, BUSINESS),
    ("sender-channel-missing", without(CUSTOMER, "channelType"), BUSINESS),
    ("recipient-missing", CUSTOMER, ...),
    ("recipient-channel-null", CUSTOMER, {"id": "+16044441234", "channelType": None}),
]:
    body = inbound({"text": "x"}, sender=sender, recipient=recipient)
    body = {k: v for k, v in body.items() if v is not ...}
    row(label, H + "doc-messages-topic: " + label.replace("-", " "), body, INVALID)
row(
    "party-optionals-wrong-types",
    H + "doc-bsuid-no-phone: name/userId/phoneNumber not strings",
    inbound(
        {"text": "x"},
        sender={
            "id": "+16315555500",
            "channelType": "whatsapp",
            "name": 42,
            "userId": None,
            "phoneNumber": False,
        },
        recipient={
            "id": "+16044441234",
            "channelType": "whatsapp",
            "name": ["x"],
            "userId": {"id": "u"},
            "phoneNumber": 16044441234,
        },
    ),
    message(text="x"),
)
row(
    "party-empty-strings",
    H + 'doc-bsuid-no-phone: every party string empty, kept as ""',
    inbound(
        {"text": "x"},
        sender={"id": "", "channelType": "", "name": "", "userId": "", "phoneNumber": ""},
    ),
    message(text="x", sender=party("", "", name="", user_id="", phone_number="")),
)
row(
    "party-sms-channel",
    H + "doc-messages-topic: another channel kept as its string",
    inbound(
        {"text": "x"},
        sender={"id": "+16315555500", "channelType": "sms"},
        recipient={"id": "+16044441234", "channelType": "sms"},
    ),
    message(text="x", sender=party("+16315555500", "sms"), recipient=party("+16044441234", "sms")),
)

# --- hostile: topic ----------------------------------------------------------------------------

row(
    "topic-null",
    H + "doc-messages-topic: topic null means messages",
    {"topic": None, **inbound({"text": "x"})},
    message(text="x"),
)
row(
    "topic-number",
    H + "doc-messages-topic: topic not a string",
    {"topic": 1, **inbound({"text": "x"})},
    INVALID,
)
row(
    "topic-unknown",
    H + "doc-messages-topic: an unknown topic gives the shared fields only",
    {"topic": "orders", **inbound({"text": "x"}, callbackData="cb")},
    other("orders", callback_data="cb"),
)
row(
    "topic-upper-case",
    H + "doc-messages-topic: topics are case-sensitive",
    {"topic": "MESSAGES", **inbound({"text": "x"})},
    other("MESSAGES"),
)
row(
    "topic-absent-status-update",
    H + "doc-status-delivered: no topic, a statusUpdate object",
    without(delivery({"id": STATUS_ID, "status": "delivered"}), "topic"),
    status("delivered"),
)
row(
    "topic-null-status-update",
    H + "doc-status-delivered: topic null, a statusUpdate object",
    {**delivery({"id": STATUS_ID, "status": "read"}), "topic": None},
    status("read"),
)
row(
    "topic-messages-beats-status-update",
    H + "doc-messages-topic: topic messages wins",
    {
        "topic": "messages",
        **inbound({"text": "x"}),
        "statusUpdate": {"id": STATUS_ID, "status": "read"},
    },
    message(text="x"),
)
row(
    "topic-absent-status-update-not-object",
    H + "doc-messages-topic: a statusUpdate that is not an object does not make a status",
    inbound({"text": "x"}, statusUpdate="read"),
    message(text="x"),
)

# --- hostile: statusUpdate ---------------------------------------------------------------------

row("status-update-missing", H + "doc-status-delivered: no statusUpdate", delivery(None), INVALID)
row(
    "status-update-string",
    H + "doc-status-delivered: statusUpdate a string",
    delivery("delivered"),
    INVALID,
)
row(
    "status-id-missing",
    H + "doc-status-delivered: statusUpdate without id",
    delivery({"status": "delivered"}),
    INVALID,
)
row(
    "status-id-number",
    H + "doc-status-delivered: statusUpdate.id a number",
    delivery({"id": 42, "status": "delivered"}),
    INVALID,
)
row(
    "status-missing",
    H + "doc-status-delivered: statusUpdate without status",
    delivery({"id": STATUS_ID}),
    INVALID,
)
row(
    "status-unknown-kept",
    H + "doc-status-delivered: an unknown status kept as its string",
    delivery({"id": STATUS_ID, "status": "pending"}),
    status("pending"),
)
row(
    "status-upper-case-kept",
    H + "doc-status-delivered: DELIVERED is not normalised",
    delivery({"id": STATUS_ID, "status": "DELIVERED"}),
    status("DELIVERED"),
)
row(
    "status-error-not-object",
    H + "doc-status-failed-error: error a string",
    delivery({"id": STATUS_ID, "status": "delivery_failed", "error": "boom"}),
    status("delivery_failed"),
)
row(
    "status-error-empty-object",
    H + "doc-status-failed-error: error {}",
    delivery({"id": STATUS_ID, "status": "delivery_failed", "error": {}}),
    status("delivery_failed", error=error()),
)
row(
    "status-error-wrong-types",
    H + "doc-status-failed-error: code a number, cntTraceId an integer past 2**64",
    compact(
        delivery(
            {
                "id": STATUS_ID,
                "status": "delivery_failed",
                "error": {
                    "code": 131047,
                    "type": None,
                    "message": "Re-engagement",
                    "cntTraceId": "@",
                },
            }
        )
    ).replace('"cntTraceId":"@"', '"cntTraceId":118249783584858607161182497835848586071'),
    status("delivery_failed", error=error(msg="Re-engagement")),
)
row(
    "status-campaign-both-places",
    H + "doc-status-delivered: top-level campaign_name wins",
    delivery(
        {"id": STATUS_ID, "status": "delivered", "metadata": {"campaignName": "inner"}},
        metadata={"campaign_name": "outer"},
    ),
    status("delivered", campaign_name="outer"),
)
row(
    "status-campaign-top-not-string",
    H + "doc-status-campaign-nested: top-level not a string",
    delivery(
        {"id": STATUS_ID, "status": "delivered", "metadata": {"campaignName": "inner"}},
        metadata={"campaign_name": 7},
    ),
    status("delivered", campaign_name="inner"),
)
row(
    "status-campaign-wrong-spellings",
    H + "doc-status-delivered: campaignName at the top, campaign_name inside: neither read",
    delivery(
        {"id": STATUS_ID, "status": "delivered", "metadata": {"campaign_name": "a"}},
        metadata={"campaignName": "b"},
    ),
    status("delivered"),
)
row(
    "status-extra-fields",
    H + "doc-status-failed-error: unknown fields at every level",
    delivery(
        {
            "id": STATUS_ID,
            "status": "delivery_failed",
            "timestamp": "x",
            "error": {**API_ERROR, "details": {"retry": [1, 2]}, "extra": True},
            "metadata": {"campaignName": "c", "extra": 1},
            "extra": None,
        },
        sender={**BUSINESS, "extra": {"a": 1}},
        message={"text": "ignored"},
        metadata={"extra": "x"},
        extra=[1, 2, 3],
    ),
    status(
        "delivery_failed",
        campaign_name="c",
        error=error(
            code="ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW",
            kind="ERROR_TYPE_INVALID_REQUEST",
            msg="the customer has not opened a conversation in the last 24 hours",
            trace_id="11824978358485860716",
        ),
    ),
)

# --- hostile: message content ------------------------------------------------------------------

row("message-absent", H + "doc-messages-topic: no message", inbound(None), message())
# A message that is not an object, or a text that is not a string, has been refused since
# the first release (webhook_errors.json): still refused.
row("message-not-object", H + "doc-messages-topic: message a string", inbound("hello"), INVALID)
row(
    "message-nulls-everywhere",
    H + "doc-messages-topic: every optional field null",
    inbound(
        {
            "text": None,
            "attachments": None,
            "location": None,
            "referral": None,
            "isButtonResponse": None,
            "listReply": None,
        },
        callbackData=None,
        context=None,
        buttonResponse=None,
        listResponse=None,
    ),
    message(),
)
row("text-not-string", H + "doc-messages-topic: text a number", inbound({"text": 11}), INVALID)
row(
    "text-unicode-raw",
    H + "doc-messages-topic: UTF-8 text as it is",
    inbound({"text": "héllo wörld 👋 مرحبا 你好"}),
    message(text="héllo wörld 👋 مرحبا 你好"),
)
row(
    "text-unicode-escaped",
    H + "doc-messages-topic: the same kinds of text as JSON escapes",
    compact(inbound({"text": "@"})).replace(
        '"text":"@"', '"text":"h\\u00e9llo \\ud83d\\udc4b \\"q\\" \\\\ \\/ a\\nb\\tc"'
    ),
    message(text='héllo 👋 "q" \\ / a\nb\tc'),
)
row(
    "whitespace-around-body",
    H + "doc-messages-topic: whitespace before and after the object",
    "\n  " + compact(inbound({"text": "x"})) + " \r\n",
    message(text="x"),
)
row(
    "attachments-two-first-wins",
    H + "doc-media-audio: two attachments, the first is read",
    inbound(
        {
            "attachments": [
                {"type": "audio", "url": AUDIO_URL},
                {"type": "image", "url": "https://cdn.connectly.ai/2.jpg"},
            ]
        }
    ),
    message(attachment=attachment("audio", AUDIO_URL)),
)
row(
    "attachments-empty",
    H + "doc-media-audio: an empty list",
    inbound({"text": "x", "attachments": []}),
    message(text="x"),
)
row(
    "attachments-first-invalid",
    H + "doc-media-audio: the first has no url, the second is valid",
    inbound(
        {
            "attachments": [
                {"type": "audio"},
                {"type": "image", "url": "https://cdn.connectly.ai/2.jpg"},
            ]
        }
    ),
    message(),
)
row(
    "attachments-not-list",
    H + "doc-media-audio: attachments an object",
    inbound({"attachments": {"type": "audio", "url": AUDIO_URL}}),
    message(),
)
row(
    "attachment-unknown-type-kept",
    H + "doc-media-audio: an unknown type kept, wrong-typed caption and filename dropped",
    inbound(
        {
            "attachments": [
                {
                    "type": "sticker",
                    "url": "https://cdn.connectly.ai/s.webp",
                    "caption": 5,
                    "filename": None,
                    "mimeType": "image/webp",
                }
            ]
        }
    ),
    message(attachment=attachment("sticker", "https://cdn.connectly.ai/s.webp")),
)
row(
    "location-string-coordinates",
    H + "doc-location: latitude a string",
    inbound({"location": {"latitude": "37.48", "longitude": -122.15}}),
    message(),
)
row(
    "location-missing-longitude",
    H + "doc-location: no longitude",
    inbound({"location": {"latitude": 37.48, "name": "x"}}),
    message(),
)
row(
    "location-integers-and-extras",
    H + "doc-location: integer coordinates, name not a string, an unknown field",
    inbound(
        {
            "location": {
                "latitude": 0,
                "longitude": -180,
                "name": 3,
                "address": "",
                "url": "https://maps.example",
            }
        }
    ),
    message(location=location(0, -180, address="")),
)
row(
    "button-a-not-true",
    H + 'doc-button-a: isButtonResponse "true" is not true',
    inbound({"text": "Yes", "isButtonResponse": "true"}),
    message(text="Yes"),
)
row(
    "button-a-without-text",
    H + "doc-button-a: isButtonResponse with no text",
    inbound({"isButtonResponse": True}),
    message(button_reply=button()),
)
row(
    "button-b-beats-a",
    H + "doc-button-a/b: both shapes, buttonResponse wins",
    inbound(
        {"text": "Yes", "isButtonResponse": True},
        buttonResponse={"text": "Yes please", "payload": "1"},
    ),
    message(text="Yes", button_reply=button("Yes please", payload="1")),
)
row(
    "button-b-not-object",
    H + "doc-button-a/b: buttonResponse a string, shape (a) applies",
    inbound({"text": "Yes", "isButtonResponse": True}, buttonResponse="Yes"),
    message(text="Yes", button_reply=button("Yes")),
)
row(
    "button-c-wrong-types",
    H + "doc-button-c: fields not strings become null",
    inbound({"text": "Yes"}, buttonResponse={"text": None, "id": 7, "payload": {"p": 1}}),
    message(text="Yes", button_reply=button()),
)
row(
    "button-b-without-message",
    H + "doc-button-b: no message object, top-level fields read",
    inbound(None, buttonResponse={"text": "No", "payload": "0"}, context={"replyToId": REPLY_TO}),
    message(button_reply=button("No", payload="0"), reply_to_id=REPLY_TO),
)
row(
    "list-reply-without-id",
    H + "sdk-list-reply-message: no id, no list reply",
    inbound({"text": "Large", "listReply": {"text": "Large"}}),
    message(text="Large"),
)
row(
    "list-reply-beats-list-response",
    H + "sdk-list-reply-*: both, message.listReply wins",
    inbound(
        {"text": "x", "listReply": {"id": "r2", "description": 5}},
        listResponse={"id": "r1", "text": "Small"},
    ),
    message(text="x", list_reply=list_reply("r2")),
)
row(
    "context-wrong-types",
    H + "doc-quoted-reply: replyToId a number",
    inbound({"text": "x"}, context={"replyToId": 12345}),
    message(text="x"),
)
row(
    "referral-not-object",
    H + "doc-referral: referral a string",
    inbound({"text": "x", "referral": "ad"}),
    message(text="x"),
)
for label, data in [("string", "order-42"), ("array", [1, "two", None, {"three": 3}])]:
    row(
        f"callback-data-{label}",
        H + "doc-message-callback-data: callbackData any JSON value",
        inbound({"text": "x"}, callbackData=data),
        message(text="x", callback_data=data),
    )
row(
    "extra-fields-everywhere",
    H + "doc-media-image-caption: unknown fields at every level",
    inbound(
        {
            "text": None,
            "extra": 1,
            "attachments": [
                {
                    "type": "image",
                    "url": "https://cdn.connectly.ai/i.png",
                    "caption": "c",
                    "extra": {"x": [1]},
                }
            ],
        },
        sender={**CUSTOMER, "profile": {"avatar": None}},
        recipient={**BUSINESS, "extra": []},
        context={"replyToId": "m1", "extra": 1},
        unknownTopLevel={"nested": {"deep": [True, None]}},
    ),
    message(
        attachment=attachment("image", "https://cdn.connectly.ai/i.png", caption="c"),
        reply_to_id="m1",
    ),
)
row(
    "huge-numbers-unread",
    H + "doc-messages-topic: huge integers in unread fields",
    compact(inbound({"text": "big"}, n="@")).replace(
        '"n":"@"', '"n":123456789012345678901234567890,"m":-98765432109876543210987654321'
    ),
    message(text="big"),
)
row(
    "number-beyond-f64-unread",
    H + "doc-messages-topic: 1e400 in an unread field still parses",
    compact(inbound({"text": "big", "extra": "@"})).replace('"extra":"@"', '"extra":1e400'),
    message(text="big"),
)


# --- the second reading: the parsing rules, applied to every body ------------------------------


class Invalid(Exception):
    pass


def _no_constant(name):
    raise Invalid(f"not JSON: {name}")


def _string(value):
    return value if isinstance(value, str) else None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _object(value):
    return value if isinstance(value, dict) else None


def _party(value):
    if not isinstance(value, dict):
        raise Invalid("party")
    if not isinstance(value.get("id"), str) or not isinstance(value.get("channelType"), str):
        raise Invalid("party fields")
    return {
        "id": value["id"],
        "channel_type": value["channelType"],
        "name": _string(value.get("name")),
        "user_id": _string(value.get("userId")),
        "phone_number": _string(value.get("phoneNumber")),
    }


def _timestamp(value):
    if isinstance(value, str) and value and all(c in "0123456789" for c in value):
        value = int(value)
    elif isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("timestamp")
    if not 0 <= value <= 2**63 - 1:
        raise Invalid("timestamp range")
    return value


def reference(body):
    """The expected event of one body, from the rules alone."""
    try:
        doc = json.loads(body, parse_constant=_no_constant)
    except (ValueError, Invalid):
        return INVALID
    try:
        return _event(doc)
    except Invalid:
        return INVALID


def _event(doc):
    if not isinstance(doc, dict):
        raise Invalid("not an object")
    topic = doc.get("topic")
    if topic is None:
        topic = "delivery_status" if isinstance(doc.get("statusUpdate"), dict) else "messages"
    if not isinstance(topic, str):
        raise Invalid("topic")
    shared = {
        "topic": topic,
        "timestamp": _timestamp(doc.get("timestamp")),
        "sender": _party(doc.get("sender")),
        "recipient": _party(doc.get("recipient")),
        "callback_data": doc.get("callbackData"),
    }
    if topic == "messages":
        return {"kind": "message", **shared, **_message(doc)}
    if topic == "delivery_status":
        return {"kind": "delivery_status", **shared, **_status(doc)}
    return {"kind": "other", **shared}


def _message(doc):
    if doc.get("message") is not None and _object(doc.get("message")) is None:
        raise Invalid("message not an object")
    msg = _object(doc.get("message")) or {}
    if msg.get("text") is not None and not isinstance(msg.get("text"), str):
        raise Invalid("message.text not a string")
    first = msg.get("attachments")
    first = first[0] if isinstance(first, list) and first else None
    found = None
    if (
        isinstance(first, dict)
        and isinstance(first.get("type"), str)
        and isinstance(first.get("url"), str)
    ):
        found = {
            "type": first["type"],
            "url": first["url"],
            "caption": _string(first.get("caption")),
            "filename": _string(first.get("filename")),
        }
    loc = _object(msg.get("location"))
    place = None
    if loc is not None and _number(loc.get("latitude")) and _number(loc.get("longitude")):
        place = {
            "latitude": loc["latitude"],
            "longitude": loc["longitude"],
            "name": _string(loc.get("name")),
            "address": _string(loc.get("address")),
        }
    reply = None
    if msg.get("isButtonResponse") is True:
        reply = {"text": _string(msg.get("text")), "payload": None, "id": None}
    pressed = _object(doc.get("buttonResponse"))
    if pressed is not None:
        reply = {
            "text": _string(pressed.get("text")),
            "payload": _string(pressed.get("payload")),
            "id": _string(pressed.get("id")),
        }
    chosen = None
    for candidate in (msg.get("listReply"), doc.get("listResponse")):
        if isinstance(candidate, dict) and isinstance(candidate.get("id"), str):
            chosen = {
                "id": candidate["id"],
                "text": _string(candidate.get("text")),
                "description": _string(candidate.get("description")),
            }
            break
    context = _object(doc.get("context")) or {}
    return {
        "text": _string(msg.get("text")),
        "attachment": found,
        "location": place,
        "button_reply": reply,
        "list_reply": chosen,
        "reply_to_id": _string(context.get("replyToId")),
        "referral": _object(msg.get("referral")),
    }


def _status(doc):
    update = doc.get("statusUpdate")
    if (
        not isinstance(update, dict)
        or not isinstance(update.get("id"), str)
        or not isinstance(update.get("status"), str)
    ):
        raise Invalid("statusUpdate")
    state = update["status"]
    if state == "delivery_failure":
        state = "delivery_failed"
    failure = _object(update.get("error"))
    if failure is not None:
        failure = {
            "code": _string(failure.get("code")),
            "type": _string(failure.get("type")),
            "message": _string(failure.get("message")),
            "trace_id": _string(failure.get("cntTraceId")),
        }
    campaign = _string((_object(doc.get("metadata")) or {}).get("campaign_name"))
    if campaign is None:
        campaign = _string((_object(update.get("metadata")) or {}).get("campaignName"))
    return {
        "message_id": update["id"],
        "status": state,
        "error": failure,
        "campaign_name": campaign,
    }


def main():
    names = [r["name"] for r in ROWS]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"duplicate row names: {duplicates}"
    for entry in ROWS:
        derived = reference(entry["body"])
        assert derived == entry["expect"], (
            f"{entry['name']}: written {entry['expect']!r}, the rules give {derived!r}"
        )
    doc = {
        "description": (
            "Signed webhook bodies and the typed event each gives. Each row: name, source "
            "(the WIRE.md section, or the row it is a hostile variant of), body (the exact "
            "delivered text; its UTF-8 bytes are signed), signature (x-connectly-hmac-sha256: "
            'base64 HMAC-SHA256 keyed with the file\'s secret), expect ({"error": '
            '"invalid_payload"} or the typed event: kind message | delivery_status | other, '
            "with every field written out, null when absent). Made by make_events.py with "
            "Python's json and hmac modules; see README.md."
        ),
        "secret": SECRET,
        "vectors": ROWS,
    }
    OUT.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(ROWS)} rows")


if __name__ == "__main__":
    main()
