"""Type stubs for the native module ``connectly._connectly`` (the Rust core, via pyo3)."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Callable, Optional, Union, final

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
    "Client",
    "Party",
    "Response",
    "SendResult",
    "TemplateMessage",
    "TextMessage",
    "Webhook",
    "WebhookEvent",
    "_MockServer",
    "__version__",
    "_error_classes",
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
    ) -> Client: ...
    def send_text(self, to: str, text: str, channel: str = "whatsapp") -> Response: ...
    def send_template(
        self,
        number: str,
        template_name: str,
        params: Union[Mapping[str, str], Iterable[tuple[str, str]]],
    ) -> Response: ...
    def create_webhook(self, address: str, topic: str = "messages") -> Response: ...
    def send_many(
        self,
        messages: Iterable[Union[TextMessage, TemplateMessage]],
        *,
        concurrency: int = 8,
        rate_limit: Optional[float] = None,
        on_progress: Optional[Callable[[int, int, int], object]] = None,
    ) -> list[SendResult]: ...
    @property
    def business_id(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...

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
        params: Optional[Union[Mapping[str, str], Iterable[tuple[str, str]]]] = None,
    ) -> TemplateMessage: ...
    @property
    def number(self) -> str: ...
    @property
    def template_name(self) -> str: ...
    @property
    def params(self) -> list[tuple[str, str]]: ...

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

@final
class WebhookEvent:
    """A verified inbound message."""

    @property
    def timestamp(self) -> int: ...
    @property
    def sender(self) -> Party: ...
    @property
    def recipient(self) -> Party: ...
    @property
    def text(self) -> Optional[str]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def raw(self) -> dict[str, Any]: ...

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
    def deliver_inbound(
        self, sender: str, text: str
    ) -> tuple[str, int, bytes, Optional[str], bytes]: ...
    def deliver_raw(
        self, topic: str, body: bytes, signature: Optional[str]
    ) -> tuple[str, int, bytes, Optional[str], bytes]: ...
    def close(self) -> None: ...

def cli_main(args: list[str]) -> int: ...
def _test_panic() -> None: ...
def _error_classes() -> list[tuple[str, type[Exception]]]: ...
