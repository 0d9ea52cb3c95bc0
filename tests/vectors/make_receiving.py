#!/usr/bin/env python3
"""Writes tests/vectors/receiving.json: HTTP deliveries and the status every helper answers.

Independent of the SDK on purpose: bodies are compressed with Python's gzip module and signed
with its hmac module, and the expected statuses come from the policy table in the receiving
guide (docs/guides/receive.md), not from running any helper. Rerun after editing a row:

    python3 tests/vectors/make_receiving.py > tests/vectors/receiving.json
"""

import base64
import gzip
import hashlib
import hmac
import json

SECRET = "receiving-secret"


def event(text: str, extra: str = "") -> bytes:
    return (
        '{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},'
        '"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"%s"}%s}'
        % (text, extra)
    ).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


PLAIN = event("hello")
TWO_HALVES = (PLAIN[:40], PLAIN[40:])
AT_LIMIT = event("at the limit")
BIG = event("big", ',"n":123456789012345678901234567890,"f":1e400,"z":{"b":1,"a":2}')
BOMB = gz(b" " * 4096 + PLAIN)

ROWS = []


def row(name, note, *, wire, signed=None, method="POST", encoding=None, signature="valid",
        max_body_size=None, status, kind, text=None):
    """signed: the bytes the signature is made over (default: the wire bytes)."""
    signed = wire if signed is None else signed
    if signature == "valid":
        header = sign(signed)
    elif signature == "wrong-secret":
        header = sign(signed, "another-secret")
    else:
        header = signature
    entry = {
        "name": name,
        "note": note,
        "method": method,
        "content_encoding": encoding,
        "body_b64": b64(wire),
        "signature": header,
    }
    if max_body_size is not None:
        entry["max_body_size"] = max_body_size
    entry["expected_status"] = status
    entry["expected_kind"] = kind
    if kind == "ok":
        entry["event_body_b64"] = b64(signed)
        entry["event_text"] = text
    ROWS.append(entry)


row("plain-valid", "the documented case", wire=PLAIN, status=200, kind="ok", text="hello")
row("identity", "identity is no encoding", wire=PLAIN, encoding="identity", status=200, kind="ok", text="hello")
row("identity-upper", "codings are case-insensitive", wire=PLAIN, encoding="IDENTITY", status=200, kind="ok", text="hello")
row("empty-encoding", "an empty header is no encoding", wire=PLAIN, encoding="", status=200, kind="ok", text="hello")
for method in ["GET", "PUT", "DELETE", "PATCH", "post"]:
    row(f"method-{method}", "only POST, case-sensitive, checked first", wire=PLAIN, method=method,
        status=405, kind="MethodNotAllowed")
row("method-before-signature", "405 wins over a missing signature", wire=PLAIN, method="GET",
    signature=None, status=405, kind="MethodNotAllowed")
row("missing-signature", "no header", wire=PLAIN, signature=None, status=403, kind="MissingSignature")
row("empty-signature", "an empty header", wire=PLAIN, signature="", status=403, kind="MissingSignature")
row("malformed-signature", "not base64 of 32 bytes", wire=PLAIN, signature="abc", status=403,
    kind="MalformedSignature")
row("wrong-secret", "signed with another secret", wire=PLAIN, signature="wrong-secret", status=403,
    kind="InvalidSignature")
row("gzip", "signature over the decoded body", wire=gz(PLAIN), signed=PLAIN, encoding="gzip",
    status=200, kind="ok", text="hello")
row("gzip-upper", "GZIP", wire=gz(PLAIN), signed=PLAIN, encoding="GZIP", status=200, kind="ok", text="hello")
row("x-gzip", "the old alias", wire=gz(PLAIN), signed=PLAIN, encoding="x-gzip", status=200, kind="ok",
    text="hello")
row("x-gzip-mixed-case", "X-Gzip", wire=gz(PLAIN), signed=PLAIN, encoding="X-Gzip", status=200,
    kind="ok", text="hello")
row("gzip-padded", "surrounding whitespace is trimmed", wire=gz(PLAIN), signed=PLAIN, encoding=" gzip ",
    status=200, kind="ok", text="hello")
row("gzip-two-members", "RFC 1952: members one after the other are one body",
    wire=gz(TWO_HALVES[0]) + gz(TWO_HALVES[1]), signed=PLAIN, encoding="gzip", status=200, kind="ok",
    text="hello")
row("gzip-signed-compressed", "a signature over the compressed bytes does not verify", wire=gz(PLAIN),
    signed=gz(PLAIN), encoding="gzip", status=403, kind="InvalidSignature")
row("gzip-missing-signature", "decoded, then no signature", wire=gz(PLAIN), signed=PLAIN,
    encoding="gzip", signature=None, status=403, kind="MissingSignature")
row("gzip-trailing-garbage", "bytes after the member that are not gzip", wire=gz(PLAIN) + b"garbage",
    signed=PLAIN, encoding="gzip", status=400, kind="MalformedEncoding")
row("gzip-truncated", "the member cut short", wire=gz(PLAIN)[:-6], signed=PLAIN, encoding="gzip",
    status=400, kind="MalformedEncoding")
row("gzip-not-gzip", "plain bytes declared gzip", wire=PLAIN, encoding="gzip", status=400,
    kind="MalformedEncoding")
row("gzip-empty", "an empty body declared gzip", wire=b"", encoding="gzip", status=400,
    kind="MalformedEncoding")
row("gzip-bad-crc", "a corrupted checksum",
    wire=gz(PLAIN)[:-8] + bytes([gz(PLAIN)[-8] ^ 0xFF]) + gz(PLAIN)[-7:], signed=PLAIN, encoding="gzip",
    status=400, kind="MalformedEncoding")
for coding in ["deflate", "br", "compress", "gzip, identity", "zstd"]:
    row(f"encoding-{coding.replace(', ', '-')}", "not an encoding the SDK undoes", wire=PLAIN,
        encoding=coding, status=415, kind="UnsupportedEncoding")
row("encoding-before-signature", "415 wins over a missing signature", wire=PLAIN, encoding="br",
    signature=None, status=415, kind="UnsupportedEncoding")
row("at-limit", "a body of exactly max_body_size bytes", wire=AT_LIMIT, max_body_size=len(AT_LIMIT),
    status=200, kind="ok", text="at the limit")
row("over-limit", "one byte over max_body_size", wire=AT_LIMIT, max_body_size=len(AT_LIMIT) - 1,
    status=413, kind="PayloadTooLarge")
row("over-limit-unsigned", "413 wins over a missing signature", wire=AT_LIMIT,
    max_body_size=len(AT_LIMIT) - 1, signature=None, status=413, kind="PayloadTooLarge")
row("gzip-decodes-over-limit", "small on the wire, over the limit decoded", wire=BOMB,
    signed=gzip.decompress(BOMB), encoding="gzip", max_body_size=1024, status=413, kind="PayloadTooLarge")
row("gzip-wire-over-limit", "compressed bytes alone over the limit", wire=gz(AT_LIMIT), signed=AT_LIMIT,
    encoding="gzip", max_body_size=len(gz(AT_LIMIT)) - 1, status=413, kind="PayloadTooLarge")
row("not-json", "signed, but not JSON", wire=b"not json", status=400, kind="InvalidPayload")
row("not-an-event", "signed JSON without a sender", wire=b'{"timestamp":"1"}', status=400,
    kind="InvalidPayload")
row("numbers-beyond-f64", "kept exactly: an integer past 2**64 and 1e400", wire=BIG, status=200,
    kind="ok", text="big")

print(json.dumps({
    "description": (
        "HTTP deliveries and the status every receiving helper answers (Flask, Django, FastAPI, "
        "Go net/http, connectly listen). Each row: method, content_encoding (null: no header), "
        "body_b64 (the bytes on the wire), signature (the x-connectly-hmac-sha256 header, null "
        "when absent), max_body_size (optional; default 5 MiB), expected_status, expected_kind "
        "(\"ok\" or the refusal kind), and for ok rows event_body_b64 (the signed bytes the event "
        "carries) and event_text. The secret is the file's secret. Made by make_receiving.py "
        "with Python's gzip and hmac modules; see README.md."
    ),
    "secret": SECRET,
    "vectors": ROWS,
}, indent=2))
