# connectly-example: run
"""Async: many sends at once with ``connectly.AsyncClient``, and cancelling one.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python async.py

Each call is a native awaitable driven by the SDK's own runtime (no thread per call).
Cancelling the task that awaits a send aborts it: a request not yet written is never sent,
and ``connectly.CancelledError.find`` says whether it may have been (``possibly_sent``).
Against the mock Connectly (CONNECTLY_BASE_URL) it then checks what reached the mock, and
exits non-zero if anything differs from what it printed.
"""

import asyncio
import json
import os
import sys
import urllib.request
import uuid

import connectly

NUMBERS = [f"+1555555{n:04d}" for n in range(25)]


# --8<-- [start:concurrent]
async def notify_all(
    client: connectly.AsyncClient, numbers: list[str], text: str
) -> list[connectly.Response]:
    # All in flight at once (within the client's budget: 200 sends a second for Connectly);
    # gather keeps the input's order, and raises the first error.
    return await asyncio.gather(*(client.send_text(number, text) for number in numbers))
    # --8<-- [end:concurrent]


# --8<-- [start:cancel]
async def remind(client: connectly.AsyncClient, numbers: list[str], text: str) -> None:
    tasks = [asyncio.create_task(client.send_text(number, text)) for number in numbers]
    await asyncio.sleep(0.1)
    tasks[-1].cancel()  # say, the last customer has just cancelled the booking
    await asyncio.wait(tasks)
    for number, task in zip(numbers, tasks):
        try:
            print(f"{number}: sent {task.result().data['id']}")
        except asyncio.CancelledError as cancelled:
            stopped = connectly.CancelledError.find(cancelled)
            if stopped is not None and stopped.possibly_sent:
                print(f"{number}: cancelled in flight, may have been sent: check first")
            else:
                print(f"{number}: cancelled before it was sent")
    # --8<-- [end:cancel]


def mock_texts() -> list[str]:
    """The texts of the session messages the mock Connectly received (control protocol)."""
    request = urllib.request.Request(
        os.environ["CONNECTLY_BASE_URL"] + "/_mock/requests",
        headers={"X-API-Key": os.environ["CONNECTLY_API_KEY"]},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        recorded = json.load(reply)
    return [(r["json"] or {}).get("message", {}).get("text", "") for r in recorded]


async def main() -> None:
    run = uuid.uuid4().hex[:8]
    client = connectly.AsyncClient()  # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
    responses = await notify_all(client, NUMBERS, f"Your parcel is on its way ({run})")
    print(f"{len(responses)} sent concurrently")
    ids = {r.data["id"] for r in responses}
    if len(ids) != len(NUMBERS) or any(r.status_code != 200 for r in responses):
        sys.exit("FAILED: not every concurrent send was accepted once")

    # A budget of two sends a second holds the third send back long enough to cancel it
    # before its request is written. Keep the cancelled task's exception to check it.
    slow = connectly.AsyncClient(rate_limiter=connectly.LocalRateLimiter(rate=2.0, burst=1))
    reminder = f"See you at 10:30 ({run})"
    await remind(slow, NUMBERS[:3], reminder)

    task = asyncio.create_task(slow.send_text(NUMBERS[0], f"never sent ({run})"))
    await asyncio.sleep(0.1)
    task.cancel()
    try:
        await task
        sys.exit("FAILED: the cancelled send completed")
    except asyncio.CancelledError as cancelled:
        stopped = connectly.CancelledError.find(cancelled)
    if stopped is None or stopped.possibly_sent or stopped.attempts != 0:
        sys.exit(f"FAILED: a send waiting for its turn was not cancelled unsent: {stopped!r}")

    texts = mock_texts()
    if texts.count(reminder) != 2 or f"never sent ({run})" in texts:
        sys.exit(f"FAILED: the mock got {texts.count(reminder)} reminders, not 2")
    print("the cancelled sends never reached Connectly")


if __name__ == "__main__":
    asyncio.run(main())
