"""The README's Python quickstart: a text and a template, and a typed error.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python quickstart.py

connectly-example: run
"""

# --8<-- [start:quickstart]
import connectly

client = connectly.Client()  # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID from the environment
try:
    sent = client.send_text("+15555555555", "Your order has shipped")
    print(f"sent {sent.data['id']} in {sent.attempts} attempt(s)")
    client.send_template("+15555555555", "order_update", {"name": "Ada"}, language="en_US")
except connectly.ConnectlyError as error:
    print(f"not sent: {error}")  # typed: ValidationError, RateLimitError, APIError, ...
    raise
# --8<-- [end:quickstart]
assert sent.status_code == 200
assert sent.data["id"]
