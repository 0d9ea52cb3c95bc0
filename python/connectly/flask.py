"""Flask: ``@connectly.flask.webhook()`` verifies deliveries before your view sees them.

::

    import connectly.flask

    @app.post("/webhook")
    @connectly.flask.webhook()            # secret: argument, app.config or the env var
    def receive(event: connectly.WebhookEvent):
        print(event.sender.id, event.text)
        return "", 200                     # or return nothing: 200 with an empty body

The decorator reads the raw body (at most ``max_body_size`` bytes, else 413), removes a
``Content-Encoding: gzip``, verifies the ``x-connectly-hmac-sha256`` signature (403 when it is
missing or wrong), parses the event (400 when it is not one) and calls
``view(event, **url_args)`` (``async def`` views too). It answers exactly once: with the
view's response, or with its own refusal, never both. Flask is an optional extra:
``pip install connectly-sdk[flask]``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

import flask

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

__all__ = ["CONFIG_KEY", "webhook"]

CONFIG_KEY = "CONNECTLY_WEBHOOK_SECRET"
"""The ``app.config`` key the secret is read from."""

View = TypeVar("View", bound=Callable[..., Any])


def _webhook(secret: Hidden, max_body_size: int, tolerance: Optional[float]) -> Webhook:
    configured = flask.current_app.config.get(CONFIG_KEY)
    return webhook_for(resolve_secret(secret.value, configured), max_body_size, tolerance)


def _prepare(
    secret: Hidden, max_body_size: int, tolerance: Optional[float]
) -> Union[WebhookEvent, flask.Response]:
    """The verified event, or the refusal to answer with."""
    request = flask.request
    hook = _webhook(secret, max_body_size, tolerance)
    try:
        raw = read_capped(request.stream.read, request.content_length, max_body_size)
        return receive(
            hook,
            raw,
            request.headers.get("Content-Encoding"),
            request.headers.get(SIGNATURE_HEADER),
        )
    except Rejected as refusal:
        return flask.Response(refusal.reason, status=refusal.status, mimetype="text/plain")


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
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            prepared = _prepare(secret, max_body_size, tolerance)
            if not isinstance(prepared, WebhookEvent):
                return prepared
            result = await view(prepared, *args, **kwargs)
            return ("", 200) if result is None else result

        return async_wrapper

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prepared = _prepare(secret, max_body_size, tolerance)
        if not isinstance(prepared, WebhookEvent):
            return prepared
        result = view(prepared, *args, **kwargs)
        return ("", 200) if result is None else result

    return wrapper


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
    """A view decorator that verifies the delivery and passes the view a
    :class:`connectly.WebhookEvent` as its first argument.

    ``secret``: a ``str``, ``bytes`` or a list of them (rotation); when ``None``, the app's
    ``CONNECTLY_WEBHOOK_SECRET`` config, else the ``CONNECTLY_WEBHOOK_SECRET`` environment
    variable, read at request time. Also usable bare: ``@connectly.flask.webhook``.
    """
    return bare_or_configured(_decorate, secret, max_body_size, tolerance)
