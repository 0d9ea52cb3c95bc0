"""Type stubs for the native module ``connectly._connectly`` (the Rust core, via pyo3)."""

import os
from collections.abc import Iterable, Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, Callable, ClassVar, Generic, Literal, Optional, TypeVar, Union, final

from typing_extensions import disjoint_base

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_CONCURRENCY",
    "MAX_RETRIES_LIMIT",
    "MIN_RATE_LIMIT",
    "MOCK_API_KEY",
    "MOCK_BUSINESS_ID",
    "MOCK_WEBHOOK_SECRET",
    "SIGNATURE_HEADER",
    "APIErrorDetail",
    "Admission",
    "Attachment",
    "Button",
    "ButtonReply",
    "CampaignEntry",
    "CampaignResult",
    "Client",
    "Deduplicator",
    "DeliveryStatus",
    "InboundAttachment",
    "InboundLocation",
    "InboundMessage",
    "ListMessage",
    "ListReply",
    "ListRow",
    "ListSection",
    "LocalRateLimiter",
    "Location",
    "MemoryDeduplicator",
    "MemoryStatusStore",
    "MessageRequest",
    "Party",
    "RateLimiter",
    "RedisDeduplicator",
    "RedisRateLimiter",
    "RedisStatusStore",
    "ReplyButtons",
    "Response",
    "SendResult",
    "StatusStore",
    "StatusTracker",
    "TemplateInfo",
    "TemplateMessage",
    "TextMessage",
    "Webhook",
    "WebhookEvent",
    "WebhookInfo",
    "_CompletionQueue",
    "_MockServer",
    "_Operation",
    "_Ticket",
    "__version__",
    "_error_classes",
    "_exiting",
    "_stop_logs",
    "_test_panic",
    "cli_main",
]

__version__: str
SIGNATURE_HEADER: str
DEFAULT_MAX_BODY_SIZE: int
DEFAULT_TIMEOUT: float
DEFAULT_MAX_RETRIES: int
MAX_RETRIES_LIMIT: int
DEFAULT_CONCURRENCY: int
MAX_CONCURRENCY: int
MIN_RATE_LIMIT: float
MOCK_API_KEY: str
MOCK_BUSINESS_ID: str
MOCK_WEBHOOK_SECRET: str

_Body = Union[bytes, bytearray, memoryview]
_Secret = Union[str, bytes, bytearray]
_Params = Union[Mapping[str, str], Iterable[tuple[str, str]]]
_CampaignEntryDict = Mapping[str, Any]

@final
class Response:
    """A successful reply."""

    @property
    def status_code(self) -> int: ...
    @property
    def data(self) -> Any: ...
    @property
    def attempts(self) -> int: ...
    @property
    def trace_id(self) -> Optional[str]: ...
    @property
    def id(self) -> Optional[str]:
        """The ``id`` the reply carries, when it has one: a template send's message id (the
        id its delivery statuses name), a created webhook's id."""

@final
class Client:
    """A Connectly API client: one connection pool, safe to share between threads."""

    def __new__(
        cls,
        api_key: Optional[str] = None,
        business_id: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = ...,  # DEFAULT_TIMEOUT
        max_retries: int = ...,  # DEFAULT_MAX_RETRIES
        rate_limiter: Union[RateLimiter, Literal[False], None] = None,
    ) -> Client: ...
    def send_text(self, to: str, text: str, channel: str = "whatsapp") -> Response: ...
    def send_message(
        self,
        to: str,
        *,
        text: Optional[str] = None,
        attachment: Optional[Attachment] = None,
        location: Optional[Location] = None,
        list: Optional[ListMessage] = None,
        buttons: Optional[ReplyButtons] = None,
        channel: str = "whatsapp",
        sender: Optional[str] = None,
        message_id: Optional[str] = None,
        recipient_name: Optional[str] = None,
    ) -> Response: ...
    def send_template(
        self,
        number: str,
        template_name: str,
        params: Optional[_Params] = (),
        *,
        language: Optional[str] = None,
        sender: Optional[str] = None,
        callback_data: Any = None,
        campaign_name: Optional[str] = None,
    ) -> Response: ...
    def create_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        type: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response: ...
    def list_webhooks(self) -> list[WebhookInfo]: ...
    def update_webhook(
        self,
        webhook_id: str,
        *,
        address: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response: ...
    def delete_webhook(self, webhook_id: str) -> Response: ...
    def upsert_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response: ...
    def list_templates(self) -> list[TemplateInfo]: ...
    def send_campaign(
        self, entries: Iterable[Union[CampaignEntry, _CampaignEntryDict]]
    ) -> CampaignResult: ...
    def send_many(
        self,
        messages: Iterable[Union[TextMessage, MessageRequest, TemplateMessage]],
        *,
        concurrency: int = 8,
        rate_limit: Optional[float] = None,
        on_progress: Optional[Callable[[int, int, int], object]] = None,
        journal: Union[str, os.PathLike[str], None] = None,
    ) -> list[SendResult]: ...
    @property
    def business_id(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def id(self) -> int: ...

@final
class TextMessage:
    """A free-form text for ``Client.send_many``."""

    def __new__(cls, to: str, text: str, channel: str = "whatsapp") -> TextMessage: ...
    @property
    def to(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def channel(self) -> str: ...

@final
class TemplateMessage:
    """A WhatsApp template for ``Client.send_many``."""

    def __new__(
        cls,
        number: str,
        template_name: str,
        params: Optional[_Params] = None,
        *,
        language: Optional[str] = None,
        sender: Optional[str] = None,
        callback_data: Any = None,
        campaign_name: Optional[str] = None,
    ) -> TemplateMessage: ...
    @property
    def number(self) -> str: ...
    @property
    def template_name(self) -> str: ...
    @property
    def params(self) -> list[tuple[str, str]]: ...
    @property
    def language(self) -> Optional[str]: ...
    @property
    def sender(self) -> Optional[str]: ...
    @property
    def callback_data(self) -> Any: ...
    @property
    def campaign_name(self) -> Optional[str]: ...

@final
class Attachment:
    """One file sent with a message (image, video, audio or document)."""

    def __new__(
        cls,
        type: str,
        url: str,
        *,
        caption: Optional[str] = None,
        filename: Optional[str] = None,
    ) -> Attachment: ...
    @property
    def type(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def caption(self) -> Optional[str]: ...
    @property
    def filename(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Location:
    """A place on the map."""

    def __new__(
        cls,
        latitude: float,
        longitude: float,
        *,
        name: Optional[str] = None,
        address: Optional[str] = None,
    ) -> Location: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def address(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ListRow:
    """One choice of a list message."""

    def __new__(cls, id: str, text: str, *, description: Optional[str] = None) -> ListRow: ...
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ListSection:
    """A titled group of rows of a list message."""

    def __new__(cls, title: str, rows: Iterable[ListRow]) -> ListSection: ...
    @property
    def title(self) -> str: ...
    @property
    def rows(self) -> list[ListRow]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ListMessage:
    """A list the recipient opens with a button and picks one row from."""

    def __new__(
        cls,
        button: str,
        sections: Iterable[ListSection],
        *,
        header: Optional[str] = None,
        footer: Optional[str] = None,
    ) -> ListMessage: ...
    @property
    def button(self) -> str: ...
    @property
    def sections(self) -> list[ListSection]: ...
    @property
    def header(self) -> Optional[str]: ...
    @property
    def footer(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Button:
    """One quick-reply button."""

    def __new__(cls, id: str, text: str) -> Button: ...
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ReplyButtons:
    """One to three quick-reply buttons under the message's text."""

    def __new__(
        cls,
        buttons: Iterable[Button],
        *,
        header: Optional[str] = None,
        footer: Optional[str] = None,
    ) -> ReplyButtons: ...
    @property
    def buttons(self) -> list[Button]: ...
    @property
    def header(self) -> Optional[str]: ...
    @property
    def footer(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class MessageRequest:
    """A session message of any kind for ``Client.send_many``."""

    def __new__(
        cls,
        to: str,
        *,
        text: Optional[str] = None,
        attachment: Optional[Attachment] = None,
        location: Optional[Location] = None,
        list: Optional[ListMessage] = None,
        buttons: Optional[ReplyButtons] = None,
        channel: str = "whatsapp",
        sender: Optional[str] = None,
        message_id: Optional[str] = None,
        recipient_name: Optional[str] = None,
    ) -> MessageRequest: ...
    @property
    def to(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def recipient_name(self) -> Optional[str]: ...
    @property
    def text(self) -> Optional[str]: ...
    @property
    def attachment(self) -> Optional[Attachment]: ...
    @property
    def location(self) -> Optional[Location]: ...
    @property
    def list(self) -> Optional[ListMessage]: ...
    @property
    def buttons(self) -> Optional[ReplyButtons]: ...
    @property
    def sender(self) -> Optional[str]: ...
    @property
    def message_id(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class WebhookInfo:
    """One webhook registration, as ``Client.list_webhooks`` lists it."""

    @property
    def id(self) -> str: ...
    @property
    def topic(self) -> Optional[str]: ...
    @property
    def address(self) -> Optional[str]: ...
    @property
    def configuration(self) -> Optional[dict[str, Any]]: ...
    @property
    def raw(self) -> dict[str, Any]: ...

@final
class TemplateInfo:
    """One template in one language, as ``Client.list_templates`` lists it."""

    @property
    def name(self) -> Optional[str]: ...
    @property
    def group(self) -> Optional[str]: ...
    @property
    def language(self) -> Optional[str]: ...
    @property
    def status(self) -> Optional[str]: ...
    @property
    def category(self) -> Optional[str]: ...
    @property
    def rejection_reason(self) -> Optional[str]: ...
    @property
    def raw(self) -> dict[str, Any]: ...

@final
class CampaignEntry:
    """One recipient of a campaign."""

    def __new__(
        cls,
        client: str,
        campaign_name: str,
        *,
        variables: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        sender: Optional[str] = None,
        scheduled_at: Optional[str] = None,
    ) -> CampaignEntry: ...
    @property
    def client(self) -> str: ...
    @property
    def campaign_name(self) -> str: ...
    @property
    def variables(self) -> Optional[dict[str, Any]]: ...
    @property
    def version(self) -> Optional[str]: ...
    @property
    def sender(self) -> Optional[str]: ...
    @property
    def scheduled_at(self) -> Optional[str]: ...

@final
class CampaignResult:
    """What ``Client.send_campaign`` got back."""

    @property
    def accepted(self) -> Optional[int]: ...
    @property
    def rejected(self) -> Optional[int]: ...
    @property
    def error(self) -> Any: ...
    @property
    def raw(self) -> Any: ...
    @property
    def status_code(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def trace_id(self) -> Optional[str]: ...

@final
class SendResult:
    """One message's outcome in ``Client.send_many``."""

    @property
    def index(self) -> int: ...
    @property
    def ok(self) -> bool: ...
    @property
    def response(self) -> Optional[Response]: ...
    @property
    def error(self) -> Optional[BaseException]: ...

@final
class Party:
    """One side of a message."""

    @property
    def id(self) -> str: ...
    @property
    def channel_type(self) -> str: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def user_id(self) -> Optional[str]: ...
    @property
    def phone_number(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@disjoint_base
class WebhookEvent:
    """A verified webhook delivery (any topic)."""

    @property
    def topic(self) -> str: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def sender(self) -> Party: ...
    @property
    def recipient(self) -> Party: ...
    @property
    def text(self) -> Optional[str]: ...
    @property
    def callback_data(self) -> Any: ...
    @property
    def body(self) -> bytes: ...
    @property
    def raw(self) -> dict[str, Any]: ...
    @property
    def delivery_key(self) -> str: ...

@final
class InboundAttachment:
    """A file a customer sent."""

    @property
    def type(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def caption(self) -> Optional[str]: ...
    @property
    def filename(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class InboundLocation:
    """A location a customer shared."""

    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def address(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ButtonReply:
    """A tap on a reply button."""

    @property
    def text(self) -> Optional[str]: ...
    @property
    def payload(self) -> Optional[str]: ...
    @property
    def id(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ListReply:
    """A row picked from a list message."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> Optional[str]: ...
    @property
    def description(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class APIErrorDetail:
    """The API error a failed delivery status carries."""

    @property
    def code(self) -> Optional[str]: ...
    @property
    def type(self) -> Optional[str]: ...
    @property
    def message(self) -> Optional[str]: ...
    @property
    def trace_id(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class InboundMessage(WebhookEvent):
    """A message a customer sent (topic ``messages``)."""

    @property
    def attachment(self) -> Optional[InboundAttachment]: ...
    @property
    def location(self) -> Optional[InboundLocation]: ...
    @property
    def button_reply(self) -> Optional[ButtonReply]: ...
    @property
    def list_reply(self) -> Optional[ListReply]: ...
    @property
    def reply_to_id(self) -> Optional[str]: ...
    @property
    def referral(self) -> Optional[dict[str, Any]]: ...

@final
class DeliveryStatus(WebhookEvent):
    """What became of a message the business sent (topic ``delivery_status``)."""

    @property
    def message_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> Optional[APIErrorDetail]: ...
    @property
    def campaign_name(self) -> Optional[str]: ...

@final
class StatusTracker:
    """Keeps the furthest delivery status per message id."""

    def __new__(cls, store: Optional[StatusStore] = None) -> StatusTracker: ...
    def advance(self, message_id: str, status: str) -> bool: ...
    def status(self, message_id: str) -> Optional[str]: ...
    @property
    def store(self) -> Optional[StatusStore]: ...

@disjoint_base
class StatusStore:
    """Where a ``StatusTracker`` keeps its statuses (not constructible itself)."""

@final
class MemoryStatusStore(StatusStore):
    """Statuses kept in this process's memory."""

    def __new__(cls) -> MemoryStatusStore: ...

@final
class RedisStatusStore(StatusStore):
    """Statuses kept in Redis, shared by every process using it."""

    def __new__(cls, url: str) -> RedisStatusStore: ...

@disjoint_base
class RateLimiter:
    """A send budget a client's sends wait on (not constructible itself)."""

@final
class LocalRateLimiter(RateLimiter):
    """A send budget in this process (GCRA)."""

    def __new__(cls, rate: float = 200.0, burst: Optional[int] = None) -> LocalRateLimiter: ...
    @property
    def rate(self) -> float: ...
    @property
    def burst(self) -> Optional[int]: ...

@final
class RedisRateLimiter(RateLimiter):
    """A send budget shared through Redis by a fleet of processes."""

    def __new__(
        cls,
        url: str,
        rate: float = 200.0,
        burst: Optional[int] = None,
        fallback_share: float = 0.25,
        *,
        timeout: float = 0.1,
    ) -> RedisRateLimiter: ...
    @property
    def rate(self) -> float: ...
    @property
    def burst(self) -> Optional[int]: ...
    @property
    def fallback_share(self) -> float: ...
    @property
    def timeout(self) -> float: ...

@final
class Admission:
    """What a claim of a delivery found: run its handler, or answer ``http_status``."""

    @property
    def run(self) -> bool: ...
    @property
    def state(self) -> Literal["run", "in_progress", "duplicate"]: ...
    @property
    def http_status(self) -> Optional[int]: ...
    @property
    def key(self) -> str: ...
    def complete(self) -> None: ...
    def finish(self, status: Optional[int] = None) -> None: ...
    def release(self) -> None: ...
    def __enter__(self) -> Admission: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        _exc_value: Optional[BaseException],
        _traceback: Optional[TracebackType],
    ) -> bool: ...

@disjoint_base
class Deduplicator:
    """Claims deliveries so that each is handled once (not constructible itself)."""

    def admit(self, event: WebhookEvent) -> Admission: ...
    @property
    def ttl(self) -> float: ...
    @property
    def processing_ttl(self) -> float: ...

@final
class MemoryDeduplicator(Deduplicator):
    """Claims kept in this process's memory."""

    def __new__(
        cls, capacity: int = 100000, *, ttl: float = 86400.0, processing_ttl: float = 60.0
    ) -> MemoryDeduplicator: ...
    @property
    def capacity(self) -> int: ...

@final
class RedisDeduplicator(Deduplicator):
    """Claims kept in Redis, shared by every process using it."""

    def __new__(
        cls, url: str, ttl: float = 86400.0, *, processing_ttl: float = 60.0, timeout: float = 1.0
    ) -> RedisDeduplicator: ...
    @property
    def timeout(self) -> float: ...

@final
class Webhook:
    """Verifies (and, for tests, signs) webhook deliveries."""

    def __new__(
        cls,
        secret: Union[_Secret, list[_Secret], tuple[_Secret, ...]],
        *,
        max_body_size: int = 5242880,
        tolerance: Union[float, timedelta, None] = None,
    ) -> Webhook: ...
    def verify(self, body: _Body, signature: Optional[str]) -> None: ...
    def verify_event(self, body: _Body, signature: Optional[str]) -> WebhookEvent: ...
    def admit(self, method: str, content_length: Optional[int]) -> None: ...
    def receive(
        self,
        method: str,
        content_encoding: Optional[str],
        body: _Body,
        signature: Optional[str],
    ) -> WebhookEvent: ...
    def sign(self, body: _Body) -> str: ...
    @property
    def max_body_size(self) -> int: ...
    @property
    def tolerance(self) -> Optional[float]: ...

_DeliveryTuple = tuple[str, int, bytes, Optional[str], bytes]

@final
class _MockServer:
    def __new__(
        cls,
        *,
        port: int = 0,
        api_key: Optional[str] = None,
        business_id: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        business_phone: Optional[str] = None,
        webhook_conflicts: bool = False,
        templates_json: Optional[str] = None,
        unpublished_campaigns: list[str] = ...,
        auto_statuses: Optional[str] = None,
    ) -> _MockServer: ...
    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def business_id(self) -> str: ...
    @property
    def webhook_secret(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def requests(self) -> list[tuple[str, str, list[tuple[str, str]], bytes]]: ...
    def request_count(self) -> int: ...
    def clear_requests(self) -> None: ...
    def reset(self) -> None: ...
    def fail_next_json(self, failures: str) -> None: ...
    def pending_failures_json(self) -> str: ...
    def webhooks(self) -> list[tuple[str, str]]: ...
    def webhook_registrations(self) -> list[tuple[str, str, str, str, str]]: ...
    def set_webhook_conflicts(self, enabled: bool) -> None: ...
    def templates_json(self) -> str: ...
    def set_templates_json(self, template_groups: str) -> None: ...
    def set_unpublished_campaigns(self, names: list[str]) -> None: ...
    def set_auto_statuses(self, order: Optional[str]) -> None: ...
    def messages(
        self,
    ) -> list[tuple[str, str, str, str, Optional[str], Optional[str], Optional[str]]]: ...
    def deliver_inbound(self, sender: str, text: str) -> _DeliveryTuple: ...
    def deliver_media(
        self, sender: str, kind: str, url: str, caption: Optional[str]
    ) -> _DeliveryTuple: ...
    def deliver_location(
        self,
        sender: str,
        latitude: float,
        longitude: float,
        name: Optional[str],
        address: Optional[str],
    ) -> _DeliveryTuple: ...
    def deliver_button_reply(
        self,
        sender: str,
        shape: str,
        text: str,
        payload: Optional[str],
        reply_to_id: Optional[str],
        id: Optional[str],
    ) -> _DeliveryTuple: ...
    def deliver_list_reply(
        self, sender: str, row_id: str, text: str, description: Optional[str]
    ) -> _DeliveryTuple: ...
    def deliver_quoted_reply(self, sender: str, text: str, reply_to_id: str) -> _DeliveryTuple: ...
    def deliver_referral(
        self, sender: str, text: str, fields: list[tuple[str, str]]
    ) -> _DeliveryTuple: ...
    def deliver_event(self, topic: str, event_json: str) -> _DeliveryTuple: ...
    def deliver_status(
        self, message_id: str, status: str, campaign_name_in: str
    ) -> _DeliveryTuple: ...
    def deliver_raw(self, topic: str, body: bytes, signature: Optional[str]) -> _DeliveryTuple: ...
    def close(self) -> None: ...

_R = TypeVar("_R")

@final
class _Operation(Generic[_R]):
    """One call of a client, checked and built, not yet made (``connectly.AsyncClient``)."""

    @staticmethod
    def send_text(client: Client, to: str, text: str, channel: str) -> _Operation[Response]: ...
    @staticmethod
    def send_message(
        client: Client,
        to: str,
        text: Optional[str],
        attachment: Optional[Attachment],
        location: Optional[Location],
        list: Optional[ListMessage],
        buttons: Optional[ReplyButtons],
        channel: str,
        sender: Optional[str],
        message_id: Optional[str],
        recipient_name: Optional[str],
    ) -> _Operation[Response]: ...
    @staticmethod
    def send_template(
        client: Client,
        number: str,
        template_name: str,
        params: Optional[_Params],
        language: Optional[str],
        sender: Optional[str],
        callback_data: Any,
        campaign_name: Optional[str],
    ) -> _Operation[Response]: ...
    @staticmethod
    def create_webhook(
        client: Client,
        address: str,
        topic: str,
        type: Optional[str],
        configuration: Optional[Mapping[str, Any]],
    ) -> _Operation[Response]: ...
    @staticmethod
    def list_webhooks(client: Client) -> _Operation[list[WebhookInfo]]: ...
    @staticmethod
    def update_webhook(
        client: Client,
        webhook_id: str,
        address: Optional[str],
        configuration: Optional[Mapping[str, Any]],
    ) -> _Operation[Response]: ...
    @staticmethod
    def delete_webhook(client: Client, webhook_id: str) -> _Operation[Response]: ...
    @staticmethod
    def upsert_webhook(
        client: Client, address: str, topic: str, configuration: Optional[Mapping[str, Any]]
    ) -> _Operation[Response]: ...
    @staticmethod
    def list_templates(client: Client) -> _Operation[list[TemplateInfo]]: ...
    @staticmethod
    def send_campaign(
        client: Client, entries: Iterable[Union[CampaignEntry, _CampaignEntryDict]]
    ) -> _Operation[CampaignResult]: ...
    def perform(self) -> _R: ...

@final
class _Ticket:
    """A submitted call."""

    def cancel(self) -> None: ...

@final
class _CompletionQueue:
    """The core's completion queue, watched by an event loop."""

    def __new__(cls) -> _CompletionQueue: ...
    def submit(self, operation: _Operation[Any], tag: int) -> _Ticket: ...
    @property
    def fd(self) -> Optional[int]: ...
    def drain(self) -> list[tuple[int, bool, Any]]: ...

def cli_main(args: list[str]) -> int: ...
def _test_panic() -> None: ...
def _stop_logs() -> None: ...
def _exiting() -> None: ...
def _error_classes() -> list[tuple[str, type[Exception]]]: ...
