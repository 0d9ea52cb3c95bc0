"""Each delivery handled once: ``connectly.MemoryDeduplicator`` and
``connectly.RedisDeduplicator`` given to every framework helper as ``deduplicator=``, over
real HTTP (Flask and Django on threaded loopback servers, FastAPI through its ASGI app).

The same signed delivery posted several times at once runs the view once (the others are
answered 200, handled, or 409, being handled); a view that raises, or answers 500, releases
its claim so that the retry runs it; a store that does not answer gives 503 without running
the view; and the view can still read the request's body."""

# No `from __future__ import annotations`: FastAPI reads the endpoint's annotations at run
# time, and the endpoint here is made inside a function.
import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Annotated, Any, Callable, Optional
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import flask
import httpx2 as httpx
import pytest
from conftest import LiveServer, RedisServer, configure_django, require_redis, unique
from fastapi import Depends, FastAPI, Request
from fastapi import Response as FastAPIResponse

import connectly
import connectly.fastapi
import connectly.flask

configure_django()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import connectly.django  # noqa: E402

SECRET = "dedup-secret"
HOOK = connectly.Webhook(SECRET)
HOLD = 0.3
"""How long a view marked ``hold`` runs, so that the copies posted with it overlap it."""


def body_for(text: str) -> bytes:
    return json.dumps(
        {
            "timestamp": "1639083206",
            "sender": {"id": "+16315555500", "channelType": "whatsapp"},
            "recipient": {"id": "123456123", "channelType": "whatsapp"},
            "message": {"text": text},
        },
        separators=(",", ":"),
    ).encode()


class View:
    """What every framework's view does: counts its runs per text, checks that the body can
    be read again, and behaves as the text says: ``hold`` runs for :data:`HOLD` seconds,
    ``raise`` raises on its first run, ``fail`` answers 500 on its first run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: list[str] = []
        self.unreadable: list[str] = []

    def start(self, event: connectly.WebhookEvent, again: bytes) -> int:
        """Records a run; the number of this text's runs so far."""
        text = event.text or ""
        with self.lock:
            self.runs.append(text)
            if again != event.body:
                self.unreadable.append(text)
            return self.runs.count(text)

    def outcome(self, event: connectly.WebhookEvent, run: int) -> int:
        """The status to answer (raising for ``raise``)."""
        text = event.text or ""
        if "raise" in text and run == 1:
            raise RuntimeError("the view failed")
        if "fail" in text and run == 1:
            return 500
        return 200

    def handle(self, event: connectly.WebhookEvent, again: bytes) -> int:
        run = self.start(event, again)
        if "hold" in (event.text or ""):
            time.sleep(HOLD)
        return self.outcome(event, run)

    def count(self, text: str) -> int:
        with self.lock:
            return self.runs.count(text)


Post = Callable[[bytes, list[int]], list[int]]
"""Posts one body, signed, once per entry of a list (all at once); the statuses."""


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def post_http(url: str) -> Post:
    def post(body: bytes, copies: list[int]) -> list[int]:
        signature = HOOK.sign(body)

        def one(_: int) -> int:
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"X-Connectly-Hmac-Sha256": signature, "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status: int = response.status
                    return status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(len(copies)) as pool:
            return list(pool.map(one, copies))

    return post


# Flask


def flask_poster(
    view: View, dedup: connectly.Deduplicator, serve: Callable[[Any], LiveServer]
) -> Post:
    app = flask.Flask("test_dedup")

    @app.post("/hook")
    @connectly.flask.webhook(secret=SECRET, deduplicator=dedup)
    def hook(event: connectly.WebhookEvent) -> Any:
        status = view.handle(event, flask.request.get_data())
        return ("", status) if status != 200 else None

    return post_http(serve(app).url + "/hook")


# Django: its views take the deduplicator from this module while a test runs.

DJANGO: dict[str, Any] = {}


def _django_view(request: HttpRequest, event: connectly.WebhookEvent) -> Optional[HttpResponse]:
    view: View = DJANGO["view"]
    status = view.handle(event, request.body)
    return HttpResponse(status=status) if status != 200 else None


@csrf_exempt
def _django_hook(request: HttpRequest) -> Any:
    return DJANGO["hook"](request)


urlpatterns = [path("hook", _django_hook)]


@pytest.fixture
def django_server() -> Iterator[str]:
    from django.core.wsgi import get_wsgi_application

    with override_settings(ROOT_URLCONF="test_dedup", CONNECTLY_WEBHOOK_SECRET=SECRET):
        server = make_server(
            "127.0.0.1",
            0,
            get_wsgi_application(),
            server_class=ThreadingServer,
            handler_class=QuietHandler,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/hook"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
            DJANGO.clear()


def django_poster(view: View, dedup: connectly.Deduplicator, url: str) -> Post:
    DJANGO["view"] = view
    DJANGO["hook"] = connectly.django.webhook(deduplicator=dedup)(_django_view)
    return post_http(url)


# FastAPI


def fastapi_poster(view: View, dedup: connectly.Deduplicator) -> Post:
    app = FastAPI()
    once = connectly.fastapi.webhook(SECRET, deduplicator=dedup)

    @app.post("/hook")
    async def hook(
        request: Request,
        response: FastAPIResponse,
        event: Annotated[connectly.WebhookEvent, Depends(once)],
    ) -> dict[str, bool]:
        run = view.start(event, await request.body())
        if "hold" in (event.text or ""):
            await asyncio.sleep(HOLD)
        response.status_code = view.outcome(event, run)
        return {"ok": True}

    def post(body: bytes, copies: list[int]) -> list[int]:
        signature = HOOK.sign(body)

        async def all_at_once() -> list[int]:
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                replies = await asyncio.gather(
                    *(
                        client.post(
                            "/hook", content=body, headers={"x-connectly-hmac-sha256": signature}
                        )
                        for _ in copies
                    )
                )
            return [reply.status_code for reply in replies]

        return asyncio.run(all_at_once())

    return post


FRAMEWORKS = ["flask", "django", "fastapi"]
STORES = ["memory", "redis"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    if kind == "redis":
        require_redis()
    return kind


def make_dedup(kind: str) -> connectly.Deduplicator:
    if kind == "memory":
        return connectly.MemoryDeduplicator()
    return connectly.RedisDeduplicator(require_redis())


@pytest.fixture(params=FRAMEWORKS)
def poster(
    request: pytest.FixtureRequest,
    serve: Callable[[Any], LiveServer],
) -> Callable[[View, connectly.Deduplicator], Post]:
    framework: str = request.param
    if framework == "flask":
        return lambda view, dedup: flask_poster(view, dedup, serve)
    if framework == "django":
        url = request.getfixturevalue("django_server")
        return lambda view, dedup: django_poster(view, dedup, url)
    return fastapi_poster


def test_the_same_delivery_posted_at_once_runs_the_view_once(
    poster: Callable[[View, connectly.Deduplicator], Post], store: str
) -> None:
    view = View()
    post = poster(view, make_dedup(store))
    text = f"hold {unique()}"
    body = body_for(text)
    statuses = post(body, list(range(6)))
    assert view.count(text) == 1, statuses
    # One ran it (200); the others were answered 409 (being handled) or 200 (handled).
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    assert 409 in statuses, statuses
    # Connectly's later retry of a copy answered 409: 200, without running it again.
    assert post(body, [0]) == [200]
    assert view.count(text) == 1
    assert view.unreadable == []
    # Another delivery is another claim.
    other = f"other {unique()}"
    assert post(body_for(other), [0]) == [200]
    assert view.count(other) == 1


@pytest.mark.parametrize("how", ["raise", "fail"])
def test_a_view_that_fails_lets_the_retry_run_it(
    poster: Callable[[View, connectly.Deduplicator], Post], store: str, how: str
) -> None:
    view = View()
    post = poster(view, make_dedup(store))
    text = f"{how} {unique()}"
    body = body_for(text)
    assert post(body, [0]) == [500]
    assert view.count(text) == 1
    # The claim was released: the retry runs the view again, and succeeds.
    assert post(body, [0]) == [200]
    assert view.count(text) == 2
    # Done now: a copy is answered 200 without running it.
    assert post(body, [0, 1]) == [200, 200]
    assert view.count(text) == 2


def test_a_store_that_does_not_answer_gives_503_without_running_the_view(
    poster: Callable[[View, connectly.Deduplicator], Post],
) -> None:
    redis = RedisServer()
    url = redis.url
    redis.close()
    view = View()
    post = poster(view, connectly.RedisDeduplicator(url, timeout=0.2))
    text = f"down {unique()}"
    assert post(body_for(text), [0]) == [503]
    assert view.count(text) == 0


def test_a_refused_delivery_is_refused_before_any_claim() -> None:
    dedup = connectly.MemoryDeduplicator()
    view = View()
    app = flask.Flask("refused")

    @app.post("/hook")
    @connectly.flask.webhook(secret=SECRET, deduplicator=dedup)
    def hook(event: connectly.WebhookEvent) -> None:
        view.handle(event, flask.request.get_data())

    client = app.test_client()
    body = body_for(f"refused {unique()}")
    bad = {"X-Connectly-Hmac-Sha256": "bad"}
    assert client.post("/hook", data=body, headers=bad).status_code == 403
    assert client.post("/hook", data=body).status_code == 403
    # Nothing was claimed: the signed delivery runs.
    signed = {"X-Connectly-Hmac-Sha256": HOOK.sign(body)}
    assert client.post("/hook", data=body, headers=signed).status_code == 200
    assert len(view.runs) == 1


def test_async_views_are_deduplicated_too(store: str) -> None:
    dedup = make_dedup(store)
    runs: list[str] = []
    app = flask.Flask("async_dedup")

    @app.post("/hook")
    @connectly.flask.webhook(secret=SECRET, deduplicator=dedup)
    async def hook(event: connectly.WebhookEvent) -> Any:
        runs.append(event.text or "")
        return ("", 500) if len(runs) == 1 else None

    @connectly.django.webhook(secret=SECRET, deduplicator=dedup)
    async def django_hook(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
        runs.append(event.text or "")
        return HttpResponse(status=200)

    body = body_for(f"async {unique()}")
    signed = {"X-Connectly-Hmac-Sha256": HOOK.sign(body)}
    client = app.test_client()
    assert client.post("/hook", data=body, headers=signed).status_code == 500
    assert client.post("/hook", data=body, headers=signed).status_code == 200
    assert client.post("/hook", data=body, headers=signed).status_code == 200
    assert len(runs) == 2

    from django.test import RequestFactory

    other = body_for(f"async django {unique()}")
    request = RequestFactory().post(
        "/hook",
        data=other,
        content_type="application/json",
        HTTP_X_CONNECTLY_HMAC_SHA256=HOOK.sign(other),
    )
    assert asyncio.run(django_hook(request)).status_code == 200
    again = RequestFactory().post(
        "/hook",
        data=other,
        content_type="application/json",
        HTTP_X_CONNECTLY_HMAC_SHA256=HOOK.sign(other),
    )
    assert asyncio.run(django_hook(again)).status_code == 200
    assert len(runs) == 3


def test_a_bad_deduplicator_is_refused_when_configured() -> None:
    for configure in (
        lambda: connectly.flask.webhook(deduplicator="redis://x"),  # type: ignore[call-overload]
        lambda: connectly.django.webhook(deduplicator=object()),  # type: ignore[call-overload]
        lambda: connectly.fastapi.webhook(deduplicator=3),  # type: ignore[call-overload]
    ):
        with pytest.raises(TypeError, match="deduplicator must be"):
            configure()


# The deduplicator on its own (a queue worker, another framework).


def delivery_status(message_id: str, status: str, timestamp: str) -> connectly.WebhookEvent:
    body = json.dumps(
        {
            "topic": "delivery_status",
            "timestamp": timestamp,
            "sender": {"id": "123456123", "channelType": "whatsapp"},
            "recipient": {"id": "+16315555500", "channelType": "whatsapp"},
            "statusUpdate": {"id": message_id, "status": status},
        }
    ).encode()
    return HOOK.verify_event(body, HOOK.sign(body))


def test_a_status_is_one_delivery_whatever_its_body(store: str) -> None:
    dedup = make_dedup(store)
    message = f"m-{unique()}"
    first = delivery_status(message, "delivered", "1639083206")
    resent = delivery_status(message, "delivered", "1639083299")
    assert first.body != resent.body
    assert first.delivery_key == resent.delivery_key
    admission = dedup.admit(first)
    assert (admission.run, admission.state, admission.http_status) == (True, "run", None)
    assert admission.key == first.delivery_key
    busy = dedup.admit(resent)
    assert (busy.run, busy.state, busy.http_status) == (False, "in_progress", 409)
    admission.complete()
    done = dedup.admit(resent)
    assert (done.run, done.state, done.http_status) == (False, "duplicate", 200)
    # Another status of the same message is another delivery.
    assert dedup.admit(delivery_status(message, "read", "1639083206")).run


def test_an_admission_as_a_context_manager(store: str) -> None:
    dedup = make_dedup(store)
    event = delivery_status(f"m-{unique()}", "sent", "1")

    def fail() -> None:
        with dedup.admit(event) as admission:
            assert admission.run
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        fail()
    # Released: the next copy runs.
    with dedup.admit(event) as admission:
        assert admission.run
    # Completed: a copy does not run.
    assert dedup.admit(event).state == "duplicate"
    # Completing or releasing twice, or an admission that does not run, does nothing.
    skipped = dedup.admit(event)
    skipped.complete()
    skipped.release()
    assert dedup.admit(event).state == "duplicate"


def test_an_admission_dropped_unfinished_is_released(store: str) -> None:
    dedup = make_dedup(store)
    event = delivery_status(f"m-{unique()}", "sent", "1")
    admission = dedup.admit(event)
    assert admission.run
    del admission
    assert dedup.admit(event).run


def test_a_short_processing_ttl_frees_a_claim_whose_worker_died(store: str) -> None:
    dedup = (
        connectly.MemoryDeduplicator(processing_ttl=0.2)
        if store == "memory"
        else connectly.RedisDeduplicator(require_redis(), processing_ttl=0.2)
    )
    event = delivery_status(f"m-{unique()}", "sent", "1")
    held = dedup.admit(event)
    assert dedup.admit(event).state == "in_progress"
    time.sleep(0.35)
    assert dedup.admit(event).run
    del held


def test_deduplicator_options_are_checked_and_shown_without_the_url() -> None:
    memory = connectly.MemoryDeduplicator(10, ttl=3600, processing_ttl=30)
    assert (memory.capacity, memory.ttl, memory.processing_ttl) == (10, 3600.0, 30.0)
    assert repr(memory) == "MemoryDeduplicator(capacity=10, ttl=3600.0, processing_ttl=30.0)"
    assert connectly.MemoryDeduplicator().ttl == 86400.0
    url = "redis://:dedup-password@127.0.0.1:6379/0"
    redis = connectly.RedisDeduplicator(url, 7200)
    assert (redis.ttl, redis.processing_ttl, redis.timeout) == (7200.0, 60.0, 1.0)
    assert "dedup-password" not in repr(redis)
    assert repr(redis).startswith("RedisDeduplicator('[REDACTED]'")
    for make, field in (
        (lambda: connectly.MemoryDeduplicator(0), "capacity"),
        (lambda: connectly.MemoryDeduplicator(ttl=0), "ttl"),
        (lambda: connectly.MemoryDeduplicator(ttl=float("nan")), "ttl"),
        (lambda: connectly.MemoryDeduplicator(processing_ttl=-1), "processing ttl"),
        (lambda: connectly.RedisDeduplicator(url, ttl=-5), "ttl"),
        (lambda: connectly.RedisDeduplicator(url, timeout=0), "timeout"),
    ):
        with pytest.raises(connectly.ValidationError) as caught:
            make()
        assert caught.value.field == field
    with pytest.raises(connectly.ConfigurationError) as config:
        connectly.RedisDeduplicator("nope://:dedup-password@x")
    assert "dedup-password" not in str(config.value)
    with pytest.raises(TypeError):
        connectly.Deduplicator()
