"""What the framework helpers share: find the secret, read the raw body with a size cap,
undo ``Content-Encoding: gzip`` safely, verify, and decide the status of a refusal.

The body is never parsed before its signature is verified, and verification runs over the
exact bytes Connectly signed (after removing the transport's gzip encoding).
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Sequence
from typing import Any, Callable, Optional, Union

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook, WebhookEvent
from connectly._errors import (
    ConfigurationError,
    InvalidPayloadError,
    PayloadTooLargeError,
    WebhookVerificationError,
)

Secret = Union[str, bytes, Sequence[Union[str, bytes]]]
"""A webhook secret: ``str``, ``bytes``, or a list of them (newest first) during a rotation."""

ENV_VAR = "CONNECTLY_WEBHOOK_SECRET"
"""The environment variable the helpers read the secret from when none is configured."""

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "ENV_VAR",
    "SIGNATURE_HEADER",
    "Hidden",
    "Rejected",
    "Secret",
    "read_capped",
    "receive",
    "resolve_secret",
    "webhook_for",
]

_READ_CHUNK = 64 * 1024


class Rejected(Exception):
    """A delivery the helper refuses: the status to answer and a short, fixed reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


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


def read_capped(read: Callable[[int], bytes], content_length: Optional[int], limit: int) -> bytes:
    """Reads a request body through ``read(n)``, refusing (413) one over ``limit`` bytes
    without reading more than ``limit + 1`` of it."""
    if content_length is not None and content_length > limit:
        raise Rejected(413, "webhook body too large")
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise Rejected(413, "webhook body too large")
    return b"".join(chunks)


def decode(body: bytes, content_encoding: Optional[str], limit: int) -> bytes:
    """Removes a gzip transport encoding, decompressing at most ``limit + 1`` bytes (a
    "zip bomb" is refused with 413 after that much work, not after exhausting memory)."""
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise Rejected(415, "unsupported content encoding")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise Rejected(400, "malformed gzip body") from None
    if len(plain) > limit:
        raise Rejected(413, "webhook body too large")
    if not inflater.eof or inflater.unused_data:
        raise Rejected(400, "malformed gzip body")
    return plain


def _status(error: WebhookVerificationError) -> int:
    if isinstance(error, PayloadTooLargeError):
        return 413
    if isinstance(error, InvalidPayloadError):
        return 400
    return 403


def receive(
    webhook: Webhook,
    raw: bytes,
    content_encoding: Optional[str],
    signature: Optional[str],
) -> WebhookEvent:
    """Decodes, verifies and parses one delivery; a refusal is a :class:`Rejected`."""
    body = decode(raw, content_encoding, webhook.max_body_size)
    try:
        return webhook.verify_event(body, signature)
    except WebhookVerificationError as error:
        reason = {
            403: "invalid webhook signature",
            413: "webhook body too large",
            400: "invalid webhook payload",
        }[_status(error)]
        raise Rejected(_status(error), reason) from None


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
