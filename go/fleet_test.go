package connectly

// What a fleet shares: send budgets (local and in Redis) given to clients, deliveries
// handled once by the middleware (memory and Redis), statuses kept in Redis, and SendMany
// resumed from its journal.
//
// The tests that need Redis use CONNECTLY_TEST_REDIS_URL, which scripts/with-redis.sh sets
// to a fresh redis-server of its own; `make test-go` runs the suite under it, with
// CONNECTLY_REQUIRE_REDIS=1, so that a missing Redis fails them there. Run by hand without
// that variable, they are skipped:
//
//	bash ../scripts/with-redis.sh go test -tags connectly_intree -run Fleet ./...

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testRedisURL is the Redis the fleet tests share (see the top of the file).
func testRedisURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("CONNECTLY_TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CONNECTLY_REQUIRE_REDIS") != "" {
			t.Fatal("CONNECTLY_TEST_REDIS_URL is not set: run the tests under scripts/with-redis.sh")
		}
		t.Skip("CONNECTLY_TEST_REDIS_URL is not set (run under scripts/with-redis.sh)")
	}
	return url
}

// unique is a suffix no other run of the tests uses, for keys in a Redis that may outlive
// the run (one started by hand).
func unique() string {
	return fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
}

// sendTexts sends n texts through client, failing the test on any error.
func sendTexts(t *testing.T, client *Client, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := client.SendText("whatsapp", "+15555555555", "budget"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFleetLocalRateLimiter(t *testing.T) {
	limiter, err := NewLocalRateLimiter(50, WithBurst(1))
	if err != nil {
		t.Fatal(err)
	}
	client := mockClient(t, WithRateLimiter(limiter))
	// The client keeps the budget: it may be closed at once, and twice.
	limiter.Close()
	limiter.Close()
	start := time.Now()
	sendTexts(t, client, 6)
	// One at once, then five 20 ms apart.
	if elapsed := time.Since(start); elapsed < 95*time.Millisecond {
		t.Errorf("6 sends at 50/s with burst 1 took %v", elapsed)
	}
	// A closed budget cannot be given to another client.
	if _, err := NewClient("key", "business", WithRateLimiter(limiter)); !errors.Is(err, ErrClosed) {
		t.Errorf("a closed limiter: %v", err)
	}
}

func TestFleetRedisRateLimiterSharedBudget(t *testing.T) {
	url := testRedisURL(t)
	resetMock(t)
	// Two limiters on one Redis, as two processes would have: one budget.
	one, err := NewRedisRateLimiter(url, 100, WithBurst(1))
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	other, err := NewRedisRateLimiter(url, 100, WithBurst(1), WithFallbackShare(0.5))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	a := mockClient(t, WithRateLimiter(one))
	b := mockClient(t, WithRateLimiter(other))
	start := time.Now()
	var wg sync.WaitGroup
	for _, client := range []*Client{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := client.SendText("whatsapp", "+15555555555", "shared"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// Ten sends in one budget of 100/s with burst 1: the last at least 90 ms after the
	// first (two budgets would let them through in about 40 ms).
	if elapsed := time.Since(start); elapsed < 85*time.Millisecond {
		t.Errorf("10 sends through one shared 100/s budget took %v", elapsed)
	}
	if n := requestCount(t); n != 10 {
		t.Errorf("%d requests, want 10", n)
	}
}

func TestFleetRedisRateLimiterUnreachable(t *testing.T) {
	// Nothing listens on port 1: the sends go at the fallback share of the rate (a quarter
	// of 400/s here), neither failing nor halting.
	limiter, err := NewRedisRateLimiter("redis://127.0.0.1:1/0", 400, WithBurst(1))
	if err != nil {
		t.Fatal(err)
	}
	defer limiter.Close()
	client := mockClient(t, WithRateLimiter(limiter))
	start := time.Now()
	sendTexts(t, client, 4)
	if elapsed := time.Since(start); elapsed < 25*time.Millisecond {
		t.Errorf("4 sends at the fallback's 100/s took %v", elapsed)
	}
}

func TestFleetDefaultAndNoRateLimiter(t *testing.T) {
	// A client for the Connectly API has its own budget by default; none at all on request.
	for _, opts := range [][]Option{nil, {WithoutRateLimiter()}} {
		client, err := NewClient("key", "business", opts...)
		if err != nil {
			t.Fatal(err)
		}
		client.Close()
	}
	slow, err := NewLocalRateLimiter(2, WithBurst(1))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// The last of WithRateLimiter and WithoutRateLimiter wins: no budget here (three sends
	// at 2/s would take a second)...
	client := mockClient(t, WithRateLimiter(slow), WithoutRateLimiter())
	start := time.Now()
	sendTexts(t, client, 3)
	if elapsed := time.Since(start); elapsed > 900*time.Millisecond {
		t.Errorf("3 sends without a budget took %v", elapsed)
	}
	// ... and a budget here.
	paced, err := NewLocalRateLimiter(10, WithBurst(1))
	if err != nil {
		t.Fatal(err)
	}
	defer paced.Close()
	client = mockClient(t, WithoutRateLimiter(), WithRateLimiter(paced))
	start = time.Now()
	sendTexts(t, client, 3)
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("3 sends at 10/s with burst 1 took %v", elapsed)
	}
	// nil is the default (no budget for the mock's base URL).
	sendTexts(t, mockClient(t, WithRateLimiter(nil)), 1)
}

func TestFleetBadArguments(t *testing.T) {
	const url = "redis://127.0.0.1:6379/0"
	for name, tc := range map[string]struct {
		make  func() error
		kind  error
		field string
	}{
		"rate 0":             {func() error { _, err := NewLocalRateLimiter(0); return err }, ErrValidation, "rate limit"},
		"rate NaN":           {func() error { _, err := NewLocalRateLimiter(math.NaN()); return err }, ErrValidation, "rate limit"},
		"rate +Inf":          {func() error { _, err := NewLocalRateLimiter(math.Inf(1)); return err }, ErrValidation, "rate limit"},
		"rate below 0.01":    {func() error { _, err := NewRedisRateLimiter(url, 0.001); return err }, ErrValidation, "rate limit"},
		"burst 0":            {func() error { _, err := NewLocalRateLimiter(10, WithBurst(0)); return err }, ErrValidation, "burst"},
		"burst too large":    {func() error { _, err := NewRedisRateLimiter(url, 10, WithBurst(math.MaxInt)); return err }, ErrValidation, "burst"},
		"share 0":            {func() error { _, err := NewRedisRateLimiter(url, 10, WithFallbackShare(0)); return err }, ErrValidation, "fallback share"},
		"share 2":            {func() error { _, err := NewRedisRateLimiter(url, 10, WithFallbackShare(2)); return err }, ErrValidation, "fallback share"},
		"share NaN":          {func() error { _, err := NewRedisRateLimiter(url, 10, WithFallbackShare(math.NaN())); return err }, ErrValidation, "fallback share"},
		"share on local":     {func() error { _, err := NewLocalRateLimiter(10, WithFallbackShare(0.5)); return err }, ErrConfig, ""},
		"limiter URL":        {func() error { _, err := NewRedisRateLimiter("not a url", 10); return err }, ErrConfig, ""},
		"limiter URL NUL":    {func() error { _, err := NewRedisRateLimiter("redis://a\x00b", 10); return err }, ErrConfig, ""},
		"dedup URL":          {func() error { _, err := NewRedisDeduplicator("not a url"); return err }, ErrConfig, ""},
		"dedup URL NUL":      {func() error { _, err := NewRedisDeduplicator("redis://a\x00b"); return err }, ErrConfig, ""},
		"dedup capacity":     {func() error { _, err := NewMemoryDeduplicator(-1); return err }, ErrValidation, "capacity"},
		"tracker URL":        {func() error { _, err := NewRedisStatusTracker("not a url"); return err }, ErrConfig, ""},
		"tracker URL NUL":    {func() error { _, err := NewRedisStatusTracker("redis://a\x00b"); return err }, ErrConfig, ""},
		"password not shown": {func() error { _, err := NewRedisRateLimiter("redis://:hunter2@[::1/0", 10); return err }, ErrConfig, ""},
	} {
		err := tc.make()
		if !errors.Is(err, tc.kind) {
			t.Errorf("%s: %v, want %v", name, err, tc.kind)
			continue
		}
		if tc.kind == ErrValidation && validationField(err) != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", name, validationField(err), tc.field, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error quotes the URL: %v", name, err)
		}
	}
	// Close is idempotent, also on nil.
	var nilLimiter *RateLimiter
	var nilDedup *Deduplicator
	var nilTracker *StatusTracker
	if nilLimiter.Close() != nil || nilDedup.Close() != nil || nilTracker.Close() != nil {
		t.Error("Close on nil failed")
	}
}

// deliveryBody is an inbound message whose text is text (and so whose key, the SHA-256
// of the body, is its own).
func deliveryBody(text string) []byte {
	return []byte(`{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},` +
		`"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"` + text + `"}}`)
}

// signedDelivery is a request carrying body signed with secret.
func signedDelivery(t *testing.T, secret string, body []byte) func() *http.Request {
	t.Helper()
	webhook, err := NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	signature, err := webhook.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	return func() *http.Request {
		req := httptest.NewRequest("POST", "/webhook", bytes.NewReader(body))
		req.Header.Set(SignatureHeader, signature)
		return req
	}
}

// countingHandler counts its runs, checks that the request is as readable as without a
// deduplicator, holds each run for hold, and answers as answer says for run n (1-based):
// a status to write, 0 to write nothing, -1 to panic.
type countingHandler struct {
	t      *testing.T
	body   []byte
	hold   time.Duration
	answer func(n int32) int
	runs   atomic.Int32
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.runs.Add(1)
	event, ok := EventFromContext(r.Context())
	if !ok || event.Message == nil {
		h.t.Errorf("run %d: no event in the context", n)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || !bytes.Equal(got, h.body) || r.ContentLength != int64(len(h.body)) {
		h.t.Errorf("run %d: the body reads %q (%v), length %d", n, got, err, r.ContentLength)
	}
	time.Sleep(h.hold)
	switch status := h.answer(n); status {
	case -1:
		panic("the handler failed")
	case 0:
	default:
		w.WriteHeader(status)
	}
}

// serve posts one request to handler, and gives its status (-1 when the handler
// panicked: then the panic went on through the middleware).
func serve(handler http.Handler, req *http.Request) (status int) {
	defer func() {
		if recover() != nil {
			status = -1
		}
	}()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	return rec.Code
}

func TestFleetDeduplicatorRedisAcrossReceivers(t *testing.T) {
	url := testRedisURL(t)
	const secret = "fleet-secret"
	body := deliveryBody("once " + unique())
	request := signedDelivery(t, secret, body)
	h := &countingHandler{t: t, body: body, hold: 150 * time.Millisecond, answer: func(int32) int { return 200 }}
	// Three receivers, as three processes would be: each its own verifier and its own
	// store on the one Redis.
	var servers []*httptest.Server
	for i := 0; i < 3; i++ {
		dedup, err := NewRedisDeduplicator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer dedup.Close()
		server := httptest.NewServer(WebhookHandler(secret, h, WithDeduplicator(dedup)))
		defer server.Close()
		servers = append(servers, server)
	}
	post := func(server *httptest.Server) int {
		req := request()
		out, err := http.NewRequest("POST", server.URL+"/webhook", req.Body)
		if err != nil {
			t.Error(err)
			return 0
		}
		out.Header = req.Header
		resp, err := http.DefaultClient.Do(out)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	statuses := make([]int, 6)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = post(servers[i%3])
		}()
	}
	wg.Wait()
	if n := h.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times for one delivery posted 6 times", n)
	}
	ok := 0
	for _, status := range statuses {
		switch status {
		case 200:
			ok++
		case 409:
		default:
			t.Errorf("status %d, want 200 or 409 (all: %v)", status, statuses)
		}
	}
	if ok == 0 {
		t.Errorf("no copy was answered 200: %v", statuses)
	}
	// Handled: every later copy, at any receiver, is 200 without running.
	for _, server := range servers {
		if status := post(server); status != 200 {
			t.Errorf("a copy after handling: %d", status)
		}
	}
	if n := h.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times", n)
	}
}

// checkRetries checks that a handler that fails (as fail answers) lets the next copy run,
// and one that succeeds does not, through two middlewares sharing a store (or one when
// second is nil).
func checkRetries(t *testing.T, name string, first, second *Deduplicator, fail int) {
	t.Helper()
	const secret = "retry-secret"
	body := deliveryBody(name + " " + unique())
	request := signedDelivery(t, secret, body)
	h := &countingHandler{t: t, body: body, answer: func(n int32) int {
		if n == 1 {
			return fail
		}
		return 0
	}}
	if second == nil {
		second = first
	}
	a := WebhookHandler(secret, h, WithDeduplicator(first))
	b := WebhookHandler(secret, h, WithDeduplicator(second))
	if status := serve(a, request()); status != fail || h.runs.Load() != 1 {
		t.Fatalf("%s: first copy: %d after %d runs, want %d", name, status, h.runs.Load(), fail)
	}
	// The failure released the claim: the retry (at the other receiver) runs it again.
	if status := serve(b, request()); status != 200 || h.runs.Load() != 2 {
		t.Errorf("%s: retry: %d after %d runs", name, status, h.runs.Load())
	}
	if status := serve(a, request()); status != 200 || h.runs.Load() != 2 {
		t.Errorf("%s: copy after success: %d after %d runs", name, status, h.runs.Load())
	}
}

func TestFleetDeduplicatorRedisFailedHandlerRetried(t *testing.T) {
	url := testRedisURL(t)
	one, err := NewRedisDeduplicator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	other, err := NewRedisDeduplicator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	checkRetries(t, "panic", one, other, -1)
	checkRetries(t, "500", one, other, 500)
	checkRetries(t, "404", one, other, 404)
}

func TestFleetDeduplicatorMemory(t *testing.T) {
	dedup, err := NewMemoryDeduplicator(0)
	if err != nil {
		t.Fatal(err)
	}
	defer dedup.Close()
	const secret = "memory-secret"
	body := deliveryBody("memory once")
	request := signedDelivery(t, secret, body)
	h := &countingHandler{t: t, body: body, hold: 100 * time.Millisecond, answer: func(int32) int { return 204 }}
	handler := WebhookHandler(secret, h, WithDeduplicator(dedup))
	statuses := make([]int, 6)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = serve(handler, request())
		}()
	}
	wg.Wait()
	if n := h.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times for one delivery posted 6 times", n)
	}
	for _, status := range statuses {
		if status != 204 && status != 200 && status != 409 {
			t.Errorf("statuses %v", statuses)
			break
		}
	}
	checkRetries(t, "memory panic", dedup, nil, -1)
	checkRetries(t, "memory 503", dedup, nil, 503)

	// A handler that writes nothing succeeded (net/http answers 200).
	quiet := deliveryBody("memory quiet")
	quietRequest := signedDelivery(t, secret, quiet)
	q := &countingHandler{t: t, body: quiet, answer: func(int32) int { return 0 }}
	quietHandler := WebhookHandler(secret, q, WithDeduplicator(dedup))
	for i := 0; i < 2; i++ {
		if status := serve(quietHandler, quietRequest()); status != 200 || q.runs.Load() != 1 {
			t.Errorf("a handler writing nothing, copy %d: %d after %d runs", i, status, q.runs.Load())
		}
	}

	// A delivery status is known by its message id and status: the same one sent again
	// with another timestamp is a copy; another status is not.
	statusBody := func(timestamp, status string) []byte {
		return []byte(`{"timestamp":"` + timestamp + `","sender":{"id":"+1","channelType":"whatsapp"},` +
			`"recipient":{"id":"+2","channelType":"whatsapp"},"statusUpdate":{"id":"m-dedup-1","status":"` + status + `"}}`)
	}
	runs := 0
	statusHandler := WebhookHandler(secret, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { runs++ }),
		WithDeduplicator(dedup))
	for i, tc := range []struct {
		timestamp, status string
		runs              int
	}{{"1639083206", "delivered", 1}, {"1639083299", "delivered", 1}, {"1639083300", "read", 2}} {
		if status := serve(statusHandler, signedDelivery(t, secret, statusBody(tc.timestamp, tc.status))()); status != 200 || runs != tc.runs {
			t.Errorf("status delivery %d: %d after %d runs, want %d", i, status, runs, tc.runs)
		}
	}

	// Deliveries the middleware refuses never reach the store.
	bad := request()
	bad.Header.Set(SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if status := serve(handler, bad); status != 403 {
		t.Errorf("bad signature: %d", status)
	}

	// A closed store: 500, the handler not called.
	dedup.Close()
	before := h.runs.Load()
	if status := serve(handler, signedDelivery(t, secret, deliveryBody("after close"))()); status != 500 || h.runs.Load() != before {
		t.Errorf("closed store: %d", status)
	}
}

func TestFleetDeduplicatorRedisUnreachable(t *testing.T) {
	// Nothing listens on port 1: the delivery is answered 503 (Connectly sends it again),
	// and the handler is not called.
	dedup, err := NewRedisDeduplicator("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	defer dedup.Close()
	const secret = "unreachable-secret"
	called := false
	handler := WebhookHandler(secret, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }),
		WithDeduplicator(dedup))
	if status := serve(handler, signedDelivery(t, secret, deliveryBody("unreachable"))()); status != 503 || called {
		t.Errorf("store unreachable: %d (handler called: %v)", status, called)
	}
}

func TestFleetRedisStatusTracker(t *testing.T) {
	url := testRedisURL(t)
	one, err := NewRedisStatusTracker(url)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	other, err := NewRedisStatusTracker(url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	id := "go-m-" + unique()
	if !one.Advance(id, StatusRead) {
		t.Error("the first status was not news")
	}
	// Another worker's late status does not move it back.
	if other.Advance(id, StatusDelivered) {
		t.Error("a late status was news to another tracker")
	}
	if other.Advance(id, StatusRead) {
		t.Error("a repeated status was news")
	}
	if status, ok := other.Status(id); !ok || status != StatusRead {
		t.Errorf("status %q %v", status, ok)
	}
	if !other.Advance(id, StatusDeliveryFailed) {
		t.Error("a further status was not news")
	}
	if status, _ := one.Status(id); status != StatusDeliveryFailed {
		t.Errorf("status %q", status)
	}
	// After Close: nothing, and no crash.
	one.Close()
	one.Close()
	if one.Advance(id+"-2", StatusSent) {
		t.Error("Advance after Close")
	}
	if _, ok := one.Status(id); ok {
		t.Error("Status after Close")
	}
}

func TestFleetRedisStatusTrackerUnreachable(t *testing.T) {
	// While Redis does not answer, each status counts as news: none is lost.
	tracker, err := NewRedisStatusTracker("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	defer tracker.Close()
	if !tracker.Advance("m1", StatusRead) || !tracker.Advance("m1", StatusDelivered) {
		t.Error("a status was not news with Redis away")
	}
}

func TestFleetSendManyJournal(t *testing.T) {
	client := mockClient(t)
	journal := filepath.Join(t.TempDir(), "batch.journal")
	messages := make([]Outgoing, 4)
	for i := range messages {
		messages[i] = Text("whatsapp", "+15555555555", fmt.Sprintf("journaled %d", i))
	}
	resetMock(t)
	// The first message fails with a 500: its request may have reached the server.
	failNext(t, `[{"status":500}]`)
	results, err := client.SendMany(messages, WithConcurrency(1), WithJournal(journal))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(results[0].Err, ErrServer) {
		t.Fatalf("message 0: %+v", results[0])
	}
	for i, r := range results[1:] {
		if r.Err != nil || r.Response.Attempts != 1 {
			t.Fatalf("message %d: %+v", i+1, r)
		}
	}
	sent := requestCount(t)

	// Again with the journal: nothing is sent. The confirmed ones are read back (Attempts
	// 0); the one that may have been sent is reported, not resent.
	results, err = client.SendMany(messages, WithJournal(journal))
	if err != nil {
		t.Fatal(err)
	}
	if n := requestCount(t); n != sent {
		t.Errorf("the rerun made %d requests", n-sent)
	}
	var e *Error
	if !errors.Is(results[0].Err, ErrCanceled) || !errors.As(results[0].Err, &e) || !e.PossiblySent {
		t.Errorf("message 0 on the rerun: %v", results[0].Err)
	}
	for i, r := range results[1:] {
		if r.Err != nil || r.Response.Attempts != 0 || r.Response.Status != 200 || len(r.Response.Body) == 0 {
			t.Errorf("message %d on the rerun: %+v", i+1, r)
		}
	}

	// Other messages: the journal is refused, nothing sent.
	other := append([]Outgoing{Text("whatsapp", "+15555555555", "different")}, messages[1:]...)
	results, err = client.SendMany(other, WithJournal(journal))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if validationField(r.Err) != "journal" {
			t.Errorf("message %d with another batch's journal: %v", i, r.Err)
		}
	}
	// A path the library cannot take: the same refusal.
	results, err = client.SendMany(messages, WithJournal(journal+"\x00"))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if validationField(r.Err) != "journal" {
			t.Errorf("message %d with a NUL in the journal's path: %v", i, r.Err)
		}
	}
	// A journal that cannot be created: ErrConfig for every message.
	results, err = client.SendMany(messages, WithJournal(filepath.Join(t.TempDir(), "missing", "j")))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !errors.Is(r.Err, ErrConfig) {
			t.Errorf("message %d with an unusable journal: %v", i, r.Err)
		}
	}
	if n := requestCount(t); n != sent {
		t.Errorf("refused batches made %d requests", n-sent)
	}
}

func TestFleetCloseWhileInUse(t *testing.T) {
	// Close waits for the calls in progress; calls after it answer as documented.
	dedup, err := NewMemoryDeduplicator(16)
	if err != nil {
		t.Fatal(err)
	}
	tracker := NewStatusTracker()
	const secret = "close-secret"
	handler := WebhookHandler(secret, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		WithDeduplicator(dedup))
	requests := make([]func() *http.Request, 8)
	for i := range requests {
		requests[i] = signedDelivery(t, secret, deliveryBody(fmt.Sprintf("close %d", i)))
	}
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				if status := serve(handler, requests[i]()); status != 200 && status != 500 {
					t.Errorf("status %d", status)
				}
				tracker.Advance(fmt.Sprintf("m%d", k), StatusSent)
				tracker.Status(fmt.Sprintf("m%d", k))
			}
		}()
	}
	time.Sleep(time.Millisecond)
	dedup.Close()
	tracker.Close()
	wg.Wait()
}
