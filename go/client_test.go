package connectly

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSends(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	resp, err := client.SendText("whatsapp", "+15555555555", "hello from Go")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.Attempts != 1 || resp.TraceID == "" {
		t.Errorf("response %+v", resp)
	}
	var body map[string]any
	if err := json.Unmarshal(resp.Body, &body); err != nil || body["id"] == nil {
		t.Errorf("body %s: %v", resp.Body, err)
	}
	if _, err := client.SendTemplate("+15555555555", "welcome",
		[]TemplateParam{{"var1", "value1"}, {"var2", "value2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendTemplate("+15555555555", "hello", nil); err != nil {
		t.Fatal(err)
	}
	resp, err = client.CreateWebhook("https://example.com/webhook", "messages")
	if err != nil || !strings.Contains(string(resp.Body), "https://example.com/webhook") {
		t.Fatalf("%v %v", resp, err)
	}
	_, log := mockControl(t, "GET", "/_mock/requests", "")
	for _, want := range []string{`"text":"hello from Go"`,
		`[{"name":"var1","value":"value1"},{"name":"var2","value":"value2"}]`} {
		if !strings.Contains(log, want) {
			t.Errorf("the mock did not receive %s", want)
		}
	}
	if n := requestCount(t); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

// TestResponseID: a reply's ID is the core's reading of its body's "id": a template send's
// is the message id the mock accepted (the one its delivery statuses name), a created
// webhook's is the webhook's id; a body without a string id gives "".
func TestResponseID(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	resp, err := client.SendTemplate("+15555555555", "welcome", []TemplateParam{{"var1", "value1"}})
	if err != nil {
		t.Fatal(err)
	}
	sends := acceptedSends(t)
	if len(sends) != 1 || sends[0].ID == "" || resp.ID != sends[0].ID {
		t.Errorf("response id %q, accepted %+v", resp.ID, sends)
	}
	if resp.ID != replyID(t, resp) {
		t.Errorf("id %q, body %s", resp.ID, resp.Body)
	}
	hook, err := client.CreateWebhook("https://example.com/response-id", "messages")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(hook.Body, &created); err != nil || created.ID == "" || hook.ID != created.ID {
		t.Errorf("webhook id %q, body %s (%v)", hook.ID, hook.Body, err)
	}
	if _, err := client.DeleteWebhook(context.Background(), hook.ID); err != nil {
		t.Errorf("delete %q: %v", hook.ID, err)
	}
	// A reply whose "id" is not a string has none.
	failNext(t, `[{"status":200,"body":"{\"id\":7}"}]`)
	resp, err = client.SendText("whatsapp", "+15555555555", "no id")
	if err != nil || resp.ID != "" {
		t.Errorf("reply without a string id: %+v, %v", resp, err)
	}
}

func TestValidationSendsNothing(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"empty text", func() error { _, err := client.SendText("whatsapp", "+15555555555", ""); return err }},
		{"bad number", func() error { _, err := client.SendText("whatsapp", "+1", "hi"); return err }},
		{"NUL in text", func() error { _, err := client.SendText("whatsapp", "+15555555555", "a\x00b"); return err }},
		{"invalid UTF-8", func() error { _, err := client.SendText("whatsapp", "+15555555555", "a\xffb"); return err }},
		{"repeated param", func() error {
			_, err := client.SendTemplate("+15555555555", "t", []TemplateParam{{"a", "1"}, {"a", "2"}})
			return err
		}},
		{"http address", func() error { _, err := client.CreateWebhook("http://example.com/h", "messages"); return err }},
	} {
		err := tc.call()
		if !errors.Is(err, ErrValidation) {
			t.Errorf("%s: %v, want ErrValidation", tc.name, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Attempts != 0 {
			t.Errorf("%s: %#v", tc.name, err)
		}
	}
	if n := requestCount(t); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, opts := range map[string][]Option{
		"zero timeout":   {WithTimeout(0)},
		"11 retries":     {WithMaxRetries(11)},
		"negative":       {WithMaxRetries(-1)},
		"plain http URL": {WithBaseURL("http://example.com")},
	} {
		_, err := NewClient("key", "biz", opts...)
		if !errors.Is(err, ErrConfig) && !errors.Is(err, ErrValidation) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewClient("", "biz"); !errors.Is(err, ErrValidation) {
		t.Errorf("empty key: %v", err)
	}
	client, err := NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
}

func TestAPIErrors(t *testing.T) {
	bad, err := NewClient("wrong-key", mockEnv["CONNECTLY_BUSINESS_ID"], WithBaseURL(mockEnv["CONNECTLY_BASE_URL"]))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.SendText("whatsapp", "+15555555555", "hi")
	var apiErr *APIError
	if !errors.Is(err, ErrAuthentication) || !errors.As(err, &apiErr) {
		t.Fatalf("%v", err)
	}
	if apiErr.Status != 401 || apiErr.Code != "ERROR_CODE_API_KEY_INVALID" || apiErr.TraceID == "" {
		t.Errorf("%+v", apiErr)
	}
	if strings.Contains(err.Error(), "wrong-key") {
		t.Errorf("the key leaked into %q", err)
	}

	client := mockClient(t, WithMaxRetries(0))
	resetMock(t)
	failNext(t, `[{"status":429,"retry_after":"3"}]`)
	_, err = client.SendText("whatsapp", "+15555555555", "hi")
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter != 3*time.Second {
		t.Errorf("429: %v", err)
	}
	if PossiblySent(err) {
		t.Errorf("a 429 was taken as possibly sent: %v", err)
	}
	failNext(t, `[{"status":503}]`)
	_, err = client.SendText("whatsapp", "+15555555555", "hi")
	if !errors.Is(err, ErrServer) || !errors.As(err, &apiErr) || !apiErr.PossiblySent || !PossiblySent(err) {
		t.Errorf("503: %v (%+v)", err, apiErr)
	}
	failNext(t, `[{"drop":true}]`)
	if _, err = client.SendText("whatsapp", "+15555555555", "hi"); !errors.Is(err, ErrTransport) {
		t.Errorf("drop: %v", err)
	}
	if errors.As(err, &apiErr) {
		t.Errorf("a transport error is not an APIError")
	}
	// The mock read the request before it dropped the connection.
	var e *Error
	if !errors.As(err, &e) || !e.PossiblySent || !PossiblySent(err) {
		t.Errorf("drop: %#v is not possibly sent", err)
	}
	if PossiblySent(nil) || PossiblySent(context.Canceled) {
		t.Errorf("PossiblySent of nil or of another package's error")
	}
}

func TestContext(t *testing.T) {
	client := mockClient(t, WithMaxRetries(0))
	resetMock(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "hi"); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := client.SendTemplateContext(ctx, "+15555555555", "t", nil); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := client.CreateWebhookContext(ctx, "https://example.com/h", "messages"); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
	if n := requestCount(t); n != 0 {
		t.Errorf("a cancelled context sent %d requests", n)
	}

	// The deadline becomes the call's timeout: when it passes, the call is cancelled (or the
	// library's own timer, set to it, ends the call a hair earlier).
	failNext(t, `[{"delay_ms":2000}]`)
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "hi")
	var e *Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &e) || !e.PossiblySent ||
		!(errors.Is(err, ErrCanceled) || errors.Is(err, ErrTimeout)) {
		t.Errorf("deadline: %#v", err)
	}
	if elapsed := time.Since(start); elapsed > 1500*time.Millisecond {
		t.Errorf("the call took %v, past its deadline", elapsed)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "hi"); err != nil {
		t.Errorf("in time: %v", err)
	}
	resetMock(t)
}

func TestClose(t *testing.T) {
	client := mockClient(t)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendText("whatsapp", "+15555555555", "hi"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	var zero Client
	if _, err := zero.SendText("whatsapp", "+15555555555", "hi"); !errors.Is(err, ErrClosed) {
		t.Errorf("a Client not made by NewClient: %v", err)
	}
	if err := zero.Close(); err != nil {
		t.Errorf("closing a Client not made by NewClient: %v", err)
	}
	webhook, err := NewWebhook("s")
	if err != nil {
		t.Fatal(err)
	}
	webhook.Close()
	webhook.Close()
	if err := webhook.Verify([]byte("{}"), "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := webhook.Sign(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestConcurrentSends(t *testing.T) {
	client := mockClient(t)
	resetMock(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16*5)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := client.SendText("whatsapp", "+15555555555", "from a goroutine"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := requestCount(t); n != 80 {
		t.Errorf("%d requests, want 80", n)
	}
}

func TestConcurrentErrorsStayPerCall(t *testing.T) {
	webhook, err := NewWebhook("secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	body := []byte(`{"timestamp":"1"}`)
	good, _ := webhook.Sign(body)
	cases := []struct {
		sig  string
		want error
	}{{"", ErrMissingSignature}, {"nope", ErrMalformedSignature},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ErrInvalidSignature}, {good, nil}}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				tc := cases[(c+i)%len(cases)]
				err := webhook.Verify(body, tc.sig)
				if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
					t.Errorf("goroutine %d: %v, want %v", c, err, tc.want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestVersion(t *testing.T) {
	if v := Version(); !strings.Contains(v, ".") {
		t.Errorf("Version() = %q", v)
	}
}
