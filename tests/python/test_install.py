"""The package under test is the installed wheel, with its native module and types."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import connectly
import connectly._connectly as native


def test_imported_from_site_packages_not_the_source_tree() -> None:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(connectly.__file__).resolve().is_relative_to(site), connectly.__file__
    assert Path(native.__file__).resolve().is_relative_to(site)


def test_native_module_is_abi3_and_typed() -> None:
    assert ".abi3." in Path(native.__file__).name
    package = Path(connectly.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_connectly.pyi").is_file()


def test_public_names() -> None:
    for name in (
        "Client",
        "AsyncClient",
        "Response",
        "Webhook",
        "WebhookEvent",
        "ConnectlyError",
        "ValidationError",
        "APIError",
        "AuthenticationError",
        "RateLimitError",
        "ServerError",
        "TransportError",
        "TimeoutError",
        "CancelledError",
        "WebhookVerificationError",
        "Attachment",
        "Location",
        "ListMessage",
        "ListSection",
        "ListRow",
        "ReplyButtons",
        "Button",
        "MessageRequest",
        "TemplateMessage",
        "WebhookInfo",
        "TemplateInfo",
        "CampaignEntry",
        "CampaignResult",
        "InboundMessage",
        "DeliveryStatus",
        "APIErrorDetail",
        "StatusTracker",
    ):
        assert name in connectly.__all__
        assert hasattr(connectly, name)
    assert connectly.__version__ == "0.1.0"
    assert connectly.SIGNATURE_HEADER == "x-connectly-hmac-sha256"
    assert sorted(connectly.__all__) == sorted(set(connectly.__all__))
    for typed in (connectly.InboundMessage, connectly.DeliveryStatus):
        assert issubclass(typed, connectly.WebhookEvent)


def test_exception_hierarchy() -> None:
    c = connectly
    assert issubclass(c.ValidationError, c.ConnectlyError)
    assert issubclass(c.ConfigurationError, c.ValidationError)
    for api in (c.AuthenticationError, c.RateLimitError, c.ServerError):
        assert issubclass(api, c.APIError)
    assert issubclass(c.APIError, c.ConnectlyError)
    assert issubclass(c.TimeoutError, c.TransportError)
    import builtins

    assert issubclass(c.TimeoutError, builtins.TimeoutError)
    for webhook in (
        c.MissingSignatureError,
        c.MalformedSignatureError,
        c.InvalidSignatureError,
        c.PayloadTooLargeError,
        c.InvalidPayloadError,
        c.InvalidSecretError,
        c.TimestampOutsideToleranceError,
    ):
        assert issubclass(webhook, c.WebhookVerificationError)
    assert issubclass(c.WebhookVerificationError, c.ConnectlyError)
    assert issubclass(c.InternalError, c.ConnectlyError)
    import asyncio

    # The SDK's own, under ConnectlyError: not asyncio's.
    assert issubclass(c.CancelledError, c.ConnectlyError)
    assert not issubclass(c.CancelledError, asyncio.CancelledError)
