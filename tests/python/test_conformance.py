"""The shared API vectors (tests/vectors/api_errors.json and retries.json) through the
Python binding and the mock, row by row; the counts are reported to `conformance-check`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import VECTORS, report_conformance

import connectly
from connectly.testing import MockServer


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


def make_call(client: connectly.Client, call: str, calls: dict[str, Any]) -> connectly.Response:
    args = calls[call]
    if call == "send_text":
        return client.send_text(args["to"], args["text"], channel=args["channel"])
    if call == "send_template":
        pairs = [(name, value) for name, value in args["params"]]
        return client.send_template(args["number"], args["template"], pairs)
    if call == "create_webhook":
        return client.create_webhook(args["address"], topic=args["topic"])
    raise AssertionError(f"unknown call {call!r}")


@pytest.mark.skipif(not (VECTORS / "api_errors.json").exists(), reason="no api_errors.json")
def test_api_error_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    data = load("api_errors.json")
    settings = data["client"]
    ran = 0
    for row in data["vectors"]:
        name, expected = row["name"], row["expected"]
        with MockServer() as mock:
            client = connectly.Client(
                mock.api_key,
                mock.business_id,
                base_url=mock.url,
                max_retries=settings["max_retries"],
                timeout=settings["timeout_ms"] / 1000,
            )
            mock.fail_next([row["reply"]])
            with pytest.raises(connectly.ConnectlyError) as caught:
                make_call(client, row["call"], data["calls"])
            error: Any = caught.value
            assert error.kind == expected["kind"], name
            assert error.status_code == expected["status"], name
            assert getattr(error, "code", None) == expected["code"], name
            assert getattr(error, "message", None) == expected["message"], name
            assert error.trace_id == expected["trace_id"], name
            retry_after = getattr(error, "retry_after", None)
            whole = None if retry_after is None else int(retry_after)
            assert whole == expected["retry_after"], name
            assert error.attempts == 1, name
            assert mock.request_count == 1, name
        ran += 1
    with capsys.disabled():
        print(f"\napi_errors.json: {ran} rows")
    assert ran == len(data["vectors"]) > 0
    report_conformance("api_errors.json", ran)


@pytest.mark.skipif(not (VECTORS / "retries.json").exists(), reason="no retries.json")
def test_retry_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    data = load("retries.json")
    ran = 0
    for row in data["vectors"]:
        name, expected = row["name"], row["expected"]
        with MockServer() as mock:
            client = connectly.Client(
                mock.api_key,
                mock.business_id,
                base_url=mock.url,
                max_retries=row["max_retries"],
                timeout=row["timeout_ms"] / 1000,
            )
            if row["script"]:
                mock.fail_next(row["script"])
            try:
                response = make_call(client, row["call"], data["calls"])
            except connectly.ConnectlyError as error:
                outcome, attempts = error.kind, error.attempts
                status = getattr(error, "status_code", None)
            else:
                outcome, attempts, status = "ok", response.attempts, response.status_code
            assert outcome == expected["outcome"], name
            assert attempts == expected["attempts"], name
            assert status == expected["status"], name
            assert mock.request_count == expected["requests"], name
        ran += 1
    with capsys.disabled():
        print(f"\nretries.json: {ran} rows")
    assert ran == len(data["vectors"]) > 0
    report_conformance("retries.json", ran)
