package connectly

/*
#include <stdlib.h>
#include <string.h>
#include <connectly.h>

// CAPTURE: see session.go.
#define UNPAREN(...) __VA_ARGS__
#define CAPTURE(name, params, args)                                                      \
	static enum connectly_status go_##name(connectly_error **err, UNPAREN params) {       \
		enum connectly_status status = connectly_##name args;                              \
		*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error()); \
		return status;                                                                     \
	}

CAPTURE(client_new_with, (const connectly_client_options *options, connectly_client **out),
	(options, out))
CAPTURE(operation_send_text,
	(const connectly_client *client, const char *channel, const char *to, const char *text,
	 connectly_operation **out),
	(client, channel, to, text, out))
// go_response_fields reads a response's status, body (and its length), attempts, trace id
// and id in one call.
static void go_response_fields(const connectly_response *r, uint16_t *status,
	const char **body, size_t *body_len, uint32_t *attempts, const char **trace_id,
	const char **id) {
	*status = connectly_response_status(r);
	*body = connectly_response_body(r);
	*body_len = *body == NULL ? 0 : strlen(*body);
	*attempts = connectly_response_attempts(r);
	*trace_id = connectly_response_trace_id(r);
	*id = connectly_response_id(r);
}
CAPTURE(operation_send_template,
	(const connectly_client *client, const char *number, const char *template_name,
	 const connectly_template_param *params, size_t n_params, connectly_operation **out),
	(client, number, template_name, params, n_params, out))
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Client sends messages, manages webhooks, lists templates and sends campaigns. It is safe
// for concurrent use by any number of goroutines, which share one connection pool. Close it
// when done; use after Close returns ErrClosed.
//
// A call does not hold an OS thread while it waits: it is submitted to the library's own
// runtime, and the goroutine parks until its completion comes. One goroutine per Client,
// itself parked in the network poller, hands each completion to its caller, so a thousand
// calls in flight cost a thousand parked goroutines, not a thousand threads. Cancelling a
// call's context cancels its request (see SendTextContext).
type Client struct {
	s *session
}

// Response is a successful reply from the API.
type Response struct {
	// Status is the HTTP status (2xx).
	Status int
	// Body is the reply as JSON text: "null" when it was empty.
	Body json.RawMessage
	// Attempts is how many requests the call took (1 when the first succeeded).
	Attempts int
	// TraceID is the provider's trace id (cntTraceId), "" when the reply had none.
	TraceID string
	// ID is the string "id" the reply's body carries, "" when it has none: a template
	// send's message id (the MessageID its delivery statuses name), a created webhook's id.
	// The core reads it from the body; Body still holds it.
	ID string
}

// TemplateParam is one named parameter of a WhatsApp template.
type TemplateParam struct {
	Name  string
	Value string
}

type options struct {
	baseURL    string
	timeout    time.Duration
	maxRetries int
	logger     *slog.Logger
	// rateLimiter is WithRateLimiter's budget; noRateLimiter is WithoutRateLimiter.
	rateLimiter   *RateLimiter
	noRateLimiter bool
	err           error
}

// Option configures NewClient.
type Option func(*options)

// WithBaseURL sets the API's address (default https://api.connectly.ai; the SDK adds
// /v1/businesses/{id}). Plain http is accepted only for loopback hosts, such as the mock.
func WithBaseURL(url string) Option {
	return func(o *options) { o.baseURL = url }
}

// WithTimeout sets the time each attempt may take (default 30 s). It must be positive; it is
// rounded up to whole milliseconds, and any positive duration is kept (math.MaxInt64: no
// practical per-attempt limit; each call still ends within the core's total timeout).
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d <= 0 {
			o.err = &Error{Message: "the timeout must be greater than zero", kind: ErrConfig}
			return
		}
		o.timeout = d
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried, 0 to 10 (default 2).
// A send is retried only when it provably did not reach the server, or on 429.
func WithMaxRetries(n int) Option {
	return func(o *options) {
		if n < 0 || n > 10 {
			o.err = &Error{Message: "max retries must be between 0 and 10", kind: ErrConfig}
			return
		}
		o.maxRetries = n
	}
}

// WithLogger sends the client's log records to logger: each attempt (Debug, "sending"),
// retry (Warn, "retrying") and outcome (Info, "answered"; Warn, "failed"), with its
// details as attributes (method, path, attempt, status, error kind, trace_id, ...; whole
// numbers as Int64). Records about no one client ("records dropped", when records came
// faster than they were handled) go to every client's logger. A record never holds the API
// key, a webhook secret or a message's content.
//
// Records reach the logger's handler from one goroutine of the package's, never the
// caller's: a slow handler delays records, never a call. nil (the default) logs nothing.
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) { o.logger = logger }
}

// hasNUL reports whether any string holds a NUL byte, which a C string cannot carry.
func hasNUL(values ...string) bool {
	for _, v := range values {
		if strings.IndexByte(v, 0) >= 0 {
			return true
		}
	}
	return false
}

func nulError(what string) error {
	return &Error{Message: what + " must not contain a NUL byte", kind: ErrValidation}
}

// deadlineSlack is how close to a context's deadline a timeout counts as reaching it.
const deadlineSlack = 20 * time.Millisecond

// NewClient makes a client for the business businessID with the API key apiKey. Nothing
// is sent; invalid settings give ErrValidation or ErrConfig.
func NewClient(apiKey, businessID string, opts ...Option) (*Client, error) {
	return newClient(&apiKey, &businessID, opts)
}

// NewClientFromEnv makes a client from CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and
// (optionally) CONNECTLY_BASE_URL, read by the library; options given here override the
// environment.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	return newClient(nil, nil, opts)
}

// newClient makes a client through connectly_client_new_with: a nil apiKey or businessID
// (and an unset base URL) is read from the environment by the library.
func newClient(apiKey, businessID *string, opts []Option) (*Client, error) {
	if errLibraryVersion != nil {
		return nil, errLibraryVersion
	}
	o := options{maxRetries: -1}
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	copts := C.connectly_client_options_default()
	for _, setting := range []struct {
		value *string
		field **C.char
	}{{apiKey, &copts.api_key}, {businessID, &copts.business_id}, {&o.baseURL, &copts.base_url}} {
		if setting.value == nil || (setting.field == &copts.base_url && *setting.value == "") {
			continue
		}
		if hasNUL(*setting.value) {
			return nil, nulError("the API key, business id and base URL")
		}
		*setting.field = cString(*setting.value)
		defer C.free(unsafe.Pointer(*setting.field))
	}
	if o.timeout > 0 {
		copts.timeout_ms = C.uint64_t(millis(o.timeout))
	}
	copts.max_retries = C.int32_t(o.maxRetries)
	copts.no_rate_limiter = C.bool(o.noRateLimiter)
	ptr, err := newCClient(&copts, o.rateLimiter)
	if err != nil {
		return nil, err
	}
	s, err := newSession(ptr)
	if err != nil {
		return nil, err
	}
	if o.logger != nil {
		if err := registerLogger(s.id, o.logger); err != nil {
			s.close()
			return nil, err
		}
		s.logged = true
	}
	c := &Client{s: s}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// newCClient makes the C client with copts and, when limiter is not nil, its budget (held
// against Close for the call: the client keeps its own reference).
func newCClient(copts *C.connectly_client_options, limiter *RateLimiter) (*C.connectly_client, error) {
	if limiter != nil {
		limiter.mu.RLock()
		defer limiter.mu.RUnlock()
		if limiter.ptr == nil {
			return nil, ErrClosed
		}
		copts.rate_limiter = limiter.ptr
		defer runtime.KeepAlive(limiter)
	}
	var ptr *C.connectly_client
	var e *C.connectly_error
	status := C.go_client_new_with(&e, copts, &ptr)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	return ptr, nil
}

// Close frees the client and its connections. Calls in flight are cancelled: each returns
// an error matching ErrCanceled (its Error.PossiblySent says whether the request may have
// reached the server), and calls made afterwards return ErrClosed. Close waits for the
// calls in progress to return (a SendMany runs to its end first), may be called more than
// once, and is safe for concurrent use.
func (c *Client) Close() error {
	if c == nil || c.s == nil {
		return nil
	}
	c.s.close()
	runtime.SetFinalizer(c, nil)
	return nil
}

// perform makes one API call: a context already done returns its error before anything
// is sent; otherwise the operation build makes is submitted to the client's queue, and the
// call waits for its completion (which it returns, its status CONNECTLY_OK; the caller
// frees it) or for the context to end, which cancels the submission.
func (c *Client) perform(ctx context.Context, build builder) (*C.connectly_completion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The finalizer must not close the client while a call waits on it.
	defer runtime.KeepAlive(c)
	s := c.s
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	op, err := s.operation(ctx, build)
	if err != nil {
		return nil, err
	}
	tag, done, err := s.submit(op)
	if err != nil {
		return nil, err
	}
	var completion *C.connectly_completion
	select {
	case completion = <-done:
	case <-ctx.Done():
		// The completion comes at once: cancelled, or the outcome it already had.
		s.cancel(tag)
		completion = <-done
	}
	status := C.connectly_completion_status(completion)
	if status == C.CONNECTLY_OK {
		return completion, nil
	}
	defer C.connectly_completion_free(completion)
	return nil, contextError(ctx, newError(status, C.connectly_completion_error(completion)))
}

// contextError is err, a call's failure, joined with its context's error when the context
// ended: errors.Is then matches both (context.Canceled and ErrCanceled, say).
func contextError(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	// The library's timer and the context's may disagree by a hair: a timeout at the
	// deadline is the deadline.
	if deadline, ok := ctx.Deadline(); ok && ctxErr == nil && errors.Is(err, ErrTimeout) &&
		time.Until(deadline) < deadlineSlack {
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	return err
}

// call makes one API call that answers with a response (see perform) and converts it.
func (c *Client) call(ctx context.Context, build builder) (*Response, error) {
	completion, err := c.perform(ctx, build)
	if err != nil {
		return nil, err
	}
	defer C.connectly_completion_free(completion)
	return newResponse(C.connectly_completion_response(completion)), nil
}

// newResponse copies a C response into a Response; its owner still frees r.
func newResponse(r *C.connectly_response) *Response {
	var status C.uint16_t
	var body, traceID, id *C.char
	var bodyLen C.size_t
	var attempts C.uint32_t
	C.go_response_fields(r, &status, &body, &bodyLen, &attempts, &traceID, &id)
	return &Response{
		Status: int(status),
		// Copied once, straight into the bytes Body holds.
		Body:     json.RawMessage(C.GoBytes(unsafe.Pointer(body), C.int(min(bodyLen, math.MaxInt32)))),
		Attempts: clampInt(uint64(attempts)),
		TraceID:  optionalString(traceID),
		ID:       optionalString(id),
	}
}

// SendText sends a free-form text message. channel is "whatsapp", "sms" or any other
// channel the API knows; to is an E.164 number such as "+15555555555" or a channel user
// id. On WhatsApp a text can only be sent inside a conversation the user opened.
func (c *Client) SendText(channel, to, text string) (*Response, error) {
	return c.SendTextContext(context.Background(), channel, to, text)
}

// SendTextContext is SendText bounded by ctx: a context already done returns ctx.Err()
// before anything is sent, and a deadline becomes the call's timeout, retries included.
// When ctx ends during the call (cancelled, or its deadline passed), the call is cancelled:
// a request not yet written is never sent, one in flight is abandoned and its connection
// closed. The error then matches both ctx.Err() and ErrCanceled, and its
// Error.PossiblySent says whether the request was in flight, so that the server may have
// received it. (When the library's own timer, set to the deadline, ends the call first,
// the error matches context.DeadlineExceeded and ErrTimeout.) A call that had already
// finished when ctx ended keeps its outcome.
func (c *Client) SendTextContext(ctx context.Context, channel, to, text string) (*Response, error) {
	if hasNUL(channel, to, text) {
		return nil, nulError("the channel, recipient and text")
	}
	args := goStrings(channel, to, text)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_send_text(e, client, args[0], args[1], args[2], op)
	})
}

// SendTemplate sends a WhatsApp template message to number, with its parameters in the
// order given.
func (c *Client) SendTemplate(number, templateName string, params []TemplateParam) (*Response, error) {
	return c.SendTemplateContext(context.Background(), number, templateName, params)
}

// SendTemplateContext is SendTemplate bounded by ctx, as SendTextContext is.
func (c *Client) SendTemplateContext(ctx context.Context, number, templateName string, params []TemplateParam) (*Response, error) {
	if hasNUL(number, templateName) {
		return nil, nulError("the number and template name")
	}
	for _, p := range params {
		if hasNUL(p.Name, p.Value) {
			return nil, nulError("template parameters")
		}
	}
	cNumber, cName := cString(number), cString(templateName)
	defer C.free(unsafe.Pointer(cNumber))
	defer C.free(unsafe.Pointer(cName))
	// The parameter array holds pointers, so it lives in C memory (cgo's pointer rules).
	var cParams *C.connectly_template_param
	if len(params) > 0 {
		size := C.size_t(len(params)) * C.size_t(unsafe.Sizeof(C.connectly_template_param{}))
		cParams = (*C.connectly_template_param)(C.malloc(size))
		defer C.free(unsafe.Pointer(cParams))
		slots := unsafe.Slice(cParams, len(params))
		for i, p := range params {
			slots[i].name = cString(p.Name)
			slots[i].value = cString(p.Value)
		}
		defer func() {
			for i := range slots {
				C.free(unsafe.Pointer(slots[i].name))
				C.free(unsafe.Pointer(slots[i].value))
			}
		}()
	}
	n := C.size_t(len(params))
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_send_template(e, client, cNumber, cName, cParams, n, op)
	})
}

// CreateWebhook registers the https address Connectly delivers a topic's events to
// ("messages" or "delivery_status"). Registering a topic again replaces its address.
func (c *Client) CreateWebhook(address, topic string) (*Response, error) {
	return c.CreateWebhookContext(context.Background(), address, topic)
}

// CreateWebhookContext is CreateWebhook bounded by ctx, as SendTextContext is.
func (c *Client) CreateWebhookContext(ctx context.Context, address, topic string) (*Response, error) {
	return c.CreateWebhookWith(ctx, WebhookRegistration{Address: address, Topic: topic})
}
