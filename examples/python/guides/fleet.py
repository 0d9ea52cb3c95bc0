# connectly-example: run
"""Fleet: workers share one send budget, handle each webhook delivery once, and agree on
each message's status, through Redis.

    REDIS_URL=redis://127.0.0.1:6379/0 CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... \
        CONNECTLY_WEBHOOK_SECRET=... python fleet.py

Workers are played here by several clients, deduplicators and trackers in one process, each
with its own connection to Redis, as separate processes would be. The script exits non-zero
if the budget, the deduplication or the statuses are not shared as shown.
"""

import io
import json
import os
import sys
import threading
import time
import uuid
from contextlib import redirect_stdout

# --8<-- [start:deduplicator]
from flask import Flask

import connectly
import connectly.flask

app = Flask(__name__)
# A delivery is remembered for a day once handled: Connectly's retries come sooner.
dedup = connectly.RedisDeduplicator(os.environ["REDIS_URL"], ttl=86400)


@app.post("/webhook")
@connectly.flask.webhook(deduplicator=dedup)  # the same keyword for django and fastapi
def webhook(event: connectly.WebhookEvent) -> tuple[str, int]:
    # Runs once per delivery, whichever worker gets each copy: a copy being handled
    # elsewhere is answered 409 (Connectly sends it again later), one handled already 200.
    handle(event)
    return "", 200
    # --8<-- [end:deduplicator]


# --8<-- [start:status_store]
# Every worker sees the furthest status of each message, whichever worker got which status.
tracker = connectly.StatusTracker(store=connectly.RedisStatusStore(os.environ["REDIS_URL"]))


def handle(event: connectly.WebhookEvent) -> None:
    if isinstance(event, connectly.DeliveryStatus):
        if tracker.advance(event.message_id, event.status):  # moves it forward: act on it
            print(f"message {event.message_id} is {event.status}")
    elif isinstance(event, connectly.InboundMessage):
        print(f"{event.sender.id} says {event.text!r}")
    # --8<-- [end:status_store]


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"FAILED: {what}")


# --8<-- [start:rate_limiter]
# Every worker given the same Redis URL, rate and burst waits on one budget: Connectly
# allows 200 sends a second per business, across all of them.
limiter = connectly.RedisRateLimiter(os.environ["REDIS_URL"], rate=200.0, burst=20)
client = connectly.Client(rate_limiter=limiter)  # each send waits for its turn
client.send_text("+15555555555", "Your order has shipped")
# --8<-- [end:rate_limiter]

# Two workers of 15 sends each, sharing a budget of 20 a second (5 at once): together they
# cannot be done before (30 - 5) / 20 = 1.25 s, which one alone would be in 0.5 s.
results: list[bool] = []


def worker() -> None:
    slow = connectly.RedisRateLimiter(os.environ["REDIS_URL"], rate=20.0, burst=5)
    own = connectly.Client(rate_limiter=slow)
    for n in range(15):
        sent = own.send_text(f"+1555555{n:04d}", "Your order has shipped")
        results.append(sent.status_code == 200)


started = time.monotonic()
workers = [threading.Thread(target=worker) for _ in range(2)]
for thread in workers:
    thread.start()
for thread in workers:
    thread.join()
took = time.monotonic() - started
print(f"two workers sent {len(results)} messages in {took:.2f} s on one budget of 20/s")
check(results == [True] * 30, "a rate-limited send failed")
check(took >= 1.1, f"30 sends took {took:.2f} s: the budget was not shared")

# Deliveries as Connectly would make them, signed with the webhook secret.
signer = connectly.Webhook(os.environ["CONNECTLY_WEBHOOK_SECRET"])
run = uuid.uuid4().hex[:8]


def body(event: dict[str, object]) -> bytes:
    party = {"id": "+15555550100", "channelType": "whatsapp"}
    event = {"timestamp": str(int(time.time())), "sender": party, "recipient": party, **event}
    return json.dumps(event).encode()


def deliver(raw: bytes) -> tuple[int, str]:
    """Posts a signed delivery to the app; its status and what the view printed."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        answer = app.test_client().post(
            "/webhook", data=raw, headers={connectly.SIGNATURE_HEADER: signer.sign(raw)}
        )
    return answer.status_code, printed.getvalue()


hello = body({"message": {"text": f"hello {run}"}})
check(deliver(hello) == (200, f"+15555550100 says 'hello {run}'\n"), "the first copy")
check(deliver(hello) == (200, ""), "a second copy of a handled delivery ran the view")

other = connectly.RedisDeduplicator(os.environ["REDIS_URL"])  # another worker's
busy = body({"message": {"text": f"busy {run}"}})
claim = other.admit(signer.verify_event(busy, signer.sign(busy)))
check(claim.run, "another worker could not claim a new delivery")
check(deliver(busy) == (409, ""), "a copy being handled elsewhere was not answered 409")
claim.complete()
check(deliver(busy) == (200, ""), "a copy handled elsewhere ran the view")
print("each delivery was handled once, across workers")

message_id = f"fleet-{run}"


def status(name: str) -> bytes:
    return body({"topic": "delivery_status", "statusUpdate": {"id": message_id, "status": name}})


check(deliver(status("read")) == (200, f"message {message_id} is read\n"), "the read status")
check(deliver(status("delivered")) == (200, ""), "a late status was acted on")
elsewhere = connectly.StatusTracker(store=connectly.RedisStatusStore(os.environ["REDIS_URL"]))
check(not elsewhere.advance(message_id, "sent"), "another worker moved a read message back")
check(elsewhere.status(message_id) == "read", "another worker does not see the read status")
print(f"every worker sees message {message_id} as read")
