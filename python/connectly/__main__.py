"""``python -m connectly ...``: the same command line as the Rust ``connectly`` binary.

It is the Rust implementation itself (``connectly.cli::run``), not a second one.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from typing import Optional

from connectly._connectly import cli_main


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line with ``argv`` (default ``sys.argv[1:]``); returns its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # The native CLI runs with the GIL released and never returns to Python while it serves
    # (`mock`, `listen`), so let Ctrl-C end the process as it ends the Rust binary.
    if threading.current_thread() is not threading.main_thread():
        return int(cli_main(["connectly", *args]))
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return int(cli_main(["connectly", *args]))
    finally:
        signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())
