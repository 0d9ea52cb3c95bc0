# connectly-example: run
"""Bulk: send many messages with bounded concurrency, watch progress, and resume an
interrupted batch from its journal without sending anything twice.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python bulk.py

The journal part interrupts a first run itself, as Ctrl-C would, then runs the same call
again. Against the mock Connectly (CONNECTLY_BASE_URL) it checks that every message reached
the mock exactly once, and exits non-zero if not. The journal is written in a temporary
directory, removed at the end.
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import urllib.request
import uuid
from typing import Any, Callable

import connectly


def mock_messages() -> list[dict[str, Any]]:
    """The messages the mock Connectly accepted (its control protocol)."""
    request = urllib.request.Request(
        os.environ["CONNECTLY_BASE_URL"] + "/_mock/messages",
        headers={"X-API-Key": os.environ["CONNECTLY_API_KEY"]},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        accepted: list[dict[str, Any]] = json.load(reply)
    return accepted


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"FAILED: {what}")


client = connectly.Client()
# Who to write to, as a database would give them: (number, name, order).
orders = [(f"+1555555{n:04d}", f"Customer {n}", str(1000 + n)) for n in range(60)]
workdir = tempfile.mkdtemp(prefix="connectly-bulk-")
os.chdir(workdir)

# --8<-- [start:bulk]
messages = [
    connectly.TemplateMessage(
        number, "order_update", {"name": name, "order": order}, language="en_US"
    )
    for number, name, order in orders
]
results = client.send_many(messages, concurrency=8)  # at most 8 requests in flight
for result in results:  # one per message, in the same order
    if not result.ok:
        print(f"not sent to {messages[result.index].number}: {result.error}")
print(f"{sum(r.ok for r in results)} of {len(messages)} sent")
# --8<-- [end:bulk]

check(all(r.ok and r.response is not None for r in results), "a bulk send failed")
check(len({r.response.data["id"] for r in results if r.response}) == 60, "ids are not unique")


# --8<-- [start:progress]
def show_progress(done: int, failed: int, total: int) -> None:
    # Called after each message, one call at a time.
    if done % 20 == 0 or done == total:
        print(f"{done}/{total} done, {failed} failed", flush=True)


reminders = [connectly.TextMessage(number, "Your order arrives today") for number, _, _ in orders]
results = client.send_many(reminders, rate_limit=100.0, on_progress=show_progress)
# --8<-- [end:progress]

check(sum(r.ok for r in results) == 60, "a reminder failed")

# A campaign sent with a journal. Its first run is interrupted as Ctrl-C would: the
# messages in flight finish, none is started after, and KeyboardInterrupt carries the
# results so far.
campaign_name = f"december-sale-{uuid.uuid4().hex[:8]}"
campaign = [
    connectly.TemplateMessage(number, "december_sale", {"name": name}, campaign_name=campaign_name)
    for number, name, _ in orders
]


def interrupt_after(count: int) -> Callable[[int, int, int], None]:
    def progress(done: int, failed: int, total: int) -> None:
        if done == count:
            os.kill(os.getpid(), signal.SIGINT)

    return progress


try:
    client.send_many(
        campaign,
        concurrency=2,
        rate_limit=50.0,
        on_progress=interrupt_after(20),
        journal="december-sale.journal",
    )
    sys.exit("FAILED: the first run was not interrupted")
except KeyboardInterrupt as interrupted:
    first: list[connectly.SendResult] = interrupted.results  # type: ignore[attr-defined]
confirmed = sum(r.ok for r in first)
print(f"first run interrupted: {confirmed} of {len(campaign)} sent")
check(20 <= confirmed < len(campaign), f"the interruption came after {confirmed} messages")
check(
    all(isinstance(r.error, connectly.CancelledError) for r in first if not r.ok),
    "a message of the interrupted run failed otherwise than never started",
)

# --8<-- [start:journal]
# Each outcome is written to the journal as it happens. After a crash, a deploy or Ctrl-C,
# the same call with the same messages sends only what never left.
results = client.send_many(campaign, on_progress=show_progress, journal="december-sale.journal")
earlier = sum(1 for r in results if r.response is not None and r.response.attempts == 0)
print(f"{sum(r.ok for r in results) - earlier} sent now, {earlier} by an earlier run")
for result in results:
    # In flight when the earlier run stopped: it may have arrived, so it is not resent.
    if isinstance(result.error, connectly.CancelledError) and result.error.possibly_sent:
        print(f"check before resending to {campaign[result.index].number}")
# --8<-- [end:journal]

check(all(r.ok for r in results), "the rerun did not complete the campaign")
check(earlier == confirmed, f"{earlier} results came from the journal, not {confirmed}")
again = client.send_many(campaign, journal="december-sale.journal")
check(all(r.response and r.response.attempts == 0 for r in again), "a third run sent again")
ids = {r.response.data["id"] for r in results if r.response}
arrived = [m for m in mock_messages() if m["campaign_name"] == campaign_name]
check(len(ids) == len(campaign), "the campaign's ids are not one per message")
check(len(arrived) == len(campaign), f"the mock got {len(arrived)} campaign messages, not 60")
check({m["id"] for m in arrived} == ids, "the ids differ from what the mock accepted")
print(f"each of the {len(campaign)} campaign messages was sent exactly once")
os.chdir(tempfile.gettempdir())
shutil.rmtree(workdir)
