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
from wsgiref.simple_server import make_server

import django
import handling
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
    handling.handle(event)  # the same in every framework: handling.py
    return HttpResponse(status=200)  # anything but 200 makes Connectly deliver it again


urlpatterns = [path("webhook", webhook)]
# --8<-- [end:verify]


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    handling.serve(make_server("127.0.0.1", port, get_wsgi_application()), handling.address(port))


if __name__ == "__main__":
    main()
