"""A Flask app that receives Connectly webhook deliveries.

    CONNECTLY_WEBHOOK_SECRET=... flask --app flask_app run --port 5000

The decorator verifies the signature over the raw body before the view runs; a missing or
bad signature gets 403 and the view never sees it.
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


@app.post("/webhook")
@connectly.flask.webhook()
def connectly_webhook(event: connectly.WebhookEvent) -> tuple[str, int]:
    received.append(event)
    print(
        f"flask: verified delivery from {event.sender.id} ({event.sender.channel_type}): "
        f"{event.text!r}"
    )
    return "", 200


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
