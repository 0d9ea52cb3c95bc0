"""Send a WhatsApp text, an image and a template with a language and callback data.

    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python send.py +15555555555

(`make demo` runs it against the local mock Connectly by setting CONNECTLY_BASE_URL.)
"""

from __future__ import annotations

import sys

import connectly


def main(argv: list[str]) -> int:
    to = argv[1] if len(argv) > 1 else "+15555555555"
    client = connectly.Client()  # CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID, CONNECTLY_BASE_URL
    try:
        sent = client.send_text(to, "hello from Python!")
        print(
            f"send_text: HTTP {sent.status_code}, {sent.attempts} attempt(s), trace {sent.trace_id}"
        )
        photo = connectly.Attachment(
            "image", "https://example.com/receipt.jpg", caption="Your receipt"
        )
        image = client.send_message(to, attachment=photo)
        print(f"send_message (image): id {image.data['id']}")
        template = client.send_template(
            to,
            "order_update",
            {"name": "Ada", "order": "1042"},
            language="en_US",
            callback_data={"orderId": 1042},
        )
        print(f"send_template (en_US, callback data): id {template.data['id']}")
    except connectly.RateLimitError as error:
        print(f"rate limited; retry after {error.retry_after} s", file=sys.stderr)
        return 5
    except connectly.APIError as error:
        print(f"refused: {error.status_code} {error.code} {error.message}", file=sys.stderr)
        print(f"(trace id for Connectly's support: {error.trace_id})", file=sys.stderr)
        return 6
    except connectly.ConnectlyError as error:
        print(f"failed ({error.kind}): {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
