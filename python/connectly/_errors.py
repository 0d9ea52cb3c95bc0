"""The exceptions the SDK raises, all under :class:`ConnectlyError`.

The native module builds them from the Rust core's errors in one place (``src/python``);
every one carries ``kind`` (the core's error kind name, the same in every language binding)
and ``attempts``. No message, ``repr`` or attribute holds the API key or the webhook secret.
"""

from __future__ import annotations

import builtins
from typing import Any, Optional

__all__ = [
    "APIError",
    "AuthenticationError",
    "CancelledError",
    "ConfigurationError",
    "ConnectlyError",
    "DeliveryError",
    "InternalError",
    "InvalidPayloadError",
    "InvalidSecretError",
    "InvalidSignatureError",
    "MalformedEncodingError",
    "MalformedSignatureError",
    "MethodNotAllowedError",
    "MissingSignatureError",
    "PayloadTooLargeError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "TimestampOutsideToleranceError",
    "TransportError",
    "UnsupportedEncodingError",
    "ValidationError",
    "WebhookVerificationError",
]


class ConnectlyError(Exception):
    """The base of every exception the SDK raises."""

    kind: str = "Connectly"
    """The core's name for the kind of error (``Validation``, ``RateLimited``, ...)."""
    attempts: int = 0
    """How many requests were made (0 when nothing was sent)."""
    possibly_sent: bool = False
    """Whether the request may have reached Connectly although the call failed, so sending
    again could deliver a message twice: a timeout or a broken connection after the request
    may have been written, a 5xx, an answer too large to read, or a cancellation with the
    request in flight. ``False`` when no request reached Connectly (refused before sending,
    never connected, cancelled before it was written) or its answer says it was not taken
    (4xx, 429)."""

    def __init__(self, text: str, /, **fields: Any) -> None:
        super().__init__(text)
        for name, value in fields.items():
            setattr(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


def _rebuild(cls: type[ConnectlyError], text: str, fields: dict[str, Any]) -> ConnectlyError:
    return cls(text, **fields)


class InternalError(ConnectlyError):
    """A bug in the SDK (a Rust panic). Please report it."""

    kind = "Internal"


class ValidationError(ConnectlyError, ValueError):
    """An input was refused before anything was sent."""

    kind = "Validation"
    field: Optional[str] = None
    """Which input was refused (``text``, ``recipient id``, ...)."""


class ConfigurationError(ValidationError):
    """The client could not be configured: a missing API key or business id, a zero
    timeout, too many retries. Nothing was sent. A setting given but malformed (a base URL
    that is not https, an API key with a newline) is a :class:`ValidationError` naming it
    (``field``); ``except connectly.ValidationError`` catches both."""

    kind = "Config"


class APIError(ConnectlyError):
    """The API refused the request. ``message`` is the provider's, verbatim."""

    kind = "Api"
    status_code: Optional[int] = None
    """The HTTP status."""
    code: Optional[str] = None
    """The provider's error code, such as ``ERROR_CODE_PHONE_NUMBER_BAD_FORMAT``."""
    error_type: Optional[str] = None
    """The provider's error type, such as ``ERROR_TYPE_INVALID_REQUEST``."""
    message: Optional[str] = None
    """The provider's message."""
    trace_id: Optional[str] = None
    """The provider's ``cntTraceId``, which its support asks for."""
    body: Any = None
    """The whole error body as parsed JSON (``None`` when it was not JSON)."""


class AuthenticationError(APIError):
    """The API refused the API key (401 or 403)."""

    kind = "Authentication"


class RateLimitError(APIError):
    """The API answered 429 and no retry was left (or it asked to wait too long)."""

    kind = "RateLimited"
    retry_after: Optional[float] = None
    """How long the API asked to wait, in seconds, when it said."""


class ServerError(APIError):
    """The API failed with a 5xx status. The message may or may not have been sent."""

    kind = "Server"


class TransportError(ConnectlyError):
    """The request failed in transit: connection, TLS, a redirect (never followed) or an
    oversized reply. ``kind`` says which."""

    kind = "Transport"
    status_code: Optional[int] = None
    """The 3xx status, for a redirect."""
    trace_id: Optional[str] = None


class TimeoutError(TransportError, builtins.TimeoutError):
    """No answer came within the timeout. Also a builtin ``TimeoutError``."""

    kind = "Timeout"


class CancelledError(ConnectlyError):
    """The call was stopped before it finished.

    A blocking call on the main thread that is interrupted (Ctrl-C) raises the signal
    handler's exception, ``KeyboardInterrupt``, not this; this is what each message that was
    never started carries in that exception's ``results`` (see ``Client.send_many``).
    ``attempts`` is 0 when no request was made for it; a send stopped while waiting to
    retry was not delivered (a send is retried only when it was not).

    An ``AsyncClient`` call whose task is cancelled raises ``asyncio.CancelledError`` with
    this as its ``__cause__`` (:meth:`find` finds it also from what follows: awaiting the
    task, a timeout's ``TimeoutError``): ``possibly_sent`` says whether its request was in
    flight, and so may have reached the server.
    """

    kind = "Cancelled"

    @classmethod
    def find(cls, error: BaseException) -> Optional[CancelledError]:
        """The :class:`CancelledError` behind ``error``: the cause of the
        ``asyncio.CancelledError`` a cancelled ``AsyncClient`` call raises, found through
        ``__cause__`` and ``__context__`` (so also behind the ``TimeoutError`` of
        ``asyncio.timeout`` or ``asyncio.wait_for``); ``None`` when there is none."""
        seen: set[int] = set()
        found: Optional[BaseException] = error
        while found is not None and id(found) not in seen:
            if isinstance(found, cls):
                return found
            seen.add(id(found))
            found = found.__cause__ or found.__context__
        return None


class WebhookVerificationError(ConnectlyError):
    """A webhook delivery (or secret) was rejected. Never quotes the secret, the signature
    or the body.

    ``http_status`` and ``reason`` are the answer the core's receiving policy gives it (for
    example 403 and ``"invalid webhook signature"``): a receiving endpoint answers with them.
    """

    kind = "Webhook"
    http_status: int
    """The HTTP status to answer the delivery with (405, 413, 415, 400 or 403; 500 for a
    verifier that could not be built)."""
    reason: str
    """A short, fixed text for the response body (never a quote of the request)."""


class MethodNotAllowedError(WebhookVerificationError):
    """The request's method was not ``POST`` (answer 405 with ``Allow: POST``)."""

    kind = "MethodNotAllowed"


class UnsupportedEncodingError(WebhookVerificationError):
    """The ``Content-Encoding`` is not none, ``identity``, ``gzip`` or ``x-gzip``."""

    kind = "UnsupportedEncoding"


class MalformedEncodingError(WebhookVerificationError):
    """The body claims gzip but is not a valid gzip stream."""

    kind = "MalformedEncoding"


class MissingSignatureError(WebhookVerificationError):
    """The signature header was absent or empty."""

    kind = "MissingSignature"


class MalformedSignatureError(WebhookVerificationError):
    """The signature is not standard padded base64 of 32 bytes."""

    kind = "MalformedSignature"


class InvalidSignatureError(WebhookVerificationError):
    """The signature matches none of the secrets."""

    kind = "InvalidSignature"


class PayloadTooLargeError(WebhookVerificationError):
    """The body is larger than the limit; it was not hashed."""

    kind = "PayloadTooLarge"
    size: int = 0
    limit: int = 0


class InvalidPayloadError(WebhookVerificationError):
    """The signature matched, but the body is not the event expected."""

    kind = "InvalidPayload"


class InvalidSecretError(WebhookVerificationError, ValueError):
    """A secret was empty or could not be encoded as UTF-8, or there were not 1 to 8
    secrets."""

    kind = "InvalidSecret"


class TimestampOutsideToleranceError(WebhookVerificationError):
    """A tolerance is set and the body's timestamp is too far from the clock."""

    kind = "TimestampOutsideTolerance"
    skew: float = 0.0
    tolerance: float = 0.0


class DeliveryError(ConnectlyError):
    """``connectly.testing.MockServer`` could not deliver a webhook (``kind``:
    ``NoWebhook``, ``Transport``, ``Rejected``, or ``UnknownMessage`` for a status about a
    message the mock never accepted)."""

    kind = "Delivery"
    status_code: Optional[int] = None
    """The status the receiver answered with, when it answered."""
    response: Optional[bytes] = None
    """The body the receiver answered with, when it answered."""
