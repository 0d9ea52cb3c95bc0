"""FastAPI and Starlette: a dependency that gives your endpoint a verified event.

::

    from typing import Annotated
    from fastapi import Depends, FastAPI
    import connectly
    from connectly.fastapi import webhook_event

    app = FastAPI()

    @app.post("/webhook")
    async def receive(event: Annotated[connectly.WebhookEvent, Depends(webhook_event)]):
        return {"ok": True}

``webhook_event`` takes the secret from ``app.state.connectly_webhook_secret`` or the
``CONNECTLY_WEBHOOK_SECRET`` environment variable; ``connectly.fastapi.webhook(secret=...)``
makes a dependency with its own secret and limits. In plain Starlette, ``await
webhook_event(request)`` does the same. The dependency reads the raw body (at most
``max_body_size`` bytes, else 413), removes a ``Content-Encoding: gzip``, verifies the signature
(403 when missing or wrong) and parses the event (400 when it is not one); a refusal is an
``HTTPException``, so the endpoint never runs and the app answers once. Large bodies are
verified in a worker thread, so the event loop never blocks.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependency's annotations
# at runtime, and an instance has no module globals to resolve strings against.
import asyncio
from typing import Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook, WebhookEvent
from connectly._receive import Hidden, Rejected, Secret, receive, resolve_secret, webhook_for

__all__ = ["STATE_ATTRIBUTE", "WebhookDependency", "webhook", "webhook_event"]

STATE_ATTRIBUTE = "connectly_webhook_secret"
"""The ``app.state`` attribute the secret is read from."""

_INLINE_LIMIT = 64 * 1024
"""Bodies up to this size are verified on the event loop; larger ones in a thread."""


class WebhookDependency:
    """A FastAPI dependency (an async callable taking the request) returning the verified
    :class:`connectly.WebhookEvent`, or raising ``HTTPException`` (403, 413, 400, 415)."""

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
        limit = self._max_body_size
        try:
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise Rejected(413, "webhook body too large")
            chunks: list[bytes] = []
            total = 0
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    raise Rejected(413, "webhook body too large")
                chunks.append(chunk)
            raw = b"".join(chunks)
            encoding = request.headers.get("content-encoding")
            signature = request.headers.get(SIGNATURE_HEADER)
            if len(raw) > _INLINE_LIMIT or encoding:
                return await asyncio.to_thread(receive, hook, raw, encoding, signature)
            return receive(hook, raw, encoding, signature)
        except Rejected as refusal:
            raise HTTPException(status_code=refusal.status, detail=refusal.reason) from None


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
