"""The examples in examples/python work as documented."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from conftest import INBOUND_BODY, REPO

import connectly

EXAMPLES = REPO / "examples" / "python"
SECRET = "example-secret"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def signed() -> dict[str, str]:
    return {"x-connectly-hmac-sha256": connectly.Webhook(SECRET).sign(INBOUND_BODY)}


def test_flask_example(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CONNECTLY_WEBHOOK_SECRET", SECRET)
    example = load("flask_app")
    client = example.app.test_client()
    assert client.post("/webhook", data=INBOUND_BODY, headers=signed()).status_code == 200
    assert client.post("/webhook", data=INBOUND_BODY).status_code == 403
    assert [e.text for e in example.received] == ["TEST 11"]


def test_fastapi_example(clean_env: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    clean_env.setenv("CONNECTLY_WEBHOOK_SECRET", SECRET)
    example = load("fastapi_app")
    with TestClient(example.app) as client:
        response = client.post("/webhook", content=INBOUND_BODY, headers=signed())
        assert response.json() == {"status": "ok"}
        assert client.post("/webhook", content=INBOUND_BODY).status_code == 403


def test_django_example_project() -> None:
    script = textwrap.dedent(
        f"""
        import django, connectly
        from django.test import Client
        django.setup()
        body = {INBOUND_BODY!r}
        signature = connectly.Webhook({SECRET!r}).sign(body)
        client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
        ok = client.post("/webhook", body, content_type="text/plain",
                         HTTP_X_CONNECTLY_HMAC_SHA256=signature)
        bad = client.post("/webhook", body, content_type="text/plain")
        get = client.get("/webhook")
        print(ok.status_code, bad.status_code, get.status_code)
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "CONNECTLY_WEBHOOK_SECRET": SECRET,
        "PYTHONPATH": str(EXAMPLES / "django_project"),
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=EXAMPLES / "django_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "403", "405"]
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=EXAMPLES / "django_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_send_example_against_the_mock() -> None:
    from connectly.testing import MockServer

    with MockServer() as mock:
        result = subprocess.run(
            [sys.executable, str(EXAMPLES / "send.py"), "+15555555555"],
            env={**os.environ, **mock.env()},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "send_text: HTTP 200" in result.stdout
        paths = [r.path.rsplit("/", 1)[-1] for r in mock.requests()]
        assert paths == ["messages", "messages", "whatsapp_templated_messages"]
        template = mock.requests()[-1].json
        assert template["language"] == "en_US"
        assert template["callbackData"] == {"orderId": 1042}


def test_examples_are_not_the_package_source() -> None:
    assert Path(connectly.__file__).parents[1] != REPO / "python"
