"""Django: ``@connectly.django.webhook()`` verifies deliveries before your view sees them.

::

    import connectly
    import connectly.django
    from django.http import HttpResponse

    @connectly.django.webhook()           # settings.CONNECTLY_WEBHOOK_SECRET or the env var
    def receive(request, event: connectly.WebhookEvent):
        if isinstance(event, connectly.DeliveryStatus):
            print(event.message_id, event.status)
        return HttpResponse(status=200)   # or return nothing: 200 with an empty body

The view gets the typed event: a ``connectly.InboundMessage`` (topic ``messages``), a
``connectly.DeliveryStatus`` (``delivery_status``), or a plain ``connectly.WebhookEvent``.

The view is csrf-exempt. The decorator receives the delivery by the SDK's one policy (the
Rust core's ``Webhook.admit`` and ``Webhook.receive``): POST only (405 with ``Allow: POST``),
at most ``max_body_size`` bytes, or ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE`` when smaller
(413), a ``Content-Encoding`` of identity or gzip (415; 400 for a broken gzip), a valid
signature over the decoded body (403), an event (400); then it calls
``view(request, event, *args, **kwargs)`` (``async def`` views too), answering exactly once.
The body is read as ``request.body``, so the view can read ``request.body`` (or
``request.read()``) again. Django is an optional extra: ``pip install connectly-sdk[django]``.

With ``deduplicator=`` (a ``connectly.RedisDeduplicator`` shared by the workers, or a
``connectly.MemoryDeduplicator`` for one process), a verified delivery is claimed before the
view runs: a copy being handled elsewhere is answered 409 (Connectly sends it again later),
a copy handled already 200, and 503 when the store does not answer, without calling the
view. The claim is completed when the view's response is 2xx (or it returned nothing), and
released when the view raised or answered anything else, so that Connectly's retry runs it
again. For an ``async def`` view, Redis is asked from a worker thread.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

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
    Answer,
    Hidden,
    Secret,
    admit,
    admit_async,
    bare_or_configured,
    content_length,
    finish,
    finish_async,
    refusal_headers,
    refuse_oversized,
    resolve_secret,
    webhook_for,
)

__all__ = ["SETTING", "webhook"]

SETTING = "CONNECTLY_WEBHOOK_SECRET"
"""The Django setting the secret is read from."""

View = TypeVar("View", bound=Callable[..., Any])


def _webhook(secret: Hidden, max_body_size: int, tolerance: Optional[float]) -> Webhook:
    """The verifier, whose limit is the smaller of ``max_body_size`` and
    ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE`` (when that is not ``None``): Django refuses to
    read more than the setting as ``request.body``."""
    configured = getattr(settings, SETTING, None)
    setting: Optional[int] = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    limit = max_body_size if setting is None else min(max_body_size, setting)
    return webhook_for(resolve_secret(secret.value, configured), limit, tolerance)


def _body(request: HttpRequest, hook: Webhook) -> bytes:
    """``request.body``, which Django keeps: the view can read it again."""
    try:
        body: bytes = request.body
    except RequestDataTooBig as error:
        refuse_oversized(hook, error)
    return body


def _prepare(
    request: HttpRequest, secret: Hidden, max_body_size: int, tolerance: Optional[float]
) -> Union[WebhookEvent, HttpResponse]:
    """The verified event, or the response that refuses the request."""
    hook = _webhook(secret, max_body_size, tolerance)
    # As it arrived: Django upper-cases `request.method`, and the policy is case-sensitive.
    method = request.META.get("REQUEST_METHOD") or request.method or ""
    try:
        hook.admit(method, content_length(request.META.get("CONTENT_LENGTH")))
        return hook.receive(
            method,
            request.headers.get("Content-Encoding"),
            _body(request, hook),
            request.headers.get(SIGNATURE_HEADER),
        )
    except WebhookVerificationError as refusal:
        response = HttpResponse(
            refusal.reason, status=refusal.http_status, content_type="text/plain; charset=utf-8"
        )
        for name, value in refusal_headers(refusal).items():
            response[name] = value
        return response


def _answer(answer: Answer) -> HttpResponse:
    """A deduplicator's answer for a delivery the view does not see."""
    status, reason = answer
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _status(response: Any) -> Optional[int]:
    """The status of what a view returned (``None`` when it carries none)."""
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _decorate(
    view: Callable[..., Any],
    configured_secret: Optional[Secret],
    max_body_size: int,
    tolerance: Optional[float],
    deduplicator: Optional[Deduplicator],
) -> Callable[..., Any]:
    secret = Hidden(configured_secret)
    del configured_secret
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            prepared = _prepare(request, secret, max_body_size, tolerance)
            if not isinstance(prepared, WebhookEvent):
                return prepared
            if deduplicator is None:
                result = await view(request, prepared, *args, **kwargs)
                return HttpResponse(status=200) if result is None else result
            admission = await admit_async(deduplicator, prepared)
            if not isinstance(admission, Admission):
                return _answer(admission)
            try:
                result = await view(request, prepared, *args, **kwargs)
            except BaseException:
                await finish_async(deduplicator, admission, RAISED)
                raise
            response = HttpResponse(status=200) if result is None else result
            await finish_async(deduplicator, admission, _status(response))
            return response

        # What csrf_exempt does, without wrapping the coroutine function in a sync one.
        async_wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        prepared = _prepare(request, secret, max_body_size, tolerance)
        if not isinstance(prepared, WebhookEvent):
            return prepared
        if deduplicator is None:
            result = view(request, prepared, *args, **kwargs)
            return HttpResponse(status=200) if result is None else result
        admission = admit(deduplicator, prepared)
        if not isinstance(admission, Admission):
            return _answer(admission)
        try:
            result = view(request, prepared, *args, **kwargs)
        except BaseException:
            finish(admission, RAISED)
            raise
        response = HttpResponse(status=200) if result is None else result
        finish(admission, _status(response))
        return response

    exempt: Callable[..., Any] = csrf_exempt(wrapper)
    return exempt


@overload
def webhook(secret: View) -> View: ...


@overload
def webhook(
    secret: Optional[Secret] = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
    deduplicator: Optional[Deduplicator] = None,
) -> Callable[[View], View]: ...


def webhook(
    secret: Any = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
    deduplicator: Optional[Deduplicator] = None,
) -> Any:
    """A view decorator (csrf-exempt, POST only) that receives the delivery and passes the
    view its typed event (a :class:`connectly.WebhookEvent`: ``InboundMessage``,
    ``DeliveryStatus`` or the base class) after the request.

    ``secret``: a ``str``, ``bytes`` or a list of them (rotation); when ``None``,
    ``settings.CONNECTLY_WEBHOOK_SECRET``, else the ``CONNECTLY_WEBHOOK_SECRET`` environment
    variable, read at request time. Also usable bare: ``@connectly.django.webhook``.

    ``deduplicator``: a :class:`connectly.MemoryDeduplicator` (one process) or
    :class:`connectly.RedisDeduplicator` (a fleet) to run the view once per delivery (see
    the module's documentation); ``None`` runs it for every verified copy.
    """
    return bare_or_configured(_decorate, secret, max_body_size, tolerance, deduplicator)
