// Package connectly is the Go SDK for the Connectly business-messaging API (WhatsApp, SMS).
//
// It is a thin layer over the SDK's Rust core (through its C interface, linked statically):
// the same validation, retries, error kinds and webhook verification as every other
// language binding.
//
//	client, err := connectly.NewClient(apiKey, businessID)
//	if err != nil { ... }
//	defer client.Close()
//	resp, err := client.SendText("whatsapp", "+15555555555", "hello!")
//
//	photo := connectly.Message{}.WithAttachment(connectly.Image(url).WithCaption("Your receipt"))
//	resp, err = client.SendMessage(ctx, connectly.WhatsApp("+15555555555"), photo)
//	resp, err = client.SendTemplateMessage(ctx,
//		connectly.NewTemplateMessage("+15555555555", "order_update").WithLanguage("en_US"))
//
//	http.Handle("/webhook", connectly.WebhookHandler(secret, handler))
//
// Session messages of every kind (SendMessage with Message: a text, an Attachment, a
// Location, a ListMessage or ReplyButtons), templates with every field (SendTemplateMessage
// with TemplateMessage), webhook management (CreateWebhookWith, ListWebhooks,
// UpdateWebhook, DeleteWebhook, UpsertWebhook), template listing (ListTemplates) and
// campaigns (SendCampaign) take a context first. Every input is checked by the core before
// any byte is sent.
//
// A verified delivery is an Event typed by its topic: Event.Message is an InboundMessage
// (text, attachment, location, button or list reply, quoted reply, referral), Event.Status
// a DeliveryStatus (message id, status, error, campaign); a StatusTracker keeps statuses
// from moving a message backwards. The middleware hands the typed Event to the handler
// (EventFromContext).
//
// Every error matches one sentinel with errors.Is (ErrValidation, ErrRateLimited,
// ErrInvalidSignature, ...); errors the API answered are also an *APIError for errors.As,
// the others an *Error, whose Field names the input a validation error refused.
//
// A call waiting for the API holds no OS thread: the core's runtime makes the request, and
// the goroutine parks until its completion comes (handed over by one goroutine per Client,
// parked in the network poller). Cancelling the call's context cancels the request: one not
// yet written is never sent, one in flight is abandoned; the error then matches ErrCanceled
// and the context's error, and Error.PossiblySent says whether the server may have
// received it. WithLogger sends a client's log records (each attempt, retry and outcome,
// never a secret) to a log/slog Logger.
//
// A fleet of workers shares what the core keeps for one process, through Redis: a send
// budget every send request waits its turn in (NewRedisRateLimiter, WithRateLimiter; a
// client for the Connectly API has its own 200 per second by default), deliveries handled
// once across receivers (NewRedisDeduplicator, WithDeduplicator for the middleware), and
// statuses in order (NewRedisStatusTracker). SendMany with WithJournal resumes a bulk send
// after a crash without sending anything twice.
//
// Building needs the C library, libconnectly, installed where pkg-config finds it
// (`#cgo pkg-config: connectly`): `make install PREFIX=...` in the SDK's repository, or a
// system package. For a prefix outside pkg-config's search path, set
// PKG_CONFIG_PATH=PREFIX/lib/pkgconfig, and let the program find the shared library at run
// time (LD_LIBRARY_PATH, or CGO_LDFLAGS=-Wl,-rpath,PREFIX/lib when building).
//
// The C library's version must match the package's: the same major version, and for 0.x
// the same minor (0.1 and 0.2 are incompatible, as semver has it). With another one,
// NewClient, NewClientFromEnv, NewWebhook and VerifyWebhook fail with ErrLibraryVersion,
// whose message says which version was found and which is needed.
//
// Inside the SDK's repository, the build tag connectly_intree links the in-tree debug
// library instead (../target/debug/libconnectly.a, `make lib-debug`: what `make test-go`
// uses), and connectly_release the in-tree release one (../target/release/libconnectly.a,
// `make lib`: what the benchmarks use); both take the header from ../include.
package connectly

/*
#include <stdlib.h>
#include <connectly.h>
*/
import "C"

import "unsafe"

// Version is the version of the SDK's core library, such as "0.1.0".
func Version() string {
	return C.GoString(C.connectly_version())
}

// SignatureHeader is the HTTP header that carries a delivery's signature.
const SignatureHeader = "X-Connectly-Hmac-Sha256"

// cString copies s into C memory; free it with C.free.
func cString(s string) *C.char {
	return C.CString(s)
}

// goStrings lays values out NUL-terminated in one Go buffer and gives a pointer to each,
// for C calls that only read them during the call (as bytesArg): no C allocation, and
// nothing to free. The values must hold no NUL (check with hasNUL first).
func goStrings(values ...string) []*C.char {
	size := 0
	for _, v := range values {
		size += len(v) + 1
	}
	buf := make([]byte, size)
	ptrs := make([]*C.char, len(values))
	at := 0
	for i, v := range values {
		copy(buf[at:], v)
		ptrs[i] = (*C.char)(unsafe.Pointer(&buf[at]))
		at += len(v) + 1
	}
	return ptrs
}

// cStrings holds the C copies of one call's strings, freed together once the call is done.
type cStrings []*C.char

// add copies s into C memory, to be freed with the rest.
func (cs *cStrings) add(s string) *C.char {
	p := cString(s)
	*cs = append(*cs, p)
	return p
}

// optional copies *s into C memory, or gives NULL when s is nil (an optional argument the
// caller did not set).
func (cs *cStrings) optional(s *string) *C.char {
	if s == nil {
		return nil
	}
	return cs.add(*s)
}

// free frees every copy.
func (cs *cStrings) free() {
	for _, p := range *cs {
		C.free(unsafe.Pointer(p))
	}
	*cs = nil
}

// setters runs C setter calls in order until one fails, and keeps that failure. Each call
// goes through a capturing wrapper (see captured).
type setters struct{ err error }

// run makes the call unless an earlier one failed.
func (s *setters) run(call func(e **cError) cStatus) {
	if s.err != nil {
		return
	}
	var e *C.connectly_error
	status := call(&e)
	s.err = captured(status, e)
}

// bytesArg gives the (pointer, length) of b for a call that only reads it during the call.
// An empty slice is (NULL, 0).
func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}
