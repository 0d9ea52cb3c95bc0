"""``connectly.AsyncClient``: the client's calls as coroutines, for asyncio apps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional, TypeVar, Union

from connectly._connectly import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Attachment,
    CampaignEntry,
    CampaignResult,
    Client,
    ListMessage,
    Location,
    MessageRequest,
    ReplyButtons,
    Response,
    SendResult,
    TemplateInfo,
    TemplateMessage,
    TextMessage,
    WebhookInfo,
)

TemplateParams = Union[Mapping[str, str], Iterable[tuple[str, str]]]
T = TypeVar("T")


async def _in_thread(call: Callable[[], T]) -> T:
    """Runs a blocking native call in a worker thread. ``asyncio`` is imported here, not at
    module level: it costs most of ``import connectly``'s time and only coroutines need it."""
    import asyncio

    return await asyncio.to_thread(call)


class AsyncClient:
    """The same calls as :class:`connectly.Client`, as coroutines.

    Each call runs the native client in a worker thread (``asyncio.to_thread``); the native
    call releases the GIL while it waits on the network, so the event loop stays free. Inputs
    are validated before anything is sent, exactly as in the blocking client.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
        api_key: Optional[str] = None,
        business_id: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        self._client = Client(
            api_key, business_id, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    @property
    def business_id(self) -> str:
        """The business id this client sends for."""
        return self._client.business_id

    @property
    def timeout(self) -> float:
        """The time each attempt may take, in seconds."""
        return self._client.timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed attempt may be retried."""
        return self._client.max_retries

    async def send_text(self, to: str, text: str, channel: str = "whatsapp") -> Response:
        """Sends a free-form text message (``POST /send/messages``)."""
        return await _in_thread(lambda: self._client.send_text(to, text, channel))

    async def send_message(
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
    ) -> Response:
        """Sends a session message of any kind, as :meth:`connectly.Client.send_message`."""
        return await _in_thread(
            lambda: self._client.send_message(
                to,
                text=text,
                attachment=attachment,
                location=location,
                list=list,
                buttons=buttons,
                channel=channel,
                sender=sender,
                message_id=message_id,
                recipient_name=recipient_name,
            )
        )

    async def send_template(
        self,
        number: str,
        template_name: str,
        params: Optional[TemplateParams] = (),
        *,
        language: Optional[str] = None,
        sender: Optional[str] = None,
        callback_data: Any = None,
        campaign_name: Optional[str] = None,
    ) -> Response:
        """Sends a WhatsApp template message, as :meth:`connectly.Client.send_template`;
        ``params`` keep their order."""
        given = params if params is not None else ()
        pairs = list(given.items()) if isinstance(given, Mapping) else list(given)
        return await _in_thread(
            lambda: self._client.send_template(
                number,
                template_name,
                pairs,
                language=language,
                sender=sender,
                callback_data=callback_data,
                campaign_name=campaign_name,
            )
        )

    async def create_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        type: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Registers the address Connectly delivers ``topic``'s events to."""
        return await _in_thread(
            lambda: self._client.create_webhook(
                address, topic, type=type, configuration=configuration
            )
        )

    async def list_webhooks(self) -> list[WebhookInfo]:
        """The business's webhook registrations."""
        return await _in_thread(self._client.list_webhooks)

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        address: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Changes a registration's address, configuration, or both."""
        return await _in_thread(
            lambda: self._client.update_webhook(
                webhook_id, address=address, configuration=configuration
            )
        )

    async def delete_webhook(self, webhook_id: str) -> Response:
        """Removes a registration."""
        return await _in_thread(lambda: self._client.delete_webhook(webhook_id))

    async def upsert_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Makes ``address`` the registration for ``topic``, whichever way Connectly answers
        a second registration (replace, or 409)."""
        return await _in_thread(
            lambda: self._client.upsert_webhook(address, topic, configuration=configuration)
        )

    async def list_templates(self) -> list[TemplateInfo]:
        """The business's WhatsApp templates, one per template and language."""
        return await _in_thread(self._client.list_templates)

    async def send_campaign(
        self, entries: Iterable[Union[CampaignEntry, Mapping[str, Any]]]
    ) -> CampaignResult:
        """Sends a published campaign to each entry."""
        batch = list(entries)
        return await _in_thread(lambda: self._client.send_campaign(batch))

    async def send_many(
        self,
        messages: Iterable[Union[TextMessage, MessageRequest, TemplateMessage]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: Optional[float] = None,
        on_progress: Optional[Callable[[int, int, int], object]] = None,
    ) -> list[SendResult]:
        """Sends every message as :meth:`connectly.Client.send_many` does, off the loop."""
        batch = list(messages)
        return await _in_thread(
            lambda: self._client.send_many(
                batch, concurrency=concurrency, rate_limit=rate_limit, on_progress=on_progress
            )
        )

    async def aclose(self) -> None:
        """Nothing to release (the pool closes with the client); for ``async with``."""

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return "connectly.Async" + repr(self._client).removeprefix("connectly.")
