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

One implementation: everything here is a thin layer over the Rust core (``connectly._connectly``).
"""

from __future__ import annotations

import atexit as _atexit

from connectly._async import AsyncClient
from connectly._connectly import (
    DEFAULT_MAX_BODY_SIZE,
    SIGNATURE_HEADER,
    APIErrorDetail,
    Attachment,
    Button,
    ButtonReply,
    CampaignEntry,
    CampaignResult,
    Client,
    DeliveryStatus,
    InboundAttachment,
    InboundLocation,
    InboundMessage,
    ListMessage,
    ListReply,
    ListRow,
    ListSection,
    Location,
    MessageRequest,
    Party,
    ReplyButtons,
    Response,
    SendResult,
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
    "Location",
    "MalformedEncodingError",
    "MalformedSignatureError",
    "MessageRequest",
    "MethodNotAllowedError",
    "MissingSignatureError",
    "Party",
    "PayloadTooLargeError",
    "RateLimitError",
    "ReplyButtons",
    "Response",
    "SendResult",
    "ServerError",
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
