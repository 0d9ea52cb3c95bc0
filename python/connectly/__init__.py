"""The SDK for the Connectly business-messaging API (WhatsApp, SMS).

Send messages of every kind, manage webhooks, list templates, send campaigns, and verify
webhook deliveries into typed events::

    import connectly

    client = connectly.Client()          # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
    client.send_text("+15555555555", "hello!")
    client.send_message(
        "+15555555555", attachment=connectly.Attachment("image", "https://example.com/a.jpg")
    )
    client.send_template("+15555555555", "welcome", {"var1": "Ada"}, language="en")

    webhook = connectly.Webhook(secret)
    event = webhook.verify_event(raw_body, signature_header)
    if isinstance(event, connectly.DeliveryStatus):
        print(event.message_id, event.status)
    # or, over HTTP, with the SDK's receiving policy (method, size, gzip, HTTP statuses):
    event = webhook.receive(method, content_encoding, raw_body, signature_header)

Each call's steps are logged to ``logging.getLogger("connectly")`` (``DEBUG`` sending,
``INFO`` answered, ``WARNING`` retrying, failed, dropped records), from a thread of the SDK's
own; each record carries ``connectly_message``, ``connectly_fields`` and ``connectly_client``
(the client's :attr:`Client.id`). A cancelled ``AsyncClient`` call raises
``asyncio.CancelledError`` caused by a :class:`CancelledError` that says whether its request
may have reached the server (``possibly_sent``).

Many workers share a send budget, handle each webhook delivery once and keep statuses in
order through Redis (one process needs no server)::

    limiter = connectly.RedisRateLimiter("redis://127.0.0.1:6379/0", rate=200.0)
    client = connectly.Client(rate_limiter=limiter)  # every send waits for the fleet's turn
    dedup = connectly.RedisDeduplicator("redis://127.0.0.1:6379/0")  # or MemoryDeduplicator()
    # @connectly.flask.webhook(deduplicator=dedup), the same for django and fastapi
    tracker = connectly.StatusTracker(store=connectly.RedisStatusStore("redis://..."))
    client.send_many(messages, journal="campaign.journal")  # a rerun resends nothing sent

One implementation: everything here is a thin layer over the Rust core (``connectly._connectly``).
"""

from __future__ import annotations

import atexit as _atexit

from connectly._async import AsyncClient
from connectly._connectly import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    Admission,
    APIErrorDetail,
    Attachment,
    Button,
    ButtonReply,
    CampaignEntry,
    CampaignResult,
    Client,
    Deduplicator,
    DeliveryStatus,
    InboundAttachment,
    InboundLocation,
    InboundMessage,
    ListMessage,
    ListReply,
    ListRow,
    ListSection,
    LocalRateLimiter,
    Location,
    MemoryDeduplicator,
    MemoryStatusStore,
    MessageRequest,
    Party,
    RateLimiter,
    RedisDeduplicator,
    RedisRateLimiter,
    RedisStatusStore,
    ReplyButtons,
    Response,
    SendResult,
    StatusStore,
    StatusTracker,
    TemplateInfo,
    TemplateMessage,
    TextMessage,
    Webhook,
    WebhookEvent,
    WebhookInfo,
    __version__,
)
from connectly._connectly import _exiting as _native_exiting
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

# A daemon thread still in a blocking call when the interpreter exits must not re-enter it
# while it finalises: from the start of the exit on, such a thread parks instead.
_atexit.register(_native_exiting)

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "SIGNATURE_HEADER",
    "APIError",
    "APIErrorDetail",
    "Admission",
    "AsyncClient",
    "Attachment",
    "AuthenticationError",
    "Button",
    "ButtonReply",
    "CampaignEntry",
    "CampaignResult",
    "CancelledError",
    "Client",
    "ConfigurationError",
    "ConnectlyError",
    "Deduplicator",
    "DeliveryStatus",
    "InboundAttachment",
    "InboundLocation",
    "InboundMessage",
    "InternalError",
    "InvalidPayloadError",
    "InvalidSecretError",
    "InvalidSignatureError",
    "ListMessage",
    "ListReply",
    "ListRow",
    "ListSection",
    "LocalRateLimiter",
    "Location",
    "MalformedEncodingError",
    "MalformedSignatureError",
    "MemoryDeduplicator",
    "MemoryStatusStore",
    "MessageRequest",
    "MethodNotAllowedError",
    "MissingSignatureError",
    "Party",
    "PayloadTooLargeError",
    "RateLimitError",
    "RateLimiter",
    "RedisDeduplicator",
    "RedisRateLimiter",
    "RedisStatusStore",
    "ReplyButtons",
    "Response",
    "SendResult",
    "ServerError",
    "StatusStore",
    "StatusTracker",
    "TemplateInfo",
    "TemplateMessage",
    "TextMessage",
    "TimeoutError",
    "TimestampOutsideToleranceError",
    "TransportError",
    "UnsupportedEncodingError",
    "ValidationError",
    "Webhook",
    "WebhookEvent",
    "WebhookInfo",
    "WebhookVerificationError",
    "__version__",
]
