"""The SDK for the Connectly business-messaging API (WhatsApp, SMS).

Send messages, register webhooks, and verify webhook deliveries::

    import connectly

    client = connectly.Client()          # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
    client.send_text("+15555555555", "hello!")

    webhook = connectly.Webhook(secret)
    event = webhook.verify_event(raw_body, signature_header)
    # or, over HTTP, with the SDK's receiving policy (method, size, gzip, HTTP statuses):
    event = webhook.receive(method, content_encoding, raw_body, signature_header)

One implementation: everything here is a thin layer over the Rust core (``connectly._connectly``).
"""

from __future__ import annotations

from connectly._async import AsyncClient
from connectly._connectly import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    Client,
    Party,
    Response,
    SendResult,
    TemplateMessage,
    TextMessage,
    Webhook,
    WebhookEvent,
    __version__,
)
from connectly._errors import (
    APIError,
    AuthenticationError,
    CancelledError,
    ConfigurationError,
    ConnectlyError,
    InternalError,
    InvalidPayloadError,
    InvalidSecretError,
    InvalidSignatureError,
    MalformedEncodingError,
    MalformedSignatureError,
    MethodNotAllowedError,
    MissingSignatureError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    TimeoutError,
    TimestampOutsideToleranceError,
    TransportError,
    UnsupportedEncodingError,
    ValidationError,
    WebhookVerificationError,
)

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "SIGNATURE_HEADER",
    "APIError",
    "AsyncClient",
    "AuthenticationError",
    "CancelledError",
    "Client",
    "ConfigurationError",
    "ConnectlyError",
    "InternalError",
    "InvalidPayloadError",
    "InvalidSecretError",
    "InvalidSignatureError",
    "MalformedEncodingError",
    "MalformedSignatureError",
    "MethodNotAllowedError",
    "MissingSignatureError",
    "Party",
    "PayloadTooLargeError",
    "RateLimitError",
    "Response",
    "SendResult",
    "ServerError",
    "TemplateMessage",
    "TextMessage",
    "TimeoutError",
    "TimestampOutsideToleranceError",
    "TransportError",
    "UnsupportedEncodingError",
    "ValidationError",
    "Webhook",
    "WebhookEvent",
    "WebhookVerificationError",
    "__version__",
]
