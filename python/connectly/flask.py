"""Flask: ``@connectly.flask.webhook()`` verifies deliveries before your view sees them.

::

    import connectly.flask

    @app.post("/webhook")
    @connectly.flask.webhook()            # secret: argument, app.config or the env var
    def receive(event: connectly.WebhookEvent):
        if isinstance(event, connectly.DeliveryStatus):
            print(event.message_id, event.status)
        elif isinstance(event, connectly.InboundMessage):
            print(event.sender.id, event.text, event.attachment)
        return "", 200                     # or return nothing: 200 with an empty body

The view gets the typed event: a :class:`connectly.InboundMessage` (topic ``messages``), a
:class:`connectly.DeliveryStatus` (``delivery_status``), or a plain
:class:`connectly.WebhookEvent` for any other topic.

The decorator receives the delivery by the SDK's one policy (the Rust core's
``Webhook.admit`` and ``Webhook.receive``): POST only (405 with ``Allow: POST``), at most
``max_body_size`` bytes, or the app's ``MAX_CONTENT_LENGTH`` when smaller (413), a
``Content-Encoding`` of identity or gzip (415; 400 for a broken gzip), a valid
``x-connectly-hmac-sha256`` signature over the decoded body (403), an event (400); then it
calls ``view(event, **url_args)`` (``async def`` views too). It answers exactly once: with
the view's response, or with its own refusal, never both.

The body is read through Werkzeug's cache, at most one byte past the limit: the view can
still call ``request.get_data()`` (or read ``request.data``) and get the same bytes, and a
body a ``before_request`` hook already read is taken from there. Flask is an optional extra:
``pip install connectly-sdk[flask]``.

Several workers (``gunicorn -w 4``) handle each delivery once with a shared deduplicator::

    # connectly.MemoryDeduplicator() for one process
    dedup = connectly.RedisDeduplicator("redis://127.0.0.1:6379/0")

    @app.post("/webhook")
    @connectly.flask.webhook(deduplicator=dedup)
    def receive(event): ...

A verified delivery is claimed before the view runs: a copy being handled elsewhere is
answered 409 (Connectly sends it again later), a copy handled already 200, and 503 when the
store does not answer, without calling the view. The claim is completed when the view's
answer is 2xx (or it returned nothing), and released when the view raised or answered
anything else, so that Connectly's retry runs it again.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Optional, TypeVar, Union, overload

import flask
from werkzeug.exceptions import RequestEntityTooLarge

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
    bare_or_configured,
    finish,
    refusal_headers,
    refuse_oversized,
    resolve_secret,
    webhook_for,
)

__all__ = ["CONFIG_KEY", "webhook"]

CONFIG_KEY = "CONNECTLY_WEBHOOK_SECRET"
"""The ``app.config`` key the secret is read from."""

View = TypeVar("View", bound=Callable[..., Any])


def _webhook(secret: Hidden, max_body_size: int, tolerance: Optional[float]) -> Webhook:
    """The verifier, whose limit is the smaller of ``max_body_size`` and the request's own
    ``max_content_length`` (the app's ``MAX_CONTENT_LENGTH``), when one is set."""
    configured = flask.current_app.config.get(CONFIG_KEY)
    app_limit = flask.request.max_content_length
    limit = max_body_size if app_limit is None else min(max_body_size, app_limit)
    return webhook_for(resolve_secret(secret.value, configured), limit, tolerance)


def _body(hook: Webhook) -> bytes:
    """The raw body, through Werkzeug's cache (so ``request.get_data()`` returns it again):
    one read before, by a hook, is taken from there; otherwise at most ``limit + 1`` bytes are
    read, a stream without a ``Content-Length`` included."""
    request = flask.request
    # Werkzeug refuses a stream that reaches its maximum, so one byte of room keeps a body of
    # exactly the limit, and stops reading one byte past it.
    request.max_content_length = hook.max_body_size + 1
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge as error:
        refuse_oversized(hook, error)


def _prepare(
    secret: Hidden, max_body_size: int, tolerance: Optional[float]
) -> Union[WebhookEvent, flask.Response]:
    """The verified event, or the refusal to answer with."""
    request = flask.request
    hook = _webhook(secret, max_body_size, tolerance)
    # As it arrived: Werkzeug upper-cases `request.method`, and the policy is case-sensitive.
    method = request.environ.get("REQUEST_METHOD", request.method)
    try:
        hook.admit(method, request.content_length)
        return hook.receive(
            method,
            request.headers.get("Content-Encoding"),
            _body(hook),
            request.headers.get(SIGNATURE_HEADER),
        )
    except WebhookVerificationError as refusal:
        return flask.Response(
            refusal.reason,
            status=refusal.http_status,
            mimetype="text/plain",
            headers=refusal_headers(refusal),
        )


def _answer(answer: Answer) -> flask.Response:
    """A deduplicator's answer for a delivery the view does not see."""
    status, reason = answer
    return flask.Response(reason, status=status, mimetype="text/plain")


def _claimed(admission: Admission, result: Any) -> flask.Response:
    """The view's result as the response Flask would make of it; the claim completed when it
    is 2xx and released otherwise (or when it is no valid response)."""
    try:
        response = flask.current_app.make_response(("", 200) if result is None else result)
    except BaseException:
        finish(admission, RAISED)
        raise
    finish(admission, response.status_code)
    return response


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
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            prepared = _prepare(secret, max_body_size, tolerance)
            if not isinstance(prepared, WebhookEvent):
                return prepared
            if deduplicator is None:
                result = await view(prepared, *args, **kwargs)
                return ("", 200) if result is None else result
            # Flask runs an async view in a loop of its own, per request: a blocking claim
            # holds up only this request.
            admission = admit(deduplicator, prepared)
            if not isinstance(admission, Admission):
                return _answer(admission)
            try:
                result = await view(prepared, *args, **kwargs)
            except BaseException:
                finish(admission, RAISED)
                raise
            return _claimed(admission, result)

        return async_wrapper

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prepared = _prepare(secret, max_body_size, tolerance)
        if not isinstance(prepared, WebhookEvent):
            return prepared
        if deduplicator is None:
            result = view(prepared, *args, **kwargs)
            return ("", 200) if result is None else result
        admission = admit(deduplicator, prepared)
        if not isinstance(admission, Admission):
            return _answer(admission)
        try:
            result = view(prepared, *args, **kwargs)
        except BaseException:
            finish(admission, RAISED)
            raise
        return _claimed(admission, result)

    return wrapper


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
    """A view decorator that verifies the delivery and passes the view its typed event (a
    :class:`connectly.WebhookEvent`: ``InboundMessage``, ``DeliveryStatus`` or the base
    class) as its first argument.

    ``secret``: a ``str``, ``bytes`` or a list of them (rotation); when ``None``, the app's
    ``CONNECTLY_WEBHOOK_SECRET`` config, else the ``CONNECTLY_WEBHOOK_SECRET`` environment
    variable, read at request time. Also usable bare: ``@connectly.flask.webhook``.

    ``deduplicator``: a :class:`connectly.MemoryDeduplicator` (one process) or
    :class:`connectly.RedisDeduplicator` (a fleet) to run the view once per delivery (see
    the module's documentation); ``None`` runs it for every verified copy.
    """
    return bare_or_configured(_decorate, secret, max_body_size, tolerance, deduplicator)
