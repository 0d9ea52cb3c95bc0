"""A Flask app that receives Connectly webhook deliveries, typed.

    CONNECTLY_WEBHOOK_SECRET=... flask --app flask_app run --port 5000

Register it for both topics (``client.upsert_webhook(url, "messages")`` and
``client.upsert_webhook(url, "delivery_status")``). The decorator verifies the signature over
the raw body before the view runs; a missing or bad signature gets 403 and the view never
sees it. The view gets an ``InboundMessage`` or a ``DeliveryStatus``.
"""

from __future__ import annotations

from flask import Flask

import connectly
import connectly.flask

app = Flask(__name__)
# The secret comes from here, or from the CONNECTLY_WEBHOOK_SECRET environment variable:
# app.config["CONNECTLY_WEBHOOK_SECRET"] = "..."

received: list[connectly.WebhookEvent] = []
"""The events received, for the demo."""

tracker = connectly.StatusTracker()
"""The furthest status of each message sent: statuses arrive out of order and repeated."""


@app.post("/webhook")
@connectly.flask.webhook()
def connectly_webhook(event: connectly.WebhookEvent) -> tuple[str, int]:
    received.append(event)
    if isinstance(event, connectly.DeliveryStatus):
        forward = tracker.advance(event.message_id, event.status)
        print(
            f"flask: message {event.message_id} is {event.status}"
            f"{'' if forward else ' (late, ignored)'}; callback data {event.callback_data}"
        )
    elif isinstance(event, connectly.InboundMessage):
        what = (
            f"a {event.attachment.type} at {event.attachment.url}"
            if event.attachment
            else repr(event.text)
        )
        sender = f"{event.sender.id} ({event.sender.channel_type})"
        print(f"flask: verified delivery from {sender}: {what}")
    return "", 200


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
