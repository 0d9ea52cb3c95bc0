"""The Flask receiver of the cross-language fleet test (tests/python/test_fleet.py), run by
gunicorn with several workers that share one ``connectly.RedisDeduplicator``::

    FLEET_REDIS_URL=redis://127.0.0.1:6379/0 FLEET_OUT=handled.txt \\
    CONNECTLY_WEBHOOK_SECRET=... gunicorn -w 3 -b 127.0.0.1:PORT --chdir tests/fleet/python app:app

``POST /webhook`` receives deliveries with ``@connectly.flask.webhook(deduplicator=...)``.
Each time the view runs it appends one line to ``FLEET_OUT`` (opened in append mode, one
write per line, so several workers, and the Go receiver, may share it): the message's text.
A text with ``hold`` in it makes the view last ``FLEET_HOLD`` seconds first (default 0.5),
so that copies overlap it; a text with ``raise`` makes the view raise the first time it runs
for that text in the whole fleet (a marker file beside ``FLEET_OUT`` says it did), so the
claim is released and the retry runs it. Every answer names the worker that gave it
(``X-Worker-Pid``).
"""

from __future__ import annotations

import hashlib
import os
import time

import flask

import connectly
import connectly.flask

OUT = os.environ["FLEET_OUT"]
HOLD = float(os.environ.get("FLEET_HOLD", "0.5"))
dedup = connectly.RedisDeduplicator(os.environ["FLEET_REDIS_URL"])

app = flask.Flask(__name__)


@app.post("/webhook")
@connectly.flask.webhook(deduplicator=dedup)
def webhook(event: connectly.WebhookEvent) -> tuple[str, int]:
    text = event.text or ""
    if "hold" in text:
        time.sleep(HOLD)
    if "raise" in text:
        marker = f"{OUT}.raised-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            pass
        else:
            raise RuntimeError("the view failed (once, on purpose)")
    line = text.replace("\r", "\\r").replace("\n", "\\n") + "\n"
    fd = os.open(OUT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    return "", 200


@app.after_request
def name_the_worker(response: flask.Response) -> flask.Response:
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
