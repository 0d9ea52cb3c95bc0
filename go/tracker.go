package connectly

/*
#include <stdlib.h>
#include <connectly.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// StatusTracker remembers the furthest status seen per message id, so that out-of-order and
// repeated delivery statuses never move a message backwards: a "delivered" arriving after
// its "read", or the same status twice, is recognised as not news. Statuses rank sent <
// delivered < read < delivery_failed (final); a status the SDK does not know is recorded
// only for a message with none yet. The ranking is the core's, the same in every language.
//
// It is safe for concurrent use, and holds only memory: the garbage collector frees it.
type StatusTracker struct {
	ptr *C.connectly_status_tracker
}

// NewStatusTracker makes an empty tracker, kept in this process's memory.
func NewStatusTracker() *StatusTracker {
	ptr := C.connectly_status_tracker_new()
	if ptr == nil {
		panic("connectly: out of memory")
	}
	t := &StatusTracker{ptr: ptr}
	runtime.SetFinalizer(t, func(t *StatusTracker) { C.connectly_status_tracker_free(t.ptr) })
	return t
}

// Advance reports whether status (such as DeliveryStatus.Status) moves messageID forward,
// and if it does, records it. An id or status the library cannot take (one holding a NUL
// byte or invalid UTF-8), which no delivery carries, is never recorded: Advance reports
// false.
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
	var forward C.bool
	ok := C.connectly_status_tracker_advance(t.ptr, cID, cStatus, &forward) == C.CONNECTLY_OK
	runtime.KeepAlive(t)
	return ok && bool(forward)
}

// Status is the furthest status recorded for messageID, and whether there is one.
func (t *StatusTracker) Status(messageID string) (string, bool) {
	if hasNUL(messageID) {
		return "", false
	}
	cID := cString(messageID)
	defer C.free(unsafe.Pointer(cID))
	s := C.connectly_status_tracker_status(t.ptr, cID)
	runtime.KeepAlive(t)
	if s == nil {
		return "", false
	}
	defer C.connectly_string_free(s)
	return C.GoString(s), true
}
