"""One Python worker of the cross-language fleet test (tests/python/test_fleet.py): sends a
file of texts through a client whose every send waits its turn in a send budget shared
through Redis (``connectly.RedisRateLimiter``), as the Go worker beside it does.

::

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \\
    python sender.py --file part-1.jsonl --redis redis://127.0.0.1:6379/0 --rate 200

Input: one JSON object per line, ``{"to": "+1555...", "text": "...", "channel": "sms"}``
(``channel`` optional, default ``whatsapp``); blank lines are skipped and do not count.
Message ``i`` is the ``i``-th object (from 0). Options: ``--file`` (required), ``--redis``
URL (without it, a budget of this process only: ``LocalRateLimiter``), ``--rate`` per second
(default 200), ``--burst`` (default: the SDK's, 20), ``--fallback-share`` (default: the
SDK's, a quarter), ``--concurrency`` (default 8), ``--journal`` PATH (resumable).

Output: one JSON line per message on stdout, in input order, ``{"index": i, "ok": true}`` or
``{"index": i, "error": "...", "kind": "...", "possibly_sent": bool}``; a summary on stderr,
with the SDK's warnings (``logging.getLogger("connectly")``: Redis unreachable, back).
Exit status: 0 when every message was sent, 1 when any failed, 2 for a usage or
configuration error (nothing sent).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any, Optional, Union

import connectly


def parse(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", required=True)
    parser.add_argument("--redis")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--burst", type=int)
    parser.add_argument("--fallback-share", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--journal")
    return parser.parse_args(argv)


def read_messages(path: str) -> list[connectly.TextMessage]:
    messages = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row: dict[str, Any] = json.loads(line)
            messages.append(
                connectly.TextMessage(row["to"], row["text"], row.get("channel", "whatsapp"))
            )
    return messages


def main(argv: Optional[list[str]] = None) -> int:
    args = parse(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="sender: %(name)s: %(message)s"
    )
    try:
        messages = read_messages(args.file)
        limiter: Union[connectly.RedisRateLimiter, connectly.LocalRateLimiter]
        if args.redis:
            limiter = connectly.RedisRateLimiter(
                args.redis, args.rate, args.burst, args.fallback_share
            )
        else:
            limiter = connectly.LocalRateLimiter(args.rate, args.burst)
        client = connectly.Client(rate_limiter=limiter)
    except (OSError, ValueError, KeyError, connectly.ConnectlyError) as error:
        print(f"sender: {error}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = client.send_many(messages, concurrency=args.concurrency, journal=args.journal)
    failed = 0
    for result in results:
        row: dict[str, Any] = {"index": result.index}
        if result.ok:
            row["ok"] = True
        else:
            failed += 1
            failure = result.error
            row["error"] = str(failure)
            row["kind"] = getattr(failure, "kind", None)
            row["possibly_sent"] = bool(getattr(failure, "possibly_sent", False))
        print(json.dumps(row), flush=False)
    sys.stdout.flush()
    print(
        f"sender: {len(results) - failed} sent, {failed} failed in "
        f"{time.monotonic() - start:.1f} s",
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
