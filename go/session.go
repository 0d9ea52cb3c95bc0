package connectly

/*
#include <stdlib.h>
#include <connectly.h>

// CAPTURE(name, (params), (args)) defines go_name, which calls connectly_name with args and,
// when it fails, copies the thread's last error into *err within the same C call (see
// captured in errors.go). Each file whose Go code needs one defines the macro: cgo compiles
// every file's preamble on its own.
#define UNPAREN(...) __VA_ARGS__
#define CAPTURE(name, params, args)                                                      \
	static enum connectly_status go_##name(connectly_error **err, UNPAREN params) {       \
		enum connectly_status status = connectly_##name args;                              \
		*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error()); \
		return status;                                                                     \
	}

CAPTURE(client_with_timeout,
	(const connectly_client *client, uint64_t timeout_ms, connectly_client **out),
	(client, timeout_ms, out))
CAPTURE(submit, (connectly_queue *queue, connectly_operation *operation, uint64_t tag),
	(queue, operation, tag))

// go_tags writes the tags of the n completions in out to tags, and returns n.
static size_t go_tags(size_t n, connectly_completion **out, uint64_t *tags) {
	for (size_t i = 0; i < n; i++) {
		tags[i] = connectly_completion_tag(out[i]);
	}
	return n;
}

// go_queue_drain is connectly_queue_drain, with the tags of what it took in tags: one call.
static size_t go_queue_drain(connectly_queue *queue, connectly_completion **out,
	uint64_t *tags, size_t max) {
	return go_tags(connectly_queue_drain(queue, out, max), out, tags);
}

// go_queue_wait is connectly_queue_wait, with the tags of what it took in tags: one call.
static size_t go_queue_wait(connectly_queue *queue, uint32_t timeout_ms,
	connectly_completion **out, uint64_t *tags, size_t max) {
	return go_tags(connectly_queue_wait(queue, timeout_ms, out, max), out, tags);
}

// go_queue_new makes a queue into *out, capturing the failure as CAPTURE does.
static enum connectly_status go_queue_new(connectly_error **err, connectly_queue **out) {
	*out = connectly_queue_new();
	if (*out != NULL) {
		*err = NULL;
		return CONNECTLY_OK;
	}
	*err = connectly_error_copy(connectly_last_error());
	return *err == NULL ? CONNECTLY_ERROR_INTERNAL : connectly_error_status(*err);
}
*/
import "C"

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// drainBatch is how many completions the dispatcher takes from the queue at a time.
const drainBatch = 64

// waitTimeout is how long the dispatcher of a queue without a descriptor waits in C for
// completions before it looks whether its client was closed.
const waitTimeout = 100 * time.Millisecond

// useDescriptor is whether a queue's descriptor is waited on through the network poller
// where the library gives one (Unix); the tests turn it off to run the waiting loop that
// other platforms use.
var useDescriptor = true

// Short names for the C types of the call builders and setters.
type (
	cClient    = C.connectly_client
	cOperation = C.connectly_operation
	cError     = C.connectly_error
	cStatus    = C.enum_connectly_status
)

// builder builds one call's operation on client (the Client's own, or one derived from it
// with a context's deadline as its timeout) into *op, through a capturing wrapper whose
// failure goes to *e.
type builder func(client *cClient, op **cOperation, e **cError) cStatus

// session is what a Client's calls share: the C client, the completion queue every call is
// submitted to, and the calls waiting for their completion. Its dispatcher goroutine holds
// the session, never the Client, so that an unreachable Client is still finalized.
type session struct {
	client *C.connectly_client
	queue  *C.connectly_queue
	// id names the client in log records (connectly_client_id).
	id uint64
	// logged is whether a logger is registered under id.
	logged bool
	// stop stops the dispatcher and waits for it to end.
	stop func()

	mu sync.Mutex
	// closed is set by Close: no call starts after it.
	closed bool
	// users counts the calls using client and queue; Close frees them once it is 0.
	users int
	// idle is closed when users drops to 0 after Close; nil until Close waits for it.
	idle chan struct{}
	// nextTag is the tag of the last submission (tags are never reused).
	nextTag uint64
	// waiting holds, per tag submitted and not yet completed, where its completion goes.
	waiting map[uint64]chan *C.connectly_completion

	closeOnce sync.Once
}

// newSession makes the completion queue for client and starts its dispatcher; it takes
// client over (freeing it on failure).
func newSession(client *C.connectly_client) (*session, error) {
	s := &session{
		client:  client,
		id:      uint64(C.connectly_client_id(client)),
		waiting: make(map[uint64]chan *C.connectly_completion),
	}
	var e *C.connectly_error
	status := C.go_queue_new(&e, &s.queue)
	if err := captured(status, e); err != nil {
		C.connectly_client_free(client)
		return nil, err
	}
	stop, err := s.startDispatcher(int(C.connectly_queue_fd(s.queue)))
	if err != nil {
		C.connectly_queue_free(s.queue)
		C.connectly_client_free(client)
		return nil, err
	}
	s.stop = stop
	return s, nil
}

// waitLoop starts the dispatcher of a queue without a descriptor: a goroutine that waits in
// C for completions, waitTimeout at a time, until stopped. It returns what stops it.
func (s *session) waitLoop() func() {
	buf := newCompletionBuffer()
	var stopping atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer buf.free()
		for !stopping.Load() {
			n := C.go_queue_wait(s.queue, C.uint32_t(waitTimeout/time.Millisecond), buf.ptr, buf.tags, drainBatch)
			s.deliver(buf.taken(n))
		}
	}()
	return func() {
		stopping.Store(true)
		<-done
	}
}

// completionBuffer is C memory for drainBatch completion pointers, which the library
// writes completions to, and for their tags.
type completionBuffer struct {
	ptr  **C.connectly_completion
	tags *C.uint64_t
}

func newCompletionBuffer() completionBuffer {
	size := C.size_t(drainBatch) * C.size_t(unsafe.Sizeof((*C.connectly_completion)(nil)))
	ptr := (**C.connectly_completion)(C.malloc(size))
	tags := (*C.uint64_t)(C.malloc(C.size_t(drainBatch) * C.size_t(unsafe.Sizeof(C.uint64_t(0)))))
	if ptr == nil || tags == nil {
		panic("connectly: out of memory")
	}
	return completionBuffer{ptr: ptr, tags: tags}
}

// taken is the n completions the library wrote, and their tags.
func (b completionBuffer) taken(n C.size_t) ([]*C.connectly_completion, []C.uint64_t) {
	return unsafe.Slice(b.ptr, drainBatch)[:n], unsafe.Slice(b.tags, drainBatch)[:n]
}

func (b completionBuffer) free() {
	C.free(unsafe.Pointer(b.ptr))
	C.free(unsafe.Pointer(b.tags))
}

// drain takes the completions waiting now (at most drainBatch) into buf, hands them out,
// and returns how many there were.
func (s *session) drain(buf completionBuffer) int {
	taken, tags := buf.taken(C.go_queue_drain(s.queue, buf.ptr, buf.tags, drainBatch))
	s.deliver(taken, tags)
	return len(taken)
}

// deliver hands each completion (its tag at the same index of tags) to the call waiting
// for it.
func (s *session) deliver(completions []*C.connectly_completion, tags []C.uint64_t) {
	if len(completions) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, completion := range completions {
		tag := uint64(tags[i])
		if done, ok := s.waiting[tag]; ok {
			delete(s.waiting, tag)
			done <- completion // buffered: never blocks
			continue
		}
		// Every submission has a waiter until its one completion: none is unclaimed.
		C.connectly_completion_free(completion)
	}
}

// acquire counts a call as a user of the client and queue: ErrClosed after Close, and for
// a Client not made by NewClient (no session).
func (s *session) acquire() error {
	if s == nil {
		return ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.users++
	return nil
}

// release ends a use that acquire began.
func (s *session) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users == 0 && s.idle != nil {
		close(s.idle)
	}
}

// operation builds a call's operation (the caller is a user): on the client itself, or,
// when the context has a deadline, on a client derived with the time left as its timeout,
// freed at once (the operation keeps what it needs).
func (s *session) operation(ctx context.Context, build builder) (*C.connectly_operation, error) {
	target := s.client
	if deadline, ok := ctx.Deadline(); ok {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, context.DeadlineExceeded
		}
		var derived *C.connectly_client
		var e *C.connectly_error
		status := C.go_client_with_timeout(&e, s.client, C.uint64_t(millis(remaining)), &derived)
		if err := captured(status, e); err != nil {
			return nil, err
		}
		defer C.connectly_client_free(derived)
		target = derived
	}
	var op *C.connectly_operation
	var e *C.connectly_error
	status := build(target, &op, &e)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	return op, nil
}

// submit hands op to the queue (the caller is a user) and returns its tag and where its
// completion will come. The operation is the queue's from then on, and freed here when it
// cannot be submitted.
func (s *session) submit(op *C.connectly_operation) (uint64, chan *C.connectly_completion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		C.connectly_operation_free(op)
		return 0, nil, ErrClosed
	}
	s.nextTag++
	tag := s.nextTag
	var e *C.connectly_error
	status := C.go_submit(&e, s.queue, op, C.uint64_t(tag))
	if err := captured(status, e); err != nil {
		C.connectly_operation_free(op)
		return 0, nil, err
	}
	// Registered before the dispatcher can look for it: it takes s.mu to deliver.
	done := make(chan *C.connectly_completion, 1)
	s.waiting[tag] = done
	return tag, done, nil
}

// cancel cancels the submission tag (the caller is a user, so the queue is live). It
// completes at once, unless it had completed already; either way exactly once.
func (s *session) cancel(tag uint64) {
	C.connectly_cancel(s.queue, C.uint64_t(tag))
}

// close cancels the calls in flight, waits for every user to finish, then stops the
// dispatcher and frees the queue and the client. Once only; a concurrent caller waits for
// the first.
func (s *session) close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for tag := range s.waiting {
			C.connectly_cancel(s.queue, C.uint64_t(tag))
		}
		var idle chan struct{}
		if s.users > 0 {
			s.idle = make(chan struct{})
			idle = s.idle
		}
		s.mu.Unlock()
		if idle != nil {
			<-idle
		}
		s.stop()
		C.connectly_queue_free(s.queue)
		C.connectly_client_free(s.client)
		if s.logged {
			unregisterLogger(s.id)
		}
	})
}
