package connectly

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const delivery = `{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},` +
	`"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}`

func TestWebhookHandler(t *testing.T) {
	webhook, err := NewWebhook("handler-secret", "old-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(delivery))
	calls := 0
	var seen *Event
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		seen, _ = EventFromContext(r.Context())
		w.WriteHeader(http.StatusOK)
	})
	handler := webhook.Handler(next)

	serve := func(method string, body []byte, headers map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/webhook", bytes.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec
	}

	rec := serve("POST", []byte(delivery), map[string]string{SignatureHeader: signature})
	if rec.Code != 200 || calls != 1 || seen == nil || seen.Text != "TEST 11" || seen.Sender.ID != "+16315555500" {
		t.Fatalf("valid: %d, calls %d, event %+v", rec.Code, calls, seen)
	}
	for name, tc := range map[string]struct {
		method  string
		body    []byte
		headers map[string]string
		status  int
	}{
		"bad signature": {"POST", []byte(delivery), map[string]string{SignatureHeader: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, 403},
		"no signature":  {"POST", []byte(delivery), nil, 403},
		"malformed":     {"POST", []byte(delivery), map[string]string{SignatureHeader: "nope"}, 403},
		"altered body":  {"POST", []byte(strings.Replace(delivery, "TEST", "PAY", 1)), map[string]string{SignatureHeader: signature}, 403},
		"GET":           {"GET", nil, nil, 405},
		"bad gzip":      {"POST", []byte(delivery), map[string]string{SignatureHeader: signature, "Content-Encoding": "gzip"}, 400},
	} {
		before := calls
		rec := serve(tc.method, tc.body, tc.headers)
		if rec.Code != tc.status || calls != before {
			t.Errorf("%s: %d (next called %d times), want %d", name, rec.Code, calls-before, tc.status)
		}
		if tc.status == 405 && rec.Header().Get("Allow") != "POST" {
			t.Errorf("%s: Allow %q", name, rec.Header().Get("Allow"))
		}
	}

	// A gzip body is verified after decompression.
	var zipped bytes.Buffer
	gz := gzip.NewWriter(&zipped)
	gz.Write([]byte(delivery))
	gz.Close()
	rec = serve("POST", zipped.Bytes(), map[string]string{SignatureHeader: signature, "Content-Encoding": "gzip"})
	if rec.Code != 200 {
		t.Errorf("gzip: %d", rec.Code)
	}

	// A signed body that is not an event: 400, next not called.
	notEvent := []byte(`[1,2,3]`)
	sig, _ := webhook.Sign(notEvent)
	before := calls
	if rec := serve("POST", notEvent, map[string]string{SignatureHeader: sig}); rec.Code != 400 || calls != before {
		t.Errorf("not an event: %d", rec.Code)
	}

	// Over the size limit: 413 before hashing.
	if err := webhook.SetMaxBodySize(16); err != nil {
		t.Fatal(err)
	}
	if rec := serve("POST", []byte(delivery), map[string]string{SignatureHeader: signature}); rec.Code != 413 {
		t.Errorf("too large: %d", rec.Code)
	}
}

func TestWebhookHandlerFunction(t *testing.T) {
	handler := WebhookHandler("one-secret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := EventFromContext(r.Context()); !ok {
			t.Error("no event in the context")
		}
	}))
	webhook, _ := NewWebhook("one-secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(delivery))
	server := httptest.NewServer(handler)
	defer server.Close()
	req, _ := http.NewRequest("POST", server.URL, strings.NewReader(delivery))
	req.Header.Set(SignatureHeader, signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	defer func() {
		if recover() == nil {
			t.Error("an empty secret did not panic")
		}
	}()
	WebhookHandler("", http.NotFoundHandler())
}
