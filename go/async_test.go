package connectly

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The calls on the completion queue: no thread per call, cancellation that really cancels,
// exactly one outcome per call under faults, and nothing left behind after Close.

// threadCount is the number of the process's OS threads (entries of /proc/self/task); the
// test is skipped where there is no such directory.
func threadCount(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("threads cannot be counted here: %v", err)
	}
	return len(entries)
}

// runtimeThreads is the number of threads of the clients' runtimes (named connectly-io).
func runtimeThreads(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("threads cannot be counted here: %v", err)
	}
	n := 0
	for _, entry := range entries {
		// A thread that ended between the listing and the read has no name to read.
		comm, err := os.ReadFile("/proc/self/task/" + entry.Name() + "/comm")
		if err == nil && strings.HasPrefix(string(comm), "connectly-io") {
			n++
		}
	}
	return n
}

// fdCount is the number of the process's open descriptors.
func fdCount(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("descriptors cannot be counted here: %v", err)
	}
	return len(entries)
}

// waitForRequests waits until the mock has recorded n requests since its last reset.
func waitForRequests(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for requestCount(t) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the mock did not receive %d requests in 5 s (got %d)", n, requestCount(t))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failures is a JSON list of n copies of failure, for the mock's /_mock/fail.
func failures(failure string, n int) string {
	return "[" + strings.Repeat(failure+",", n-1) + failure + "]"
}

// TestThousandInFlight: 1,000 sends at once against a server that answers each after
// 0.2 s complete in about one server latency, and the process's thread count stays small
// while they are in flight: a waiting call holds no OS thread.
func TestThousandInFlight(t *testing.T) {
	const n = 1000
	before := threadCount(t)
	client := mockClient(t)
	resetMock(t)
	failNext(t, failures(`{"delay_ms":200}`, n))

	var most atomic.Int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			most.Store(max(most.Load(), int64(threadCount(t))))
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.SendTextContext(context.Background(), "whatsapp", "+15555555555", "at once"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if elapsed > 3*time.Second {
		t.Errorf("%d sends answered after 0.2 s each took %v: they did not wait at once", n, elapsed)
	}
	if most.Load() >= 32 {
		t.Errorf("%d threads while %d sends were in flight (%d before), want < 32", most.Load(), n, before)
	}
	if got := requestCount(t); got != n {
		t.Errorf("%d requests, want %d", got, n)
	}
	t.Logf("%d sends in %v; at most %d threads (%d before)", n, elapsed.Round(time.Millisecond), most.Load(), before)
}

// TestCancelBeforeWrittenIsNeverSent: a send cancelled while it waits to retry (after a
// 429 asking for 1 s), its next request not yet written, sends nothing more: the mock sees
// exactly one request, and the error is ErrCanceled, not possibly sent.
func TestCancelBeforeWrittenIsNeverSent(t *testing.T) {
	// The client's records say when it starts waiting to retry.
	sink := &recordSink{}
	client := mockClient(t, WithLogger(slog.New(sink)))
	resetMock(t)
	failNext(t, `[{"status":429,"retry_after":"1"}]`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "cancelled in the wait")
		done <- err
	}()
	sink.waitFor(t, "retrying", map[string]string{"attempt": "1"})
	if n := requestCount(t); n != 1 {
		t.Fatalf("the mock received %d requests before the wait, want 1", n)
	}
	cancelled := time.Now()
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the cancelled send did not return")
	}
	if took := time.Since(cancelled); took > 500*time.Millisecond {
		t.Errorf("the send returned %v after its cancellation", took)
	}
	var e *Error
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.PossiblySent {
		t.Fatalf("cancelled before the retry was written: %#v", err)
	}
	if e.Attempts != 1 {
		t.Errorf("attempts %d, want 1", e.Attempts)
	}
	// Past the time the retry would have gone.
	time.Sleep(1200 * time.Millisecond)
	if n := requestCount(t); n != 1 {
		t.Errorf("the mock received %d requests, want 1: the cancelled retry was sent", n)
	}
}

// TestCancelInFlightIsPossiblySent: a send cancelled while the server holds its request is
// abandoned at once and reported as possibly sent.
func TestCancelInFlightIsPossiblySent(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	failNext(t, `[{"delay_ms":2000}]`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "cancelled in flight")
		done <- err
	}()
	waitForRequests(t, 1)
	cancelled := time.Now()
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(1500 * time.Millisecond):
		t.Fatal("the cancelled send did not return before the server answered")
	}
	if took := time.Since(cancelled); took > 500*time.Millisecond {
		t.Errorf("the send returned %v after its cancellation", took)
	}
	var e *Error
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || !errors.As(err, &e) || !e.PossiblySent {
		t.Fatalf("cancelled in flight: %#v", err)
	}
	resetMock(t)
}

// TestCloseCancelsCallsInFlight: Close cancels the calls in flight, which return
// ErrCanceled (possibly sent: the server holds them), waits for them, and is safe to call
// from several goroutines at once; calls after it return ErrClosed.
func TestCloseCancelsCallsInFlight(t *testing.T) {
	const n = 5
	client := mockClient(t)
	resetMock(t)
	failNext(t, failures(`{"delay_ms":3000}`, n))
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := client.SendTextContext(context.Background(), "whatsapp", "+15555555555", "closed in flight")
			errs <- err
		}()
	}
	waitForRequests(t, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := client.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close took %v: it waited for the server", took)
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			var e *Error
			if !errors.Is(err, ErrCanceled) || errors.Is(err, context.Canceled) || !errors.As(err, &e) || !e.PossiblySent {
				t.Errorf("a call in flight at Close: %#v", err)
			}
		case <-time.After(time.Second):
			t.Fatal("a call in flight at Close did not return")
		}
	}
	if _, err := client.SendTextContext(context.Background(), "whatsapp", "+15555555555", "hi"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	resetMock(t)
}

// TestWaitLoopDispatcher: the dispatcher of platforms without the queue's descriptor (a
// goroutine waiting in C, a little at a time) delivers every completion and cancellation,
// and ends with Close.
func TestWaitLoopDispatcher(t *testing.T) {
	useDescriptor = false
	defer func() { useDescriptor = true }()
	goroutines := runtime.NumGoroutine()
	client := mockClient(t)
	resetMock(t)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.SendTextContext(context.Background(), "whatsapp", "+15555555555", "waited"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	failNext(t, `[{"delay_ms":2000}]`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "hi"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
	client.Close()
	settle(t, "goroutines", func() bool { return runtime.NumGoroutine() <= goroutines })
	resetMock(t)
}

// settle waits up to 10 s for done, and fails the test naming what did not come back.
func settle(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Errorf("%s did not come back to the baseline in 10 s", what)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// faultKinds are the outcomes a send may have under the injected faults.
var faultKinds = []error{ErrTransport, ErrTimeout, ErrServer, ErrRateLimited, ErrCanceled}

// TestFaultInjection: 300 sends at once against dropped and reset connections, answers
// slower than the timeout, 30% 5xx and 429, with random cancellations and deadlines: every
// call returns, once, with a sensible outcome; a cancelled one that failed says so; and
// after Close the descriptors, the runtime's threads and the goroutines are back to what
// they were.
func TestFaultInjection(t *testing.T) {
	const n = 300
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d", seed)

	// A first client's run grows the Go runtime's pool of threads (it never shrinks) to
	// what such a run needs, so that the baseline is taken with it. The clients' runtime
	// threads are counted apart: other tests' clients may still have theirs.
	baseRuntime := runtimeThreads(t)
	warm := mockClient(t)
	resetMock(t)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = warm.SendTextContext(context.Background(), "whatsapp", "+15555555555", "warm-up")
		}()
	}
	wg.Wait()
	warm.Close()
	idleHTTP := func() { http.DefaultClient.CloseIdleConnections() }
	idleHTTP()
	settle(t, "the warm-up client's runtime threads", func() bool { return runtimeThreads(t) <= baseRuntime })
	baseFDs, baseThreads, baseGoroutines := fdCount(t), threadCount(t), runtime.NumGoroutine()

	client := mockClient(t, WithTimeout(300*time.Millisecond))
	var script []string
	for i := 0; i < n; i++ {
		switch r := rng.Intn(100); {
		case r < 10:
			script = append(script, `{"drop":true}`)
		case r < 20:
			script = append(script, `{"reset_mid_body":true}`)
		case r < 30:
			script = append(script, `{"delay_ms":1000}`)
		case r < 45:
			script = append(script, `{"status":503}`)
		case r < 60:
			script = append(script, `{"status":429,"retry_after":"0"}`)
		default:
			script = append(script, fmt.Sprintf(`{"delay_ms":%d}`, rng.Intn(150)))
		}
	}
	failNext(t, "["+strings.Join(script, ",")+"]")

	type outcome struct {
		err       error
		cancelled atomic.Bool
		returns   atomic.Int32
	}
	outcomes := make([]outcome, n)
	start := time.Now()
	for i := range outcomes {
		o := &outcomes[i]
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		switch r := rng.Intn(100); {
		case r < 30:
			ctx, cancel = context.WithCancel(ctx)
			after := time.Duration(rng.Intn(400)) * time.Millisecond
			go func() {
				time.Sleep(after)
				o.cancelled.Store(true)
				cancel()
			}()
		case r < 40:
			ctx, cancel = context.WithTimeout(ctx, time.Duration(50+rng.Intn(450))*time.Millisecond)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel()
			_, o.err = client.SendTextContext(ctx, "whatsapp", "+15555555555", "under faults")
			o.returns.Add(1)
		}()
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("calls did not return within 30 s")
	}
	elapsed := time.Since(start)

	counts := map[string]int{}
	for i := range outcomes {
		o := &outcomes[i]
		if r := o.returns.Load(); r != 1 {
			t.Errorf("call %d returned %d times", i, r)
		}
		if o.err == nil {
			counts["ok"]++
			continue
		}
		if o.err == context.Canceled || o.err == context.DeadlineExceeded {
			// Its context ended before the call began: nothing was submitted.
			counts["before the call"]++
			if o.err == context.Canceled && !o.cancelled.Load() {
				t.Errorf("call %d was not cancelled: %v", i, o.err)
			}
			continue
		}
		matched := 0
		for _, kind := range faultKinds {
			if errors.Is(o.err, kind) {
				matched++
				counts[kind.Error()]++
			}
		}
		if matched != 1 {
			t.Errorf("call %d: %v matches %d of the expected kinds", i, o.err, matched)
		}
		cancelledCtx := errors.Is(o.err, context.Canceled)
		if cancelledCtx && !o.cancelled.Load() {
			t.Errorf("call %d was not cancelled: %v", i, o.err)
		}
		if errors.Is(o.err, ErrCanceled) && !cancelledCtx && !errors.Is(o.err, context.DeadlineExceeded) {
			t.Errorf("call %d: cancelled, but not by its context: %v", i, o.err)
		}
		// Only a request without a complete answer, or a 5xx, may have been sent.
		maybe := errors.Is(o.err, ErrCanceled) || errors.Is(o.err, ErrTimeout) ||
			errors.Is(o.err, ErrTransport) || errors.Is(o.err, ErrServer)
		if PossiblySent(o.err) && !maybe || errors.Is(o.err, ErrServer) && !PossiblySent(o.err) {
			t.Errorf("call %d: PossiblySent %v for %v", i, PossiblySent(o.err), o.err)
		}
	}
	if counts[ErrCanceled.Error()] == 0 || counts["ok"] == 0 || len(counts) < 4 {
		t.Errorf("the faults did not show: %v", counts)
	}
	t.Logf("%d calls in %v: %v", n, elapsed.Round(time.Millisecond), counts)

	client.Close()
	resetMock(t)
	idleHTTP()
	settle(t, "the runtime's threads", func() bool { return runtimeThreads(t) <= baseRuntime })
	settle(t, "descriptors", func() bool { return fdCount(t) <= baseFDs })
	settle(t, "goroutines", func() bool { return runtime.NumGoroutine() <= baseGoroutines })
	// The Go runtime never ends an idle thread, and may start one more per P (GOMAXPROCS)
	// to run a burst of goroutines; the library's are all gone (above).
	if threads := threadCount(t); threads > baseThreads+runtime.GOMAXPROCS(0) {
		t.Errorf("%d threads after Close, %d before", threads, baseThreads)
	}
	t.Logf("after Close: %d descriptors (%d before), %d threads (%d before), %d goroutines (%d before)",
		fdCount(t), baseFDs, threadCount(t), baseThreads, runtime.NumGoroutine(), baseGoroutines)
}

// TestUnreachableClientIsFinalized: a Client dropped without Close is closed by its
// finalizer: its dispatcher goroutine holds the client's state, not the Client, so the
// goroutine and the descriptors go.
func TestUnreachableClientIsFinalized(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	goroutines, fds := runtime.NumGoroutine(), fdCount(t)
	func() {
		client, err := NewClient(mockEnv["CONNECTLY_API_KEY"], mockEnv["CONNECTLY_BUSINESS_ID"],
			WithBaseURL(mockEnv["CONNECTLY_BASE_URL"]))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.SendText("whatsapp", "+15555555555", "then dropped"); err != nil {
			t.Fatal(err)
		}
	}()
	settle(t, "goroutines and descriptors", func() bool {
		runtime.GC()
		return runtime.NumGoroutine() <= goroutines && fdCount(t) <= fds
	})
}
