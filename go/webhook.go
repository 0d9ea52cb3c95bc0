package connectly

/*
#include <stdlib.h>
#include <connectly.h>

// CAPTURE: see session.go.
#define UNPAREN(...) __VA_ARGS__
#define CAPTURE(name, params, args)                                                      \
	static enum connectly_status go_##name(connectly_error **err, UNPAREN params) {       \
		enum connectly_status status = connectly_##name args;                              \
		*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error()); \
		return status;                                                                     \
	}

CAPTURE(webhook_new,
	(const uint8_t *const *secrets, const size_t *secret_lens, size_t n_secrets,
	 connectly_webhook **out),
	(secrets, secret_lens, n_secrets, out))
CAPTURE(webhook_with_options,
	(const connectly_webhook *webhook, const connectly_webhook_options *options,
	 connectly_webhook **out),
	(webhook, options, out))
CAPTURE(webhook_verify_signature,
	(const connectly_webhook *webhook, const uint8_t *body, size_t body_len,
	 const char *signature),
	(webhook, body, body_len, signature))
CAPTURE(webhook_verify_event,
	(const connectly_webhook *webhook, const uint8_t *body, size_t body_len,
	 const char *signature, connectly_event **out),
	(webhook, body, body_len, signature, out))
CAPTURE(webhook_sign,
	(const connectly_webhook *webhook, const uint8_t *body, size_t body_len, char *out,
	 size_t out_len),
	(webhook, body, body_len, out, out_len))
CAPTURE(webhook_verify,
	(const uint8_t *secret, size_t secret_len, const uint8_t *body, size_t body_len,
	 const char *signature),
	(secret, secret_len, body, body_len, signature))
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// DefaultMaxBodySize is the largest delivery body verified unless SetMaxBodySize says
// otherwise: 5 MiB, the library's own default.
const DefaultMaxBodySize = C.CONNECTLY_DEFAULT_MAX_BODY_SIZE

// Webhook verifies Connectly's webhook deliveries with one to eight secrets (newest first,
// for rotation), their HMAC keys prepared once. Safe for concurrent use. Close it when
// done; use after Close returns ErrClosed.
type Webhook struct {
	mu  sync.RWMutex
	ptr *C.connectly_webhook
	// options are the verifier's settings; a change derives a new verifier from them.
	options C.connectly_webhook_options
}

// maxBodySize is the verifier's body size limit (its options hold 0 for the default). The
// caller holds w.mu.
func (w *Webhook) maxBodySize() int {
	if w.options.max_body_size == 0 {
		return DefaultMaxBodySize
	}
	return int(w.options.max_body_size) // exact: set from an int
}

// NewWebhook makes a verifier for one or more secrets, newest first: a signature made with
// any of them verifies, and Sign uses the first. No secrets, more than eight, or an empty
// one is ErrInvalidSecret.
func NewWebhook(secrets ...string) (*Webhook, error) {
	if errLibraryVersion != nil {
		return nil, errLibraryVersion
	}
	n := len(secrets)
	if n == 0 {
		return nil, &Error{Message: "invalid webhook secret: no secret was given", kind: ErrInvalidSecret}
	}
	// The array of pointers must live in C memory (cgo's pointer rules); so do the secrets.
	pointers := (**C.uint8_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.uint8_t)(nil)))))
	defer C.free(unsafe.Pointer(pointers))
	lens := (*C.size_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.size_t(0)))))
	defer C.free(unsafe.Pointer(lens))
	pointerSlots, lenSlots := unsafe.Slice(pointers, n), unsafe.Slice(lens, n)
	for i, s := range secrets {
		pointerSlots[i] = (*C.uint8_t)(C.CBytes([]byte(s)))
		lenSlots[i] = C.size_t(len(s))
	}
	defer func() {
		for i := range pointerSlots {
			C.free(unsafe.Pointer(pointerSlots[i]))
		}
	}()
	var ptr *C.connectly_webhook
	var e *C.connectly_error
	status := C.go_webhook_new(&e, pointers, lens, C.size_t(n), &ptr)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	w := &Webhook{ptr: ptr}
	runtime.SetFinalizer(w, (*Webhook).Close)
	return w, nil
}

// Close frees the verifier. It waits for verifications in progress, may be called more
// than once, and is safe for concurrent use.
func (w *Webhook) Close() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ptr != nil {
		C.connectly_webhook_free(w.ptr)
		w.ptr = nil
		runtime.SetFinalizer(w, nil)
	}
	return nil
}

// SetMaxBodySize sets the largest body verified, in bytes (default 5 MiB; 0 selects the
// default); a larger one is ErrPayloadTooLarge, refused before hashing. Handler reads at most
// one byte more. Any non-negative int is accepted (math.MaxInt: no practical limit).
func (w *Webhook) SetMaxBodySize(n int) error {
	if n < 0 {
		return &Error{Message: "the body size limit must not be negative", kind: ErrConfig}
	}
	if n == 0 {
		n = DefaultMaxBodySize
	}
	return w.derive(func(o *C.connectly_webhook_options) {
		o.max_body_size = C.size_t(n) // exact: an int never exceeds a size_t
	})
}

// SetTolerance turns on replay protection: a delivery's timestamp must then be within d of
// the current time, else ErrTimestampOutsideTolerance. Off by default. Timestamps are whole
// seconds, and so is the tolerance: d is rounded up (900 ms is 1 s; only 0 is 0 s).
func (w *Webhook) SetTolerance(d time.Duration) error {
	if d < 0 {
		return &Error{Message: "the tolerance must not be negative", kind: ErrConfig}
	}
	return w.derive(func(o *C.connectly_webhook_options) {
		o.check_timestamp = true
		o.tolerance_secs = C.uint64_t(wholeSeconds(d))
	})
}

// derive replaces the verifier with one derived from it with changed settings (the library
// never changes a verifier other threads may be using). Verifications in progress finish
// with the old one first.
func (w *Webhook) derive(change func(*C.connectly_webhook_options)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ptr == nil {
		return ErrClosed
	}
	options := w.options
	change(&options)
	var derived *C.connectly_webhook
	var e *C.connectly_error
	status := C.go_webhook_with_options(&e, w.ptr, &options, &derived)
	runtime.KeepAlive(w)
	if err := captured(status, e); err != nil {
		return err
	}
	C.connectly_webhook_free(w.ptr)
	w.ptr, w.options = derived, options
	return nil
}

// signatureArg copies a signature header value into C memory; "" stays "", which the
// library reads as a missing header.
func signatureArg(signature string) *C.char {
	return cString(signature)
}

// Verify checks that signature (the X-Connectly-Hmac-Sha256 header's value; "" when
// absent) is Connectly's signature of body, the raw request body, in constant time.
func (w *Webhook) Verify(body []byte, signature string) error {
	if hasNUL(signature) {
		return &Error{Message: "the webhook signature is malformed", kind: ErrMalformedSignature}
	}
	sig := signatureArg(signature)
	defer C.free(unsafe.Pointer(sig))
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return ErrClosed
	}
	ptr, n := bytesArg(body)
	var e *C.connectly_error
	status := C.go_webhook_verify_signature(&e, w.ptr, ptr, n, sig)
	runtime.KeepAlive(body)
	runtime.KeepAlive(w)
	return captured(status, e)
}

// VerifyEvent verifies the delivery as Verify does, then, only once the signature matched,
// parses it into an Event. A signed body that is not the expected JSON is
// ErrInvalidPayload.
func (w *Webhook) VerifyEvent(body []byte, signature string) (*Event, error) {
	if hasNUL(signature) {
		return nil, &Error{Message: "the webhook signature is malformed", kind: ErrMalformedSignature}
	}
	sig := signatureArg(signature)
	defer C.free(unsafe.Pointer(sig))
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return nil, ErrClosed
	}
	ptr, n := bytesArg(body)
	var out *C.connectly_event
	var e *C.connectly_error
	status := C.go_webhook_verify_event(&e, w.ptr, ptr, n, sig, &out)
	runtime.KeepAlive(body)
	runtime.KeepAlive(w)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	defer C.connectly_event_free(out)
	return newEvent(out), nil
}

// Sign returns the signature header value Connectly would send for body, made with the
// first secret. For tests.
func (w *Webhook) Sign(body []byte) (string, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return "", ErrClosed
	}
	ptr, n := bytesArg(body)
	buf := (*C.char)(C.malloc(C.CONNECTLY_SIGNATURE_BUFFER_SIZE))
	defer C.free(unsafe.Pointer(buf))
	var e *C.connectly_error
	status := C.go_webhook_sign(&e, w.ptr, ptr, n, buf, C.CONNECTLY_SIGNATURE_BUFFER_SIZE)
	runtime.KeepAlive(body)
	runtime.KeepAlive(w)
	if err := captured(status, e); err != nil {
		return "", err
	}
	return C.GoString(buf), nil
}

// VerifyWebhook verifies one delivery with one secret: signature (the
// X-Connectly-Hmac-Sha256 header's value; "" when absent) against the raw body. For many
// deliveries, NewWebhook prepares the key once.
func VerifyWebhook(secret string, body []byte, signature string) error {
	if errLibraryVersion != nil {
		return errLibraryVersion
	}
	if hasNUL(signature) {
		return &Error{Message: "the webhook signature is malformed", kind: ErrMalformedSignature}
	}
	sig := signatureArg(signature)
	defer C.free(unsafe.Pointer(sig))
	key := C.CBytes([]byte(secret))
	defer C.free(key)
	ptr, n := bytesArg(body)
	var e *C.connectly_error
	status := C.go_webhook_verify(&e, (*C.uint8_t)(key), C.size_t(len(secret)), ptr, n, sig)
	runtime.KeepAlive(body)
	return captured(status, e)
}
