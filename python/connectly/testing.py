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

        client.create_webhook("http://127.0.0.1:5000/webhook", topic="delivery_status")
        sent = client.send_text("+15555555555", "hi")
        mock.deliver_status(sent.data["id"], "delivered")  # a connectly.DeliveryStatus

``MockServer(webhook_conflicts=True)`` answers a second registration of a topic with 409
(as one of Connectly's pages says) instead of replacing it; ``templates=[...]`` seeds the
template groups ``list_templates`` reads; ``unpublished_campaigns=["name"]`` makes
``send_campaign`` answer 409 for them; ``auto_statuses="in_order"`` (or ``"shuffled"``)
follows every accepted send with ``sent``, ``delivered`` and ``read`` deliveries to the
``delivery_status`` webhook. Each has a setter for a running mock too.

``MockServer`` is the Rust mock (``connectly_mock``), a real HTTP server on 127.0.0.1 that
checks request shapes exactly as documented. With pytest, the ``connectly_mock`` fixture
gives a fresh one per test (this module is registered as a pytest plugin; without the
installed entry point, add ``pytest_plugins = ["connectly.testing"]`` to a ``conftest.py``).
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Optional, Union

from connectly import _connectly as _native
from connectly._connectly import _MockServer
from connectly._errors import DeliveryError

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_BUSINESS_ID",
    "DEFAULT_WEBHOOK_SECRET",
    "SECRET_HEADERS",
    "AcceptedMessage",
    "Delivery",
    "DeliveryError",
    "MockServer",
    "RecordedRequest",
    "WebhookRegistration",
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


StatusOrder = Literal["in_order", "shuffled"]
"""The order of automatic statuses: ``sent``, ``delivered``, ``read`` as they come, or
shuffled (as Connectly may deliver them)."""


@dataclass(frozen=True)
class WebhookRegistration:
    """A webhook the mock has registered (by ``create_webhook`` or ``upsert_webhook``)."""

    id: str
    topic: str
    address: str
    type: str
    configuration: dict[str, Any]


@dataclass(frozen=True)
class AcceptedMessage:
    """A session or template message the mock accepted: ``id`` is the one its reply gave
    (``response.data["id"]``), which delivery statuses name."""

    id: str
    path: str
    recipient: str
    channel_type: str
    sender: Optional[str]
    callback_data: Any
    campaign_name: Optional[str]


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
    webhook_secret="mock-webhook-secret", business_phone=None, webhook_conflicts=False,
    templates=None, unpublished_campaigns=(), auto_statuses=None)``: ``templates`` is the
    ``templateGroups`` list ``POST /get/templates`` answers with (``None``: the mock's own
    sample), ``auto_statuses`` ``"in_order"``, ``"shuffled"`` or ``None``.
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
        webhook_conflicts: bool = False,
        templates: Optional[list[Any]] = None,
        unpublished_campaigns: Iterable[str] = (),
        auto_statuses: Optional[StatusOrder] = None,
    ) -> None:
        self._native = _MockServer(
            port=port,
            api_key=api_key,
            business_id=business_id,
            webhook_secret=webhook_secret,
            business_phone=business_phone,
            webhook_conflicts=webhook_conflicts,
            templates_json=None if templates is None else _json.dumps(templates),
            unpublished_campaigns=list(unpublished_campaigns),
            auto_statuses=auto_statuses,
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

    def webhook_registrations(self) -> list[WebhookRegistration]:
        """The registered webhooks with their ids, types and configurations, one per topic
        (what ``Client.list_webhooks`` lists)."""
        return [
            WebhookRegistration(id, topic, address, kind, _json.loads(configuration))
            for (id, topic, address, kind, configuration) in self._native.webhook_registrations()
        ]

    def set_webhook_conflicts(self, enabled: bool) -> None:
        """Whether a second registration of a topic answers 409 instead of replacing it."""
        self._native.set_webhook_conflicts(enabled)

    @property
    def templates(self) -> list[Any]:
        """The ``templateGroups`` ``POST /get/templates`` answers with."""
        groups: list[Any] = _json.loads(self._native.templates_json())
        return groups

    def set_templates(self, template_groups: list[Any]) -> None:
        """Replaces the ``templateGroups`` ``POST /get/templates`` answers with (served
        verbatim, so odd shapes can be tested too)."""
        self._native.set_templates_json(_json.dumps(template_groups))

    def set_unpublished_campaigns(self, names: Iterable[str]) -> None:
        """Replaces the campaigns ``send_campaign`` is refused (409) for; empty publishes
        all."""
        self._native.set_unpublished_campaigns(list(names))

    def set_auto_statuses(self, order: Optional[StatusOrder]) -> None:
        """Follows every accepted send with ``sent``, ``delivered`` and ``read`` deliveries
        (``"in_order"`` or ``"shuffled"``), or stops (``None``)."""
        self._native.set_auto_statuses(order)

    def messages(self) -> list[AcceptedMessage]:
        """The messages the mock accepted (session and template sends), oldest first."""
        return [
            AcceptedMessage(
                id,
                path,
                recipient,
                channel_type,
                sender,
                None if callback_data is None else _json.loads(callback_data),
                campaign_name,
            )
            for (
                id,
                path,
                recipient,
                channel_type,
                sender,
                callback_data,
                campaign_name,
            ) in self._native.messages()
        ]

    def deliver_inbound(self, from_: str, text: str) -> Delivery:
        """Delivers a signed inbound WhatsApp message from ``from_`` to the webhook
        registered for ``messages``. Raises :class:`DeliveryError` unless it answers 200.
        The ``deliver_*`` methods below do the same for the other kinds of event."""
        return Delivery(*self._native.deliver_inbound(from_, text))

    def deliver_media(
        self, from_: str, type: str, url: str, *, caption: Optional[str] = None
    ) -> Delivery:
        """Delivers an inbound file (``type``: ``image``, ``video``, ``audio``,
        ``document``, or any other string)."""
        return Delivery(*self._native.deliver_media(from_, type, url, caption))

    def deliver_location(
        self,
        from_: str,
        latitude: float,
        longitude: float,
        *,
        name: Optional[str] = None,
        address: Optional[str] = None,
    ) -> Delivery:
        """Delivers an inbound location."""
        return Delivery(*self._native.deliver_location(from_, latitude, longitude, name, address))

    def deliver_button_reply(
        self,
        from_: str,
        text: str,
        *,
        shape: Literal["flagged", "with_context", "with_id"] = "flagged",
        payload: Optional[str] = None,
        reply_to_id: Optional[str] = None,
        id: Optional[str] = None,
    ) -> Delivery:
        """Delivers a reply-button tap in one of the three shapes Connectly uses:
        ``flagged`` (the text, marked as a button response), ``with_context`` (``payload``
        and ``reply_to_id`` required) or ``with_id`` (``id`` and ``payload`` required)."""
        return Delivery(
            *self._native.deliver_button_reply(from_, shape, text, payload, reply_to_id, id)
        )

    def deliver_list_reply(
        self, from_: str, row_id: str, text: str, *, description: Optional[str] = None
    ) -> Delivery:
        """Delivers the pick of a list row."""
        return Delivery(*self._native.deliver_list_reply(from_, row_id, text, description))

    def deliver_quoted_reply(self, from_: str, text: str, reply_to_id: str) -> Delivery:
        """Delivers a text quoting the message ``reply_to_id``."""
        return Delivery(*self._native.deliver_quoted_reply(from_, text, reply_to_id))

    def deliver_referral(self, from_: str, text: str, **referral: str) -> Delivery:
        """Delivers a text from a Click-to-WhatsApp ad with a referral, its fields given by
        their snake_case names (``ctwa_clid``, ``source_url``, ``source_id``,
        ``source_type``, ``headline``, ``body``, ``media_type``, ``image_url``,
        ``video_url``, ``thumbnail_url``)."""
        return Delivery(*self._native.deliver_referral(from_, text, list(referral.items())))

    def deliver_event(self, event: Mapping[str, Any], *, topic: str = "messages") -> Delivery:
        """Delivers ``event`` (any JSON object, in any shape), written compactly and signed,
        to ``topic``'s webhook."""
        return Delivery(*self._native.deliver_event(topic, _json.dumps(dict(event))))

    def deliver_status(
        self,
        message_id: str,
        status: str,
        *,
        campaign_name_in: Literal["metadata", "status_update"] = "metadata",
    ) -> Delivery:
        """Delivers a ``delivery_status`` event saying ``status`` (``sent``, ``delivered``,
        ``read``, ``delivery_failed`` or any other string) about a message the mock
        accepted (``message_id``: the ``id`` its send answered), with the message's
        callback data and its campaign name at top-level ``metadata`` or in
        ``statusUpdate.metadata``; a failure carries an error. Raises
        :class:`DeliveryError` (``kind`` ``UnknownMessage``) for an id the mock never gave."""
        return Delivery(*self._native.deliver_status(message_id, status, campaign_name_in))

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
