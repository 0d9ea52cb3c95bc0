"""The SDK's log records, on ``logging.getLogger("connectly")``.

The Rust core records each step of a call (level ``DEBUG``: ``sending``), its outcome
(``INFO``: ``answered``; ``WARNING``: ``failed``), each retry (``WARNING``: ``retrying``) and
each call cancelled with its request in flight (``WARNING``). One thread of the SDK's own
(``connectly-log``, started by the first client) hands them to this logger, so a handler
never runs on a network thread and a slow one never delays a send: records that arrive
while more than 1,024 wait are dropped, and a ``WARNING`` record ``records dropped
count=N`` says how many. Records of a level the logger is not enabled for cost no Python
objects.

A record's message is the core's, followed by its fields: ``answered status=200 attempts=1
trace_id=``. Each record also carries:

- ``connectly_message``: the core's message alone (``answered``);
- ``connectly_fields``: the fields, as a ``dict`` of ``str`` (``{"status": "200", ...}``);
- ``connectly_client``: the :attr:`connectly.Client.id` of the client whose call it records
  (``0`` for a record about no one client, such as ``records dropped``).

No record holds the API key, a webhook secret or a message's text. The logger has a
``logging.NullHandler``: a program that configures no logging sees nothing. At interpreter
exit, the records not yet handed over are handed over on the exiting thread.
"""

from __future__ import annotations

import atexit
import logging

from connectly._connectly import _stop_logs

LOGGER = logging.getLogger("connectly")
"""The logger every record of the SDK goes to."""
LOGGER.addHandler(logging.NullHandler())

# Registered after `logging` registered its own shutdown: atexit runs this first, while
# handlers are still open.
atexit.register(_stop_logs)

_PATHNAME = "connectly"
"""The ``pathname`` of every record (it comes from Rust, not from a Python source line)."""


def _emit(level: int, client: int, message: str, text: str, fields: dict[str, str]) -> None:
    """Hands one record of the core to :data:`LOGGER` (the forwarding thread calls this for
    the levels the logger is enabled for)."""
    record = LOGGER.makeRecord(
        LOGGER.name,
        level,
        _PATHNAME,
        0,
        text,
        (),
        None,
        extra={
            "connectly_message": message,
            "connectly_fields": fields,
            "connectly_client": client,
        },
    )
    LOGGER.handle(record)
