# connectly-example: module
"""What the Flask, Django and FastAPI receivers do with a verified event: the part of a
webhook endpoint that is the same in every framework. Imported by receive_flask.py,
receive_django.py and receive_fastapi.py; not run on its own.

Its sections are the receiving guide's "Typed events" (``events``), the statuses guide's
tracker (``statuses``) and the registration a WSGI app makes at start-up (``register``).
"""

import os
import signal
import sys
from types import FrameType
from typing import Optional, Protocol

import connectly


# --8<-- [start:events]
def handle(event: connectly.WebhookEvent) -> None:
    if isinstance(event, connectly.InboundMessage):
        who = f"{event.sender.id} ({event.sender.channel_type})"
        if event.button_reply is not None:
            print(f"{who} tapped {event.button_reply.id or event.button_reply.text}", flush=True)
        elif event.list_reply is not None:
            print(f"{who} picked {event.list_reply.id}", flush=True)
        elif event.location is not None:
            print(f"{who} is at {event.location.latitude}, {event.location.longitude}", flush=True)
        elif event.attachment is not None:
            print(f"{who} sent a {event.attachment.type}: {event.attachment.url}", flush=True)
        else:
            print(f"{who} says {event.text!r}", flush=True)
    elif isinstance(event, connectly.DeliveryStatus):
        track(event)
    else:  # a topic this code does not know yet: all of it is in event.raw
        print(f"event on {event.topic}: {event.raw}", flush=True)
    # --8<-- [end:events]


# --8<-- [start:statuses]
# The furthest status of each message (sent < delivered < read). For several workers, keep
# it in Redis: connectly.StatusTracker(store=connectly.RedisStatusStore(url)).
tracker = connectly.StatusTracker()


def track(status: connectly.DeliveryStatus) -> None:
    # Statuses may arrive late, out of order or twice: act only on one that moves forward.
    if not tracker.advance(status.message_id, status.status):
        latest = tracker.status(status.message_id)
        print(f"message {status.message_id}: {status.status} came after {latest}", flush=True)
        return
    print(f"message {status.message_id} is {status.status}", flush=True)
    if status.error is not None:  # delivery_failed says why
        print(f"  {status.error.code}: {status.error.message}", flush=True)
    # --8<-- [end:statuses]


# --8<-- [start:register]
def register(address: str) -> None:
    """Points both topics at this server; an upsert is safe to repeat at every start."""
    client = connectly.Client()
    for topic in ("messages", "delivery_status"):
        client.upsert_webhook(address, topic)
    print(f"registered {address}", flush=True)
    # --8<-- [end:register]


def address(port: int) -> str:
    """Where Connectly should deliver: WEBHOOK_URL behind a proxy, else this server."""
    return os.environ.get("WEBHOOK_URL", f"http://127.0.0.1:{port}/webhook")


def check_registered(url: str) -> None:
    """Exits when the mock does not list ``url`` for both topics."""
    listed = {h.topic: h.address for h in connectly.Client().list_webhooks()}
    if listed.get("messages") != url or listed.get("delivery_status") != url:
        sys.exit(f"FAILED: the registrations are not listed: {listed}")


class Server(Protocol):
    """A WSGI server that serves until the process ends (Werkzeug's, wsgiref's)."""

    def serve_forever(self) -> None: ...


def stop(signum: int, frame: Optional[FrameType]) -> None:
    """SIGTERM ends the server cleanly (exit status 0)."""
    sys.exit(0)


def serve(server: Server, url: str) -> None:
    """Registers ``url``, checks it is listed, and serves until SIGTERM."""
    register(url)
    check_registered(url)
    signal.signal(signal.SIGTERM, stop)
    print(f"serving {url}", flush=True)
    server.serve_forever()
