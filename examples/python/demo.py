"""`make demo` for Python: the Flask example (flask_app.py), served by werkzeug on loopback,
is registered (upsert, list, delete) and verifies a delivery from the local mock Connectly;
then send.py sends a text, an image and a template with a language and callback data, and
the mock's delivery statuses for them reach the Flask app typed. Exits non-zero if anything
does not happen as shown."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from werkzeug.serving import make_server

import connectly
from connectly.testing import MockServer


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"demo FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def statuses(events: list[connectly.WebhookEvent]) -> list[connectly.DeliveryStatus]:
    return [e for e in events if isinstance(e, connectly.DeliveryStatus)]


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the transcript
    with MockServer(auto_statuses="shuffled") as mock:
        os.environ["CONNECTLY_WEBHOOK_SECRET"] = mock.webhook_secret
        import flask_app  # reads the secret from the environment at request time

        server = make_server("127.0.0.1", 0, flask_app.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        address = f"http://127.0.0.1:{server.server_port}/webhook"
        try:
            print(f"mock Connectly at {mock.url}; Flask app at {address}")
            client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
            for topic in ("messages", "delivery_status"):
                client.upsert_webhook(address, topic)  # create, or update the topic's
            for hook in client.list_webhooks():
                print(f"webhook {hook.id}: {hook.topic} -> {hook.address}")
            status_hook = next(h for h in client.list_webhooks() if h.topic == "delivery_status")
            client.delete_webhook(status_hook.id)
            print(f"deleted {status_hook.id}; left: {[h.id for h in client.list_webhooks()]}")
            client.upsert_webhook(address, "delivery_status")
            hooks = {hook.topic: hook.address for hook in client.list_webhooks()}
            print(f"after a delete and an upsert: {hooks}")
            check(hooks == {"messages": address, "delivery_status": address}, "registrations")

            delivery = mock.deliver_inbound("+15555550100", "Hi from WhatsApp!")
            print(f"mock delivered {len(delivery.body)} bytes, signed {delivery.signature}")
            print(f"the Flask app answered {delivery.status}")
            check(delivery.status == 200, "the Flask app did not answer 200")
            check(len(flask_app.received) == 1, "the Flask view did not run exactly once")
            event = flask_app.received[0]
            check(isinstance(event, connectly.InboundMessage), "not an InboundMessage")
            check(event.text == "Hi from WhatsApp!", "the event text differs")
            print(f"Flask view verified the delivery: {event.sender.id} says {event.text!r}")

            tampered = mock.deliver_raw(delivery.body.replace(b"Hi", b"Yo"), delivery.signature)
            print(f"a tampered delivery got {tampered.status} (the view did not run)")
            check(tampered.status == 403, "a tampered delivery was not refused")
            check(len(flask_app.received) == 1, "the view ran for a tampered delivery")

            print("\n== Python: send.py through the mock Connectly")
            sent = subprocess.run(
                [sys.executable, "send.py", "+15555555555"],
                env={**os.environ, **mock.env()},
                check=False,
            )
            check(sent.returncode == 0, "send.py failed")
            paths = [r.path.rsplit("/", 1)[-1] for r in mock.requests()]
            check(paths[-3:] == ["messages"] * 2 + ["whatsapp_templated_messages"], "requests")
            template_id = mock.messages()[-1].id
            # Three messages, three statuses each, delivered by the mock in any order.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(statuses(flask_app.received)) < 9:
                time.sleep(0.05)
            check(len(statuses(flask_app.received)) == 9, "not every status arrived")
            check(flask_app.tracker.status(template_id) == "read", "the template is not read")
            typed = [s for s in statuses(flask_app.received) if s.message_id == template_id]
            check(all(s.callback_data == {"orderId": 1042} for s in typed), "callback data")
            print(f"template {template_id} is {flask_app.tracker.status(template_id)}")
        finally:
            server.shutdown()
            server.server_close()
    print("\nPython demo: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
