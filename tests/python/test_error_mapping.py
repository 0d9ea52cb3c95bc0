"""Every kind of core error maps to one exception class: the whole table, as the native
module's one exhaustive mapping gives it."""

from __future__ import annotations

import connectly
import connectly._connectly as native

EXPECTED = {
    "Validation": connectly.ValidationError,
    "Config": connectly.ConfigurationError,
    "Authentication": connectly.AuthenticationError,
    "RateLimited": connectly.RateLimitError,
    "Api": connectly.APIError,
    "Server": connectly.ServerError,
    "Redirect": connectly.TransportError,
    "Timeout": connectly.TimeoutError,
    "Transport": connectly.TransportError,
    "Tls": connectly.TransportError,
    "ResponseTooLarge": connectly.TransportError,
    "Cancelled": connectly.CancelledError,
    "MethodNotAllowed": connectly.MethodNotAllowedError,
    "UnsupportedEncoding": connectly.UnsupportedEncodingError,
    "MalformedEncoding": connectly.MalformedEncodingError,
    "MissingSignature": connectly.MissingSignatureError,
    "MalformedSignature": connectly.MalformedSignatureError,
    "InvalidSignature": connectly.InvalidSignatureError,
    "PayloadTooLarge": connectly.PayloadTooLargeError,
    "InvalidPayload": connectly.InvalidPayloadError,
    "InvalidSecret": connectly.InvalidSecretError,
    "TimestampOutsideTolerance": connectly.TimestampOutsideToleranceError,
}


def test_every_kind_has_its_class() -> None:
    mapping = native._error_classes()
    kinds = [kind for kind, _ in mapping]
    assert len(kinds) == len(set(kinds))
    assert dict(mapping) == EXPECTED


def test_every_class_is_a_connectly_error() -> None:
    for kind, cls in native._error_classes():
        assert issubclass(cls, connectly.ConnectlyError), kind
    refusals = [c for c in EXPECTED.values() if issubclass(c, connectly.WebhookVerificationError)]
    assert len(refusals) == 10
