# connectly-example: receiver
"""Receiving webhooks with FastAPI: verified, typed events, and statuses kept in order.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
        PORT=8000 python receive_fastapi.py  # or: PORT=8000 uvicorn receive_fastapi:app --port 8000

At start-up (the app's lifespan) it registers http://127.0.0.1:$PORT/webhook for the topics
``messages`` and ``delivery_status`` (behind a proxy, set WEBHOOK_URL to the public
address), then serves it with uvicorn until SIGTERM. Each inbound message and each status
that moves a message forward is printed as a line.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import handling
import uvicorn
from fastapi import Depends, FastAPI

import connectly
from connectly.fastapi import webhook_event

PORT = int(os.environ.get("PORT", "8000"))
WEBHOOK_URL = os.environ.get("WEBHOOK_URL", f"http://127.0.0.1:{PORT}/webhook")


# --8<-- [start:register]
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Before serving: both topics to this server (an upsert is safe to repeat at each start).
    client = connectly.AsyncClient()
    for topic in ("messages", "delivery_status"):
        await client.upsert_webhook(WEBHOOK_URL, topic)
    print(f"registered {WEBHOOK_URL}", flush=True)
    yield


app = FastAPI(lifespan=lifespan)
# --8<-- [end:register]


# --8<-- [start:verify]
@app.post("/webhook")
async def webhook(
    # Verifies the signature over the raw body with CONNECTLY_WEBHOOK_SECRET, then parses
    # it: a missing or bad signature is answered 403 and the endpoint never runs.
    event: Annotated[connectly.WebhookEvent, Depends(webhook_event)],
) -> dict[str, str]:
    handling.handle(event)  # the same in every framework: handling.py
    return {"status": "ok"}  # anything but 200 makes Connectly deliver it again
    # --8<-- [end:verify]


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT)  # stops cleanly on SIGTERM
