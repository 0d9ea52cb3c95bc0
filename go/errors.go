package connectly

/*
#include <connectly.h>
*/
import "C"

import (
	"errors"
	"time"
)

// Sentinel errors, one per kind, for errors.Is. Every error the package returns matches
// exactly one of them (and a context error, for a call whose context ended).
var (
	// ErrValidation: an input was refused before anything was sent.
	ErrValidation = errors.New("connectly: validation error")
	// ErrConfig: the client could not be configured.
	ErrConfig = errors.New("connectly: configuration error")
	// ErrAuthentication: the API refused the API key (401 or 403).
	ErrAuthentication = errors.New("connectly: authentication failed")
	// ErrRateLimited: the API answered 429 and no attempt was left.
	ErrRateLimited = errors.New("connectly: rate limited")
	// ErrAPI: the API refused the request with another 4xx status.
	ErrAPI = errors.New("connectly: request refused")
	// ErrServer: the API failed with a 5xx status (the message may have been sent).
	ErrServer = errors.New("connectly: server error")
	// ErrRedirect: the API answered with a redirect, which is never followed.
	ErrRedirect = errors.New("connectly: redirect refused")
	// ErrTimeout: no answer came in time (the message may have been sent: see PossiblySent).
	ErrTimeout = errors.New("connectly: timeout")
	// ErrTransport: the connection failed or broke.
	ErrTransport = errors.New("connectly: transport error")
	// ErrTLS: the TLS handshake failed.
	ErrTLS = errors.New("connectly: TLS error")
	// ErrResponseTooLarge: the API's response exceeded the SDK's limit.
	ErrResponseTooLarge = errors.New("connectly: response too large")
	// ErrCanceled: the call was cancelled before it finished: its context ended (the error
	// then matches ctx.Err() too), or the Client was closed during it. Error.PossiblySent
	// says whether its request may have reached the server.
	ErrCanceled = errors.New("connectly: canceled")
	// ErrMissingSignature: the signature header was absent, empty or blank.
	ErrMissingSignature = errors.New("connectly: missing webhook signature")
	// ErrMalformedSignature: the signature is not standard padded base64 of 32 bytes.
	ErrMalformedSignature = errors.New("connectly: malformed webhook signature")
	// ErrInvalidSignature: the signature matches none of the secrets.
	ErrInvalidSignature = errors.New("connectly: invalid webhook signature")
	// ErrPayloadTooLarge: the delivery's body is over the size limit.
	ErrPayloadTooLarge = errors.New("connectly: webhook payload too large")
	// ErrInvalidPayload: the delivery is signed but is not the event JSON expected.
	ErrInvalidPayload = errors.New("connectly: invalid webhook payload")
	// ErrInvalidSecret: a secret is empty, or there are not 1 to 8 of them.
	ErrInvalidSecret = errors.New("connectly: invalid webhook secret")
	// ErrTimestampOutsideTolerance: a tolerance is set and the delivery's timestamp is
	// outside it.
	ErrTimestampOutsideTolerance = errors.New("connectly: webhook timestamp outside tolerance")
	// ErrMethodNotAllowed: a delivery's method was not POST (answer 405 with Allow: POST).
	ErrMethodNotAllowed = errors.New("connectly: webhook method not allowed")
	// ErrUnsupportedEncoding: a delivery's Content-Encoding is not none, identity, gzip or
	// x-gzip (answer 415).
	ErrUnsupportedEncoding = errors.New("connectly: unsupported webhook content encoding")
	// ErrMalformedEncoding: a delivery's body claims gzip but is not valid gzip (answer 400).
	ErrMalformedEncoding = errors.New("connectly: malformed webhook content encoding")
	// ErrClosed: the Client or Webhook was used after Close, or a closed RateLimiter was
	// given to NewClient.
	ErrClosed = errors.New("connectly: use after Close")
	// ErrLibraryVersion: the C library found (or the connectly.h the package was built
	// with) has a version this package cannot use: another major version, or for 0.x
	// another minor. The message says which was found and which is needed. NewClient,
	// NewClientFromEnv, NewWebhook and VerifyWebhook return it; no library status maps to
	// it.
	ErrLibraryVersion = errors.New("connectly: incompatible C library version")
	// ErrInternal: a bug in the SDK (including an unusable argument the Go layer let
	// through). Please report it.
	ErrInternal = errors.New("connectly: internal error")
)

// Error is a failure of a call, with the SDK's message. errors.Is matches its kind's
// sentinel.
type Error struct {
	// Message is the SDK's description. It never contains the API key, a webhook secret,
	// a signature or a body.
	Message string
	// Attempts is how many requests were made (0 when nothing was sent).
	Attempts int
	// Status is the HTTP status when the server answered (a redirect); 0 otherwise.
	Status int
	// Field is the input a validation error (ErrValidation) refused, as the core names it
	// in every language: "text", "recipient id", "callback data", "variables", ... It is
	// "" for the other kinds, and for an argument refused before it reached the core (a
	// string holding a NUL byte).
	Field string
	// PossiblySent is true when the request may have reached Connectly although the call
	// failed, so sending again could deliver a message twice: a timeout (ErrTimeout) or a
	// broken connection (ErrTransport) after the request may have been written, an answer
	// too large to read, or a cancellation (ErrCanceled) with the request in flight. It is
	// false when no request reached Connectly: refused before sending, never connected,
	// cancelled before it was written. The function PossiblySent asks any error.
	PossiblySent bool
	kind         error
}

func (e *Error) Error() string { return "connectly: " + e.Message }

// Unwrap returns the kind's sentinel (ErrTimeout, ErrInvalidSignature, ...).
func (e *Error) Unwrap() error { return e.kind }

// APIError is an error the API answered: authentication, rate limiting, another 4xx, or
// a 5xx. errors.Is matches its kind's sentinel (ErrAuthentication, ErrRateLimited, ErrAPI,
// ErrServer).
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code is the provider's error code, such as "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT"
	// ("" when it gave none).
	Code string
	// TraceID is the provider's trace id (cntTraceId), which its support asks for.
	TraceID string
	// Message is the provider's own message, verbatim ("" when it gave none).
	Message string
	// RetryAfter is how long the API asked to wait (429 only); -1 when it did not say.
	RetryAfter time.Duration
	// Attempts is how many requests were made.
	Attempts int
	// PossiblySent is true for a 5xx (ErrServer): Connectly may have acted on the request
	// before it failed, so sending again could deliver a message twice. A 4xx or a 429 says
	// the request was not taken.
	PossiblySent bool
	text         string
	kind         error
}

func (e *APIError) Error() string { return "connectly: " + e.text }

// Unwrap returns the kind's sentinel.
func (e *APIError) Unwrap() error { return e.kind }

var statusErrors = map[C.enum_connectly_status]error{
	C.CONNECTLY_ERROR_NULL_ARGUMENT:               ErrInternal,
	C.CONNECTLY_ERROR_INVALID_ARGUMENT:            ErrValidation,
	C.CONNECTLY_ERROR_VALIDATION:                  ErrValidation,
	C.CONNECTLY_ERROR_CONFIG:                      ErrConfig,
	C.CONNECTLY_ERROR_AUTHENTICATION:              ErrAuthentication,
	C.CONNECTLY_ERROR_RATE_LIMITED:                ErrRateLimited,
	C.CONNECTLY_ERROR_API:                         ErrAPI,
	C.CONNECTLY_ERROR_SERVER:                      ErrServer,
	C.CONNECTLY_ERROR_REDIRECT:                    ErrRedirect,
	C.CONNECTLY_ERROR_TIMEOUT:                     ErrTimeout,
	C.CONNECTLY_ERROR_TRANSPORT:                   ErrTransport,
	C.CONNECTLY_ERROR_TLS:                         ErrTLS,
	C.CONNECTLY_ERROR_RESPONSE_TOO_LARGE:          ErrResponseTooLarge,
	C.CONNECTLY_ERROR_CANCELLED:                   ErrCanceled,
	C.CONNECTLY_ERROR_MISSING_SIGNATURE:           ErrMissingSignature,
	C.CONNECTLY_ERROR_MALFORMED_SIGNATURE:         ErrMalformedSignature,
	C.CONNECTLY_ERROR_INVALID_SIGNATURE:           ErrInvalidSignature,
	C.CONNECTLY_ERROR_PAYLOAD_TOO_LARGE:           ErrPayloadTooLarge,
	C.CONNECTLY_ERROR_INVALID_PAYLOAD:             ErrInvalidPayload,
	C.CONNECTLY_ERROR_INVALID_SECRET:              ErrInvalidSecret,
	C.CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE: ErrTimestampOutsideTolerance,
	C.CONNECTLY_ERROR_METHOD_NOT_ALLOWED:          ErrMethodNotAllowed,
	C.CONNECTLY_ERROR_UNSUPPORTED_ENCODING:        ErrUnsupportedEncoding,
	C.CONNECTLY_ERROR_MALFORMED_ENCODING:          ErrMalformedEncoding,
	C.CONNECTLY_ERROR_INTERNAL:                    ErrInternal,
}

// kindOf is the sentinel for a status the library returns; false for one it does not know.
func kindOf(status int) (error, bool) {
	kind, ok := statusErrors[C.enum_connectly_status(status)]
	return kind, ok
}

// statusName is the library's name for a status, such as "CONNECTLY_ERROR_TIMEOUT";
// "CONNECTLY_UNKNOWN_STATUS" for a number it does not define.
func statusName(status int) string {
	return C.GoString(C.connectly_status_name(C.connectly_status(status)))
}

// captured converts the outcome of a call made through a capturing wrapper (the CAPTURE
// macro in each file's cgo preamble): nil for CONNECTLY_OK, else the failure read from e,
// the wrapper's own copy of the thread's last error, taken in the same C call as the call
// itself (so no goroutine has to stay on the thread that made it). It frees e.
func captured(status C.enum_connectly_status, e *C.connectly_error) error {
	if status == C.CONNECTLY_OK {
		return nil
	}
	defer C.connectly_error_free(e)
	return newError(status, e)
}

// newError builds the error for a failure with status from the library's error object e
// (borrowed: the thread's last error copied by a capturing wrapper, a completion's or a
// batch message's; NULL reads as no details): an *APIError for the kinds the API answered,
// an *Error otherwise. It is the one conversion of the library's errors.
func newError(status C.enum_connectly_status, e *C.connectly_error) error {
	kind, ok := kindOf(int(status))
	if !ok {
		kind = ErrInternal
	}
	message := C.GoString(C.connectly_error_message(e))
	attempts := clampInt(uint64(C.connectly_error_attempts(e)))
	switch status {
	case C.CONNECTLY_ERROR_AUTHENTICATION, C.CONNECTLY_ERROR_RATE_LIMITED,
		C.CONNECTLY_ERROR_API, C.CONNECTLY_ERROR_SERVER:
		retryAfter := time.Duration(-1)
		if ms := int64(C.connectly_error_retry_after_ms(e)); ms >= 0 {
			retryAfter = durationFromMillis(ms)
		}
		return &APIError{
			Status:       int(C.connectly_error_http_status(e)),
			Code:         optionalString(C.connectly_error_code(e)),
			TraceID:      optionalString(C.connectly_error_trace_id(e)),
			Message:      optionalString(C.connectly_error_api_message(e)),
			RetryAfter:   retryAfter,
			Attempts:     attempts,
			PossiblySent: bool(C.connectly_error_possibly_sent(e)),
			text:         message,
			kind:         kind,
		}
	}
	if message == "" {
		message = "status " + statusName(int(status))
	}
	return &Error{
		Message:      message,
		Attempts:     attempts,
		Status:       int(C.connectly_error_http_status(e)),
		Field:        optionalString(C.connectly_error_field(e)),
		PossiblySent: bool(C.connectly_error_possibly_sent(e)),
		kind:         kind,
	}
}

// PossiblySent reports whether the failed call behind err may have reached Connectly, so
// that sending again could deliver a message twice (see Error.PossiblySent and
// APIError.PossiblySent); false for nil and for errors of other packages.
func PossiblySent(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.PossiblySent
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.PossiblySent
}

func optionalString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}
