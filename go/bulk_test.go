package connectly

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// replyNumber is the sequence number the mock puts at the end of a reply's id
// ("mock-<hex>-<n>"): with concurrency 1 it grows with the input order.
var replyNumber = regexp.MustCompile(`"id":"mock-[0-9a-f]+-(\d+)"`)

func TestSendManyInOrder(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	var messages []Outgoing
	for i := 0; i < 30; i++ {
		if i%4 == 3 {
			messages = append(messages, Template("+15555555555", "welcome",
				[]TemplateParam{{"var1", "value1"}, {"var2", fmt.Sprint(i)}}))
		} else {
			messages = append(messages, Text("whatsapp", "+15555555555", fmt.Sprintf("bulk %d", i)))
		}
	}
	results, err := client.SendMany(messages, WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(messages) {
		t.Fatalf("%d results for %d messages", len(results), len(messages))
	}
	last := -1
	for i, r := range results {
		if r.Err != nil || r.Response == nil || r.Response.Status != 200 || r.Response.TraceID == "" {
			t.Fatalf("message %d: %+v", i, r)
		}
		m := replyNumber.FindStringSubmatch(string(r.Response.Body))
		if m == nil {
			t.Fatalf("message %d: body %s", i, r.Response.Body)
		}
		n, _ := strconv.Atoi(m[1])
		if n <= last {
			t.Errorf("message %d answered as number %d, after %d: out of order", i, n, last)
		}
		last = n
	}
	if n := requestCount(t); n != len(messages) {
		t.Errorf("%d requests, want %d", n, len(messages))
	}
	_, log := mockControl(t, "GET", "/_mock/requests", "")
	for _, want := range []string{`"text":"bulk 0"`, `"text":"bulk 29"`,
		`[{"name":"var1","value":"value1"},{"name":"var2","value":"27"}]`} {
		if !strings.Contains(log, want) {
			t.Errorf("the mock did not receive %s", want)
		}
	}
}

func TestSendManyFailuresKeepTheirSlots(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	messages := make([]Outgoing, 50)
	for i := range messages {
		messages[i] = Text("sms", "+15555555555", fmt.Sprintf("bulk %d", i))
	}
	messages[7] = Text("whatsapp", "+15555555555", "  ")      // refused by validation
	messages[21] = Text("whatsapp", "+15555555555", "a\x00b") // a NUL byte
	messages[22] = Template("+15555555555", "", nil)          // no template name
	messages[40] = Text("whatsapp", "+15555555555", "a\xffb") // not UTF-8
	results, err := client.SendMany(messages, WithConcurrency(8))
	if err != nil {
		t.Fatal(err)
	}
	failed := map[int]bool{7: true, 21: true, 22: true, 40: true}
	for i, r := range results {
		if !failed[i] {
			if r.Err != nil || r.Response == nil {
				t.Errorf("message %d: %v", i, r.Err)
			}
			continue
		}
		if r.Response != nil || !errors.Is(r.Err, ErrValidation) {
			t.Errorf("message %d: %+v, want ErrValidation", i, r)
		}
		var e *Error
		if !errors.As(r.Err, &e) || e.Attempts != 0 {
			t.Errorf("message %d: %#v", i, r.Err)
		}
	}
	if !strings.Contains(results[21].Err.Error(), "NUL") {
		t.Errorf("message 21: %v", results[21].Err)
	}
	if n := requestCount(t); n != len(messages)-len(failed) {
		t.Errorf("%d requests, want %d", n, len(messages)-len(failed))
	}
}

func TestSendManyAPIErrorInItsSlot(t *testing.T) {
	client := mockClient(t, WithMaxRetries(0))
	resetMock(t)
	failNext(t, `[{"status":429,"retry_after":"7"},{"status":500}]`)
	messages := []Outgoing{
		Text("whatsapp", "+15555555555", "one"),
		Text("whatsapp", "+15555555555", "two"),
		Text("whatsapp", "+15555555555", "three"),
	}
	results, err := client.SendMany(messages, WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if results[2].Err != nil || results[2].Response == nil {
		t.Errorf("message 2: %+v", results[2])
	}
	var apiErr *APIError
	if !errors.Is(results[0].Err, ErrRateLimited) || !errors.As(results[0].Err, &apiErr) {
		t.Fatalf("message 0: %v", results[0].Err)
	}
	if apiErr.Status != 429 || apiErr.RetryAfter != 7*time.Second || apiErr.Attempts != 1 ||
		apiErr.Code == "" || apiErr.TraceID == "" || apiErr.Message == "" {
		t.Errorf("message 0: %+v", apiErr)
	}
	if !errors.Is(results[1].Err, ErrServer) || !errors.As(results[1].Err, &apiErr) ||
		apiErr.Status != 500 || apiErr.RetryAfter != -1 {
		t.Errorf("message 1: %v", results[1].Err)
	}
	if results[0].Response != nil || results[1].Response != nil {
		t.Error("a failed message has a response")
	}
	if strings.Contains(results[0].Err.Error(), mockEnv["CONNECTLY_API_KEY"]) {
		t.Error("the API key is in an error")
	}
}

func TestSendManyProgress(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	messages := make([]Outgoing, 60)
	for i := range messages {
		messages[i] = Text("whatsapp", "+15555555555", fmt.Sprintf("bulk %d", i))
	}
	messages[10] = Text("whatsapp", "+1", "bad number")
	messages[11] = Text("whatsapp", "+15555555555", "\x00")
	var (
		mu                  sync.Mutex
		calls, last, failed int
		inOrder             = true
		totals              = map[int]bool{}
	)
	results, err := client.SendMany(messages, WithProgress(func(done, f, total int) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if done <= last || f > done {
			inOrder = false
		}
		last, failed = done, f
		totals[total] = true
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(messages) {
		t.Fatalf("%d results", len(results))
	}
	if !inOrder || last != len(messages) || failed != 2 || len(totals) != 1 || !totals[len(messages)] {
		t.Errorf("progress: calls %d, in order %v, last %d, failed %d, totals %v",
			calls, inOrder, last, failed, totals)
	}
	if calls < 1 || calls > len(messages) {
		t.Errorf("%d progress calls", calls)
	}
}

func TestSendManyProgressPanic(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	messages := make([]Outgoing, 20)
	for i := range messages {
		messages[i] = Text("whatsapp", "+15555555555", "hi")
	}
	calls := 0
	defer func() {
		if v := recover(); v != "boom" {
			t.Errorf("recovered %v, want boom", v)
		}
		if calls != 1 {
			t.Errorf("called %d times after panicking", calls)
		}
		// Every message was still sent once.
		if n := requestCount(t); n != len(messages) {
			t.Errorf("%d requests, want %d", n, len(messages))
		}
	}()
	_, _ = client.SendMany(messages, WithProgress(func(done, failed, total int) {
		calls++
		panic("boom")
	}))
	t.Error("SendMany did not raise the callback's panic")
}

func TestSendManyRateLimit(t *testing.T) {
	client := mockClient(t)
	messages := make([]Outgoing, 11)
	for i := range messages {
		messages[i] = Text("whatsapp", "+15555555555", "paced")
	}
	start := time.Now()
	results, err := client.SendMany(messages, WithRateLimit(50), WithConcurrency(4))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Err != nil {
			t.Errorf("message %d: %v", i, r.Err)
		}
	}
	// 11 messages at 50/s: the last starts 10 intervals (0.2 s) after the first.
	if elapsed < 190*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("11 messages at 50/s took %v", elapsed)
	}
}

func TestSendManyEdges(t *testing.T) {
	client := mockClient(t)
	results, err := client.SendMany(nil)
	if err != nil || len(results) != 0 {
		t.Errorf("no messages: %v %v", results, err)
	}
	// Options outside their ranges are clamped or ignored.
	results, err = client.SendMany([]Outgoing{Text("whatsapp", "+15555555555", "hi")},
		WithConcurrency(-3), WithConcurrency(1000), WithRateLimit(-1))
	if err != nil || len(results) != 1 || results[0].Err != nil {
		t.Errorf("clamped options: %+v %v", results, err)
	}
	client.Close()
	if _, err := client.SendMany([]Outgoing{Text("whatsapp", "+15555555555", "hi")}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestSendManyConcurrentCalls(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			messages := make([]Outgoing, 25)
			for i := range messages {
				messages[i] = Text("whatsapp", "+15555555555", fmt.Sprintf("g%d m%d", g, i))
			}
			results, err := client.SendMany(messages, WithConcurrency(4),
				WithProgress(func(done, failed, total int) {}))
			if err != nil {
				t.Error(err)
				return
			}
			for i, r := range results {
				if r.Err != nil {
					t.Errorf("goroutine %d, message %d: %v", g, i, r.Err)
				}
			}
		}(g)
	}
	wg.Wait()
	if n := requestCount(t); n != 100 {
		t.Errorf("%d requests, want 100", n)
	}
}

// SendMany takes session and template messages beside texts and plain templates; one that
// cannot be handed over (refused by a setter, a NUL byte, unmarshalable data) fails in its
// own slot with the error the single call gives, and the rest are sent.
func TestSendManyTyped(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	messages := []Outgoing{
		OutgoingMessage(WhatsApp("+15555555555"),
			Message{}.WithAttachment(Image("https://cdn.example.com/a.jpg").WithCaption("bulk image"))),
		OutgoingTemplate(NewTemplateMessage("+15555555555", "order_update").WithLanguage("en_US").
			WithCallbackData(map[string]int{"orderId": 7})),
		OutgoingMessage(WhatsApp("+15555555555"), Message{}.WithAttachment(NewAttachment("sticker", "https://cdn.example.com/s"))),
		OutgoingMessage(WhatsApp("+15555555555"), Message{}.WithText("a\x00b")),
		OutgoingTemplate(NewTemplateMessage("+15555555555", "welcome").WithCallbackData(func() {})),
		OutgoingMessage(WhatsApp("+15555555555"), Message{}.WithText("pick").WithButtons(NewReplyButtons())),
		Text("sms", "+15555555555", "bulk text"),
		OutgoingMessage(SMS("+15555555555"), Message{}.WithText("bulk session")),
	}
	results, err := client.SendMany(messages, WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	// Refused by a setter (2), by Go's JSON encoder (4), by the core when sent (5), and
	// before reaching C at all (3: a NUL byte, which names no field).
	for i, field := range map[int]string{2: "attachment type", 3: "", 4: "callback data", 5: "buttons"} {
		if !errors.Is(results[i].Err, ErrValidation) || results[i].Response != nil ||
			validationField(results[i].Err) != field {
			t.Errorf("message %d: %+v, want a refusal of %q", i, results[i], field)
		}
	}
	for _, i := range []int{0, 1, 6, 7} {
		if r := results[i]; r.Err != nil || r.Response == nil || r.Response.Status != 200 {
			t.Errorf("message %d: %+v", i, r)
		}
	}
	_, log := mockControl(t, "GET", "/_mock/requests", "")
	for _, want := range []string{`"caption":"bulk image"`, `"callbackData":{"orderId":7}`, `"language":"en_US"`,
		`"text":"bulk text"`, `"text":"bulk session"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the mock did not receive %s", want)
		}
	}
	if n := requestCount(t); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
	resetMock(t)
}

// sentTexts counts, per "bulk <i>" text, the requests the mock received since its reset.
func sentTexts(t *testing.T) map[int]int {
	t.Helper()
	sent := map[int]int{}
	for _, r := range recorded(t) {
		var body struct {
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		var i int
		if r.Body == nil || json.Unmarshal([]byte(*r.Body), &body) != nil {
			t.Fatalf("request %+v", r)
		}
		if _, err := fmt.Sscanf(body.Message.Text, "bulk %d", &i); err != nil {
			t.Fatalf("request text %q", body.Message.Text)
		}
		sent[i]++
	}
	return sent
}

// checkStopped checks a message ctx stopped: not sent, its error ErrCanceled and ctx's,
// surely unsent.
func checkStopped(t *testing.T, i int, r Result, ctxErr error) {
	t.Helper()
	var e *Error
	if r.Response != nil || !errors.Is(r.Err, ErrCanceled) || !errors.Is(r.Err, ctxErr) ||
		!errors.As(r.Err, &e) || e.PossiblySent || e.Attempts != 0 {
		t.Errorf("message %d: %+v, want a cancellation surely unsent", i, r)
	}
}

func TestSendManyContextCancelledMidBatch(t *testing.T) {
	const n = 40
	client := mockClient(t, WithMaxRetries(0))
	resetMock(t)
	delays := make([]string, n)
	for i := range delays {
		delays[i] = `{"delay_ms":200}`
	}
	failNext(t, "["+strings.Join(delays, ",")+"]")
	messages := make([]Outgoing, n)
	for i := range messages {
		messages[i] = Text("whatsapp", "+15555555555", fmt.Sprintf("bulk %d", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled from another goroutine once two messages are done.
	twoDone := make(chan struct{})
	var once sync.Once
	go func() {
		<-twoDone
		cancel()
	}()
	before := runtime.NumGoroutine()
	results, err := client.SendManyContext(ctx, messages, WithConcurrency(2),
		WithProgress(func(done, failed, total int) {
			if done >= 2 {
				once.Do(func() { close(twoDone) })
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != n {
		t.Fatalf("%d results for %d messages", len(results), n)
	}
	sent := sentTexts(t)
	ok := 0
	for i, r := range results {
		if sent[i] > 1 {
			t.Errorf("message %d sent %d times", i, sent[i])
		}
		if sent[i] == 1 {
			if r.Err != nil || r.Response == nil {
				t.Errorf("message %d was sent: %+v", i, r)
			}
			ok++
			continue
		}
		checkStopped(t, i, r, context.Canceled)
	}
	if ok < 2 || ok >= n/2 {
		t.Errorf("%d of %d messages sent, want the two before the cancel and those in flight", ok, n)
	}
	if got := requestCount(t); got != ok {
		t.Errorf("%d requests for %d messages sent", got, ok)
	}
	// The watching goroutine ended with the call (the cancelling one has ended too, or
	// is about to).
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before {
		t.Errorf("%d goroutines after the call, %d before", got, before)
	}
}

func TestSendManyContextDoneBeforeSendsNothing(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	messages := []Outgoing{
		Text("whatsapp", "+15555555555", "bulk 0"),
		Text("whatsapp", "+15555555555", "a\x00b"), // refused by the Go layer: keeps its error
		Template("+15555555555", "welcome", nil),
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	results, err := client.SendManyContext(ctx, messages)
	if err != nil {
		t.Fatal(err)
	}
	checkStopped(t, 0, results[0], context.DeadlineExceeded)
	if !errors.Is(results[1].Err, ErrValidation) {
		t.Errorf("message 1: %+v", results[1])
	}
	checkStopped(t, 2, results[2], context.DeadlineExceeded)
	if got := requestCount(t); got != 0 {
		t.Errorf("%d requests, want 0", got)
	}
	// A context that never ends: every message sent, no error.
	results, err = client.SendManyContext(context.Background(), messages[:1])
	if err != nil || results[0].Err != nil {
		t.Fatalf("%+v %v", results, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	results, err = client.SendManyContext(ctx, messages[:1])
	cancel()
	if err != nil || results[0].Err != nil {
		t.Fatalf("after the call, a cancel changes nothing: %+v %v", results, err)
	}
}
