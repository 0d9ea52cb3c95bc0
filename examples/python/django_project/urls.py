"""URLs of the minimal Django example."""

from __future__ import annotations

from django.urls import path
from webhooks.views import connectly_webhook

urlpatterns = [path("webhook", connectly_webhook)]
