"""What the framework helpers share: find the secret, build the verifier, and turn a refusal
into the answer to give.

The receiving policy itself (the method, the size limit, ``Content-Encoding``, the status of
each refusal) is the Rust core's: a helper calls :meth:`Webhook.admit` before it reads the
body and :meth:`Webhook.receive` after, and answers a refusal with its ``http_status`` and
``reason``. It reads the body through its framework's own cache, so the view can read it again.

With a ``deduplicator``, a verified delivery is then claimed by the core's rule
(:meth:`Deduplicator.admit`, the core's ``admit_once``): the view runs only for a claim; a
copy being handled elsewhere is answered 409 (Connectly sends it again later), one handled
already 200, and 503 when the store does not answer, none of them calling the view. The
claim is completed when the view succeeded (a 2xx answer, or none) and released when it
raised or answered anything else, so that Connectly's retry runs it again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, Callable, NoReturn, Optional, Union

from connectly._connectly import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    Admission,
    Deduplicator,
    MemoryDeduplicator,
    Webhook,
    WebhookEvent,
)
from connectly._errors import (
    ConfigurationError,
    ConnectlyError,
    MethodNotAllowedError,
    WebhookVerificationError,
)

Secret = Union[str, bytes, Sequence[Union[str, bytes]]]
"""A webhook secret: ``str``, ``bytes``, or a list of them (newest first) during a rotation."""

ENV_VAR = "CONNECTLY_WEBHOOK_SECRET"
"""The environment variable the helpers read the secret from when none is configured."""

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "ENV_VAR",
    "RAISED",
    "SIGNATURE_HEADER",
    "Answer",
    "Hidden",
    "Secret",
    "admit",
    "admit_async",
    "bare_or_configured",
    "check_deduplicator",
    "content_length",
    "finish",
    "finish_async",
    "refusal_headers",
    "refuse_oversized",
    "resolve_secret",
    "webhook_for",
]

Answer = tuple[int, str]
"""A status and a plain-text reason, answered without calling the view."""

_log = logging.getLogger("connectly")


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
    decorate: Callable[..., Any],
    secret: Any,
    max_body_size: int,
    tolerance: Optional[float],
    deduplicator: Optional[Deduplicator] = None,
) -> Any:
    """Lets a framework's ``webhook`` be used bare (``@webhook``: ``secret`` is the view) or
    configured (``@webhook(secret=...)``: returns the decorator)."""
    check_deduplicator(deduplicator)
    if callable(secret):
        return decorate(secret, None, max_body_size, tolerance, deduplicator)
    return lambda view: decorate(view, secret, max_body_size, tolerance, deduplicator)


def check_deduplicator(deduplicator: object) -> None:
    """Refuses, when the helper is configured, a ``deduplicator`` that is not one."""
    if deduplicator is not None and not isinstance(deduplicator, Deduplicator):
        raise TypeError(
            "deduplicator must be a connectly.MemoryDeduplicator, a "
            f"connectly.RedisDeduplicator or None, not {type(deduplicator).__name__}"
        )


def admit(deduplicator: Deduplicator, event: WebhookEvent) -> Union[Admission, Answer]:
    """Claims ``event``: the admission to run the view under, or the answer to give without
    running it (409 being handled, 200 handled, 503 the store did not answer)."""
    try:
        admission = deduplicator.admit(event)
    except ConnectlyError as error:
        _log.warning(
            "deduplication store unavailable (%s): answered 503, so the delivery comes again",
            error.kind,
        )
        return 503, "deduplication store unavailable"
    if admission.run:
        return admission
    status = admission.http_status or 200
    return status, "in progress" if admission.state == "in_progress" else "duplicate"


RAISED = -1
"""The view's outcome when it raised: the claim is released."""


def finish(admission: Admission, status: Optional[int]) -> None:
    """Ends the claim by the view's answer ``status`` (``None``: none set; :data:`RAISED`:
    it raised) by the core's rule (completed for 2xx or none, released otherwise); a store
    that does not answer is logged, never raised: the view's answer stands, and the claim
    expires."""
    try:
        if status == RAISED:
            admission.release()
        else:
            admission.finish(status)
    except ConnectlyError as error:
        _log.warning(
            "deduplication store unavailable (%s): the claim was not ended; it expires",
            error.kind,
        )


def _blocks(deduplicator: Deduplicator) -> bool:
    """Whether the store's calls may wait on the network (anything but memory)."""
    return not isinstance(deduplicator, MemoryDeduplicator)


async def admit_async(deduplicator: Deduplicator, event: WebhookEvent) -> Union[Admission, Answer]:
    """:func:`admit` for a coroutine: a store on the network is asked from a worker thread,
    so the event loop never waits on it."""
    if not _blocks(deduplicator):
        return admit(deduplicator, event)
    import asyncio

    return await asyncio.to_thread(admit, deduplicator, event)


async def finish_async(
    deduplicator: Deduplicator, admission: Admission, status: Optional[int]
) -> None:
    """:func:`finish` for a coroutine, as :func:`admit_async`."""
    if not _blocks(deduplicator):
        finish(admission, status)
        return
    import asyncio

    await asyncio.to_thread(finish, admission, status)
