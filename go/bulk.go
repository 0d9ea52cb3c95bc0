package connectly

/*
#include <stdint.h>
#include <stdlib.h>
#include <connectly.h>

// The progress callback handed to connectly_send_many (exported from callbacks.go).
extern void connectlyGoProgress(void *user, size_t done, size_t failed, size_t total);

// CAPTURE: see session.go.
#define UNPAREN(...) __VA_ARGS__
#define CAPTURE(name, params, args)                                                      \
	static enum connectly_status go_##name(connectly_error **err, UNPAREN params) {       \
		enum connectly_status status = connectly_##name args;                              \
		*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error()); \
		return status;                                                                     \
	}

CAPTURE(send_many,
	(const connectly_client *client, const connectly_bulk_item *messages, size_t n,
	 const connectly_bulk_options *options, connectly_batch **out),
	(client, messages, n, options, out))
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Outgoing is one message for SendMany: make it with Text, Template, OutgoingMessage or
// OutgoingTemplate.
type Outgoing struct {
	kind         outgoingKind
	channel      string
	to           string
	text         string
	templateName string
	params       []TemplateParam
	message      *Message
	template     *TemplateMessage
}

// outgoingKind is which call an Outgoing is sent as.
type outgoingKind int

const (
	outgoingText outgoingKind = iota
	outgoingTemplate
	outgoingMessage
	outgoingTemplateMessage
)

// Text is a free-form text message for SendMany, as SendText sends it.
func Text(channel, to, text string) Outgoing {
	return Outgoing{kind: outgoingText, channel: channel, to: to, text: text}
}

// Template is a WhatsApp template message for SendMany, as SendTemplate sends it; params
// are sent in the order given.
func Template(number, templateName string, params []TemplateParam) Outgoing {
	return Outgoing{kind: outgoingTemplate, to: number, templateName: templateName, params: params}
}

// OutgoingMessage is a session message for SendMany, as SendMessage sends it.
func OutgoingMessage(to Recipient, msg Message) Outgoing {
	return Outgoing{kind: outgoingMessage, channel: to.Channel, to: to.ID, message: &msg}
}

// OutgoingTemplate is a template message with every field for SendMany, as
// SendTemplateMessage sends it.
func OutgoingTemplate(msg TemplateMessage) Outgoing {
	return Outgoing{kind: outgoingTemplateMessage, template: &msg}
}

// hasNUL reports whether any of the plain text or template message's strings holds a NUL
// byte (a session or template message's are checked when it is prepared).
func (m *Outgoing) hasNUL() bool {
	if hasNUL(m.channel, m.to, m.text, m.templateName) {
		return true
	}
	for _, p := range m.params {
		if hasNUL(p.Name, p.Value) {
			return true
		}
	}
	return false
}

// Result is one message's outcome in SendMany: Response when it was sent, else Err, which
// matches the same sentinels (errors.Is) and is an *APIError (errors.As) exactly as the
// single-message calls' errors are.
type Result struct {
	Response *Response
	Err      error
}

type bulkOptions struct {
	concurrency int
	rateLimit   float64
	progress    func(done, failed, total int)
	journal     string
}

// BulkOption configures SendMany.
type BulkOption func(*bulkOptions)

// WithConcurrency sets how many messages may be in flight at once: 1 to 64 (default 8);
// values outside are clamped (below 1 means 1, above 64 the core's 64).
func WithConcurrency(n int) BulkOption {
	// Not 0, which C reads as "the default".
	return func(o *bulkOptions) { o.concurrency = max(n, 1) }
}

// WithRateLimit starts at most perSecond messages per second (Connectly documents 200 per
// second on the send endpoints). Zero, a negative value or NaN means no limit (the
// default); a rate the core cannot pace (below 0.01 per second, or infinite) fails every
// message with ErrValidation, and none is sent.
func WithRateLimit(perSecond float64) BulkOption {
	return func(o *bulkOptions) { o.rateLimit = perSecond }
}

// WithProgress calls f as messages finish: done of total are finished (sent or failed),
// failed of them failed. f is called from other threads than SendMany's, one call at a
// time, with done strictly increasing; the last call has done == total and the final
// failed count. f must not Close the client. A panic in f stops further calls and is
// raised again by SendMany once every message is finished.
func WithProgress(f func(done, failed, total int)) BulkOption {
	return func(o *bulkOptions) { o.progress = f }
}

// WithJournal records each message's outcome in the journal file at path as it happens
// (its start is fsync'd before its request is made), so that SendMany with the same
// messages and the same path, after a crash, a deploy or a kill, sends only what never
// left:
//
//   - a message an earlier run sent is not sent again: its Result has the Response that
//     run recorded, with Attempts 0;
//   - a message whose request may have reached the server (in flight when the earlier run
//     stopped, or failed with PossiblySent) is not sent again: its Err matches ErrCanceled
//     and is an *Error with PossiblySent true, for you to check and decide;
//   - every other message is sent, and recorded.
//
// The file is created when missing. A journal written for other messages (another list, or
// the same in another order) is refused: every message fails with ErrValidation (Field
// "journal") and none is sent; so does a path holding a NUL byte or invalid UTF-8. A
// journal that cannot be opened or written fails every message with ErrConfig. Use one
// journal per batch, and remove it once you are done with the batch.
func WithJournal(path string) BulkOption {
	return func(o *bulkOptions) { o.journal = path }
}

// progress holds WithProgress's function for the library, which calls it one call at a time
// with done increasing. A panic must not unwind into C: it is kept, and SendMany raises it
// again once every message is finished. The mutex makes what a call wrote visible to
// SendMany (the race detector cannot see the library's own locking).
type progress struct {
	mu       sync.Mutex
	f        func(done, failed, total int)
	panicked bool
	value    any
}

func (p *progress) report(done, failed, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.panicked {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			p.panicked, p.value = true, v
		}
	}()
	p.f(done, failed, total)
}

// invalidKind marks a message the library must not send: one SendMany could not hand over
// (a NUL byte, which a C string cannot carry; a session or template message whose handle
// could not be made). Its outcome is replaced with the error found.
const invalidKind = C.connectly_bulk_item_kind(0xffff)

// cMessages is the C copy of a batch's messages: the item array, every string in one
// buffer, every template parameter in one array, all in C memory (cgo's pointer rules: the
// array holds pointers), and the handles of its session and template messages. errs holds,
// per item, why it could not be handed over (nil for the others).
type cMessages struct {
	array     *C.connectly_bulk_item
	text      unsafe.Pointer
	params    *C.connectly_template_param
	messages  []*C.connectly_message
	templates []*C.connectly_template_message
	errs      []error
}

func (m *cMessages) free() {
	C.free(unsafe.Pointer(m.array))
	C.free(m.text)
	C.free(unsafe.Pointer(m.params))
	for _, h := range m.messages {
		C.connectly_message_free(h)
	}
	for _, h := range m.templates {
		C.connectly_template_message_free(h)
	}
}

// newCMessages copies messages for the library.
func newCMessages(messages []Outgoing) *cMessages {
	size, nParams := 0, 0
	for i := range messages {
		m := &messages[i]
		size += len(m.channel) + len(m.to) + len(m.text) + len(m.templateName) + 4
		for _, p := range m.params {
			size += len(p.Name) + len(p.Value) + 2
		}
		nParams += len(m.params)
	}
	// malloc(0) may return NULL; ask for at least one element of each.
	out := &cMessages{
		array: (*C.connectly_bulk_item)(C.malloc(C.size_t(max(len(messages), 1)) *
			C.size_t(unsafe.Sizeof(C.connectly_bulk_item{})))),
		text: C.malloc(C.size_t(max(size, 1))),
		params: (*C.connectly_template_param)(C.malloc(C.size_t(max(nParams, 1)) *
			C.size_t(unsafe.Sizeof(C.connectly_template_param{})))),
		errs: make([]error, len(messages)),
	}
	if out.array == nil || out.text == nil || out.params == nil {
		out.free()
		panic("connectly: out of memory")
	}
	buf := unsafe.Slice((*byte)(out.text), max(size, 1))
	used := 0
	str := func(s string) *C.char {
		p := (*C.char)(unsafe.Pointer(&buf[used]))
		used += copy(buf[used:], s)
		buf[used] = 0
		used++
		return p
	}
	array := unsafe.Slice(out.array, max(len(messages), 1))
	params := unsafe.Slice(out.params, max(nParams, 1))
	nextParam := 0
	for i := range messages {
		m := &messages[i]
		c := &array[i]
		*c = C.connectly_bulk_item{}
		if m.hasNUL() {
			c.kind = invalidKind
			out.errs[i] = nulError("a message's strings")
			continue
		}
		switch m.kind {
		case outgoingTemplate:
			c.kind = C.CONNECTLY_BULK_TEMPLATE
			c.to = str(m.to)
			c.template_name = str(m.templateName)
			if len(m.params) > 0 {
				c.params = &params[nextParam]
				c.n_params = C.size_t(len(m.params))
				for _, p := range m.params {
					params[nextParam].name = str(p.Name)
					params[nextParam].value = str(p.Value)
					nextParam++
				}
			}
		case outgoingMessage:
			h, err := m.message.prepare()
			var handle *C.connectly_message
			if err == nil {
				handle, err = h.handle()
			}
			if err != nil {
				c.kind = invalidKind
				out.errs[i] = err
				continue
			}
			out.messages = append(out.messages, handle)
			c.kind = C.CONNECTLY_BULK_MESSAGE
			c.channel = str(m.channel)
			c.to = str(m.to)
			c.message = handle
		case outgoingTemplateMessage:
			h, err := m.template.prepare()
			var handle *C.connectly_template_message
			if err == nil {
				handle, err = h.handle()
			}
			if err != nil {
				c.kind = invalidKind
				out.errs[i] = err
				continue
			}
			out.templates = append(out.templates, handle)
			c.kind = C.CONNECTLY_BULK_TEMPLATE_MESSAGE
			c.template_message = handle
		default:
			c.kind = C.CONNECTLY_BULK_TEXT
			c.channel = str(m.channel)
			c.to = str(m.to)
			c.text = str(m.text)
		}
	}
	return out
}

// refuseAll is the results of a batch refused as a whole: each message fails with err, but
// one the Go layer could not hand over keeps its own error (errs, per message).
func refuseAll(errs []error, err error) []Result {
	results := make([]Result, len(errs))
	for i := range results {
		results[i].Err = err
		if errs[i] != nil {
			results[i].Err = errs[i]
		}
	}
	return results
}

// SendMany sends every message with the client's settings, several at once (8 unless
// WithConcurrency says otherwise; WithRateLimit paces them), and returns one Result per
// message, in input order. Each message is sent once, with the same validation and retry
// rules as SendText, SendTemplate, SendMessage and SendTemplateMessage; one failing does
// not stop the rest. The error is ErrClosed after Close, else nil: each message's failure
// is in its Result. WithJournal makes the batch resumable after a crash.
//
// The pacing, ordering and retries are the Rust core's, the same as every other language
// binding's. SendMany blocks until every message is finished, in one call into the library
// (so it holds one OS thread meanwhile, whatever the number of messages); Close waits for
// it. SendMany cannot be stopped: it is SendManyContext with context.Background().
func (c *Client) SendMany(messages []Outgoing, opts ...BulkOption) ([]Result, error) {
	return c.SendManyContext(context.Background(), messages, opts...)
}

// SendManyContext is SendMany stopped by ctx: once ctx is done (cancelled, or its deadline
// passed), no new request is made (within about 50 ms), the requests in flight finish with
// their real outcomes, and every message not started fails in its Result with an error
// that matches both ctx.Err() and ErrCanceled and is an *Error with PossiblySent false: it
// was surely not sent. Each message is still sent at most once. A ctx already done when the
// call starts sends nothing. SendManyContext then returns the Results as usual (the error
// is still only ErrClosed), once the requests in flight have finished; so does a Close
// waiting for it.
//
// The stopping is the Rust core's, as in every other binding: ctx only raises its
// interruption flag (connectly_interrupt), from a goroutine that ends with the call.
func (c *Client) SendManyContext(ctx context.Context, messages []Outgoing, opts ...BulkOption) ([]Result, error) {
	o := bulkOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	defer runtime.KeepAlive(c)
	s := c.s
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	cm := newCMessages(messages)
	defer cm.free()

	var copts C.connectly_bulk_options
	copts.concurrency = C.size_t(o.concurrency) // exact: a non-negative int fits a size_t
	copts.rate_limit_per_second = C.double(o.rateLimit)
	if o.journal != "" {
		if hasNUL(o.journal) || !utf8.ValidString(o.journal) {
			return refuseAll(cm.errs, validationError("journal",
				"the path must be UTF-8 without a NUL byte")), nil
		}
		journal := cString(o.journal)
		defer C.free(unsafe.Pointer(journal))
		copts.journal = journal
	}
	if ctx.Done() != nil {
		interrupt := C.connectly_interrupt_new()
		if interrupt == nil {
			panic("connectly: out of memory")
		}
		// Deferred first, so run last: the watcher has ended before the flag is freed.
		defer C.connectly_interrupt_free(interrupt)
		copts.interrupt = interrupt
		if ctx.Err() != nil {
			// Already done: the core sends nothing with the flag set from the start.
			C.connectly_interrupt_set(interrupt)
		} else {
			finished := make(chan struct{})
			watched := make(chan struct{})
			go func() {
				defer close(watched)
				select {
				case <-ctx.Done():
					C.connectly_interrupt_set(interrupt)
				case <-finished:
				}
			}()
			defer func() {
				close(finished)
				<-watched
			}()
		}
	}
	var state *progress
	if o.progress != nil {
		state = &progress{f: o.progress}
		h := cgo.NewHandle(state)
		defer h.Delete()
		// The handle travels as C memory holding its number, so no Go pointer (nor an
		// integer posing as one) is handed to C.
		user := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
		if user == nil {
			panic("connectly: out of memory")
		}
		defer C.free(unsafe.Pointer(user))
		*user = C.uintptr_t(h)
		copts.progress = C.connectly_progress_fn(C.connectlyGoProgress)
		copts.user = unsafe.Pointer(user)
	}

	var batch *C.connectly_batch
	var e *C.connectly_error
	status := C.go_send_many(&e, s.client, cm.array, C.size_t(len(messages)), &copts, &batch)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	defer C.connectly_batch_free(batch)
	if state != nil {
		state.mu.Lock()
		panicked, value := state.panicked, state.value
		state.mu.Unlock()
		if panicked {
			panic(value)
		}
	}

	results := make([]Result, len(messages))
	for i := range results {
		index := C.size_t(i)
		status := C.connectly_batch_status(batch, index)
		if status == C.CONNECTLY_OK {
			results[i].Response = newResponse(C.connectly_batch_response(batch, index))
			continue
		}
		if err := cm.errs[i]; err != nil {
			results[i].Err = err
			continue
		}
		results[i].Err = newError(status, C.connectly_batch_error(batch, index))
		// Stopped by ctx (not started, so surely unsent; a journal's possibly-sent message
		// is cancelled too, but not by ctx): the error says so, as a single call's does.
		var e *Error
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(results[i].Err, ErrCanceled) &&
			errors.As(results[i].Err, &e) && !e.PossiblySent {
			results[i].Err = fmt.Errorf("%w: %w", ctxErr, results[i].Err)
		}
	}
	return results, nil
}
