"""Smoke test of an installed connectly-sdk (wheel or sdist), run by `make wheel-smoke` and
`make sdist-check` in a brand-new virtualenv: send through the mock Connectly (its log
records reach `logging`), time out an `AsyncClient` call with `asyncio.wait_for` (and
`asyncio.timeout` where there is one: a `TimeoutError` with the core's account of the
cancelled call behind it), then a Flask app (if Flask is installed) verifies a delivery from
the mock and refuses a tampered one; the interpreter then exits with the SDK's logging thread
running. Standard library + connectly (+ Flask) only; exits non-zero on any failure."""

from __future__ import annotations

import asyncio
import logging
import platform
import sys
import threading
import time

import connectly
import connectly.testing
from connectly.testing import MockServer


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"smoke FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def flask_delivery(mock: MockServer, client: connectly.Client) -> str:
    try:
        from flask import Flask
        from werkzeug.serving import make_server
    except ImportError:
        return "flask: not installed, skipped"
    import connectly.flask

    received: list[connectly.WebhookEvent] = []
    app = Flask(__name__)
    app.config["CONNECTLY_WEBHOOK_SECRET"] = mock.webhook_secret

    @app.post("/webhook")
    @connectly.flask.webhook()
    def hook(event: connectly.WebhookEvent) -> tuple[str, int]:
        received.append(event)
        return "", 200

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client.create_webhook(f"http://127.0.0.1:{server.server_port}/webhook")
        delivery = mock.deliver_inbound("+15555550100", "Hi from WhatsApp!")
        check(delivery.status == 200, f"the Flask app answered {delivery.status}")
        check([e.text for e in received] == ["Hi from WhatsApp!"], "the Flask view's events")
        tampered = mock.deliver_raw(delivery.body.replace(b"Hi", b"Yo"), delivery.signature)
        check(tampered.status == 403, f"a tampered delivery got {tampered.status}")
        check(len(received) == 1, "the view ran for a tampered delivery")
    finally:
        server.shutdown()
        server.server_close()
    return "flask: delivery verified, tampered one refused"


class Records(logging.Handler):
    """Keeps the ``connectly`` logger's records."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def logged(records: Records, client: connectly.Client) -> str:
    """Waits for the ``answered`` record of ``client``'s send."""
    end = time.monotonic() + 30
    while not any(
        vars(r).get("connectly_client") == client.id and r.getMessage().startswith("answered")
        for r in list(records.records)
    ):
        check(time.monotonic() < end, "the send's log record did not reach logging")
        time.sleep(0.01)
    return "logging: records forwarded"


def timeouts(mock: MockServer) -> str:
    """``asyncio.wait_for`` (and ``asyncio.timeout``) of a call in flight raise
    ``TimeoutError``, with the core's account of the cancelled call behind it."""
    mock.fail_next([{"delay": 5}, {"delay": 5}])

    async def run() -> list[BaseException]:
        client = connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url)
        caught: list[BaseException] = []
        try:
            await asyncio.wait_for(client.send_text("+15555555555", "held"), 0.3)
        except asyncio.TimeoutError as error:
            caught.append(error)
        if sys.version_info >= (3, 11):
            try:
                async with asyncio.timeout(0.3):
                    await client.send_text("+15555555555", "held")
            except TimeoutError as error:
                caught.append(error)
        return caught

    caught = asyncio.run(run())
    expected = 2 if sys.version_info >= (3, 11) else 1
    check(len(caught) == expected, f"timeouts raised {caught!r}")
    for error in caught:
        stopped = connectly.CancelledError.find(error)
        check(stopped is not None and stopped.possibly_sent, f"no account behind {error!r}")
    return "asyncio: timeouts raise TimeoutError, possibly sent"


def main() -> int:
    records = Records()
    logging.getLogger("connectly").addHandler(records)
    logging.getLogger("connectly").setLevel(logging.INFO)
    with MockServer() as mock:
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        sent = client.send_text("+15555555555", "hello from the smoke test")
        check(sent.status_code == 200, f"send_text: HTTP {sent.status_code}")
        check(mock.requests()[-1].path.endswith("/messages"), "the mock did not record the send")
        checks = [logged(records, client), timeouts(mock), flask_delivery(mock, client)]
    version = platform.python_version()
    print(f"smoke ok: Python {version}, connectly {connectly.__version__}, {', '.join(checks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
