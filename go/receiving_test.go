package connectly

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deliver serves one request through handler and returns the recorded response.
func deliver(handler http.Handler, method string, body io.Reader, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/webhook", body)
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	return rec
}

// Every row of tests/vectors/receiving.json, through the middleware (status, Allow, and
// what next sees: the event and a body still readable) and through Receive (status and
// kind).
func TestReceivingVectors(t *testing.T) {
	var file struct {
		Secret  string `json:"secret"`
		Vectors []struct {
			Name            string  `json:"name"`
			Method          string  `json:"method"`
			ContentEncoding *string `json:"content_encoding"`
			BodyB64         string  `json:"body_b64"`
			Signature       *string `json:"signature"`
			MaxBodySize     *int    `json:"max_body_size"`
			ExpectedStatus  int     `json:"expected_status"`
			ExpectedKind    string  `json:"expected_kind"`
			EventBodyB64    string  `json:"event_body_b64"`
			EventText       string  `json:"event_text"`
		} `json:"vectors"`
	}
	readVectors(t, "receiving.json", &file)
	if len(file.Vectors) == 0 {
		t.Fatal("receiving.json has no rows")
	}
	rows := 0
	for _, v := range file.Vectors {
		wire := mustBase64(t, v.BodyB64)
		eventBody := mustBase64(t, v.EventBodyB64)
		webhook, err := NewWebhook(file.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if v.MaxBodySize != nil {
			if err := webhook.SetMaxBodySize(*v.MaxBodySize); err != nil {
				t.Fatal(err)
			}
		}
		headers := map[string]string{}
		encoding, signature := "", ""
		if v.ContentEncoding != nil {
			encoding = *v.ContentEncoding
			headers["Content-Encoding"] = encoding
		}
		if v.Signature != nil {
			signature = *v.Signature
			headers[SignatureHeader] = signature
		}

		calls := 0
		next := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			calls++
			event, ok := EventFromContext(r.Context())
			if !ok {
				t.Errorf("%s: no event in the context", v.Name)
				return
			}
			if !bytes.Equal(event.Body, eventBody) {
				t.Errorf("%s: Event.Body %q, want %q", v.Name, event.Body, eventBody)
			}
			if !bytes.Equal(event.Raw, bytes.TrimSpace(eventBody)) {
				t.Errorf("%s: Event.Raw %s, want the signed text %s", v.Name, event.Raw, eventBody)
			}
			if !event.HasText || event.Text != v.EventText {
				t.Errorf("%s: Event.Text %q (%v), want %q", v.Name, event.Text, event.HasText, v.EventText)
			}
			again, err := io.ReadAll(r.Body)
			if err != nil || !bytes.Equal(again, wire) {
				t.Errorf("%s: next read %d bytes (%v), want the %d on the wire", v.Name, len(again), err, len(wire))
			}
			if r.ContentLength != int64(len(wire)) {
				t.Errorf("%s: ContentLength %d, want %d", v.Name, r.ContentLength, len(wire))
			}
		})
		rec := deliver(webhook.Handler(next), v.Method, bytes.NewReader(wire), headers)
		if rec.Code != v.ExpectedStatus {
			t.Errorf("%s: middleware answered %d, want %d", v.Name, rec.Code, v.ExpectedStatus)
		}
		if wantCalls := map[bool]int{true: 1, false: 0}[v.ExpectedStatus == 200]; calls != wantCalls {
			t.Errorf("%s: next called %d times, want %d", v.Name, calls, wantCalls)
		}
		if allow := rec.Header().Get("Allow"); (v.ExpectedStatus == 405) != (allow == "POST") {
			t.Errorf("%s: status %d with Allow %q", v.Name, rec.Code, allow)
		}

		event, status, err := webhook.Receive(v.Method, encoding, wire, signature)
		if status != v.ExpectedStatus {
			t.Errorf("%s: Receive gave %d, want %d", v.Name, status, v.ExpectedStatus)
		}
		checkKind(t, v.Name+": Receive", err, v.ExpectedKind)
		if (err == nil) != (event != nil) || (event != nil && !bytes.Equal(event.Body, eventBody)) {
			t.Errorf("%s: Receive gave %+v, %v", v.Name, event, err)
		}
		webhook.Close()
		rows++
	}
	reportConformance(t, "receiving.json", rows)
	if rows != len(file.Vectors) {
		t.Fatalf("receiving.json: ran %d of %d rows", rows, len(file.Vectors))
	}
}

// watchedBody is a request body that records whether anything read it.
type watchedBody struct {
	io.Reader
	read bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read = true
	return b.Reader.Read(p)
}

// The checks due before reading come first: a method other than POST and a declared
// Content-Length over the limit are refused without reading a byte of the body.
func TestHandlerRefusesBeforeReading(t *testing.T) {
	webhook, err := NewWebhook("admit-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	if err := webhook.SetMaxBodySize(16); err != nil {
		t.Fatal(err)
	}
	handler := webhook.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("next was called")
	}))
	for _, tc := range []struct {
		method string
		length int64
		status int
	}{{"GET", 0, 405}, {"PUT", 5, 405}, {"POST", 17, 413}, {"POST", math.MaxInt64, 413}} {
		body := &watchedBody{Reader: strings.NewReader(strings.Repeat("x", 32))}
		req := httptest.NewRequest(tc.method, "/webhook", body)
		req.ContentLength = tc.length
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != tc.status || body.read {
			t.Errorf("%s with Content-Length %d: %d (body read: %v), want %d unread", tc.method,
				tc.length, rec.Code, body.read, tc.status)
		}
		status, err := webhook.Admit(tc.method, tc.length)
		if status != tc.status || err == nil {
			t.Errorf("Admit(%s, %d) = %d, %v; want %d", tc.method, tc.length, status, err, tc.status)
		}
	}
	if status, err := webhook.Admit("GET", -1); status != 405 || !errors.Is(err, ErrMethodNotAllowed) {
		t.Errorf("Admit(GET) = %d, %v", status, err)
	}
	if status, err := webhook.Admit("POST", 17); status != 413 || !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("Admit(POST, 17) = %d, %v", status, err)
	}
	for _, length := range []int64{-1, 0, 16} {
		if status, err := webhook.Admit("POST", length); status != 200 || err != nil {
			t.Errorf("Admit(POST, %d) = %d, %v; want 200", length, status, err)
		}
	}
}

// A body that breaks while it is read is 400; next is not called.
func TestHandlerBodyReadError(t *testing.T) {
	webhook, err := NewWebhook("read-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	handler := webhook.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("next was called")
	}))
	broken := io.MultiReader(strings.NewReader(delivery[:20]), iotest.ErrReader(errors.New("reset")))
	if rec := deliver(handler, "POST", broken, nil); rec.Code != 400 {
		t.Errorf("a broken body: %d, want 400", rec.Code)
	}
}

// A C string cannot carry a NUL byte; a method or header holding one still gets the
// policy's answer, in the policy's order (the method first).
func TestReceiveNULInHeaders(t *testing.T) {
	webhook, err := NewWebhook("nul-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	body := []byte(delivery)
	signature, _ := webhook.Sign(body)
	for _, tc := range []struct {
		name                        string
		method, encoding, signature string
		status                      int
		kind                        error
	}{
		{"method", "POST\x00", "", signature, 405, ErrMethodNotAllowed},
		{"method before signature", "GET", "", "\x00", 405, ErrMethodNotAllowed},
		{"encoding", "POST", "gzip\x00", signature, 415, ErrUnsupportedEncoding},
		{"encoding before signature", "POST", "\x00", "", 415, ErrUnsupportedEncoding},
		{"signature", "POST", "", signature + "\x00", 403, ErrMalformedSignature},
		{"signature alone", "POST", "", "\x00", 403, ErrMalformedSignature},
	} {
		event, status, err := webhook.Receive(tc.method, tc.encoding, body, tc.signature)
		if event != nil || status != tc.status || !errors.Is(err, tc.kind) {
			t.Errorf("%s: %v, %d, %v; want %d, %v", tc.name, event, status, err, tc.status, tc.kind)
		}
	}
}

func TestReceiveAfterClose(t *testing.T) {
	webhook, err := NewWebhook("closed-secret")
	if err != nil {
		t.Fatal(err)
	}
	signature, _ := webhook.Sign([]byte(delivery))
	webhook.Close()
	if _, status, err := webhook.Receive("POST", "", []byte(delivery), signature); status != 500 || !errors.Is(err, ErrClosed) {
		t.Errorf("Receive after Close: %d, %v", status, err)
	}
	if status, err := webhook.Admit("POST", 10); status != 500 || !errors.Is(err, ErrClosed) {
		t.Errorf("Admit after Close: %d, %v", status, err)
	}
	handler := webhook.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("next was called")
	}))
	if rec := deliver(handler, "POST", strings.NewReader(delivery), map[string]string{SignatureHeader: signature}); rec.Code != 500 {
		t.Errorf("the middleware after Close: %d", rec.Code)
	}
}

// An event keeps what was signed: numbers beyond float64 verify, and Raw is the exact text
// (key order, numbers and escapes untouched), Body the exact bytes.
func TestEventKeepsWhatWasSigned(t *testing.T) {
	webhook, err := NewWebhook("exact-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	text := `{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},` +
		`"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"caf\u00e9"},` +
		`"n":123456789012345678901234567890,"f":1e400,"z":{"b":1,"a":2}}`
	body := []byte(" \n" + text + "\n")
	signature, _ := webhook.Sign(body)

	decode := func(data []byte) map[string]any {
		t.Helper()
		decoder := json.NewDecoder(bytes.NewReader(data))
		decoder.UseNumber()
		var value map[string]any
		if err := decoder.Decode(&value); err != nil {
			t.Fatal(err)
		}
		return value
	}
	want := decode(body)
	check := func(how string, event *Event) {
		t.Helper()
		if string(event.Raw) != text {
			t.Errorf("%s: Raw %s, want the signed text %s", how, event.Raw, text)
		}
		if !bytes.Equal(event.Body, body) {
			t.Errorf("%s: Body %q, want %q", how, event.Body, body)
		}
		got := decode(event.Raw)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Raw decodes to %v, want %v", how, got, want)
		}
		if got["n"] != json.Number("123456789012345678901234567890") || got["f"] != json.Number("1e400") {
			t.Errorf("%s: numbers %v and %v", how, got["n"], got["f"])
		}
		if event.Text != "café" {
			t.Errorf("%s: Text %q", how, event.Text)
		}
	}

	event, status, err := webhook.Receive("POST", "", body, signature)
	if err != nil || status != 200 {
		t.Fatalf("Receive: %d, %v", status, err)
	}
	check("Receive", event)
	event, err = webhook.VerifyEvent(body, signature)
	if err != nil {
		t.Fatalf("VerifyEvent: %v", err)
	}
	check("VerifyEvent", event)
	handler := webhook.Handler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		event, _ := EventFromContext(r.Context())
		check("Handler", event)
	}))
	if rec := deliver(handler, "POST", bytes.NewReader(body), map[string]string{SignatureHeader: signature}); rec.Code != 200 {
		t.Errorf("Handler: %d", rec.Code)
	}
}
