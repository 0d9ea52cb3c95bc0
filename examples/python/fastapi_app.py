"""A FastAPI app that receives Connectly webhook deliveries.

    CONNECTLY_WEBHOOK_SECRET=... uvicorn fastapi_app:app --port 8000

`webhook_event` verifies the raw body before the endpoint runs (403 on a bad signature), and
the client's calls are coroutines that never block the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI

import connectly
from connectly.fastapi import webhook_event

app = FastAPI()
# The secret comes from app.state or the CONNECTLY_WEBHOOK_SECRET environment variable:
# app.state.connectly_webhook_secret = "..."


@app.post("/webhook")
async def connectly_webhook(
    event: Annotated[connectly.WebhookEvent, Depends(webhook_event)],
) -> dict[str, str]:
    if event.text and event.text.strip().lower() == "ping":
        client = connectly.AsyncClient()  # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
        await client.send_text(event.sender.id, "pong", channel=event.sender.channel_type)
    return {"status": "ok"}
