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

CAPTURE(status_tracker_new_redis, (const char *url, connectly_status_tracker **out), (url, out))
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// StatusTracker remembers the furthest status seen per message id, so that out-of-order and
// repeated delivery statuses never move a message backwards: a "delivered" arriving after
// its "read", or the same status twice, is recognised as not news. Statuses rank sent <
// delivered < read < delivery_failed (final); a status the SDK does not know is recorded
// only for a message with none yet. The ranking is the core's, the same in every language.
//
// NewStatusTracker keeps the statuses in this process's memory, NewRedisStatusTracker in a
// Redis shared by a fleet of receivers, so that each message ends at its furthest status
// whichever worker each status reached. It is safe for concurrent use. The garbage
// collector frees it; Close frees it at once (a Redis tracker's connections too), after
// which Advance reports false and Status nothing.
type StatusTracker struct {
	mu  sync.RWMutex
	ptr *C.connectly_status_tracker
}

// NewStatusTracker makes an empty tracker, kept in this process's memory.
func NewStatusTracker() *StatusTracker {
	ptr := C.connectly_status_tracker_new()
	if ptr == nil {
		panic("connectly: out of memory")
	}
	return newStatusTracker(ptr)
}

// NewRedisStatusTracker makes a tracker keeping its statuses in the Redis at url
// ("redis://[:password@]host:port/db"), shared by every process using it. Nothing is
// connected yet; while Redis does not answer, Advance counts each status as news (so none
// is lost) and Status finds nothing. An unusable URL is ErrConfig, whose message never
// quotes the URL.
func NewRedisStatusTracker(url string) (*StatusTracker, error) {
	var ptr *C.connectly_status_tracker
	err := withRedisURL(url, func(cURL *C.char, e **C.connectly_error) C.enum_connectly_status {
		return C.go_status_tracker_new_redis(e, cURL, &ptr)
	})
	if err != nil {
		return nil, err
	}
	return newStatusTracker(ptr), nil
}

func newStatusTracker(ptr *C.connectly_status_tracker) *StatusTracker {
	t := &StatusTracker{ptr: ptr}
	runtime.SetFinalizer(t, (*StatusTracker).Close)
	return t
}

// Close frees the tracker and what it recorded in memory (a Redis tracker's statuses stay
// in Redis). It waits for calls in progress, may be called more than once, and is safe
// for concurrent use.
func (t *StatusTracker) Close() error {
	if t == nil {
		return nil
	}
	closeHandle(&t.mu, &t.ptr, t, func(p *C.connectly_status_tracker) { C.connectly_status_tracker_free(p) })
	return nil
}

// Advance reports whether status (such as DeliveryStatus.Status) moves messageID forward,
// and if it does, records it. An id or status the library cannot take (one holding a NUL
// byte or invalid UTF-8), which no delivery carries, is never recorded: Advance reports
// false, as it does after Close.
//
//	if s := event.Status; s != nil && tracker.Advance(s.MessageID, s.Status) {
//		// news: store s.Status
//	}
func (t *StatusTracker) Advance(messageID, status string) bool {
	if hasNUL(messageID, status) {
		return false
	}
	cID, cStatus := cString(messageID), cString(status)
	defer C.free(unsafe.Pointer(cID))
	defer C.free(unsafe.Pointer(cStatus))
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.ptr == nil {
		return false
	}
	var forward C.bool
	ok := C.connectly_status_tracker_advance(t.ptr, cID, cStatus, &forward) == C.CONNECTLY_OK
	runtime.KeepAlive(t)
	return ok && bool(forward)
}

// Status is the furthest status recorded for messageID, and whether there is one (none
// after Close).
func (t *StatusTracker) Status(messageID string) (string, bool) {
	if hasNUL(messageID) {
		return "", false
	}
	cID := cString(messageID)
	defer C.free(unsafe.Pointer(cID))
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.ptr == nil {
		return "", false
	}
	s := C.connectly_status_tracker_status(t.ptr, cID)
	runtime.KeepAlive(t)
	if s == nil {
		return "", false
	}
	defer C.connectly_string_free(s)
	return C.GoString(s), true
}
