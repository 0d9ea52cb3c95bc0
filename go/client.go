package connectly

/*
#include <stdlib.h>
#include <connectly.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Client sends messages, manages webhooks, lists templates and sends campaigns. It is safe
// for concurrent use by any number of goroutines, which share one connection pool. Close it
// when done; use after Close returns ErrClosed.
//
// Each call blocks in C for the whole request, and a goroutine blocked in C keeps its
// scheduler slot (a P) until the runtime takes it back: with many goroutines sending at once
// on few cores, set GOMAXPROCS to at least the number of concurrent senders, or send them
// with SendMany (one call; the library's own threads do the sending).
type Client struct {
	mu  sync.RWMutex
	ptr *C.connectly_client
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
	err        error
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
	var ptr *C.connectly_client
	err := withThread(func() error {
		return lastError(C.connectly_client_new_with(&copts, &ptr))
	})
	if err != nil {
		return nil, err
	}
	c := &Client{ptr: ptr}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client and its connections. It waits for calls in progress, may be
// called more than once, and is safe for concurrent use.
func (c *Client) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		C.connectly_client_free(c.ptr)
		c.ptr = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// run runs one API call with the client (or, when ctx has a deadline, a client derived
// with that deadline as its timeout) and converts its failure.
func (c *Client) run(ctx context.Context, send func(*C.connectly_client) C.enum_connectly_status) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return ErrClosed
	}
	deadline, hasDeadline := ctx.Deadline()
	err := withThread(func() error {
		target := c.ptr
		if hasDeadline {
			remaining := time.Until(deadline)
			if remaining <= 0 {
				return context.DeadlineExceeded
			}
			var derived *C.connectly_client
			if err := lastError(C.connectly_client_with_timeout(c.ptr, C.uint64_t(millis(remaining)), &derived)); err != nil {
				return err
			}
			defer C.connectly_client_free(derived)
			target = derived
		}
		return lastError(send(target))
	})
	runtime.KeepAlive(c)
	if err != nil {
		ctxErr := ctx.Err()
		// The library's timer and the context's may disagree by a hair: a timeout at the
		// deadline is the deadline.
		if ctxErr == nil && hasDeadline && errors.Is(err, ErrTimeout) &&
			time.Until(deadline) < deadlineSlack {
			ctxErr = context.DeadlineExceeded
		}
		if ctxErr != nil && err != ctxErr {
			return fmt.Errorf("%w: %w", ctxErr, err)
		}
		return err
	}
	return nil
}

// call runs one API call that answers with a response (see run) and converts it.
func (c *Client) call(ctx context.Context, send func(*C.connectly_client, **C.connectly_response) C.enum_connectly_status) (*Response, error) {
	var out *C.connectly_response
	err := c.run(ctx, func(client *C.connectly_client) C.enum_connectly_status {
		return send(client, &out)
	})
	if err != nil {
		return nil, err
	}
	defer C.connectly_response_free(out)
	return newResponse(out), nil
}

// newResponse copies a C response into a Response; the caller still frees r.
func newResponse(r *C.connectly_response) *Response {
	return &Response{
		Status:   int(C.connectly_response_status(r)),
		Body:     json.RawMessage(C.GoString(C.connectly_response_body(r))),
		Attempts: clampInt(uint64(C.connectly_response_attempts(r))),
		TraceID:  optionalString(C.connectly_response_trace_id(r)),
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
// Cancelling ctx during the call does not interrupt it.
func (c *Client) SendTextContext(ctx context.Context, channel, to, text string) (*Response, error) {
	if hasNUL(channel, to, text) {
		return nil, nulError("the channel, recipient and text")
	}
	cChannel, cTo, cText := cString(channel), cString(to), cString(text)
	defer C.free(unsafe.Pointer(cChannel))
	defer C.free(unsafe.Pointer(cTo))
	defer C.free(unsafe.Pointer(cText))
	return c.call(ctx, func(client *C.connectly_client, out **C.connectly_response) C.enum_connectly_status {
		return C.connectly_send_text(client, cChannel, cTo, cText, out)
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
	return c.call(ctx, func(client *C.connectly_client, out **C.connectly_response) C.enum_connectly_status {
		return C.connectly_send_template(client, cNumber, cName, cParams, n, out)
	})
}

// CreateWebhook registers the https address Connectly delivers a topic's events to
// ("messages" or "delivery_status"). Registering a topic again replaces its address.
func (c *Client) CreateWebhook(address, topic string) (*Response, error) {
	return c.CreateWebhookContext(context.Background(), address, topic)
}

// CreateWebhookContext is CreateWebhook bounded by ctx, as SendTextContext is.
func (c *Client) CreateWebhookContext(ctx context.Context, address, topic string) (*Response, error) {
	if hasNUL(address, topic) {
		return nil, nulError("the address and topic")
	}
	cAddress, cTopic := cString(address), cString(topic)
	defer C.free(unsafe.Pointer(cAddress))
	defer C.free(unsafe.Pointer(cTopic))
	return c.call(ctx, func(client *C.connectly_client, out **C.connectly_response) C.enum_connectly_status {
		return C.connectly_create_webhook(client, cAddress, cTopic, out)
	})
}
