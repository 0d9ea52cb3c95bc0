"""tests/vectors/requests.json, every row: each call made with the public API against the
mock, and the one request it sent (method, path, JSON body), or the ``ValidationError`` it
raised with nothing sent. The count goes to ``conformance-check``.
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import unquote

import pytest
from conftest import VECTORS, report_conformance

import connectly
from connectly.testing import MockServer

FILE = "requests.json"
ROWS: list[dict[str, Any]] = json.loads((VECTORS / FILE).read_text("utf-8"))["vectors"]

SPECIAL_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
"""How the file writes the IEEE values JSON has no number for."""


def coordinate(value: Any) -> float:
    return SPECIAL_FLOATS[value] if isinstance(value, str) else float(value)


def attachment(args: dict[str, Any]) -> connectly.Attachment:
    return connectly.Attachment(**args)


def location(args: dict[str, Any]) -> connectly.Location:
    rest = {k: v for k, v in args.items() if k not in ("latitude", "longitude")}
    return connectly.Location(coordinate(args["latitude"]), coordinate(args["longitude"]), **rest)


def list_message(args: dict[str, Any]) -> connectly.ListMessage:
    sections = [
        connectly.ListSection(s["title"], [connectly.ListRow(**row) for row in s["rows"]])
        for s in args["sections"]
    ]
    rest = {k: v for k, v in args.items() if k in ("header", "footer")}
    return connectly.ListMessage(args["button"], sections, **rest)


def reply_buttons(args: dict[str, Any]) -> connectly.ReplyButtons:
    rest = {k: v for k, v in args.items() if k in ("header", "footer")}
    return connectly.ReplyButtons([connectly.Button(**b) for b in args["buttons"]], **rest)


VALUE_CLASSES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "attachment": attachment,
    "location": location,
    "list": list_message,
    "buttons": reply_buttons,
}


def send_message(client: connectly.Client, args: dict[str, Any]) -> object:
    keywords = {
        name: VALUE_CLASSES[name](value) if name in VALUE_CLASSES else value
        for name, value in args.items()
        if name != "to"
    }
    return client.send_message(args["to"], **keywords)


def send_template(client: connectly.Client, args: dict[str, Any]) -> object:
    rest = {k: v for k, v in args.items() if k not in ("number", "template_name", "params")}
    pairs = [(name, value) for name, value in args["params"]]
    return client.send_template(args["number"], args["template_name"], pairs, **rest)


def create_webhook(client: connectly.Client, args: dict[str, Any]) -> object:
    rest = {k: v for k, v in args.items() if k not in ("address", "topic")}
    return client.create_webhook(args["address"], args["topic"], **rest)


def upsert_webhook(client: connectly.Client, args: dict[str, Any]) -> object:
    rest = {k: v for k, v in args.items() if k not in ("address", "topic")}
    return client.upsert_webhook(args["address"], args["topic"], **rest)


def update_webhook(client: connectly.Client, args: dict[str, Any]) -> object:
    rest = {k: v for k, v in args.items() if k != "webhook_id"}
    return client.update_webhook(args["webhook_id"], **rest)


def send_campaign(client: connectly.Client, args: dict[str, Any]) -> object:
    entries = [
        connectly.CampaignEntry(
            e["client"],
            e["campaign_name"],
            **{k: v for k, v in e.items() if k not in ("client", "campaign_name")},
        )
        for e in args["entries"]
    ]
    return client.send_campaign(entries)


CALLS: dict[str, Callable[[connectly.Client, dict[str, Any]], object]] = {
    "send_message": send_message,
    "send_template": send_template,
    "create_webhook": create_webhook,
    "upsert_webhook_create": upsert_webhook,
    "list_webhooks": lambda client, _: client.list_webhooks(),
    "update_webhook": update_webhook,
    "delete_webhook": lambda client, args: client.delete_webhook(args["webhook_id"]),
    "list_templates": lambda client, _: client.list_templates(),
    "send_campaign": send_campaign,
}

UNKNOWN_IDS = {"update_webhook", "delete_webhook"}
"""Calls naming a webhook id the mock never gave: it records the request, then answers 404."""


def segments(path: str) -> list[str]:
    return [unquote(segment) for segment in path.split("/")]


def test_every_row_of_requests_json(capsys: pytest.CaptureFixture[str]) -> None:
    ran = 0
    with MockServer() as mock:
        client = connectly.Client(mock.api_key, mock.business_id, base_url=mock.url, max_retries=0)
        prefix = f"/v1/businesses/{mock.business_id}"
        for row in ROWS:
            name, expect = row["name"], row["expect"]
            mock.clear_requests()
            call = CALLS[row["call"]]
            if "error" in expect:
                with pytest.raises(connectly.ValidationError) as refused:
                    call(client, row["args"])
                assert refused.value.field == expect["error"]["field"], name
                assert refused.value.kind == "Validation", name
                assert mock.request_count == 0, name
            else:
                if row["call"] in UNKNOWN_IDS:
                    with pytest.raises(connectly.APIError) as unknown:
                        call(client, row["args"])
                    assert unknown.value.status_code == 404, name
                else:
                    call(client, row["args"])
                [request] = mock.requests()
                assert request.method == expect["method"], name
                assert segments(request.path) == segments(prefix + expect["path"]), name
                if expect["body"] is None:
                    assert request.body == b"", name
                else:
                    assert request.json == expect["body"], name
            ran += 1
    with capsys.disabled():
        print(f"\n{FILE}: {ran} rows")
    assert ran == len(ROWS) == 108
    report_conformance(FILE, ran)
