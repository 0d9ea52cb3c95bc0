"""FastAPI and Starlette: a dependency that gives your endpoint a verified event.

::

    from typing import Annotated
    from fastapi import Depends, FastAPI
    import connectly
    from connectly.fastapi import webhook_event

    app = FastAPI()

    @app.post("/webhook")
    async def receive(event: Annotated[connectly.WebhookEvent, Depends(webhook_event)]):
        if isinstance(event, connectly.DeliveryStatus):
            print(event.message_id, event.status)
        return {"ok": True}

The event is typed: a ``connectly.InboundMessage`` (topic ``messages``), a
``connectly.DeliveryStatus`` (``delivery_status``), or a plain ``connectly.WebhookEvent``.

``webhook_event`` takes the secret from ``app.state.connectly_webhook_secret`` or the
``CONNECTLY_WEBHOOK_SECRET`` environment variable; ``connectly.fastapi.webhook(secret=...)``
makes a dependency with its own secret and limits. In plain Starlette, ``await
webhook_event(request)`` does the same. The dependency receives the delivery by the SDK's one
policy (the Rust core's ``Webhook.admit`` and ``Webhook.receive``): POST only (405 with
``Allow: POST``), at most ``max_body_size`` bytes (413), a ``Content-Encoding`` of identity or
gzip (415; 400 for a broken gzip), a valid signature over the decoded body (403), an event
(400). A refusal is an ``HTTPException``, so the endpoint never runs and the app answers once.

It reads at most ``max_body_size + 1`` bytes of the stream and leaves a whole body where
Starlette keeps it, so ``await request.body()`` in the endpoint returns the same bytes (and a
body read before is taken from there). Large or compressed bodies are verified in a worker
thread, so the event loop never blocks.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependency's annotations
# at runtime, and an instance has no module globals to resolve strings against.
import asyncio
from typing import Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook, WebhookEvent
from connectly._errors import WebhookVerificationError
from connectly._receive import (
    Hidden,
    Secret,
    content_length,
    refusal_headers,
    resolve_secret,
    webhook_for,
)

__all__ = ["STATE_ATTRIBUTE", "WebhookDependency", "webhook", "webhook_event"]

STATE_ATTRIBUTE = "connectly_webhook_secret"
"""The ``app.state`` attribute the secret is read from."""

_INLINE_LIMIT = 64 * 1024
"""Bodies up to this size are verified on the event loop; larger ones in a thread."""


class WebhookDependency:
    """A FastAPI dependency (an async callable taking the request) returning the verified,
    typed :class:`connectly.WebhookEvent` (``InboundMessage``, ``DeliveryStatus`` or the base
    class), or raising ``HTTPException`` with the core's status
    (405, 413, 415, 400 or 403) and reason."""

    __slots__ = ("_max_body_size", "_secret", "_tolerance")

    def __init__(
        self,
        secret: Optional[Secret] = None,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        tolerance: Optional[float] = None,
    ) -> None:
        self._secret = Hidden(secret)
        self._max_body_size = max_body_size
        self._tolerance = tolerance

    def __repr__(self) -> str:
        return f"WebhookDependency(max_body_size={self._max_body_size})"

    def _webhook(self, request: Request) -> Webhook:
        configured = getattr(request.app.state, STATE_ATTRIBUTE, None)
        secret = resolve_secret(self._secret.value, configured)
        return webhook_for(secret, self._max_body_size, self._tolerance)

    async def __call__(self, request: Request) -> WebhookEvent:
        hook = self._webhook(request)
        method = request.method
        try:
            hook.admit(method, content_length(request.headers.get("content-length")))
            raw = await _body(request, hook.max_body_size)
            encoding = request.headers.get("content-encoding")
            signature = request.headers.get(SIGNATURE_HEADER)
            if len(raw) > _INLINE_LIMIT or encoding:
                return await asyncio.to_thread(hook.receive, method, encoding, raw, signature)
            return hook.receive(method, encoding, raw, signature)
        except WebhookVerificationError as refusal:
            raise HTTPException(
                status_code=refusal.http_status,
                detail=refusal.reason,
                headers=refusal_headers(refusal) or None,
            ) from None


async def _body(request: Request, limit: int) -> bytes:
    """The raw body; reading stops at the first chunk that takes it past ``limit`` (the core
    then refuses it). A whole body is left where Starlette keeps it (``request._body``), so
    ``await request.body()`` returns it again, and one read before is taken from there."""
    if hasattr(request, "_body"):
        return request._body
    chunks: list[bytes] = []
    total = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                break
    finally:
        await stream.aclose()
    body = b"".join(chunks)
    if total <= limit:
        request._body = body
    return body


def webhook(
    secret: Optional[Secret] = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
) -> WebhookDependency:
    """A dependency with its own secret (``str``, ``bytes`` or a list for rotation) and
    limits; ``None`` reads ``app.state.connectly_webhook_secret`` or the environment."""
    return WebhookDependency(secret, max_body_size=max_body_size, tolerance=tolerance)


webhook_event = WebhookDependency()
"""The default dependency: ``Depends(connectly.fastapi.webhook_event)``."""
