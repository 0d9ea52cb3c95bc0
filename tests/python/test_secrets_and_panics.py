"""No repr, str or formatted traceback shows the API key or the webhook secret; a Rust
panic arrives as a connectly.ConnectlyError subclass."""

from __future__ import annotations

import pickle
import traceback
from typing import Any, Callable

import pytest
from conftest import CANARY_KEY, CANARY_SECRET, INBOUND_BODY

import connectly
import connectly._connectly as native
from connectly.testing import MockServer


def formatted(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def everything_shown(error: BaseException) -> str:
    fields = " ".join(repr(v) for v in vars(error).values())
    return " ".join([str(error), repr(error), formatted(error), fields, repr(error.args)])


def assert_no_canary(text: str) -> None:
    assert CANARY_KEY not in text
    assert CANARY_SECRET not in text
    assert CANARY_SECRET.encode().hex() not in text


def test_client_and_webhook_reprs() -> None:
    with MockServer(api_key=CANARY_KEY, webhook_secret=CANARY_SECRET) as mock:
        client = connectly.Client(CANARY_KEY, "biz", base_url=mock.url)
        aclient = connectly.AsyncClient(CANARY_KEY, "biz", base_url=mock.url)
        webhook = connectly.Webhook([CANARY_SECRET, CANARY_SECRET.encode()])
        for obj in (client, aclient, webhook, mock, webhook.verify_event):
            assert_no_canary(repr(obj))
            assert_no_canary(str(obj))
        assert_no_canary(repr(mock.requests()))


def raising_calls(mock: MockServer) -> list[Callable[[], Any]]:
    client = connectly.Client(CANARY_KEY, mock.business_id, base_url=mock.url, max_retries=0)
    wrong = connectly.Client(CANARY_KEY + "x", mock.business_id, base_url=mock.url)
    webhook = connectly.Webhook(CANARY_SECRET, max_body_size=1000)
    bad_sig = connectly.Webhook("other").sign(INBOUND_BODY)
    return [
        lambda: wrong.send_text("+15555555555", "hi"),  # 401 from the mock
        lambda: client.send_text("+1", "hi"),
        lambda: client.send_text("+15555555555", ""),
        lambda: connectly.Client(CANARY_KEY + "\n", "b"),
        lambda: connectly.Client(CANARY_KEY, "b", base_url=f"http://{CANARY_KEY}.example"),
        lambda: webhook.verify(INBOUND_BODY, None),
        lambda: webhook.verify(INBOUND_BODY, "bad"),
        lambda: webhook.verify(INBOUND_BODY, bad_sig),
        lambda: webhook.verify(b"x" * 2000, bad_sig),
        lambda: webhook.verify_event(b"{}", webhook.sign(b"{}")),
        lambda: webhook.verify(INBOUND_BODY.decode(), bad_sig),
        lambda: connectly.Webhook([CANARY_SECRET, ""]),
        lambda: connectly.Webhook(CANARY_SECRET, tolerance=1).verify_event(
            INBOUND_BODY, webhook.sign(INBOUND_BODY)
        ),
    ]


def test_no_error_shows_a_secret() -> None:
    with MockServer(api_key=CANARY_KEY, webhook_secret=CANARY_SECRET) as mock:
        mock.fail_next([{"status": 500, "body": f'{{"message": "echo {CANARY_KEY}"}}'}])
        calls = raising_calls(mock)
        calls.insert(
            0,
            lambda: connectly.Client(CANARY_KEY, mock.business_id, base_url=mock.url).send_text(
                "+15555555555", "x"
            ),
        )
        for call in calls:
            with pytest.raises((connectly.ConnectlyError, TypeError)) as caught:
                call()
            assert_no_canary(everything_shown(caught.value))


@pytest.mark.parametrize("where", ["argument", "config"])
def test_helper_tracebacks_with_locals_hide_the_secret(where: str) -> None:
    import flask

    import connectly.flask

    app = flask.Flask("canary")
    app.testing = True

    def view(event: connectly.WebhookEvent) -> str:
        raise RuntimeError("the view failed")

    if where == "config":
        app.config["CONNECTLY_WEBHOOK_SECRET"] = CANARY_SECRET
        app.post("/webhook")(connectly.flask.webhook()(view))
    else:
        app.post("/webhook")(connectly.flask.webhook(CANARY_SECRET)(view))
    signature = connectly.Webhook(CANARY_SECRET).sign(INBOUND_BODY)
    with pytest.raises(RuntimeError) as caught:
        app.test_client().post(
            "/webhook", data=INBOUND_BODY, headers={"x-connectly-hmac-sha256": signature}
        )
    tb = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    shown = "".join(tb.format())
    assert "_decorate" in shown or "wrapper" in shown
    assert_no_canary(shown)


def test_errors_pickle_with_their_fields() -> None:
    with MockServer() as mock:
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url)
        mock.fail_next([{"status": 429, "retry_after": "3600"}])
        with pytest.raises(connectly.RateLimitError) as caught:
            client.send_text("+15555555555", "hi")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is connectly.RateLimitError
    assert str(copy) == str(caught.value)
    assert copy.retry_after == 3600.0
    assert copy.status_code == 429


def test_panic_becomes_internal_error() -> None:
    with pytest.raises(connectly.InternalError) as caught:
        native._test_panic()
    assert isinstance(caught.value, connectly.ConnectlyError)
    assert caught.value.kind == "Internal"
    assert "PanicException" not in formatted(caught.value)


# A secret that cannot be encoded as UTF-8: os.environ gives a lone surrogate like this one
# for bytes that are not UTF-8. Before: UnicodeEncodeError, quoting it in args and `.object`.
LONE = "whsec_SUPERSECRET_\udcff"
UNPAIRED = "key-\ud800-SUPERSECRET"  # not even os.fsencode can encode this one


def assert_hides(error: BaseException, secret: str) -> None:
    """No text of `error` holds `secret` or any 8 characters of it, and nothing is chained."""
    assert error.__cause__ is None
    assert error.__context__ is None
    texts = [str(error), repr(error), repr(error.args), formatted(error), repr(vars(error))]
    pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
    for text in texts:
        for piece in pieces:
            assert piece not in text, (piece, text)


def unencodable_calls() -> list[tuple[Callable[[], Any], type[connectly.ConnectlyError], str]]:
    config, secret = connectly.ConfigurationError, connectly.InvalidSecretError
    return [
        (lambda: connectly.Client(LONE, "b"), config, "api_key"),
        (lambda: connectly.Client(api_key=UNPAIRED, business_id="b"), config, "api_key"),
        (lambda: connectly.Client("k", LONE), config, "business_id"),
        (lambda: connectly.Client("k", "b", base_url=LONE), config, "base_url"),
        (lambda: connectly.AsyncClient(LONE, "b"), config, "api_key"),
        (lambda: connectly.Webhook(LONE), secret, "webhook secret"),
        (lambda: connectly.Webhook(["fine", LONE]), secret, "webhook secret"),
        (lambda: connectly.Webhook((UNPAIRED,)), secret, "webhook secret"),
        (lambda: MockServer(api_key=LONE), config, "api_key"),
        (lambda: MockServer(business_id=LONE), config, "business_id"),
        (lambda: MockServer(webhook_secret=LONE), secret, "webhook secret"),
        (lambda: native.cli_main(["connectly", "send", "--api-key", UNPAIRED]), config, "argument"),
    ]


def test_unencodable_secrets_raise_without_quoting_them() -> None:
    for call, error, argument in unencodable_calls():
        with pytest.raises(error) as caught:
            call()
        assert argument in str(caught.value)
        assert "UTF-8" in str(caught.value)
        assert_hides(caught.value, LONE)
        assert_hides(caught.value, UNPAIRED)


def test_cli_args_pass_as_the_bytes_the_os_gave(capfd: pytest.CaptureFixture[str]) -> None:
    # sys.argv's stand-in for a byte that is not UTF-8 is undone, and the CLI answers as the
    # Rust binary does: a usage error (2) that quotes nothing.
    capfd.readouterr()
    assert native.cli_main(["connectly", "sign", "--secret", LONE, "-"]) == 2
    out, err = capfd.readouterr()
    assert "invalid UTF-8" in err
    assert "SUPERSEC" not in out + err


def test_helpers_with_an_unencodable_secret(clean_env: pytest.MonkeyPatch) -> None:
    import flask

    import connectly.flask

    clean_env.setenv("CONNECTLY_WEBHOOK_SECRET", LONE)
    app = flask.Flask("unencodable")
    app.testing = True

    def view(event: connectly.WebhookEvent) -> str:
        return "ok"

    app.post("/env", endpoint="env")(connectly.flask.webhook(view))
    app.post("/argument", endpoint="argument")(connectly.flask.webhook(UNPAIRED)(view))
    for path in ("/env", "/argument"):
        with pytest.raises(connectly.InvalidSecretError) as caught:
            app.test_client().post(path, data=INBOUND_BODY)
        assert_hides(caught.value, LONE)
        assert_hides(caught.value, UNPAIRED)
    app.testing = False
    response = app.test_client().post("/env", data=INBOUND_BODY)
    assert response.status_code == 500


def test_fastapi_with_an_unencodable_secret() -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    import connectly.fastapi

    app = FastAPI()
    app.state.connectly_webhook_secret = LONE

    @app.post("/webhook")
    def receive(event: connectly.WebhookEvent = Depends(connectly.fastapi.webhook_event)) -> None:  # noqa: B008
        pass

    with TestClient(app) as client, pytest.raises(connectly.InvalidSecretError) as caught:
        client.post("/webhook", content=INBOUND_BODY)
    assert_hides(caught.value, LONE)
