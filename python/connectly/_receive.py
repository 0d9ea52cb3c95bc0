"""What the framework helpers share: find the secret, build the verifier, and turn a refusal
into the answer to give.

The receiving policy itself (the method, the size limit, ``Content-Encoding``, the status of
each refusal) is the Rust core's: a helper calls :meth:`Webhook.admit` before it reads the
body and :meth:`Webhook.receive` after, and answers a refusal with its ``http_status`` and
``reason``. It reads the body through its framework's own cache, so the view can read it again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Callable, NoReturn, Optional, Union

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook
from connectly._errors import ConfigurationError, MethodNotAllowedError, WebhookVerificationError

Secret = Union[str, bytes, Sequence[Union[str, bytes]]]
"""A webhook secret: ``str``, ``bytes``, or a list of them (newest first) during a rotation."""

ENV_VAR = "CONNECTLY_WEBHOOK_SECRET"
"""The environment variable the helpers read the secret from when none is configured."""

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "ENV_VAR",
    "SIGNATURE_HEADER",
    "Hidden",
    "Secret",
    "bare_or_configured",
    "content_length",
    "refusal_headers",
    "refuse_oversized",
    "resolve_secret",
    "webhook_for",
]


class Hidden:
    """Holds a configured secret so that no ``repr`` (a debugger's or a traceback's view of
    local and closure variables included) shows it."""

    __slots__ = ("value",)

    def __init__(self, value: Optional[Secret]) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<secret>" if self.value is not None else "<no secret>"


def resolve_secret(*candidates: Optional[Secret]) -> Secret:
    """The first configured secret among ``candidates``, else ``CONNECTLY_WEBHOOK_SECRET``."""
    for candidate in candidates:
        if candidate is not None and candidate != "" and candidate != b"":
            return candidate
    value = os.environ.get(ENV_VAR)
    if value:
        return value
    raise ConfigurationError(
        "no webhook secret: pass secret=..., configure CONNECTLY_WEBHOOK_SECRET "
        f"in the framework's settings, or set the {ENV_VAR} environment variable"
    )


_cache: dict[tuple[object, ...], Webhook] = {}
_cache_lock = threading.Lock()


def webhook_for(secret: Secret, max_body_size: int, tolerance: Optional[float]) -> Webhook:
    """One verifier per configuration, built once (its HMAC keys are prepared once)."""
    parts = (secret,) if isinstance(secret, (str, bytes, bytearray)) else tuple(secret)
    parts = tuple(bytes(p) if isinstance(p, bytearray) else p for p in parts)
    key = (parts, max_body_size, tolerance)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            secrets: list[Union[str, bytes, bytearray]] = list(parts)
            found = Webhook(secrets, max_body_size=max_body_size, tolerance=tolerance)
            if len(_cache) > 64:
                _cache.clear()
            _cache[key] = found
        return found


def content_length(header: Optional[str]) -> Optional[int]:
    """A ``Content-Length`` header as a number for :meth:`Webhook.admit`: ``None`` when it is
    absent or not a plain decimal number (the framework then reads no more than it allows)."""
    text = (header or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def refuse_oversized(hook: Webhook, error: Exception) -> NoReturn:
    """For when the framework itself stopped reading a body over the limit (``error``:
    Django's ``RequestDataTooBig``, Werkzeug's ``RequestEntityTooLarge``): raises the core's
    refusal of a body that large, so the answer is the one every helper gives; ``error``
    only should the core accept it."""
    hook.admit("POST", hook.max_body_size + 1)
    raise error


def refusal_headers(refusal: WebhookVerificationError) -> dict[str, str]:
    """The headers that go with a refusal's answer: ``Allow: POST`` with a 405."""
    return {"Allow": "POST"} if isinstance(refusal, MethodNotAllowedError) else {}


def bare_or_configured(
    decorate: Callable[[Any, Optional[Secret], int, Optional[float]], Any],
    secret: Any,
    max_body_size: int,
    tolerance: Optional[float],
) -> Any:
    """Lets a framework's ``webhook`` be used bare (``@webhook``: ``secret`` is the view) or
    configured (``@webhook(secret=...)``: returns the decorator)."""
    if callable(secret):
        return decorate(secret, None, max_body_size, tolerance)
    return lambda view: decorate(view, secret, max_body_size, tolerance)
