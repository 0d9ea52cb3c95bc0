"""tests/vectors/receiving.json, every row, through the Flask, Django and FastAPI helpers.

Each row is an HTTP delivery as it goes over the wire (method, Content-Encoding, body,
signature); every helper must answer the row's status (with ``Allow: POST`` for a 405). For a
delivery that passes, the view checks what it got: ``event.body`` is the exact signed bytes,
``event.text`` the text, and the request body, read again by the view through the framework's
own API, is still the bytes that came over the wire. The row count goes to
``conformance-check`` once all three frameworks ran every row.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at runtime.
import base64
import json
from typing import Annotated, Any, Callable, Optional

import flask
import pytest
from conftest import VECTORS, configure_django, report_conformance

configure_django()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client as DjangoClient  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from fastapi import Depends, FastAPI, Request  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import connectly  # noqa: E402
import connectly.django  # noqa: E402
import connectly.fastapi  # noqa: E402
import connectly.flask  # noqa: E402

FILE = "receiving.json"
DATA: dict[str, Any] = json.loads((VECTORS / FILE).read_text("utf-8"))
SECRET: str = DATA["secret"]
ROWS: list[dict[str, Any]] = DATA["vectors"]
LIMITS = sorted({row.get("max_body_size", connectly.DEFAULT_MAX_BODY_SIZE) for row in ROWS})
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]

Seen = list[tuple[bytes, Optional[str], bytes]]
"""What each view that ran saw: ``event.body``, ``event.text``, the body read again."""

Answer = tuple[int, Optional[str]]
"""A response's status and ``Allow`` header."""

RAN: dict[str, int] = {}
"""Rows each framework ran, for the report."""


def route(row: dict[str, Any]) -> str:
    """The path of the view configured with the row's limit."""
    return f"/hook/{row.get('max_body_size', connectly.DEFAULT_MAX_BODY_SIZE)}"


def headers(row: dict[str, Any]) -> dict[str, str]:
    sent = {}
    if row["content_encoding"] is not None:
        sent["Content-Encoding"] = row["content_encoding"]
    if row["signature"] is not None:
        sent[connectly.SIGNATURE_HEADER] = row["signature"]
    return sent


def wire(row: dict[str, Any]) -> bytes:
    return base64.b64decode(row["body_b64"])


# Flask: one view per limit, routed for every method so that the helper decides.


def flask_client(seen: Seen) -> Callable[[dict[str, Any]], Answer]:
    app = flask.Flask("receiving_vectors")
    for limit in LIMITS:

        def view(event: connectly.WebhookEvent) -> str:
            seen.append((event.body, event.text, flask.request.get_data()))
            return "received"

        decorated = connectly.flask.webhook(SECRET, max_body_size=limit)(view)
        app.add_url_rule(f"/hook/{limit}", f"hook{limit}", decorated, methods=METHODS)
    client = app.test_client()

    def send(row: dict[str, Any]) -> Answer:
        # Werkzeug's test client sends the method as given ("post" stays lower-case).
        response = client.open(
            route(row), method=row["method"], data=wire(row), headers=headers(row)
        )
        return response.status_code, response.headers.get("Allow")

    return send


# Django: one view per limit; the test client sends the method as given.

DJANGO_SEEN: Seen = []


def django_view(limit: int) -> Callable[..., Any]:
    @connectly.django.webhook(SECRET, max_body_size=limit)
    def view(request: HttpRequest, event: connectly.WebhookEvent) -> HttpResponse:
        DJANGO_SEEN.append((event.body, event.text, request.body))
        return HttpResponse("received")

    return view


urlpatterns = [path(f"hook/{limit}", django_view(limit)) for limit in LIMITS]


def django_client(seen: Seen) -> Callable[[dict[str, Any]], Answer]:
    client = DjangoClient()

    def send(row: dict[str, Any]) -> Answer:
        extra = {
            "HTTP_" + name.upper().replace("-", "_"): value for name, value in headers(row).items()
        }
        with override_settings(ROOT_URLCONF=__name__):
            DJANGO_SEEN.clear()
            response = client.generic(
                row["method"], route(row), wire(row), content_type="application/json", **extra
            )
            seen.extend(DJANGO_SEEN)
        return response.status_code, response.headers.get("Allow")

    return send


# FastAPI: POST is routed to the endpoint, and so are the other methods through a second route,
# so that the dependency decides; a lower-case method matches no Starlette route, so Starlette
# itself answers it, from the POST route (405, Allow: POST).


def fastapi_client(seen: Seen) -> Callable[[dict[str, Any]], Answer]:
    app = FastAPI()
    for limit in LIMITS:
        dependency = connectly.fastapi.webhook(SECRET, max_body_size=limit)

        async def endpoint(
            request: Request, event: Annotated[connectly.WebhookEvent, Depends(dependency)]
        ) -> str:
            seen.append((event.body, event.text, await request.body()))
            return "received"

        app.add_api_route(f"/hook/{limit}", endpoint, methods=["POST"])
        app.add_api_route(f"/hook/{limit}", endpoint, methods=["GET", "PUT", "DELETE", "PATCH"])
    client = TestClient(app)

    def send(row: dict[str, Any]) -> Answer:
        request = client.build_request(
            row["method"], route(row), content=wire(row), headers=headers(row)
        )
        request.method = row["method"]  # httpx upper-cases it; the row's is what goes out
        response = client.send(request)
        return response.status_code, response.headers.get("Allow")

    return send


CLIENTS = {"flask": flask_client, "django": django_client, "fastapi": fastapi_client}


@pytest.mark.parametrize("framework", list(CLIENTS))
def test_every_row(framework: str, capsys: pytest.CaptureFixture[str]) -> None:
    seen: Seen = []
    send = CLIENTS[framework](seen)
    ran = 0
    for row in ROWS:
        name = f"{framework}: {row['name']}"
        seen.clear()
        status, allow = send(row)
        assert status == row["expected_status"], name
        if status == 405:
            assert allow == "POST", name
        if row["expected_kind"] == "ok":
            event_body = base64.b64decode(row["event_body_b64"])
            assert seen == [(event_body, row["event_text"], wire(row))], name
        else:
            assert seen == [], name
        ran += 1
    assert ran == len(ROWS) > 0
    RAN[framework] = ran
    if all(RAN.get(each) == len(ROWS) for each in CLIENTS):
        with capsys.disabled():
            print(f"\n{FILE}: {len(ROWS)} rows (Flask, Django, FastAPI)")
        report_conformance(FILE, len(ROWS))
