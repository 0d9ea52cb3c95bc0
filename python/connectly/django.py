"""Django: ``@connectly.django.webhook()`` verifies deliveries before your view sees them.

::

    import connectly
    import connectly.django
    from django.http import HttpResponse

    @connectly.django.webhook()           # settings.CONNECTLY_WEBHOOK_SECRET or the env var
    def receive(request, event: connectly.WebhookEvent):
        print(event.sender.id, event.text)
        return HttpResponse(status=200)   # or return nothing: 200 with an empty body

The view is csrf-exempt and POST only (405 otherwise). The decorator reads the raw body (at
most ``max_body_size`` bytes, else 413), removes a ``Content-Encoding: gzip``, verifies the
signature (403 when it is missing or wrong), parses the event (400 when it is not one) and calls
``view(request, event, *args, **kwargs)`` (``async def`` views too), answering exactly
once. Django is an optional extra: ``pip install connectly-sdk[django]``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from connectly._connectly import DEFAULT_MAX_BODY_SIZE, SIGNATURE_HEADER, Webhook, WebhookEvent
from connectly._receive import (
    Hidden,
    Rejected,
    Secret,
    bare_or_configured,
    read_capped,
    receive,
    resolve_secret,
    webhook_for,
)

__all__ = ["SETTING", "webhook"]

SETTING = "CONNECTLY_WEBHOOK_SECRET"
"""The Django setting the secret is read from."""

View = TypeVar("View", bound=Callable[..., Any])


def _content_length(request: HttpRequest) -> Optional[int]:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _webhook(secret: Hidden, max_body_size: int, tolerance: Optional[float]) -> Webhook:
    configured = getattr(settings, SETTING, None)
    return webhook_for(resolve_secret(secret.value, configured), max_body_size, tolerance)


def _prepare(
    request: HttpRequest, secret: Hidden, max_body_size: int, tolerance: Optional[float]
) -> Union[WebhookEvent, HttpResponse]:
    """The verified event, or the response that refuses the request."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    hook = _webhook(secret, max_body_size, tolerance)
    try:
        raw = read_capped(request.read, _content_length(request), max_body_size)
        return receive(
            hook,
            raw,
            request.headers.get("Content-Encoding"),
            request.headers.get(SIGNATURE_HEADER),
        )
    except Rejected as refusal:
        return HttpResponse(
            refusal.reason, status=refusal.status, content_type="text/plain; charset=utf-8"
        )


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
    """A view decorator (csrf-exempt, POST only) that verifies the delivery and passes the
    view a :class:`connectly.WebhookEvent` after the request.

    ``secret``: a ``str``, ``bytes`` or a list of them (rotation); when ``None``,
    ``settings.CONNECTLY_WEBHOOK_SECRET``, else the ``CONNECTLY_WEBHOOK_SECRET`` environment
    variable, read at request time. Also usable bare: ``@connectly.django.webhook``.
    """
    return bare_or_configured(_decorate, secret, max_body_size, tolerance)
