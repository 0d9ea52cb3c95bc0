"""``connectly.AsyncClient``: the client's calls as native awaitables, for asyncio apps."""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, TypeVar, Union

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
    RateLimiter,
    ReplyButtons,
    Response,
    SendResult,
    TemplateInfo,
    TemplateMessage,
    TextMessage,
    WebhookInfo,
    _CompletionQueue,
    _Operation,
    _Ticket,
)
from connectly._errors import CancelledError, ConnectlyError

if TYPE_CHECKING:
    from asyncio import AbstractEventLoop, Future

TemplateParams = Union[Mapping[str, str], Iterable[tuple[str, str]]]
T = TypeVar("T")


_Outcome = tuple[bool, Any]
"""A completion's ``(ok, value)``, as :meth:`_CompletionQueue.drain` gives it."""


class _Call:
    """One submitted call: the future its coroutine awaits (resolved with the completion),
    its ticket, and its completion once it came."""

    __slots__ = ("future", "outcome", "ticket")

    def __init__(self, future: Future[_Outcome], ticket: _Ticket) -> None:
        self.future = future
        self.ticket = ticket
        self.outcome: Optional[_Outcome] = None


class _Completions:
    """The calls one event loop awaits: the core's completion queue, whose descriptor the
    loop watches (``add_reader``) while at least one call is in flight, and nothing else.

    Each call is submitted with a tag and awaited as an ``asyncio.Future``; the reader,
    on the loop's thread, drains the queue, keeps each completion on its call and resolves
    the call's future (the core's threads never take the GIL). A call stays in flight
    until its completion came, exactly once, also when its task was cancelled: a cancelled
    task cancels its call in the core, waits for that completion (it comes within
    microseconds of the abort) and raises ``asyncio.CancelledError`` caused by the
    completion's :class:`connectly.CancelledError`. A loop without ``add_reader`` (the
    proactor loop of Windows) or a platform without a descriptor runs each call in a worker
    thread instead, as :meth:`_Operation.perform`.
    """

    __slots__ = ("_calls", "_fd", "_queue", "_tags", "_watched")

    def __init__(self, loop: AbstractEventLoop) -> None:
        self._queue = _CompletionQueue()
        self._calls: dict[int, _Call] = {}
        self._tags = itertools.count()
        self._watched = False
        self._fd = self._queue.fd
        if self._fd is not None:
            try:
                loop.add_reader(self._fd, self._drain, loop)
            except NotImplementedError:
                self._fd = None
            else:
                loop.remove_reader(self._fd)

    async def perform(self, loop: AbstractEventLoop, operation: _Operation[T]) -> T:
        """Starts ``operation`` and waits for what it gives back."""
        import asyncio

        if self._fd is None:
            return await asyncio.to_thread(operation.perform)
        tag = next(self._tags)
        call = _Call(loop.create_future(), self._queue.submit(operation, tag))
        self._calls[tag] = call
        if not self._watched:
            loop.add_reader(self._fd, self._drain, loop)
            self._watched = True
        try:
            ok, value = await call.future
        except asyncio.CancelledError as cancelled:
            raise cancelled from await self._cancel(loop, call)
        if ok:
            result: T = value
            return result
        raise value

    async def _cancel(self, loop: AbstractEventLoop, call: _Call) -> CancelledError:
        """Cancels ``call`` in the core and waits for its completion: what the core says
        of the cancelled call (whether its request may have reached the server). A further
        cancellation of the waiting task ends the wait, with ``asyncio.CancelledError``."""
        call.ticket.cancel()
        if call.outcome is None:
            call.future = loop.create_future()
            return _cancellation(*await call.future)
        return _cancellation(*call.outcome)

    def _drain(self, loop: AbstractEventLoop) -> None:
        """Keeps each completion on its call and resolves the call's future (unless its
        task cancelled it)."""
        for tag, ok, value in self._queue.drain():
            call = self._calls.pop(tag, None)
            if call is None:
                continue
            call.outcome = (ok, value)
            if not call.future.done():
                call.future.set_result(call.outcome)
        self._unwatch_when_idle(loop)

    def _unwatch_when_idle(self, loop: AbstractEventLoop) -> None:
        """Stops watching the descriptor once no call is in flight, so that a loop that
        closes has nothing of ours registered."""
        if self._watched and not self._calls and self._fd is not None:
            loop.remove_reader(self._fd)
            self._watched = False

    def abandon(self) -> None:
        """Cancels the calls of a loop that closed while they were in flight."""
        for call in self._calls.values():
            call.ticket.cancel()
        self._calls.clear()


def _cancellation(ok: bool, value: Any) -> CancelledError:
    """What a cancelled call's completion says of it, as :class:`connectly.CancelledError`:
    the core's own when the cancel stopped the call, else one built for a call that had
    ended just before it: answered (its request reached the server) or failed (whose error
    says whether its request may have)."""
    if not ok and isinstance(value, CancelledError):
        return value
    # A call answered with a list had one attempt at least.
    attempts = value.attempts if isinstance(value, (Response, ConnectlyError)) else 1
    sent = value.possibly_sent if isinstance(value, ConnectlyError) else attempts > 0
    ended = "answered" if ok else f"failed ({type(value).__name__})"
    outcome = (
        "its request may have reached the server, so check before sending again"
        if sent
        else "its request did not reach the server"
    )
    return CancelledError(
        f"cancelled after the call had ended, {ended}: {outcome}",
        kind="Cancelled",
        attempts=attempts,
        possibly_sent=sent,
    )


_by_loop: weakref.WeakKeyDictionary[AbstractEventLoop, _Completions] = weakref.WeakKeyDictionary()
_by_loop_lock = threading.Lock()


async def _perform(operation: _Operation[T]) -> T:
    """Starts ``operation`` on the running loop's completion queue and waits for it.
    ``asyncio`` is imported here, not at module level: it costs most of ``import
    connectly``'s time and only coroutines need it."""
    import asyncio

    loop = asyncio.get_running_loop()
    completions = _by_loop.get(loop)
    if completions is None:
        with _by_loop_lock:
            for old_loop, old in list(_by_loop.items()):
                if old_loop.is_closed():
                    old.abandon()
                    del _by_loop[old_loop]
            completions = _by_loop[loop] = _Completions(loop)
    return await completions.perform(loop, operation)


async def _in_thread(call: Callable[[], T]) -> T:
    """Runs a blocking native call in a worker thread (``send_many`` alone)."""
    import asyncio

    return await asyncio.to_thread(call)


class AsyncClient:
    """The same calls as :class:`connectly.Client`, as coroutines.

    Each call is checked and built as soon as it is awaited (a bad input raises the blocking
    client's exception, and nothing is sent), then runs on the core's own runtime: no thread
    per call, as many in flight as the app awaits. The event loop learns of each result
    through a descriptor it watches. Cancelling the awaiting task aborts the request: one
    not yet written is never sent, and the task sees ``asyncio.CancelledError`` (that very
    class, which ``asyncio.timeout`` and ``asyncio.wait_for`` turn into ``TimeoutError``).
    In the task, its ``__cause__`` is a :class:`connectly.CancelledError` saying whether the
    request may have reached the server (``possibly_sent``);
    :meth:`connectly.CancelledError.find` finds it from what follows too (awaiting the task,
    the ``TimeoutError`` of a timeout). ``send_many`` runs the blocking client's in a worker
    thread. ``rate_limiter`` is as for :class:`connectly.Client`: each send waits its turn
    in the budget without holding the event loop.
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
        rate_limiter: Union[RateLimiter, Literal[False], None] = None,
    ) -> None:
        self._client = Client(
            api_key,
            business_id,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limiter=rate_limiter,
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

    @property
    def id(self) -> int:
        """A number naming this client in the SDK's log records (their
        ``connectly_client``)."""
        return self._client.id

    async def send_text(self, to: str, text: str, channel: str = "whatsapp") -> Response:
        """Sends a free-form text message (``POST /send/messages``)."""
        return await _perform(_Operation.send_text(self._client, to, text, channel))

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
        operation = _Operation.send_message(
            self._client,
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
        return await _perform(operation)

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
        operation = _Operation.send_template(
            self._client,
            number,
            template_name,
            params,
            language=language,
            sender=sender,
            callback_data=callback_data,
            campaign_name=campaign_name,
        )
        return await _perform(operation)

    async def create_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        type: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Registers the address Connectly delivers ``topic``'s events to."""
        operation = _Operation.create_webhook(
            self._client, address, topic, type=type, configuration=configuration
        )
        return await _perform(operation)

    async def list_webhooks(self) -> list[WebhookInfo]:
        """The business's webhook registrations."""
        return await _perform(_Operation.list_webhooks(self._client))

    async def update_webhook(
        self,
        webhook_id: str,
        *,
        address: Optional[str] = None,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Changes a registration's address, configuration, or both."""
        operation = _Operation.update_webhook(
            self._client, webhook_id, address=address, configuration=configuration
        )
        return await _perform(operation)

    async def delete_webhook(self, webhook_id: str) -> Response:
        """Removes a registration."""
        operation = _Operation.delete_webhook(self._client, webhook_id)
        return await _perform(operation)

    async def upsert_webhook(
        self,
        address: str,
        topic: str = "messages",
        *,
        configuration: Optional[Mapping[str, Any]] = None,
    ) -> Response:
        """Makes ``address`` the registration for ``topic``, whichever way Connectly answers
        a second registration (replace, or 409)."""
        operation = _Operation.upsert_webhook(
            self._client, address, topic, configuration=configuration
        )
        return await _perform(operation)

    async def list_templates(self) -> list[TemplateInfo]:
        """The business's WhatsApp templates, one per template and language."""
        return await _perform(_Operation.list_templates(self._client))

    async def send_campaign(
        self, entries: Iterable[Union[CampaignEntry, Mapping[str, Any]]]
    ) -> CampaignResult:
        """Sends a published campaign to each entry."""
        operation = _Operation.send_campaign(self._client, entries)
        return await _perform(operation)

    async def send_many(
        self,
        messages: Iterable[Union[TextMessage, MessageRequest, TemplateMessage]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: Optional[float] = None,
        on_progress: Optional[Callable[[int, int, int], object]] = None,
        journal: Union[str, os.PathLike[str], None] = None,
    ) -> list[SendResult]:
        """Sends every message as :meth:`connectly.Client.send_many` does (a ``journal``
        too), off the loop."""
        batch = list(messages)
        return await _in_thread(
            lambda: self._client.send_many(
                batch,
                concurrency=concurrency,
                rate_limit=rate_limit,
                on_progress=on_progress,
                journal=journal,
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
