"""The webhook view: connectly.django.webhook verifies the raw body before it runs
(csrf-exempt, POST only; 403 on a missing or bad signature)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

import connectly
import connectly.django

log = logging.getLogger(__name__)


@connectly.django.webhook()
def connectly_webhook(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
    log.info("message from %s: %r", event.sender.id, event.text)
    return HttpResponse(status=200)
