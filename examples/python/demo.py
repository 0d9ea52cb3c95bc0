"""`make demo` for Python: the Flask example (flask_app.py), served by werkzeug on loopback,
verifies a delivery from the local mock Connectly; then send.py sends through the mock.
Exits non-zero if anything does not happen as shown."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

from werkzeug.serving import make_server

import connectly
from connectly.testing import MockServer


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"demo FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the transcript
    with MockServer() as mock:
        os.environ["CONNECTLY_WEBHOOK_SECRET"] = mock.webhook_secret
        import flask_app  # reads the secret from the environment at request time

        server = make_server("127.0.0.1", 0, flask_app.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        address = f"http://127.0.0.1:{server.server_port}/webhook"
        try:
            print(f"mock Connectly at {mock.url}; Flask app at {address}")
            client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
            client.create_webhook(address)
            print(f"registered the Flask app for topic 'messages': {mock.webhooks}")

            delivery = mock.deliver_inbound("+15555550100", "Hi from WhatsApp!")
            print(f"mock delivered {len(delivery.body)} bytes, signed {delivery.signature}")
            print(f"the Flask app answered {delivery.status}")
            check(delivery.status == 200, "the Flask app did not answer 200")
            check(len(flask_app.received) == 1, "the Flask view did not run exactly once")
            event = flask_app.received[0]
            check(event.text == "Hi from WhatsApp!", "the event text differs")
            print(f"Flask view verified the delivery: {event.sender.id} says {event.text!r}")

            tampered = mock.deliver_raw(delivery.body.replace(b"Hi", b"Yo"), delivery.signature)
            print(f"a tampered delivery got {tampered.status} (the view did not run)")
            check(tampered.status == 403, "a tampered delivery was not refused")
            check(len(flask_app.received) == 1, "the view ran for a tampered delivery")
        finally:
            server.shutdown()
            server.server_close()

        print("\n== Python: send.py through the mock Connectly")
        sent = subprocess.run(
            [sys.executable, "send.py", "+15555555555"],
            env={**os.environ, **mock.env()},
            check=False,
        )
        check(sent.returncode == 0, "send.py failed")
        paths = [r.path.rsplit("/", 1)[-1] for r in mock.requests()]
        check(paths[-2:] == ["messages", "whatsapp_templated_messages"], "send.py's requests")
        print(f"the mock recorded: {paths}")
    print("\nPython demo: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
