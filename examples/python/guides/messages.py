# connectly-example: run
"""Messages: a text, a template, an image, a location, reply buttons and a list.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python messages.py

Each call returns a ``connectly.Response`` (``status_code``, ``data``, ``attempts``,
``trace_id``); ``data["id"]`` is the message's id, which its delivery statuses name. Run
against the mock Connectly (CONNECTLY_BASE_URL), it then checks that the mock accepted every
message, and exits non-zero if not.
"""

import json
import os
import sys
import urllib.request
from typing import Any

# --8<-- [start:client]
import connectly

client = connectly.Client()  # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID from the environment
# --8<-- [end:client]

sent_ids: dict[str, str] = {}

# --8<-- [start:text]
sent = client.send_text("+15555555555", "Your order has shipped!")
print(f"text: {sent.data['id']}, HTTP {sent.status_code} after {sent.attempts} attempt(s)")
sms = client.send_text("+15555555555", "Your order has shipped!", channel="sms")
# --8<-- [end:text]
sent_ids["text"] = sent.data["id"]
sent_ids["sms"] = sms.data["id"]

# --8<-- [start:template]
sent = client.send_template(
    "+15555555555",
    "order_update",
    {"name": "Ada", "order": "1042"},  # the template's variables, in order
    language="en_US",
    callback_data={"order_id": 1042},  # comes back with this message's delivery statuses
)
print(f"template: {sent.data['id']}")
# --8<-- [end:template]
sent_ids["template"] = sent.data["id"]

# --8<-- [start:media]
receipt = connectly.Attachment(
    "image", "https://example.com/receipts/1042.jpg", caption="Your receipt"
)
sent = client.send_message("+15555555555", attachment=receipt)
print(f"image: {sent.data['id']}")
# --8<-- [end:media]
sent_ids["media"] = sent.data["id"]

# --8<-- [start:location]
store = connectly.Location(
    51.5007, -0.1246, name="Our Westminster store", address="1 Bridge St, London SW1A 2JR"
)
sent = client.send_message("+15555555555", location=store)
print(f"location: {sent.data['id']}")
# --8<-- [end:location]
sent_ids["location"] = sent.data["id"]

# --8<-- [start:buttons]
# One to three buttons; a tap comes back as an InboundMessage whose button_reply has the id.
choice = connectly.ReplyButtons(
    [connectly.Button("deliver", "Yes, tomorrow"), connectly.Button("later", "Not yet")],
    footer="Reply within 24 hours",
)
sent = client.send_message("+15555555555", text="Can we deliver tomorrow?", buttons=choice)
print(f"buttons: {sent.data['id']}")
# --8<-- [end:buttons]
sent_ids["buttons"] = sent.data["id"]

# --8<-- [start:list]
# Up to ten rows in all; the row picked comes back as an InboundMessage's list_reply.
slots = connectly.ListMessage(
    "Choose a slot",
    [
        connectly.ListSection(
            "Tomorrow",
            [
                connectly.ListRow("tue-am", "Morning", description="8:00 to 12:00"),
                connectly.ListRow("tue-pm", "Afternoon", description="12:00 to 18:00"),
            ],
        ),
        connectly.ListSection("Wednesday", [connectly.ListRow("wed-am", "Morning")]),
    ],
    header="Delivery slots",
)
sent = client.send_message("+15555555555", text="When should we come?", list=slots)
print(f"list: {sent.data['id']}")
# --8<-- [end:list]
sent_ids["list"] = sent.data["id"]


def accepted_by_mock() -> dict[str, Any]:
    """The messages the mock Connectly accepted, by id (its control protocol)."""
    request = urllib.request.Request(
        os.environ["CONNECTLY_BASE_URL"] + "/_mock/messages",
        headers={"X-API-Key": os.environ["CONNECTLY_API_KEY"]},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return {message["id"]: message for message in json.load(reply)}


accepted = accepted_by_mock()
missing = [kind for kind, message_id in sent_ids.items() if message_id not in accepted]
if missing or len(set(sent_ids.values())) != len(sent_ids):
    sys.exit(f"FAILED: the mock did not accept each message once: {missing}")
template = accepted[sent_ids["template"]]
if template["callback_data"] != {"order_id": 1042} or not template["path"].endswith(
    "/send/whatsapp_templated_messages"
):
    sys.exit(f"FAILED: the template was not sent as shown: {template}")
if any(accepted[sent_ids[kind]]["recipient"] != "+15555555555" for kind in sent_ids):
    sys.exit("FAILED: a message went to another recipient")
if accepted[sent_ids["sms"]]["channel_type"] != "sms":
    sys.exit("FAILED: the SMS was not sent on the sms channel")
print(f"the mock accepted all {len(sent_ids)} messages")
