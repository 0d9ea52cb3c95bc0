package connectly

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// loggedRecord is one record a recordSink received, its attributes as text.
type loggedRecord struct {
	level   slog.Level
	message string
	attrs   map[string]slog.Value
}

func (r loggedRecord) String() string {
	var attrs []string
	for key, value := range r.attrs {
		attrs = append(attrs, key+"="+value.String())
	}
	slices.Sort(attrs)
	return fmt.Sprintf("%v %q %v", r.level, r.message, attrs)
}

// recordSink is a slog.Handler that keeps every record it receives.
type recordSink struct {
	mu      sync.Mutex
	records []loggedRecord
}

func (s *recordSink) Enabled(context.Context, slog.Level) bool { return true }

func (s *recordSink) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]slog.Value{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, loggedRecord{level: r.Level, message: r.Message, attrs: attrs})
	return nil
}

func (s *recordSink) WithAttrs([]slog.Attr) slog.Handler { return s }

func (s *recordSink) WithGroup(string) slog.Handler { return s }

// snapshot is the records received so far.
func (s *recordSink) snapshot() []loggedRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// waitFor waits up to 5 s until the sink has received a record with message whose
// attributes include want (as text), and returns every record received until then.
func (s *recordSink) waitFor(t *testing.T, message string, want map[string]string) []loggedRecord {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		records := s.snapshot()
		for _, r := range records {
			if r.message == message && hasAttrs(r, want) {
				return records
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q record with %v in 5 s; got %v", message, want, records)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hasAttrs reports whether r has every attribute of want, compared as text.
func hasAttrs(r loggedRecord, want map[string]string) bool {
	for key, value := range want {
		if got, ok := r.attrs[key]; !ok || got.String() != value {
			return false
		}
	}
	return true
}

// find is the first record with message, or nil.
func find(records []loggedRecord, message string) *loggedRecord {
	for i := range records {
		if records[i].message == message {
			return &records[i]
		}
	}
	return nil
}

// TestLoggerRecordsCalls: a client's logger receives each attempt (Debug "sending"), its
// outcome (Info "answered") and a retry (Warn "retrying", here of a listing answered 503),
// with the fields as typed attributes.
func TestLoggerRecordsCalls(t *testing.T) {
	sink := &recordSink{}
	client := mockClient(t, WithLogger(slog.New(sink)))
	resetMock(t)
	resp, err := client.SendText("whatsapp", "+15555555555", "logged")
	if err != nil {
		t.Fatal(err)
	}
	records := sink.waitFor(t, "answered", map[string]string{"trace_id": resp.TraceID})
	sending := find(records, "sending")
	if sending == nil || sending.level != slog.LevelDebug ||
		!hasAttrs(*sending, map[string]string{"method": "POST", "attempt": "1"}) ||
		!strings.HasSuffix(sending.attrs["path"].String(), "/send/messages") {
		t.Errorf("sending: %v", sending)
	}
	answered := find(records, "answered")
	if answered.level != slog.LevelInfo || answered.attrs["status"].Kind() != slog.KindInt64 ||
		answered.attrs["status"].Int64() != 200 || answered.attrs["attempts"].Int64() != 1 {
		t.Errorf("answered: %v", answered)
	}

	failNext(t, `[{"status":503}]`)
	if _, err := client.ListTemplates(context.Background()); err != nil {
		t.Fatal(err)
	}
	records = sink.waitFor(t, "answered", map[string]string{"attempts": "2"})
	retrying := find(records, "retrying")
	if retrying == nil || retrying.level != slog.LevelWarn ||
		!hasAttrs(*retrying, map[string]string{"attempt": "1", "error": "Server"}) {
		t.Errorf("retrying: %v", retrying)
	}
	for _, r := range records {
		if strings.Contains(r.String(), mockEnv["CONNECTLY_API_KEY"]) {
			t.Errorf("the API key is in %v", r)
		}
	}
}

// TestLoggersPerClient: two clients with two loggers: each logger receives its own
// client's records only.
func TestLoggersPerClient(t *testing.T) {
	sends, lists := &recordSink{}, &recordSink{}
	sender := mockClient(t, WithLogger(slog.New(sends)))
	lister := mockClient(t, WithLogger(slog.New(lists)))
	resetMock(t)
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := sender.SendText("whatsapp", "+15555555555", "mine"); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := lister.ListWebhooks(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, tc := range []struct {
		sink       *recordSink
		path, name string
	}{{sends, "/send/messages", "the sender's"}, {lists, "/webhooks", "the lister's"}} {
		deadline := time.Now().Add(5 * time.Second)
		for countMessage(tc.sink.snapshot(), "answered") < 10 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		records := tc.sink.snapshot()
		if n := countMessage(records, "answered"); n != 10 {
			t.Errorf("%s logger got %d answered records, want 10", tc.name, n)
		}
		for _, r := range records {
			if path, ok := r.attrs["path"]; ok && !strings.HasSuffix(path.String(), tc.path) {
				t.Errorf("%s logger got a record of the other client: %v", tc.name, r)
			}
		}
	}
}

func countMessage(records []loggedRecord, message string) int {
	n := 0
	for _, r := range records {
		if r.message == message {
			n++
		}
	}
	return n
}

// TestRecordsAboutNoClient: a record about no one client (client 0, such as "records
// dropped") goes to every registered logger, once each; a client's record to its own.
func TestRecordsAboutNoClient(t *testing.T) {
	first, second := &recordSink{}, &recordSink{}
	shared := slog.New(first)
	// Ids no client of the library has (they count up from 1).
	ids := []uint64{1<<63 + 1, 1<<63 + 2, 1<<63 + 3}
	for i, logger := range []*slog.Logger{shared, shared, slog.New(second)} {
		if err := registerLogger(ids[i], logger); err != nil {
			t.Fatal(err)
		}
		defer unregisterLogger(ids[i])
	}
	emitLog(logRecord{level: 30, message: "records dropped", fields: "count=3", time: time.Now()})
	emitLog(logRecord{level: 20, client: ids[2], message: "answered", fields: "status=200"})
	for _, tc := range []struct {
		sink *recordSink
		want []string
	}{{first, []string{"records dropped"}}, {second, []string{"records dropped", "answered"}}} {
		records := tc.sink.snapshot()
		var got []string
		for _, r := range records {
			got = append(got, r.message)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("records %v, want %v", got, tc.want)
		}
		if r := records[0]; r.level != slog.LevelWarn || r.attrs["count"].Int64() != 3 {
			t.Errorf("records dropped: %v", r)
		}
	}
}

// TestLogAttrs: the fields' text becomes attributes in order, whole numbers as Int64,
// robust to empty values, stray spaces and text without a key.
func TestLogAttrs(t *testing.T) {
	for _, tc := range []struct{ fields, want string }{
		{"", "[]"},
		{"method=POST path=/v1/businesses/b/send/messages attempt=1", "[method=POST path=/v1/businesses/b/send/messages attempt=1]"},
		{"status=503 trace_id= attempts=2", "[status=503 trace_id= attempts=2]"},
		{"error=a b c wait_ms=100", "[error=a b c wait_ms=100]"},
		{"loose text count=3", "[fields=loose text count=3]"},
		{"n=007 m=-5 big=99999999999999999999 =x", "[n=007 m=-5 big=99999999999999999999 =x]"},
	} {
		attrs := logAttrs(tc.fields)
		if got := fmt.Sprint(attrs); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.fields, got, tc.want)
		}
	}
	kinds := map[string]slog.Kind{}
	for _, a := range logAttrs("n=007 m=-5 big=99999999999999999999 status=200 trace_id=") {
		kinds[a.Key] = a.Value.Kind()
	}
	want := map[string]slog.Kind{"n": slog.KindString, "m": slog.KindInt64, "big": slog.KindString,
		"status": slog.KindInt64, "trace_id": slog.KindString}
	for key, kind := range want {
		if kinds[key] != kind {
			t.Errorf("%s: %v, want %v", key, kinds[key], kind)
		}
	}
}

// blockingHandler records into sink, but holds the first record named "first" until
// release is closed, saying so on held.
type blockingHandler struct {
	*recordSink
	held, release chan struct{}
}

func (h *blockingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "first" {
		close(h.held)
		<-h.release
	}
	return h.recordSink.Handle(ctx, r)
}

// TestLogBacklogDrops: while a handler is slow, the library's records are never waited
// for: beyond the backlog they are dropped and counted (LogRecordsDropped), and the count
// is reported to the loggers as a Warn record, "records dropped".
func TestLogBacklogDrops(t *testing.T) {
	h := &blockingHandler{recordSink: &recordSink{}, held: make(chan struct{}), release: make(chan struct{})}
	id := uint64(1<<63 + 10)
	if err := registerLogger(id, slog.New(h)); err != nil {
		t.Fatal(err)
	}
	defer unregisterLogger(id)
	before := LogRecordsDropped()
	queueLogRecord(logRecord{level: 20, client: id, message: "first"})
	<-h.held
	start := time.Now()
	for i := 0; i < logBacklog+10; i++ {
		queueLogRecord(logRecord{level: 20, client: id, message: "queued"})
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("queueing records behind a slow handler took %v", took)
	}
	dropped := LogRecordsDropped() - before
	if dropped < 10 {
		t.Errorf("%d records dropped, want at least 10", dropped)
	}
	close(h.release)
	records := h.waitFor(t, "records dropped", nil)
	report := find(records, "records dropped")
	if report.level != slog.LevelWarn || report.attrs["count"].Int64() < 10 {
		t.Errorf("report: %v", report)
	}
}
