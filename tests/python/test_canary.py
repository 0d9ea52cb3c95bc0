"""The secret canary, every path: with logging at DEBUG on every logger (and the process's own
stdout and stderr captured at the file-descriptor level, where anything the Rust core wrote
would land), each error path is triggered with a canary API key and webhook secret — 401
(the mock's own and scripted), 403, 429 (retried until out of attempts), 500, 502, other 4xx,
a 302 redirect, a timeout, a dropped, reset or half-written answer, an oversized response,
a refused connection, a TLS failure, an asyncio call cancelled in flight, configuration and
validation errors, each webhook error kind, and each refusal of the Flask helper — and the
canaries must appear 0 times in any ``str``, ``repr``, attribute, formatted traceback
(``traceback.format_exception``, also as ``logging`` writes it), response body or log record:
the SDK's own records (``logging.getLogger("connectly")``, forwarded from the core) with
every attribute, ``connectly_fields`` included.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import traceback
from typing import Any, Callable

import pytest
from conftest import CANARY_KEY, CANARY_SECRET

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"
BODY = (
    f'{{"timestamp":"1639083206","sender":{{"id":"{CANARY_KEY}","channelType":"{CANARY_SECRET}"}},'
    '"recipient":{"id":"1","channelType":"whatsapp"}}'
).encode()
# A reply that echoes the API key in every field: the client redacts the key it sent, the
# kept `body` included. (It cannot recognise a secret it never had, such as the webhook
# secret, in a reply: the server's own words are kept as they came.)
ECHO = (
    f'{{"message":"echo {CANARY_KEY}","code":"{CANARY_KEY}","cntTraceId":"{CANARY_KEY}",'
    f'"userMessage":"{CANARY_KEY}"}}'
)
CLIENT_KINDS = {
    "Authentication",
    "RateLimited",
    "Api",
    "Server",
    "Redirect",
    "Timeout",
    "Transport",
    "Tls",
    "ResponseTooLarge",
    "Validation",
    "Config",
    "Cancelled",
}
WEBHOOK_KINDS = {
    "MissingSignature",
    "MalformedSignature",
    "InvalidSignature",
    "PayloadTooLarge",
    "InvalidPayload",
    "InvalidSecret",
    "TimestampOutsideTolerance",
}

log = logging.getLogger("connectly.canary")


def shown(error: BaseException) -> list[str]:
    """Everything a program could print about an error, its causes included."""
    texts = [
        str(error),
        repr(error),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        repr(error.args),
        " ".join(repr(value) for value in vars(error).values()),
    ]
    log.debug("caught %r", error, exc_info=error)
    return texts


def assert_no_canary(texts: list[str]) -> None:
    for text in texts:
        for canary in (CANARY_KEY, CANARY_SECRET, CANARY_SECRET.encode().hex()):
            assert text.count(canary) == 0, f"{canary} appears in: {text}"


@pytest.fixture
def verbose(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("connectly", "werkzeug", "flask", "asyncio", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


class Paths:
    """Runs calls that must raise, and gathers what they show."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.kinds: set[str] = set()

    def fails(self, call: Callable[[], Any]) -> None:
        with pytest.raises(connectly.ConnectlyError) as caught:
            call()
        self.kinds.add(caught.value.kind)
        self.texts += shown(caught.value)


def client_paths(paths: Paths, mock: MockServer, captured: pytest.LogCaptureFixture) -> None:
    def client(**options: Any) -> connectly.Client:
        built = connectly.Client(CANARY_KEY, mock.business_id, base_url=mock.url, **options)
        paths.texts += [repr(built), str(built)]
        return built

    plain = client(max_retries=0)

    def send(c: connectly.Client = plain) -> None:
        c.send_text(PHONE, "canary message")

    # A success, for its response.
    response = plain.send_text(PHONE, "canary message")
    paths.texts += [repr(response), str(response.data), repr(response.trace_id)]

    wrong = connectly.Client(CANARY_KEY + "x", mock.business_id, base_url=mock.url)
    paths.fails(lambda: send(wrong))  # the mock's own 401
    for status in (400, 401, 403, 404, 429, 500, 502, 302):
        mock.fail_next([{"status": status, "body": ECHO}])
        paths.fails(send)
        mock.fail_next([{"status": status, "body": f"plain text {CANARY_KEY}"}])
        paths.fails(send)
    limited = {"status": 429, "retry_after": "0", "body": ECHO}
    mock.fail_next([limited, limited, limited])
    paths.fails(lambda: send(client(max_retries=2)))
    for failure in (
        {"drop": True},
        {"reset_mid_body": True},
        {"half_written": True},
        {"huge_bytes": 11 * 1024 * 1024, "chunked": True},
        {"huge_bytes": 11 * 1024 * 1024},
    ):
        mock.fail_next([failure])
        paths.fails(send)
    mock.fail_next([{"delay": 2}])
    paths.fails(lambda: send(client(timeout=0.3, max_retries=0)))
    refused = connectly.Client(
        CANARY_KEY, mock.business_id, base_url=f"http://127.0.0.1:{closed_port()}"
    )
    paths.fails(lambda: send(refused))
    tls = connectly.Client(
        CANARY_KEY, mock.business_id, base_url=mock.url.replace("http://", "https://")
    )
    paths.fails(lambda: send(tls))

    # Configuration and validation errors that involve the key or the secret.
    paths.fails(lambda: connectly.Client(CANARY_KEY + "\n", "b"))
    paths.fails(lambda: connectly.Client(CANARY_KEY + " x", "b"))
    paths.fails(lambda: connectly.Client(CANARY_KEY, "b", max_retries=11))
    paths.fails(lambda: connectly.Client(CANARY_KEY, "b", base_url="ftp://127.0.0.1"))
    paths.fails(lambda: plain.create_webhook(f"https://{CANARY_KEY}:{CANARY_SECRET}@example.com/"))
    paths.fails(lambda: plain.create_webhook(f"http://example.com/{CANARY_SECRET}"))

    # The bulk API reports failures as values.
    mock.fail_next([{"status": 401, "body": ECHO}])
    for result in plain.send_many([connectly.TextMessage(PHONE, "canary message")]):
        assert not result.ok
        paths.texts.append(repr(result))
        if result.error is not None:
            paths.kinds.add(getattr(result.error, "kind", ""))
            paths.texts += shown(result.error)

    # The asyncio client.
    async def async_send() -> None:
        async with connectly.AsyncClient(
            CANARY_KEY + "x", mock.business_id, base_url=mock.url
        ) as aclient:
            paths.texts.append(repr(aclient))
            await aclient.send_text(PHONE, "canary message")

    paths.fails(lambda: asyncio.run(async_send()))

    # An asyncio call cancelled with its request in flight.
    async def cancelled_send() -> None:
        aclient = connectly.AsyncClient(CANARY_KEY, mock.business_id, base_url=mock.url)
        mock.fail_next([{"delay": 5}])
        count = mock.request_count
        task = asyncio.create_task(aclient.send_text(PHONE, "canary message"))
        while mock.request_count == count:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as caught:
            await task
        stopped = connectly.CancelledError.find(caught.value)
        assert stopped is not None
        assert stopped.possibly_sent
        paths.kinds.add(stopped.kind)
        paths.texts += shown(caught.value) + shown(stopped)

    asyncio.run(cancelled_send())

    # The core's records reach the logger in order, from its own thread: once this last
    # call's are in, every earlier call's are.
    last = client()
    last.send_text(PHONE, "canary message")
    end = time.monotonic() + 30
    while not any(getattr(r, "connectly_client", None) == last.id for r in list(captured.records)):
        assert time.monotonic() < end, "the SDK's log records did not arrive"
        time.sleep(0.01)


def webhook_paths(paths: Paths) -> None:
    webhook = connectly.Webhook(CANARY_SECRET)
    paths.texts += [repr(webhook), str(webhook)]
    good = webhook.sign(BODY)
    wrong = connectly.Webhook(CANARY_KEY).sign(BODY)
    not_event = f"{CANARY_SECRET} {CANARY_KEY}".encode()
    small = connectly.Webhook(CANARY_SECRET, max_body_size=10)
    strict = connectly.Webhook([CANARY_SECRET, CANARY_SECRET.encode()], tolerance=60)
    paths.texts += [repr(small), repr(strict)]

    paths.fails(lambda: webhook.verify(BODY, None))
    paths.fails(lambda: webhook.verify(BODY, ""))
    paths.fails(lambda: webhook.verify(BODY, CANARY_SECRET))
    paths.fails(lambda: webhook.verify(BODY, CANARY_KEY))
    paths.fails(lambda: webhook.verify(BODY, wrong))
    paths.fails(lambda: webhook.verify_event(BODY, wrong))
    paths.fails(lambda: small.verify(BODY, good))
    paths.fails(lambda: webhook.verify_event(not_event, webhook.sign(not_event)))
    paths.fails(lambda: strict.verify_event(BODY, good))
    paths.fails(lambda: connectly.Webhook([CANARY_SECRET] * 9))
    paths.fails(lambda: connectly.Webhook([CANARY_SECRET, ""]))
    paths.fails(lambda: connectly.Webhook([]))
    # A str body is a TypeError, not a ConnectlyError; it must not quote the body either.
    with pytest.raises(TypeError) as caught:
        webhook.verify(BODY.decode(), good)  # type: ignore[arg-type]
    paths.texts += shown(caught.value)


def flask_paths(paths: Paths) -> None:
    import flask

    import connectly.flask

    app = flask.Flask("canary")
    app.testing = True

    def view(event: connectly.WebhookEvent) -> str:
        return "accepted"

    app.post("/webhook", endpoint="webhook")(connectly.flask.webhook(CANARY_SECRET)(view))
    app.post("/small", endpoint="small")(
        connectly.flask.webhook(CANARY_SECRET, max_body_size=10)(view)
    )
    app.post("/strict", endpoint="strict")(
        connectly.flask.webhook(CANARY_SECRET, tolerance=60)(view)
    )
    good = connectly.Webhook(CANARY_SECRET).sign(BODY)
    wrong = connectly.Webhook(CANARY_KEY).sign(BODY)
    not_event = f"{CANARY_SECRET} {CANARY_KEY}".encode()
    header = "x-connectly-hmac-sha256"
    cases: list[tuple[str, bytes, dict[str, str]]] = [
        ("/webhook", BODY, {}),
        ("/webhook", BODY, {header: CANARY_SECRET}),
        ("/webhook", BODY, {header: CANARY_KEY}),
        ("/webhook", BODY, {header: wrong}),
        ("/webhook", not_event, {header: connectly.Webhook(CANARY_SECRET).sign(not_event)}),
        ("/webhook", BODY, {header: good, "Content-Encoding": "gzip"}),
        ("/small", BODY, {header: good}),
        ("/strict", BODY, {header: good}),
    ]
    with app.test_client() as http:
        for path, body, headers in cases:
            reply = http.post(path, data=body, headers=headers)
            assert reply.status_code >= 400, (path, headers, reply.status_code)
            paths.texts += [reply.get_data(as_text=True), repr(dict(reply.headers))]


def test_canaries_appear_nowhere(
    verbose: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    log.debug("capture check")
    paths = Paths()
    with MockServer(api_key=CANARY_KEY, webhook_secret=CANARY_SECRET) as mock:
        paths.texts.append(repr(mock))
        client_paths(paths, mock, verbose)
    webhook_paths(paths)
    flask_paths(paths)

    missing = (CLIENT_KINDS | WEBHOOK_KINDS) - paths.kinds
    assert not missing, f"no canary path raised {sorted(missing)}"
    assert "capture check" in verbose.text
    records = [
        logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
        for record in verbose.records
    ]
    sdk_records = [r for r in verbose.records if r.name == "connectly"]
    sdk_messages = {getattr(r, "connectly_message", "") for r in sdk_records}
    assert {"sending", "answered", "failed", "retrying"} <= sdk_messages, sdk_messages
    assert any(m.startswith("cancelled with a request in flight") for m in sdk_messages)
    records += [repr(vars(record)) for record in sdk_records]
    out, err = capfd.readouterr()
    assert_no_canary([*paths.texts, verbose.text, *records, out, err])
    print(
        f"canary: {len(paths.kinds)} error kinds, {len(paths.texts)} texts, "
        f"{len(verbose.records)} log records checked"
    )
