# connectly-example: receiver
"""Receiving webhooks with Django, as a one-file app: verified, typed events, and statuses
kept in order.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
        PORT=8000 python receive_django.py

In a project, the settings below go in settings.py and the view in a views.py. At start-up
it registers http://127.0.0.1:$PORT/webhook for the topics ``messages`` and
``delivery_status`` (behind a proxy, set WEBHOOK_URL to the public address), then serves it
with wsgiref until SIGTERM. Each inbound message and each status that moves a message
forward is printed as a line.
"""

import os
import secrets
import signal
import sys
from types import FrameType
from typing import Optional
from wsgiref.simple_server import make_server

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

import connectly
import connectly.django

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(32)),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",  # the webhook view is exempt
    ],
    # Read by @connectly.django.webhook(); without it, the environment variable.
    CONNECTLY_WEBHOOK_SECRET=os.environ["CONNECTLY_WEBHOOK_SECRET"],
)
django.setup()


# --8<-- [start:verify]
@connectly.django.webhook()  # csrf-exempt, POST only, secret from settings or the environment
def webhook(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    # The decorator verified the signature over request.body, then parsed it: a missing or
    # bad signature was answered 403 and never gets here.
    handle(event)
    return HttpResponse(status=200)  # anything but 200 makes Connectly deliver it again


urlpatterns = [path("webhook", webhook)]
# --8<-- [end:verify]


# --8<-- [start:events]
def handle(event: connectly.WebhookEvent) -> None:
    if isinstance(event, connectly.InboundMessage):
        who = f"{event.sender.id} ({event.sender.channel_type})"
        if event.button_reply is not None:
            print(f"{who} tapped {event.button_reply.id or event.button_reply.text}", flush=True)
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


def stop(signum: int, frame: Optional[FrameType]) -> None:
    sys.exit(0)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    address = os.environ.get("WEBHOOK_URL", f"http://127.0.0.1:{port}/webhook")
    server = make_server("127.0.0.1", port, get_wsgi_application())
    register(address)
    listed = {h.topic: h.address for h in connectly.Client().list_webhooks()}
    if listed.get("messages") != address or listed.get("delivery_status") != address:
        sys.exit(f"FAILED: the registrations are not listed: {listed}")
    signal.signal(signal.SIGTERM, stop)
    print(f"serving {address}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
