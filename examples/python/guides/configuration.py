# connectly-example: run
"""Configuration: a client from the environment, one configured explicitly, and what the
SDK shows of the secrets.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
        python configuration.py

``CONNECTLY_BASE_URL`` points a client at the local mock (plain ``http`` is accepted only
for loopback hosts). Exits non-zero if a setting, a refusal or a redaction is not as shown.
"""

import collections.abc

# --8<-- [start:from_env]
import os
import sys

import connectly

try:
    # CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID, and CONNECTLY_BASE_URL when it is set
    client = connectly.Client()
except connectly.ConfigurationError as error:
    sys.exit(f"Connectly is not configured: {error}")
print(f"business {client.business_id}: timeout {client.timeout} s, {client.max_retries} retries")
# --8<-- [end:from_env]

if (client.business_id, client.timeout, client.max_retries) != (
    os.environ["CONNECTLY_BUSINESS_ID"],
    30.0,
    2,
):
    sys.exit("FAILED: the client from the environment does not have the defaults")

# --8<-- [start:explicit]
client = connectly.Client(
    api_key=os.environ["CONNECTLY_API_KEY"],  # or from your secret store
    business_id=os.environ["CONNECTLY_BUSINESS_ID"],
    base_url=os.environ.get("CONNECTLY_BASE_URL", "https://api.connectly.ai"),
    timeout=10.0,  # seconds per attempt (default 30); there is no "no timeout"
    max_retries=3,  # retries after the first attempt (default 2, at most 10)
)
client.list_webhooks()  # a first call checks the key and the business
# --8<-- [end:explicit]

if (client.timeout, client.max_retries) != (10.0, 3):
    sys.exit("FAILED: the explicit settings were not kept")

# Settings the SDK refuses before any request: each is a ValidationError.
refused: dict[str, collections.abc.Callable[[], connectly.Client]] = {
    "no API key": lambda: connectly.Client(api_key="", business_id="b"),
    "plain http to another host": lambda: connectly.Client(
        "k", "b", base_url="http://api.example.com"
    ),
    "a zero timeout": lambda: connectly.Client("k", "b", timeout=0),
    "11 retries": lambda: connectly.Client("k", "b", max_retries=11),
}
for what, build in refused.items():
    try:
        build()
    except connectly.ValidationError as error:
        print(f"refused, {what}: {error}")
    else:
        sys.exit(f"FAILED: a client was built with {what}")

# --8<-- [start:secrets]
print(repr(client))  # the API key shows as '[REDACTED]'
webhook = connectly.Webhook(os.environ["CONNECTLY_WEBHOOK_SECRET"])
print(repr(webhook))  # so does the webhook secret
try:
    connectly.Client(api_key="not-the-real-key").list_webhooks()
except connectly.AuthenticationError as error:
    # The provider's code, message and trace id: never the key that was sent.
    print(f"refused: {error}")
# --8<-- [end:secrets]

shown = [repr(client), str(client), repr(webhook), str(webhook)]
try:
    connectly.Client(api_key="not-the-real-key").list_webhooks()
except connectly.AuthenticationError as error:
    shown += [str(error), repr(error), repr(vars(error))]
else:
    sys.exit("FAILED: a wrong API key was accepted")
for secret in (os.environ["CONNECTLY_API_KEY"], "not-the-real-key"):
    if any(secret in text for text in shown):
        sys.exit("FAILED: an API key was shown")
if any(os.environ["CONNECTLY_WEBHOOK_SECRET"] in text for text in shown):
    sys.exit("FAILED: the webhook secret was shown")
if "[REDACTED]" not in repr(client) or "[REDACTED]" not in repr(webhook):
    sys.exit("FAILED: the redaction is not shown")
print("no secret shown")
