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
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook, WebhookEvent
from connectly._errors import WebhookVerificationError
from connectly._receive import (
    Hidden,
    Secret,
    bare_or_configured,
    content_length,
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


def _decorate(
    view: Callable[..., Any],
    configured_secret: Optional[Secret],
    max_body_size: int,
    tolerance: Optional[float],
) -> Callable[..., Any]:
    secret = Hidden(configured_secret)
    del configured_secret
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            prepared = _prepare(request, secret, max_body_size, tolerance)
            if not isinstance(prepared, WebhookEvent):
                return prepared
            result = await view(request, prepared, *args, **kwargs)
            return HttpResponse(status=200) if result is None else result

        # What csrf_exempt does, without wrapping the coroutine function in a sync one.
        async_wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        prepared = _prepare(request, secret, max_body_size, tolerance)
        if not isinstance(prepared, WebhookEvent):
            return prepared
        result = view(request, prepared, *args, **kwargs)
        return HttpResponse(status=200) if result is None else result

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
) -> Callable[[View], View]: ...


def webhook(
    secret: Any = None,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    tolerance: Optional[float] = None,
) -> Any:
    """A view decorator (csrf-exempt, POST only) that receives the delivery and passes the
    view its typed event (a :class:`connectly.WebhookEvent`: ``InboundMessage``,
    ``DeliveryStatus`` or the base class) after the request.

    ``secret``: a ``str``, ``bytes`` or a list of them (rotation); when ``None``,
    ``settings.CONNECTLY_WEBHOOK_SECRET``, else the ``CONNECTLY_WEBHOOK_SECRET`` environment
    variable, read at request time. Also usable bare: ``@connectly.django.webhook``.
    """
    return bare_or_configured(_decorate, secret, max_body_size, tolerance)
