# connectly-example: receiver
"""Receiving webhooks with Flask: verified, typed events, and statuses kept in order.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
        PORT=5000 python receive_flask.py

At start-up it registers http://127.0.0.1:$PORT/webhook for the topics ``messages`` and
``delivery_status`` (behind a proxy, set WEBHOOK_URL to the public address), then serves it
with Werkzeug until SIGTERM. Each inbound message and each status that moves a message
forward is printed as a line.
"""

import os

import handling

# --8<-- [start:verify]
from flask import Flask

import connectly
import connectly.flask

app = Flask(__name__)


@app.post("/webhook")
@connectly.flask.webhook()  # CONNECTLY_WEBHOOK_SECRET, or app.config["CONNECTLY_WEBHOOK_SECRET"]
def webhook(event: connectly.WebhookEvent) -> tuple[str, int]:
    # The decorator verified the signature over the raw body, then parsed it: a missing or
    # bad signature was answered 403 and never gets here.
    handling.handle(event)  # the same in every framework: handling.py
    return "", 200  # anything but 200 makes Connectly deliver it again
    # --8<-- [end:verify]


def main() -> None:
    from werkzeug.serving import make_server

    port = int(os.environ.get("PORT", "5000"))
    handling.serve(make_server("127.0.0.1", port, app, threaded=True), handling.address(port))


if __name__ == "__main__":
    main()
