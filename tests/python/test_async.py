"""connectly.AsyncClient: the same calls as coroutines; the event loop never blocks."""

from __future__ import annotations

import asyncio
import time

import pytest

import connectly
from connectly.testing import MockServer

PHONE = "+15555555555"


def test_async_calls_and_wire() -> None:
    with MockServer() as mock:

        async def main() -> None:
            async with connectly.AsyncClient(
                mock.api_key, mock.business_id, base_url=mock.url
            ) as client:
                assert client.business_id == mock.business_id
                r1 = await client.send_text(PHONE, "hello!")
                r2 = await client.send_template(PHONE, "welcome", {"var1": "value1"})
                r3 = await client.create_webhook("https://example.com/webhook")
                assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200]

        asyncio.run(main())
        paths = [r.path.rsplit("/", 2)[-2:] for r in mock.requests()]
        assert paths == [
            ["send", "messages"],
            ["send", "whatsapp_templated_messages"],
            ["create", "webhooks"],
        ]
        assert mock.requests()[1].json["parameters"] == [{"name": "var1", "value": "value1"}]


def test_event_loop_stays_free_and_calls_overlap() -> None:
    with MockServer() as mock:
        mock.fail_next([{"delay": 0.4}] * 3)

        async def main() -> tuple[int, float]:
            client = connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url)
            ticks = 0
            stop = False

            async def ticker() -> None:
                nonlocal ticks
                while not stop:
                    ticks += 1
                    await asyncio.sleep(0.01)

            tick_task = asyncio.create_task(ticker())
            started = time.monotonic()
            await asyncio.gather(*(client.send_text(PHONE, f"m{i}") for i in range(3)))
            elapsed = time.monotonic() - started
            stop = True
            await tick_task
            return ticks, elapsed

        ticks, elapsed = asyncio.run(main())
        assert elapsed < 1.0, elapsed
        assert ticks >= 15, ticks


def test_async_errors_are_the_same() -> None:
    with MockServer() as mock:

        async def main() -> None:
            client = connectly.AsyncClient(mock.api_key, mock.business_id, base_url=mock.url)
            with pytest.raises(connectly.ValidationError):
                await client.send_text("+1", "x")
            mock.fail_next([{"status": 401}])
            with pytest.raises(connectly.AuthenticationError):
                await client.send_text(PHONE, "x")

        asyncio.run(main())
        assert mock.request_count == 1


def test_import_connectly_does_not_import_asyncio() -> None:
    """asyncio is most of `import connectly`'s cost; only AsyncClient's coroutines load it."""
    import subprocess
    import sys

    probe = "import sys, connectly; print('asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
