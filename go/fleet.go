package connectly

// What a fleet of processes shares through Redis (or, for one process, keeps in memory): a
// send budget every send request waits its turn in (RateLimiter), and the claims that let
// each webhook delivery be handled once (Deduplicator). See the guide "Many workers with
// Redis" (docs/guides/fleet.md).

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

CAPTURE(rate_limiter_new_local,
	(double per_second, uint32_t burst, connectly_rate_limiter **out),
	(per_second, burst, out))
CAPTURE(rate_limiter_new_redis,
	(const char *url, double per_second, uint32_t burst, double fallback_share,
	 connectly_rate_limiter **out),
	(url, per_second, burst, fallback_share, out))
CAPTURE(deduplicator_new_redis, (const char *url, connectly_deduplicator **out), (url, out))
CAPTURE(dedup_admit,
	(const connectly_deduplicator *deduplicator, const connectly_event *event,
	 connectly_claim **claim, uint16_t *http_status),
	(deduplicator, event, claim, http_status))
CAPTURE(claim_finish, (connectly_claim *claim, uint16_t http_status), (claim, http_status))
*/
import "C"

import (
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"unsafe"
)

// RateLimiter is a send budget: every send request (each attempt, retries included) of the
// clients given it with WithRateLimiter waits its turn in it before it is made. A local one
// (NewLocalRateLimiter) paces one process; a Redis one (NewRedisRateLimiter) is shared by
// every process using the same Redis, business and rate, so that a fleet of workers stays
// within one budget. The algorithm (GCRA, in one Lua script on Redis's own clock for the
// Redis budget) and its fallback are the core's, the same in every language.
//
// A client keeps what it needs of the budget: Close may be called as soon as the clients
// are made, and the budget lives on in them. It is safe for concurrent use.
type RateLimiter struct {
	mu  sync.RWMutex
	ptr *C.connectly_rate_limiter
}

type rateLimiterOptions struct {
	burst         uint32
	fallbackShare float64
	err           error
}

// RateLimiterOption configures NewLocalRateLimiter and NewRedisRateLimiter.
type RateLimiterOption func(*rateLimiterOptions)

// WithBurst lets n sends go at once after an idle period (default 20, or the rate when it
// is smaller). Keep it well below the rate, so that a fleet's cold start does not spike.
// n below 1, or above math.MaxUint32, is ErrValidation (field "burst").
func WithBurst(n int) RateLimiterOption {
	return func(o *rateLimiterOptions) {
		if n < 1 || uint64(n) > math.MaxUint32 {
			o.err = validationError("burst", "must be at least 1 and at most "+
				strconv.FormatUint(math.MaxUint32, 10))
			return
		}
		o.burst = uint32(n)
	}
}

// WithFallbackShare sets the share of the rate each process sends at while Redis does not
// answer (within 100 ms): above 0 and at most 1, default 0.25. Set it to one over the
// number of workers, so that the fleet as a whole keeps to the rate meanwhile; each process
// goes back to the shared budget when Redis answers again. Anything else (0, a negative
// value, NaN, above 1) is ErrValidation (field "fallback share"). Only a Redis budget has a
// fallback: given to NewLocalRateLimiter, it is ErrConfig.
func WithFallbackShare(share float64) RateLimiterOption {
	return func(o *rateLimiterOptions) {
		// 0 would read as "the default" in C; NaN and the rest the core refuses itself.
		if !(share > 0 && share <= 1) {
			o.err = validationError("fallback share", "must be above 0 and at most 1")
			return
		}
		o.fallbackShare = share
	}
}

// validationError is an input the Go layer refuses before the core sees it, worded as the
// core words its own ("invalid FIELD: REASON").
func validationError(field, reason string) error {
	return &Error{Message: "invalid " + field + ": " + reason, Field: field, kind: ErrValidation}
}

func newRateLimiterOptions(opts []RateLimiterOption) (rateLimiterOptions, error) {
	var o rateLimiterOptions
	for _, opt := range opts {
		opt(&o)
		if o.err != nil {
			return o, o.err
		}
	}
	return o, nil
}

// NewLocalRateLimiter makes a budget for this process: perSecond sends per second (at
// least 0.01, finite; else ErrValidation, field "rate limit"), with WithBurst of them at
// once. It is what a client for the Connectly API has by default, at 200 per second; make
// one to share a rate among several clients of one process, or to choose another rate.
func NewLocalRateLimiter(perSecond float64, opts ...RateLimiterOption) (*RateLimiter, error) {
	if errLibraryVersion != nil {
		return nil, errLibraryVersion
	}
	o, err := newRateLimiterOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.fallbackShare != 0 {
		return nil, &Error{Message: "a fallback share applies only to a Redis rate limiter", kind: ErrConfig}
	}
	var ptr *C.connectly_rate_limiter
	var e *C.connectly_error
	status := C.go_rate_limiter_new_local(&e, C.double(perSecond), C.uint32_t(o.burst), &ptr)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	return newRateLimiter(ptr), nil
}

// NewRedisRateLimiter makes a budget shared through the Redis at url
// ("redis://[:password@]host:port/db", or "rediss://" for TLS) by every process using it
// with the same business and rate: perSecond sends per second in all (at least 0.01,
// finite; else ErrValidation), WithBurst of them at once, and while Redis does not answer,
// WithFallbackShare of the rate in each process. An answer 429 from the API pushes the
// shared budget back, so that the whole fleet backs off.
//
// Nothing is connected yet: an unreachable Redis is no error here (sends then go at the
// fallback share). An unusable URL is ErrConfig, whose message never quotes the URL (it
// may hold a password).
func NewRedisRateLimiter(url string, perSecond float64, opts ...RateLimiterOption) (*RateLimiter, error) {
	if errLibraryVersion != nil {
		return nil, errLibraryVersion
	}
	o, err := newRateLimiterOptions(opts)
	if err != nil {
		return nil, err
	}
	var ptr *C.connectly_rate_limiter
	err = withRedisURL(url, func(cURL *C.char, e **C.connectly_error) C.enum_connectly_status {
		return C.go_rate_limiter_new_redis(e, cURL, C.double(perSecond), C.uint32_t(o.burst),
			C.double(o.fallbackShare), &ptr)
	})
	if err != nil {
		return nil, err
	}
	return newRateLimiter(ptr), nil
}

func newRateLimiter(ptr *C.connectly_rate_limiter) *RateLimiter {
	l := &RateLimiter{ptr: ptr}
	runtime.SetFinalizer(l, (*RateLimiter).Close)
	return l
}

// Close frees the budget; the clients made with it keep using it. It may be called more
// than once and is safe for concurrent use. NewClient with a closed RateLimiter returns
// ErrClosed.
func (l *RateLimiter) Close() error {
	if l == nil {
		return nil
	}
	closeHandle(&l.mu, &l.ptr, l, func(p *C.connectly_rate_limiter) { C.connectly_rate_limiter_free(p) })
	return nil
}

// WithRateLimiter makes every send request of the client (each attempt) wait its turn in
// limiter (NewLocalRateLimiter, NewRedisRateLimiter). Without it, a client for the
// Connectly API has a budget of its own of 200 sends per second (burst 20), the rate
// Connectly allows per business, and a client for another base URL (the mock, a proxy)
// none. The client keeps what it needs: limiter may be closed once the client is made.
// nil selects that default; a closed limiter makes NewClient return ErrClosed. Of
// WithRateLimiter and WithoutRateLimiter, the last given wins.
func WithRateLimiter(limiter *RateLimiter) Option {
	return func(o *options) {
		o.rateLimiter = limiter
		o.noRateLimiter = false
	}
}

// WithoutRateLimiter gives the client no send budget at all, also for the Connectly API,
// which answers 429 above its limit (the client's retries then wait as the API asks). Of
// WithRateLimiter and WithoutRateLimiter, the last given wins.
func WithoutRateLimiter() Option {
	return func(o *options) {
		o.rateLimiter = nil
		o.noRateLimiter = true
	}
}

// Deduplicator claims each webhook delivery before its handler runs, so that a delivery
// Connectly sends again (it retries any not answered 200, perhaps to another worker) is
// handled once: give it to the middleware with WithDeduplicator. A delivery status is
// known by its message id and status, any other delivery by the SHA-256 of its signed body
// (inbound messages carry no event id).
//
// A claim has two states: "processing" (for at most 60 s) while the handler runs, during
// which a copy is answered 409 so that Connectly retries it later (never 200 for work that
// may still fail), then "done" (kept for 24 hours), after which a copy is answered 200
// without running the handler. A handler that fails releases the claim, so the retry runs
// it again.
//
// It is safe for concurrent use. Close it when done; a middleware using a closed
// Deduplicator answers 500.
type Deduplicator struct {
	mu  sync.RWMutex
	ptr *C.connectly_deduplicator
}

// NewMemoryDeduplicator makes a store in this process's memory for one receiving process,
// holding at most capacity deliveries (the oldest forgotten first); 0 selects the default,
// 100,000. A negative capacity is ErrValidation (field "capacity").
func NewMemoryDeduplicator(capacity int) (*Deduplicator, error) {
	if errLibraryVersion != nil {
		return nil, errLibraryVersion
	}
	if capacity < 0 {
		return nil, validationError("capacity", "must not be negative")
	}
	// Exact: a non-negative int fits a size_t.
	ptr := C.connectly_deduplicator_new_memory(C.size_t(capacity))
	if ptr == nil {
		panic("connectly: out of memory")
	}
	return newDeduplicator(ptr), nil
}

// NewRedisDeduplicator makes a store in the Redis at url
// ("redis://[:password@]host:port/db"), shared by every receiver using it: a fleet behind
// a load balancer handles each delivery once. Nothing is connected yet; a Redis that does
// not answer when a delivery comes makes the middleware answer 503 (so the delivery comes
// again). An unusable URL is ErrConfig,
// whose message never quotes the URL.
func NewRedisDeduplicator(url string) (*Deduplicator, error) {
	var ptr *C.connectly_deduplicator
	err := withRedisURL(url, func(cURL *C.char, e **C.connectly_error) C.enum_connectly_status {
		return C.go_deduplicator_new_redis(e, cURL, &ptr)
	})
	if err != nil {
		return nil, err
	}
	return newDeduplicator(ptr), nil
}

func newDeduplicator(ptr *C.connectly_deduplicator) *Deduplicator {
	d := &Deduplicator{ptr: ptr}
	runtime.SetFinalizer(d, (*Deduplicator).Close)
	return d
}

// Close frees the store (its connections). It waits for claims being made, may be called
// more than once, and is safe for concurrent use; claims already made complete or release
// normally.
func (d *Deduplicator) Close() error {
	if d == nil {
		return nil
	}
	closeHandle(&d.mu, &d.ptr, d, func(p *C.connectly_deduplicator) { C.connectly_deduplicator_free(p) })
	return nil
}

// claim is one delivery claimed for its handler: complete it when the handler succeeded,
// release it otherwise; either once.
type claim struct {
	ptr *C.connectly_claim
}

// admit claims event (a live C event the caller frees). It returns a claim when the
// handler should run; otherwise a nil claim and the status to answer without running it:
// 409 while another copy is handled, 200 once it was. A store that does not answer is an
// error matching ErrTransport (answer 503); ErrClosed after Close (answer 500).
func (d *Deduplicator) admit(event *C.connectly_event) (*claim, int, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.ptr == nil {
		return nil, http.StatusInternalServerError, ErrClosed
	}
	var made *C.connectly_claim
	var status C.uint16_t
	var e *C.connectly_error
	result := C.go_dedup_admit(&e, d.ptr, event, &made, &status)
	runtime.KeepAlive(d)
	if err := captured(result, e); err != nil {
		return nil, 0, err
	}
	if made == nil {
		return nil, int(status), nil
	}
	return &claim{ptr: made}, 0, nil
}

// finish ends the claim by the status the handler wrote (0: none), by the library's rule:
// completed for a 2xx or none, released otherwise.
func (c *claim) finish(status int) error {
	var e *C.connectly_error
	code := C.uint16_t(0)
	if status > 0 && status <= math.MaxUint16 {
		code = C.uint16_t(status)
	}
	result := C.go_claim_finish(&e, c.ptr, code)
	c.ptr = nil
	return captured(result, e)
}

// release gives the delivery up, so that Connectly's retry runs the handler again.
func (c *claim) release() {
	C.connectly_claim_release(c.ptr)
	c.ptr = nil
}

// withRedisURL checks url and hands it to make as a C string, with the slot for the
// library's error; the failure, if any, converted. No error quotes the URL.
func withRedisURL(url string, make func(cURL *C.char, e **C.connectly_error) C.enum_connectly_status) error {
	if errLibraryVersion != nil {
		return errLibraryVersion
	}
	if hasNUL(url) {
		return &Error{Message: "unusable Redis URL (it contains a NUL byte)", kind: ErrConfig}
	}
	cURL := cString(url)
	defer C.free(unsafe.Pointer(cURL))
	var e *C.connectly_error
	return captured(make(cURL, &e), e)
}

// closeHandle frees *ptr with free once, under mu, and clears owner's finalizer: the Close
// of every fleet handle.
func closeHandle[P comparable](mu sync.Locker, ptr *P, owner any, free func(P)) {
	mu.Lock()
	defer mu.Unlock()
	var none P
	if *ptr != none {
		free(*ptr)
		*ptr = none
		runtime.SetFinalizer(owner, nil)
	}
}
