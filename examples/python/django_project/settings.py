"""Settings of the minimal Django example (no database, no admin)."""

from __future__ import annotations

import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
INSTALLED_APPS: list[str] = ["webhooks"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True

# Read by connectly.django.webhook(); falls back to the environment variable of the same name.
CONNECTLY_WEBHOOK_SECRET = os.environ.get("CONNECTLY_WEBHOOK_SECRET")
