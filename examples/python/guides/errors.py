# connectly-example: run
"""Errors: bad input is refused before anything is sent, the API's refusals are typed, and
retries never send a message twice.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python errors.py

Every exception is a ``connectly.ConnectlyError`` with ``kind`` and ``attempts``. Run against
the mock Connectly (CONNECTLY_BASE_URL), the script makes the mock fail on demand through its
control protocol, to show each kind; it exits non-zero if one is not raised as shown.
"""

import json
import os
import sys
import urllib.request
from typing import Any

import connectly

client = connectly.Client()


def mock_control(path: str, body: Any = None) -> Any:
    """Asks the mock Connectly through its control protocol (GET, or POST with a body)."""
    request = urllib.request.Request(
        f"{os.environ['CONNECTLY_BASE_URL']}/_mock/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"X-API-Key": os.environ["CONNECTLY_API_KEY"]},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.load(reply)


def sent_count(text: str) -> int:
    """How many requests the mock received with this message text."""
    recorded = mock_control("requests")
    return sum(1 for r in recorded if (r["json"] or {}).get("message", {}).get("text") == text)


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"FAILED: {what}")


# --8<-- [start:validation]
try:
    client.send_text("+1 (555) 555-5555", "Your code is 1234")  # not E.164
except connectly.ValidationError as error:
    # Raised before any request: nothing was sent (error.attempts is 0).
    print(f"not sent, {error.field}: {error}")
# --8<-- [end:validation]

check(sent_count("Your code is 1234") == 0, "the refused text reached the mock")
try:
    client.send_message("+15555555555", location=connectly.Location(95.0, 0.0))
    sys.exit("FAILED: a latitude of 95 was accepted")
except connectly.ValidationError as error:
    check(error.attempts == 0 and error.field == "location latitude", f"{error.field}")


# --8<-- [start:api_errors]
def remind(client: connectly.Client, number: str, time: str) -> str:
    try:
        sent = client.send_template(number, "appointment_reminder", {"time": time})
    except connectly.RateLimitError as error:  # 429, and no retry left
        return f"rate limited: try again in {error.retry_after or 1} s"
    except connectly.AuthenticationError as error:  # 401 or 403
        return f"the API key was refused ({error.code}): check CONNECTLY_API_KEY"
    except connectly.ServerError as error:  # 5xx: it may or may not have been sent
        return f"Connectly failed with {error.status_code}; trace id {error.trace_id}"
    except connectly.APIError as error:  # any other refusal, the provider's words verbatim
        return f"refused: {error.status_code} {error.code}: {error.message} ({error.trace_id})"
    except connectly.TransportError as error:  # no answer: connection, TLS, timeout
        if error.possibly_sent:  # the request may have reached Connectly: do not resend blindly
            return f"no answer ({error.kind}) after {error.attempts} attempt(s); may have arrived"
        return f"no answer ({error.kind}) after {error.attempts} attempt(s); not sent"
    return f"sent {sent.data['id']}"
    # --8<-- [end:api_errors]


outcomes = {"sent": remind(client, "+15555555555", "10:30")}
once = connectly.Client(max_retries=0)  # no retry, so that one scripted failure shows
mock_control("fail", [{"status": 429, "retry_after": "2"}])
outcomes["rate limited"] = remind(once, "+15555555555", "10:30")
outcomes["authentication"] = remind(
    connectly.Client(api_key="revoked-key"), "+15555555555", "10:30"
)
mock_control("fail", [{"status": 503}])
outcomes["server"] = remind(client, "+15555555555", "10:30")
outcomes["refused"] = remind(client, "+15555555555", "")  # an empty template variable
mock_control("fail", [{"drop": True}])
outcomes["transport"] = remind(client, "+15555555555", "10:30")
for what, outcome in outcomes.items():
    print(f"{what}: {outcome}")
expected = {
    "sent": "sent ",
    "rate limited": "rate limited: try again in 2.0 s",
    "authentication": "the API key was refused (ERROR_CODE_API_KEY_INVALID)",
    "server": "Connectly failed with 503",
    "refused": "refused: 400 ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
    "transport": "no answer (Transport) after 1 attempt(s); may have arrived",
}
for what, start in expected.items():
    check(outcomes[what].startswith(start), f"{what}: {outcomes[what]!r}")

# The first send below meets a 429 (retried), the second a 500 (not retried).
mock_control("fail", [{"status": 429, "retry_after": "1"}, {"delay_ms": 0}, {"status": 500}])
counts = sent_count("Your table is ready"), sent_count("Your table is ready, reminder")

# --8<-- [start:retries]
# Each call makes at most 1 + max_retries attempts, waiting between them (exponential
# backoff from 0.5 s, or the 429's Retry-After when longer), each within `timeout`.
client = connectly.Client(max_retries=4, timeout=15.0)
sent = client.send_text("+15555555555", "Your table is ready")
print(f"sent after {sent.attempts} attempt(s)")  # a 429 is retried: it was not sent
# A send is retried only when it surely did not reach Connectly (a 429, a connection that
# could not be made): after a 5xx, a timeout or a cut connection it may have been
# delivered, and retrying could deliver it twice. Webhook calls are retried on those too.
try:
    client.send_text("+15555555555", "Your table is ready, reminder")
except connectly.ServerError as error:
    print(f"{error.attempts} attempt: it may have been delivered; check before resending")
# --8<-- [end:retries]

check(sent.attempts == 2, f"the send after a 429 took {sent.attempts} attempts, not 2")
now = sent_count("Your table is ready"), sent_count("Your table is ready, reminder")
check(now == (counts[0] + 2, counts[1] + 1), f"requests made: {now} after {counts}")
mock_control("fail", [{"status": 503}])
check(client.list_webhooks() is not None, "a list after a 503 failed")
check(mock_control("fail") == [], "scripted failures were left unused")
print("every error was raised as shown")
