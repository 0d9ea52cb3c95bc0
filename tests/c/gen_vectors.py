#!/usr/bin/env python3
"""Writes a C file with the shared vectors (tests/vectors/*.json) for tests/c.

Every byte string is emitted as lowercase hex, so any byte survives; the C suite decodes it.
Usage: gen_vectors.py VECTORS_DIR OUT.c
"""

import base64
import json
import re
import sys


def c_hex(data: bytes) -> str:
    return '"' + data.hex() + '"'


def status_of(kind: str) -> str:
    if kind == "ok":
        return "CONNECTLY_OK"
    return "CONNECTLY_ERROR_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()


def c_str(text) -> str:
    """A C string literal for text (UTF-8), or NULL for None. Every byte outside printable
    ASCII is a three-digit octal escape; the quote, backslash and question mark (trigraphs)
    are escaped."""
    if text is None:
        return "NULL"
    out = ['"']
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\?':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def json_text(value) -> str:
    """Compact JSON text of a value, as a C literal."""
    return c_str(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def c_double(value) -> str:
    """A coordinate: a JSON number, or "NaN" / "Infinity" / "-Infinity" for the IEEE values."""
    if isinstance(value, str):
        return {"NaN": "NAN", "Infinity": "INFINITY", "-Infinity": "-INFINITY"}[value]
    return repr(float(value))


class Steps:
    """The setters (and call arguments) a requests.json row's args map to."""

    def __init__(self, name: str, args: dict):
        self.name = name
        self.args = args
        self.used = set()
        self.rows = []

    def get(self, key, default=None):
        self.used.add(key)
        return self.args.get(key, default)

    def add(self, op, *strings, numbers=(0.0, 0.0)):
        if len(strings) > 4:
            raise SystemExit(f"requests.json {self.name}: {op} has more than 4 strings")
        self.rows.append((op, list(strings) + [None] * (4 - len(strings)), numbers))

    def check_all_used(self):
        unused = set(self.args) - self.used
        if unused:
            raise SystemExit(f"requests.json {self.name}: args {sorted(unused)} are not mapped")


def labels(steps: Steps, part: dict, seen: dict) -> None:
    """A list's or buttons' header and footer: one message-level setting each in C."""
    for key in ("header", "footer"):
        if key in part:
            if key in seen:
                raise SystemExit(f"requests.json {steps.name}: two {key}s, C has one")
            seen[key] = True
            steps.add(key, part[key])


def request_steps(name: str, call: str, args: dict) -> list:
    steps = Steps(name, args)
    if call == "send_message":
        steps.add("recipient", steps.get("channel", "whatsapp"), steps.get("to"))
        for key, op in (
            ("recipient_name", "recipient_name"),
            ("sender", "sender"),
            ("message_id", "id"),
            ("text", "text"),
        ):
            if key in args:
                steps.add(op, steps.get(key))
        seen = {}
        attachment = steps.get("attachment")
        if attachment is not None:
            steps.add(
                "attachment",
                attachment["type"],
                attachment["url"],
                attachment.get("caption"),
                attachment.get("filename"),
            )
        location = steps.get("location")
        if location is not None:
            steps.add(
                "location",
                location.get("name"),
                location.get("address"),
                numbers=(c_double(location["latitude"]), c_double(location["longitude"])),
            )
        listed = steps.get("list")
        if listed is not None:
            steps.add("list_button", listed["button"])
            labels(steps, listed, seen)
            opened = None
            for section in listed["sections"]:
                # A row joins the last section of its title: a section with no rows, or one
                # after a section of the same title, is opened explicitly.
                if not section["rows"] or section["title"] == opened:
                    steps.add("list_section", section["title"])
                opened = section["title"]
                for row in section["rows"]:
                    steps.add(
                        "list_row", section["title"], row["id"], row["text"], row.get("description")
                    )
        buttons = steps.get("buttons")
        if buttons is not None:
            labels(steps, buttons, seen)
            if not buttons["buttons"]:
                steps.add("start_buttons")
            for button in buttons["buttons"]:
                steps.add("button", button["id"], button["text"])
    elif call == "send_template":
        steps.add("template", steps.get("number"), steps.get("template_name"))
        for param_name, param_value in steps.get("params"):
            steps.add("param", param_name, param_value)
        for key in ("language", "sender", "campaign_name"):
            if key in args:
                steps.add(key, steps.get(key))
        if "callback_data" in args:
            steps.add(
                "callback_data",
                json.dumps(steps.get("callback_data"), ensure_ascii=False, separators=(",", ":")),
            )
    elif call == "send_campaign":
        for entry in steps.get("entries"):
            steps.add("entry", entry["client"], entry["campaign_name"])
            variables = entry.get("variables")
            if variables is not None:
                if all(isinstance(v, str) for v in variables.values()):
                    for var_name, var_value in variables.items():
                        steps.add("variable", var_name, var_value)
                else:
                    steps.add("variables_json", json.dumps(variables, ensure_ascii=False))
            for key in ("version", "sender", "scheduled_at"):
                if key in entry:
                    steps.add(key, entry[key])
    else:

        def optional_json(key):
            value = steps.get(key)
            return (
                None
                if value is None
                else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            )

        if call == "create_webhook":
            steps.add(
                "call",
                steps.get("address"),
                steps.get("topic"),
                steps.get("type"),
                optional_json("configuration"),
            )
        elif call == "upsert_webhook_create":
            steps.add(
                "call", steps.get("address"), steps.get("topic"), optional_json("configuration")
            )
        elif call == "update_webhook":
            steps.add(
                "call",
                steps.get("webhook_id"),
                steps.get("address"),
                optional_json("configuration"),
            )
        elif call == "delete_webhook":
            steps.add("call", steps.get("webhook_id"))
        elif call not in ("list_webhooks", "list_templates"):
            raise SystemExit(f"requests.json {name}: unknown call {call}")
    steps.check_all_used()
    return steps.rows


def requests_vectors(vectors_dir: str, out: list) -> None:
    with open(f"{vectors_dir}/requests.json", encoding="utf-8") as f:
        rows = json.load(f)["vectors"]
    entries = []
    for i, row in enumerate(rows):
        steps = request_steps(row["name"], row["call"], row["args"])
        out.append(f"static const struct req_step REQ_STEPS_{i}[] = {{")
        for op, strings, numbers in steps:
            texts = ", ".join(c_str(x) for x in strings)
            out.append(f"    {{{c_str(op)}, {{{texts}}}, {{{numbers[0]}, {numbers[1]}}}}},")
        if not steps:
            out.append("    {NULL, {NULL, NULL, NULL, NULL}, {0.0, 0.0}},")
        out.append("};")
        expect = row["expect"]
        if "error" in expect:
            if expect["error"]["kind"] != "validation":
                raise SystemExit(f"requests.json {row['name']}: unknown error kind")
            result = f"{c_str(expect['error']['field'])}, NULL, NULL, NULL"
        else:
            body = expect["body"]
            body_text = "NULL" if body is None else json_text(body)
            result = f"NULL, {c_str(expect['method'])}, {c_str(expect['path'])}, {body_text}"
        name, call = c_str(row["name"]), c_str(row["call"])
        entries.append(f"    {{{name}, {call}, REQ_STEPS_{i}, {len(steps)}, {result}}},")
    out.append("const struct req_vector REQ_VECTORS[] = {")
    out.extend(entries)
    out.append("};")
    out.append(f"const size_t REQ_VECTOR_ROWS = {len(rows)};")
    out.append("")


def braced(value, keys) -> str:
    """A C initializer `{...}` of the strings of `value` (a JSON object, or None) at `keys`."""
    return "{" + ", ".join(c_str((value or {}).get(k)) for k in keys) + "}"


def event_vectors(vectors_dir: str, out: list) -> None:
    with open(f"{vectors_dir}/events.json", encoding="utf-8") as f:
        doc = json.load(f)
    rows = doc["vectors"]

    def party(p):
        return braced(p, ("id", "channel_type", "name", "user_id", "phone_number"))

    def optional_json(value):
        return "NULL" if value is None else json_text(value)

    out.append(f"const char *const EVENT_SECRET = {c_str(doc['secret'])};")
    out.append("const struct event_vector EVENT_VECTORS[] = {")
    empty_party = "{NULL, NULL, NULL, NULL, NULL}"
    for row in rows:
        if "\0" in row["body"]:
            raise SystemExit(f"events.json {row['name']}: a NUL byte in the body")
        e = row["expect"]
        head = f"{c_str(row['name'])}, {c_str(row['body'])}, {c_str(row['signature'])}"
        if "kind" not in e:
            if e.get("error") != "invalid_payload":
                raise SystemExit(f"events.json {row['name']}: unknown expectation")
            out.append(
                f"    {{{head}, 1, NULL, NULL, 0, {empty_party}, {empty_party}, NULL, NULL, 0, "
                "{NULL, NULL, NULL, NULL}, 0, 0.0, 0.0, NULL, NULL, 0, {NULL, NULL, NULL}, "
                "{NULL, NULL, NULL}, NULL, NULL, NULL, NULL, 0, {NULL, NULL, NULL, NULL}, NULL},"
            )
            continue
        message = e["kind"] == "message"
        status = e["kind"] == "delivery_status"
        attachment = e.get("attachment") if message else None
        location = e.get("location") if message else None
        button = e.get("button_reply") if message else None
        listed = e.get("list_reply") if message else None
        error = e.get("error") if status else None
        fields = [
            head,
            "0",
            c_str(e["kind"]),
            c_str(e["topic"]),
            f"{e['timestamp']}LL",
            party(e["sender"]),
            party(e["recipient"]),
            optional_json(e["callback_data"]),
            c_str(e.get("text")),
            "1" if attachment else "0",
            braced(attachment, ("type", "url", "caption", "filename")),
            "1" if location else "0",
            c_double(location["latitude"]) if location else "0.0",
            c_double(location["longitude"]) if location else "0.0",
            c_str((location or {}).get("name")),
            c_str((location or {}).get("address")),
            "1" if button else "0",
            braced(button, ("text", "payload", "id")),
            braced(listed, ("id", "text", "description")),
            c_str(e.get("reply_to_id")),
            optional_json(e.get("referral")),
            c_str(e.get("message_id")),
            c_str(e.get("status")),
            "1" if error else "0",
            braced(error, ("code", "type", "message", "trace_id")),
            c_str(e.get("campaign_name")),
        ]
        out.append(f"    {{{', '.join(fields)}}},")
    out.append("};")
    out.append(f"const size_t EVENT_VECTOR_ROWS = {len(rows)};")
    out.append("")


def main() -> None:
    vectors_dir, out_path = sys.argv[1], sys.argv[2]
    out = [
        "/* Generated by tests/c/gen_vectors.py from tests/vectors/. Do not edit. */",
        "",
        "#include <math.h>",
        "",
        '#include "vectors.h"',
        "",
    ]
    requests_vectors(vectors_dir, out)
    event_vectors(vectors_dir, out)

    with open(f"{vectors_dir}/webhooks.json", encoding="utf-8") as f:
        rows = json.load(f)["vectors"]
    out.append("const struct sig_vector SIG_VECTORS[] = {")
    for row in rows:
        out.append(
            "    {%s, %s, %s, %s},"
            % (
                json.dumps(row["name"]),
                c_hex(bytes.fromhex(row["secret_hex"])),
                c_hex(bytes.fromhex(row["body_hex"])),
                json.dumps(row["signature"]),
            )
        )
    out.append("};")
    out.append("const size_t SIG_VECTOR_ROWS = %d;" % len(rows))
    out.append("")

    try:
        with open(f"{vectors_dir}/webhook_errors.json", encoding="utf-8") as f:
            rows = json.load(f)["vectors"]
    except FileNotFoundError:
        rows = []
    out.append("const struct err_vector ERR_VECTORS[] = {")
    for row in rows:
        if "body_hex" in row:
            body = bytes.fromhex(row["body_hex"])
        else:
            body = row["body"].encode("utf-8")
        signature = row.get("signature")
        out.append(
            "    {%s, %s, %s, %d, %d, %s, %d, %d, %s, %s},"
            % (
                json.dumps(row["name"]),
                c_hex(row["secret"].encode("utf-8")),
                c_hex(body),
                row.get("body_repeat", 1),
                0 if signature is None else 1,
                c_hex((signature or "").encode("utf-8")),
                row.get("max_body_size", -1),
                row.get("tolerance_s", -1),
                status_of(row["expected_verify"]),
                status_of(row["expected_verify_event"]),
            )
        )
    if not rows:
        out.append("    {0, 0, 0, 0, 0, 0, 0, 0, CONNECTLY_OK, CONNECTLY_OK},")
    out.append("};")
    out.append("const size_t ERR_VECTOR_ROWS = %d;" % len(rows))
    out.append("")

    try:
        with open(f"{vectors_dir}/api_errors.json", encoding="utf-8") as f:
            rows = json.load(f)["vectors"]
    except FileNotFoundError:
        rows = []
    out.append("const struct api_vector API_VECTORS[] = {")
    for row in rows:
        expected = row["expected"]

        def opt(value):
            return (
                "0, " + c_hex(b"") if value is None else "1, " + c_hex(str(value).encode("utf-8"))
            )

        out.append(
            "    {%s, %s, %s, %s, %d, %s, %s, %s, %d},"
            % (
                json.dumps(row["name"]),
                json.dumps(row["call"]),
                c_hex(json.dumps([row["reply"]]).encode("utf-8")),
                status_of(expected["kind"]),
                expected.get("status") or 0,
                opt(expected.get("code")),
                opt(expected.get("message")),
                opt(expected.get("trace_id")),
                -1 if expected.get("retry_after") is None else expected["retry_after"],
            )
        )
    if not rows:
        out.append('    {0, 0, 0, CONNECTLY_OK, 0, 0, "", 0, "", 0, "", -1},')
    out.append("};")
    out.append("const size_t API_VECTOR_ROWS = %d;" % len(rows))
    out.append("")

    try:
        with open(f"{vectors_dir}/retries.json", encoding="utf-8") as f:
            retries = json.load(f)
    except FileNotFoundError:
        retries = {"calls": {}, "vectors": []}
    rows = retries["vectors"]
    calls = retries["calls"]
    out.append("const struct retry_vector RETRY_VECTORS[] = {")
    for row in rows:
        args = calls[row["call"]]
        if row["call"] == "send_text":
            strings = [args["channel"], args["to"], args["text"]]
        elif row["call"] == "send_template":
            strings = [args["number"], args["template"], ""]
        else:
            strings = [args["address"], args["topic"], ""]
        params = args.get("params", []) if row["call"] == "send_template" else []
        if len(params) > 4:
            raise SystemExit("retries.json: more than 4 template parameters")
        flat = [c_hex(x.encode("utf-8")) for pair in params for x in pair]
        flat += ['""'] * (8 - len(flat))
        expected = row["expected"]
        out.append(
            "    {%s, %s, {%s}, {%s}, %d, %s, %d, %d, %s, %d, %d, %d},"
            % (
                json.dumps(row["name"]),
                json.dumps(row["call"]),
                ", ".join(c_hex(x.encode("utf-8")) for x in strings),
                ", ".join(flat),
                len(params),
                c_hex(json.dumps(row["script"]).encode("utf-8")),
                row["max_retries"],
                row["timeout_ms"],
                status_of(expected["outcome"]),
                expected["attempts"],
                expected["requests"],
                expected.get("status") or 0,
            )
        )
    if not rows:
        out.append(
            '    {0, 0, {"", "", ""}, {"", "", "", "", "", "", "", ""}, 0, "", 0, 0, CONNECTLY_OK, 0, 0, 0},'
        )
    out.append("};")
    out.append("const size_t RETRY_VECTOR_ROWS = %d;" % len(rows))
    with open(f"{vectors_dir}/receiving.json", encoding="utf-8") as f:
        receiving = json.load(f)
    rows = receiving["vectors"]
    out.append("const char *const RECV_SECRET = %s;" % json.dumps(receiving["secret"]))
    out.append("const struct recv_vector RECV_VECTORS[] = {")
    for row in rows:
        encoding = row["content_encoding"]
        signature = row["signature"]
        ok = row["expected_kind"] == "ok"
        out.append(
            "    {%s, %s, %d, %s, %s, %d, %s, %d, %d, %s, %s, %s},"
            % (
                json.dumps(row["name"]),
                json.dumps(row["method"]),
                0 if encoding is None else 1,
                json.dumps(encoding or ""),
                c_hex(base64.b64decode(row["body_b64"])),
                0 if signature is None else 1,
                json.dumps(signature or ""),
                row.get("max_body_size", -1),
                row["expected_status"],
                status_of(row["expected_kind"]),
                c_hex(base64.b64decode(row["event_body_b64"]) if ok else b""),
                json.dumps(row.get("event_text") or ""),
            )
        )
    out.append("};")
    out.append("const size_t RECV_VECTOR_ROWS = %d;" % len(rows))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
