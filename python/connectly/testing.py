"""Test your own code offline against a local mock Connectly.

::

    from connectly.testing import MockServer

    with MockServer() as mock:
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        client.send_text("+15555555555", "hi")
        assert mock.requests()[0].json["message"] == {"text": "hi"}

        mock.fail_next([{"status": 429, "retry_after": "1"}, {"drop": True}, {"delay": 0.2}])

        client.create_webhook("http://127.0.0.1:5000/webhook")
        mock.deliver_inbound("+15555550100", "hello")   # signed with mock.webhook_secret

``MockServer`` is the Rust mock (``connectly_mock``), a real HTTP server on 127.0.0.1 that
checks request shapes exactly as documented. With pytest, the ``connectly_mock`` fixture
gives a fresh one per test (this module is registered as a pytest plugin; without the
installed entry point, add ``pytest_plugins = ["connectly.testing"]`` to a ``conftest.py``).
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union

from connectly import _connectly as _native
from connectly._connectly import _MockServer
from connectly._errors import DeliveryError

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_BUSINESS_ID",
    "DEFAULT_WEBHOOK_SECRET",
    "SECRET_HEADERS",
    "Delivery",
    "DeliveryError",
    "MockServer",
    "RecordedRequest",
]

DEFAULT_API_KEY: str = _native.MOCK_API_KEY
DEFAULT_BUSINESS_ID: str = _native.MOCK_BUSINESS_ID
DEFAULT_WEBHOOK_SECRET: str = _native.MOCK_WEBHOOK_SECRET

SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})
"""Headers whose values no ``repr`` in this module shows (compared case-insensitively)."""

_REDACTED = "[REDACTED]"

Failure = Mapping[str, Any]
"""A scripted failure: ``{"status": 429, "retry_after": "1", "body": "..."}``,
``{"delay": 0.2}`` (seconds; or ``{"delay_ms": 200}``), ``{"drop": True}`` (read the request,
then close without answering) or ``{"drop_before_read": True}``."""


def _shown_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` as a ``repr`` may show them: the value of each of :data:`SECRET_HEADERS`
    (the API key's ``x-api-key`` among them) replaced by ``[REDACTED]``."""
    return [
        (name, _REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers
    ]


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request the mock received on an API path. Its ``repr`` shows neither the body nor
    the value of a secret header (:data:`SECRET_HEADERS`); ``headers`` holds every header,
    names in lower case, values as sent."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def __repr__(self) -> str:
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, "
            f"headers={_shown_headers(self.headers)!r})"
        )

    def header(self, name: str) -> Optional[str]:
        """The first header called ``name`` (case-insensitive), or ``None``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return _json.loads(self.body)
        except ValueError:
            return None

    @property
    def text(self) -> Optional[str]:
        """The body as UTF-8 text, or ``None`` when it is not UTF-8."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery the mock made, and how the receiver answered."""

    address: str
    status: int
    body: bytes
    signature: Optional[str]
    response: bytes


def _control_form(failure: Failure) -> dict[str, Any]:
    if not isinstance(failure, Mapping):
        raise TypeError(f"a failure must be a dict, not {type(failure).__name__}")
    form = dict(failure)
    if "delay" in form:
        seconds = form.pop("delay")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError('"delay" must be a non-negative number of seconds')
        form["delay_ms"] = round(seconds * 1000)
    if "retry_after" in form and isinstance(form["retry_after"], (int, float)):
        form["retry_after"] = str(form["retry_after"])
    return form


class MockServer:
    """A running mock Connectly on 127.0.0.1 (a context manager; ``close()`` stops it).

    ``MockServer(*, port=0, api_key="mock-api-key", business_id="mock-business",
    webhook_secret="mock-webhook-secret", business_phone=None)``.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        business_id: str = DEFAULT_BUSINESS_ID,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        business_phone: Optional[str] = None,
    ) -> None:
        self._native = _MockServer(
            port=port,
            api_key=api_key,
            business_id=business_id,
            webhook_secret=webhook_secret,
            business_phone=business_phone,
        )

    @property
    def url(self) -> str:
        """The base URL a client takes: ``http://127.0.0.1:PORT``."""
        return self._native.url

    @property
    def api_key(self) -> str:
        """The API key it accepts."""
        return self._native.api_key

    @property
    def business_id(self) -> str:
        """The business id it serves."""
        return self._native.business_id

    @property
    def webhook_secret(self) -> str:
        """The secret it signs deliveries with."""
        return self._native.webhook_secret

    @property
    def closed(self) -> bool:
        """Whether it was closed."""
        return self._native.closed

    def env(self) -> dict[str, str]:
        """The environment variables that point a client (and the helpers) at this mock."""
        return {
            "CONNECTLY_API_KEY": self.api_key,
            "CONNECTLY_BUSINESS_ID": self.business_id,
            "CONNECTLY_BASE_URL": self.url,
            "CONNECTLY_WEBHOOK_SECRET": self.webhook_secret,
        }

    def requests(self) -> list[RecordedRequest]:
        """The API requests received, oldest first (including those a failure answered)."""
        return [RecordedRequest(m, p, list(h), b) for (m, p, h, b) in self._native.requests()]

    @property
    def request_count(self) -> int:
        """How many API requests arrived since the start or the last clear."""
        return self._native.request_count()

    def clear_requests(self) -> None:
        """Forgets the recorded requests."""
        self._native.clear_requests()

    def reset(self) -> None:
        """Forgets the recorded requests and the queued failures (not the webhooks)."""
        self._native.reset()

    def fail_next(self, failures: Union[Failure, Iterable[Failure]]) -> None:
        """Queues failures; each API request pops one (see :data:`Failure` for the forms)."""
        items = [failures] if isinstance(failures, Mapping) else list(failures)
        self._native.fail_next_json(_json.dumps([_control_form(f) for f in items]))

    def pending_failures(self) -> list[dict[str, Any]]:
        """The failures still queued, in the control protocol's form."""
        pending: list[dict[str, Any]] = _json.loads(self._native.pending_failures_json())
        return pending

    @property
    def webhooks(self) -> dict[str, str]:
        """The registered webhook addresses by topic."""
        return dict(self._native.webhooks())

    def deliver_inbound(self, from_: str, text: str) -> Delivery:
        """Delivers a signed inbound WhatsApp message from ``from_`` to the webhook
        registered for ``messages``. Raises :class:`DeliveryError` unless it answers 200."""
        return Delivery(*self._native.deliver_inbound(from_, text))

    def deliver_raw(
        self, body: bytes, signature: Optional[str] = None, *, topic: str = "messages"
    ) -> Delivery:
        """POSTs ``body`` as is to ``topic``'s webhook with ``signature`` (none if ``None``),
        whatever the receiver answers: for testing how it treats bad deliveries."""
        return Delivery(*self._native.deliver_raw(topic, bytes(body), signature))

    def close(self) -> None:
        """Stops the server and releases its port. Calling it again does nothing."""
        self._native.close()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r}, business_id={self.business_id!r})"


try:
    import pytest
except ImportError:  # pragma: no cover - pytest is only needed for the fixture
    pass
else:

    @pytest.fixture
    def connectly_mock() -> Iterator[MockServer]:
        """A fresh mock Connectly for one test, closed afterwards."""
        with MockServer() as mock:
            yield mock

    __all__ += ["connectly_mock"]
