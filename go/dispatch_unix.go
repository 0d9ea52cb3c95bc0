//go:build unix

package connectly

import (
	"os"
	"syscall"
)

// startDispatcher starts the goroutine that hands completions to the calls waiting for
// them, on the queue's descriptor fd (see pollDescriptor), or, when fd is -1 or
// useDescriptor is off, waiting in C (see waitLoop). It returns what stops it.
func (s *session) startDispatcher(fd int) (func(), error) {
	if fd < 0 || !useDescriptor {
		return s.waitLoop(), nil
	}
	return s.pollDescriptor(fd)
}

// pollDescriptor starts the dispatcher on the queue's descriptor fd: a duplicate of it, in
// an os.File, which registers the (non-blocking) descriptor with the network poller. The
// goroutine drains what waits and, when nothing does, parks in the poller until the
// descriptor is readable, holding no thread. Closing the file wakes it to end.
func (s *session) pollDescriptor(fd int) (func(), error) {
	// Duplicated close-on-exec, as the os package makes its descriptors: the queue owns
	// fd, and the poller's file must be the package's to close.
	syscall.ForkLock.RLock()
	dup, err := syscall.Dup(fd)
	if err == nil {
		syscall.CloseOnExec(dup)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, &Error{kind: ErrConfig,
			Message: "the completion queue's descriptor could not be duplicated: " + err.Error()}
	}
	file := os.NewFile(uintptr(dup), "connectly-completions")
	conn, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, &Error{kind: ErrConfig,
			Message: "the completion queue's descriptor cannot be polled: " + err.Error()}
	}
	buf := newCompletionBuffer()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer buf.free()
		// Read calls the function, then again each time the descriptor becomes readable,
		// until it returns true (never: the file's Close ends it with an error). A drain
		// that takes fewer than it could leaves the queue empty, and the library then
		// empties the descriptor, which the next completion makes readable again: so
		// after draining until then, waiting for the descriptor misses none.
		_ = conn.Read(func(uintptr) bool {
			for s.drain(buf) == drainBatch {
				// A full batch may have left more.
			}
			return false
		})
	}()
	return func() {
		file.Close()
		<-done
	}, nil
}
