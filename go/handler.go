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

CAPTURE(webhook_admit,
	(const connectly_webhook *webhook, const char *method, int64_t content_length,
	 uint16_t *http_status),
	(webhook, method, content_length, http_status))
CAPTURE(webhook_receive,
	(const connectly_webhook *webhook, const char *method, const char *content_encoding,
	 const uint8_t *body, size_t body_len, const char *signature, connectly_event **out,
	 uint16_t *http_status),
	(webhook, method, content_encoding, body, body_len, signature, out, http_status))
*/
import "C"

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"unsafe"
)

type eventKey struct{}

// EventFromContext returns the verified event WebhookHandler put in the request's context,
// typed by its topic: Event.Message for an inbound message, Event.Status for a delivery
// status.
func EventFromContext(ctx context.Context) (*Event, bool) {
	event, ok := ctx.Value(eventKey{}).(*Event)
	return event, ok
}

// WebhookHandler returns a net/http handler that verifies each delivery with secret and
// then calls next with the Event in the request's context (see EventFromContext), as
// Webhook.Handler does with opts (WithDeduplicator). It panics when secret is empty (a
// configuration mistake, found at startup); for several secrets, NewWebhook and
// Webhook.Handler.
func WebhookHandler(secret string, next http.Handler, opts ...HandlerOption) http.Handler {
	webhook, err := NewWebhook(secret)
	if err != nil {
		panic(err)
	}
	return webhook.Handler(next, opts...)
}

type handlerOptions struct {
	deduplicator *Deduplicator
}

// HandlerOption configures the middleware (Webhook.Handler, WebhookHandler).
type HandlerOption func(*handlerOptions)

// WithDeduplicator makes the middleware handle each delivery once, however many times
// Connectly sends it and to whichever of the receivers sharing d (NewRedisDeduplicator for
// a fleet, NewMemoryDeduplicator for one process). Once a delivery is verified, it is
// claimed in d before next runs:
//
//   - a copy already handled is answered 200, and one being handled elsewhere 409 (so that
//     Connectly sends it again later), without calling next;
//   - a store that does not answer is answered 503 (Connectly sends it again), and a
//     closed d 500, without calling next;
//   - otherwise next runs, and its claim is completed when next succeeded, released when
//     it failed, so that the next copy runs it again.
//
// next succeeded when it returned without panicking and the status it wrote was 2xx, or
// it wrote none (net/http then answers 200). Any other status it wrote (4xx, 5xx, 3xx)
// counts as a failure: Connectly retries a delivery not answered 200, and the retry runs
// next again. A panic releases the claim and is raised again (net/http then drops the
// connection without an answer, which Connectly retries too). When the store does not answer as the claim is completed, the
// delivery is still answered as next answered; its claim expires after 60 s.
//
// The request next sees is as readable as without a deduplicator. The ResponseWriter next
// gets records the status; it has Flush and Unwrap (for http.ResponseController). A nil d
// deduplicates nothing.
func WithDeduplicator(d *Deduplicator) HandlerOption {
	return func(o *handlerOptions) { o.deduplicator = d }
}

// Handler returns net/http middleware that receives each delivery by the SDK's receiving
// policy (the core's, shared by every helper in every language; see Receive) before next
// sees it.
//
// It calls Admit before reading the body and Receive after, reading at most the size limit
// plus one byte, and answers a refused delivery with the status they give: 405 (with
// Allow: POST), 413, 415, 400 or 403, and 400 when the body could not be read. Only a
// verified delivery reaches next, with its Event in the request's context and the request
// as readable as if the middleware had not touched it: r.Body gives the bytes that came on
// the wire again (still compressed, when they were) and r.ContentLength is their length.
// next writes the response (200 if it writes nothing); the middleware never responds after
// calling next, so each request is answered exactly once. With WithDeduplicator, a
// delivery already handled (or being handled) is answered without calling next.
func (w *Webhook) Handler(next http.Handler, opts ...HandlerOption) http.Handler {
	var o handlerOptions
	for _, opt := range opts {
		opt(&o)
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		limit, status, err := w.admit(r.Method, r.ContentLength)
		if err != nil {
			refuse(rw, status)
			return
		}
		wire, err := io.ReadAll(io.LimitReader(r.Body, readLimit(limit)))
		if err != nil {
			refuse(rw, http.StatusBadRequest)
			return
		}
		ce, status, err := w.receive(r.Method, r.Header.Get("Content-Encoding"), wire,
			r.Header.Get(SignatureHeader))
		if err != nil {
			refuse(rw, status)
			return
		}
		event := newEvent(ce)
		var held *claim
		if o.deduplicator != nil {
			held, status = claimDelivery(o.deduplicator, ce)
		}
		C.connectly_event_free(ce)
		if o.deduplicator != nil && held == nil {
			refuse(rw, status)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), eventKey{}, event))
		r.Body = io.NopCloser(bytes.NewReader(wire))
		r.ContentLength = int64(len(wire))
		if held == nil {
			next.ServeHTTP(rw, r)
			return
		}
		serveClaimed(next, rw, r, held)
	})
}

// claimDelivery claims the received event ce in d: the claim when next should run, else
// nil and the status to answer without running it: 200 (handled already), 409 (being
// handled elsewhere), 503 (the store did not answer) or 500 (d closed).
func claimDelivery(d *Deduplicator, ce *C.connectly_event) (*claim, int) {
	made, status, err := d.admit(ce)
	switch {
	case err != nil && status != 0:
		return nil, status
	case err != nil:
		return nil, http.StatusServiceUnavailable
	}
	return made, status
}

// serveClaimed runs next for a claimed delivery, then completes the claim when next
// succeeded (see WithDeduplicator) and releases it otherwise; a panic releases it and is
// raised again.
func serveClaimed(next http.Handler, rw http.ResponseWriter, r *http.Request, held *claim) {
	recorder := &statusRecorder{ResponseWriter: rw}
	finished := false
	defer func() {
		if !finished {
			held.release()
			return
		}
		// The answer stands: a store that did not answer lets the claim expire.
		_ = held.finish(recorder.status)
	}()
	next.ServeHTTP(recorder, r)
	finished = true
}

// statusRecorder is the ResponseWriter a claimed delivery's handler writes to: it keeps the
// final status written (1xx informational ones are not final).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first final status and passes it on.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write passes b on; a body written with no status is a 200.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush sends what was written so far (a 200 when nothing set another status), when the
// underlying ResponseWriter can.
func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap gives the underlying ResponseWriter, for http.ResponseController.
func (s *statusRecorder) Unwrap() http.ResponseWriter {
	return s.ResponseWriter
}

// refuse answers a delivery next does not see (refused, or answered by a deduplicator)
// with status and its standard text (never a quote of the request); 405 also says which
// method is allowed.
func refuse(rw http.ResponseWriter, status int) {
	if status == http.StatusMethodNotAllowed {
		rw.Header().Set("Allow", http.MethodPost)
	}
	http.Error(rw, http.StatusText(status), status)
}

// Admit makes the receiving policy's checks due before a request's body is read: method
// must be POST (else 405 and ErrMethodNotAllowed: answer with Allow: POST), and
// contentLength, the declared Content-Length (-1 when unknown, as in http.Request), must
// not exceed the size limit (else 413 and ErrPayloadTooLarge). It returns 200 and nil
// when the body may be read: then read at most the limit plus one byte and pass them to
// Receive. After Close it returns 500 and ErrClosed.
func (w *Webhook) Admit(method string, contentLength int64) (int, error) {
	_, status, err := w.admit(method, contentLength)
	return status, err
}

// admit is Admit that also gives the size limit it checked against.
func (w *Webhook) admit(method string, contentLength int64) (int, int, error) {
	cMethod := headerArg(method)
	defer C.free(unsafe.Pointer(cMethod))
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return 0, http.StatusInternalServerError, ErrClosed
	}
	var status C.uint16_t
	var e *C.connectly_error
	result := C.go_webhook_admit(&e, w.ptr, cMethod, C.int64_t(contentLength), &status)
	runtime.KeepAlive(w)
	return w.maxBodySize(), int(status), captured(result, e)
}

// Receive receives one delivery by the SDK's receiving policy, for a router other than
// net/http (whose Handler calls it): method is the request's method, contentEncoding its
// Content-Encoding header and signature its X-Connectly-Hmac-Sha256 header ("" when
// absent), and body the bytes that came on the wire (read at most the size limit plus one
// byte; see Admit).
//
// The policy is the core's, the same in every binding: only POST (405, answered with
// Allow: POST); a body over the size limit, on the wire or decoded, is 413; a
// Content-Encoding of none, identity, gzip or x-gzip (any case) is undone, every gzip
// member in turn, and any other is 415, broken gzip 400; the signature is verified over
// the decoded bytes (403); a signed body that is not an event is 400.
//
// It returns the Event and 200, or nil, the HTTP status to answer with and an error that
// matches ErrMethodNotAllowed, ErrPayloadTooLarge, ErrUnsupportedEncoding,
// ErrMalformedEncoding, ErrMissingSignature, ErrMalformedSignature, ErrInvalidSignature,
// ErrTimestampOutsideTolerance or ErrInvalidPayload (ErrClosed, with 500, after Close).
// The Event's Body is the bytes that were signed, its Raw their JSON text.
func (w *Webhook) Receive(method, contentEncoding string, body []byte, signature string) (*Event, int, error) {
	ce, status, err := w.receive(method, contentEncoding, body, signature)
	if err != nil {
		return nil, status, err
	}
	defer C.connectly_event_free(ce)
	return newEvent(ce), status, nil
}

// receive is Receive giving the library's event, which the caller frees.
func (w *Webhook) receive(method, contentEncoding string, body []byte, signature string) (*C.connectly_event, int, error) {
	cMethod, cEncoding, cSignature := headerArg(method), headerArg(contentEncoding), headerArg(signature)
	defer C.free(unsafe.Pointer(cMethod))
	defer C.free(unsafe.Pointer(cEncoding))
	defer C.free(unsafe.Pointer(cSignature))
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.ptr == nil {
		return nil, http.StatusInternalServerError, ErrClosed
	}
	ptr, n := bytesArg(body)
	var out *C.connectly_event
	var status C.uint16_t
	var e *C.connectly_error
	result := C.go_webhook_receive(&e, w.ptr, cMethod, cEncoding, ptr, n, cSignature, &out, &status)
	runtime.KeepAlive(body)
	runtime.KeepAlive(w)
	if err := captured(result, e); err != nil {
		return nil, int(status), err
	}
	return out, int(status), nil
}

// headerArg copies a method or header value into C memory ("" stays "", which the library
// reads as an absent header). A C string cannot carry a NUL byte, so U+FFFD stands in for
// each: no value the policy accepts holds either, so the core's answer is the same.
func headerArg(value string) *C.char {
	return cString(strings.ReplaceAll(value, "\x00", "\uFFFD"))
}
