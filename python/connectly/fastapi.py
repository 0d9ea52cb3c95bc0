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

Several workers (``uvicorn --workers 4``) handle each delivery once with a shared
deduplicator::

    # connectly.MemoryDeduplicator() for one process
    dedup = connectly.RedisDeduplicator("redis://127.0.0.1:6379/0")
    once = connectly.fastapi.webhook(deduplicator=dedup)

    @app.post("/webhook")
    async def receive(event: Annotated[connectly.WebhookEvent, Depends(once)]): ...

A verified delivery is then claimed before the endpoint runs: a copy being handled
elsewhere is answered 409 (Connectly sends it again later), a copy handled already 200
(``{"detail": "duplicate"}``), and 503 when the store does not answer, none of them running
the endpoint. The claim is completed once the endpoint returned, and released when it raised
(an ``HTTPException`` too) or set a status other than 2xx on the ``Response`` FastAPI
injects (``response.status_code = 500``), so that Connectly's retry runs it again. A
``Response`` object the endpoint returns is not seen by a dependency: to fail a delivery,
raise. Redis is asked from a worker thread.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependency's annotations
# at runtime, and an instance has no module globals to resolve strings against.
import asyncio
from collections.abc import AsyncIterator
from typing import Optional, Union, overload

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from connectly._connectly import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    Admission,
    Deduplicator,
    Webhook,
    WebhookEvent,
)
from connectly._errors import WebhookVerificationError
from connectly._receive import (
    RAISED,
    Hidden,
    Secret,
    admit_async,
    check_deduplicator,
    content_length,
    finish_async,
    refusal_headers,
    resolve_secret,
    webhook_for,
)

__all__ = [
    "STATE_ATTRIBUTE",
    "DeduplicatedWebhookDependency",
    "WebhookDependency",
    "webhook",
    "webhook_event",
]

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


class DeduplicatedWebhookDependency:
    """A FastAPI dependency (with ``yield``) giving the endpoint the verified event, as
    :class:`WebhookDependency`, only once per delivery: the delivery is claimed in the
    ``deduplicator`` first, and the claim completed or released once the endpoint is done
    (see the module's documentation). Made by ``webhook(deduplicator=...)``."""

    __slots__ = ("_deduplicator", "_receive")

    def __init__(
        self,
        deduplicator: Deduplicator,
        secret: Optional[Secret] = None,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        tolerance: Optional[float] = None,
    ) -> None:
        check_deduplicator(deduplicator)
        self._deduplicator = deduplicator
        self._receive = WebhookDependency(secret, max_body_size=max_body_size, tolerance=tolerance)

    def __repr__(self) -> str:
        return (
            f"DeduplicatedWebhookDependency({self._deduplicator!r}, "
            f"max_body_size={self._receive._max_body_size})"
        )

    async def __call__(self, request: Request, response: Response) -> AsyncIterator[WebhookEvent]:
        event = await self._receive(request)
        admission = await admit_async(self._deduplicator, event)
        if not isinstance(admission, Admission):
            status, reason = admission
            raise HTTPException(status_code=status, detail=reason)
        try:
            yield event
        except BaseException:
            await finish_async(self._deduplicator, admission, RAISED)
            raise
        await finish_async(self._deduplicator, admission, response.status_code)


@overload
def webhook(
    secret: Optional[Secret] = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
    deduplicator: None = None,
) -> WebhookDependency: ...


@overload
def webhook(
    secret: Optional[Secret] = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
    deduplicator: Deduplicator,
) -> DeduplicatedWebhookDependency: ...


def webhook(
    secret: Optional[Secret] = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
    deduplicator: Optional[Deduplicator] = None,
) -> Union[WebhookDependency, DeduplicatedWebhookDependency]:
    """A dependency with its own secret (``str``, ``bytes`` or a list for rotation) and
    limits; ``None`` reads ``app.state.connectly_webhook_secret`` or the environment. With a
    ``deduplicator`` (:class:`connectly.MemoryDeduplicator` or
    :class:`connectly.RedisDeduplicator`), the endpoint runs once per delivery (see the
    module's documentation)."""
    if deduplicator is not None:
        return DeduplicatedWebhookDependency(
            deduplicator, secret, max_body_size=max_body_size, tolerance=tolerance
        )
    return WebhookDependency(secret, max_body_size=max_body_size, tolerance=tolerance)


webhook_event = WebhookDependency()
"""The default dependency: ``Depends(connectly.fastapi.webhook_event)``."""
