"""python -m connectly runs the Rust CLI (the same implementation as the binary)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import INBOUND_BODY

import connectly
from connectly.testing import MockServer


def run(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTLY_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "connectly", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert b"send-text" in result.stdout


def test_usage_error_exit_code() -> None:
    assert run("no-such-command").returncode == 2


def test_sign_and_verify() -> None:
    env = {"CONNECTLY_WEBHOOK_SECRET": "cli-secret"}
    signed = run("sign", stdin=INBOUND_BODY, env=env)
    assert signed.returncode == 0, signed.stderr
    signature = signed.stdout.decode().strip()
    assert signature == connectly.Webhook("cli-secret").sign(INBOUND_BODY)
    assert run("verify", "--signature", signature, stdin=INBOUND_BODY, env=env).returncode == 0
    bad = run("verify", "--signature", signature, stdin=INBOUND_BODY + b" ", env=env)
    assert bad.returncode == 9


def test_send_text_against_the_mock() -> None:
    with MockServer() as mock:
        env = mock.env()
        result = run("send-text", "--to", "+15555555555", "--text", "from the cli", env=env)
        assert result.returncode == 0, result.stderr
        assert mock.requests()[0].json["message"] == {"text": "from the cli"}
        assert run("send-text", "--to", "+1", "--text", "x", env=env).returncode == 3
        mock.fail_next([{"status": 401}])
        assert run("send-text", "--to", "+15555555555", "--text", "x", env=env).returncode == 4
