package connectly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The secret canary from Go: every error path is triggered with a canary API key and a canary
// webhook secret — 401 (scripted, and the mock's own answer to the unknown key), 403, 429
// (retried until out of attempts), 500, 502, other 4xx, a 302 redirect, a timeout, a context
// deadline, a call cancelled in flight and one cancelled while it waits to retry, a dropped,
// reset or half-written answer, an oversized response, a refused connection, a TLS failure
// (https spoken to the plain-HTTP mock), configuration and validation errors, each webhook
// error kind, and each of the middleware's refusals — and the canaries must appear 0 times in
// err.Error(), the %v, %+v, %#v and %s forms of the errors, the APIError fields, the
// %v/%+v/%#v forms of the Client and Webhook, the middleware's responses, the log output and
// the clients' log records.
//
// Logging: every canary client has a logger (WithLogger) at Debug, whose text output (every
// attempt, retry and outcome of every path above) is checked too; the standard logger
// (which slog's default handler also writes through) and the test server's ErrorLog are
// captured as well.
const (
	canaryKey    = "CANARY-API-KEY-a41f08"
	canarySecret = "CANARY-WEBHOOK-SECRET-e62b95"
)

// canaryTexts gathers every text a caller could print.
type canaryTexts struct {
	texts []string
	kinds map[error]bool
	// records is the output of logger, which every canary client logs to.
	records *syncBuffer
	logger  *slog.Logger
}

// syncBuffer is a bytes.Buffer safe for a handler writing on one goroutine while the test
// reads on another.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var canaryKinds = []error{
	ErrValidation, ErrConfig, ErrAuthentication, ErrRateLimited, ErrAPI, ErrServer,
	ErrRedirect, ErrTimeout, ErrTransport, ErrTLS, ErrResponseTooLarge, ErrMissingSignature,
	ErrMalformedSignature, ErrInvalidSignature, ErrPayloadTooLarge, ErrInvalidPayload,
	ErrInvalidSecret, ErrTimestampOutsideTolerance, ErrMethodNotAllowed, ErrUnsupportedEncoding,
	ErrMalformedEncoding, ErrCanceled,
}

func (c *canaryTexts) add(texts ...string) { c.texts = append(c.texts, texts...) }

// addErr records a failure (nil fails the test: every path must fail) in all its forms.
func (c *canaryTexts) addErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	c.add(err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err),
		fmt.Sprintf("%#v", err), fmt.Sprintf("%s", err), fmt.Sprintf("%q", err))
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		c.add(apiErr.Code, apiErr.TraceID, apiErr.Message, fmt.Sprintf("%#v", *apiErr))
	}
	var sdkErr *Error
	if errors.As(err, &sdkErr) {
		c.add(sdkErr.Message, fmt.Sprintf("%#v", *sdkErr))
	}
	for _, kind := range canaryKinds {
		if errors.Is(err, kind) {
			c.kinds[kind] = true
		}
	}
}

func (c *canaryTexts) client(t *testing.T, baseURL string, timeout time.Duration, retries int) *Client {
	t.Helper()
	client, err := NewClient(canaryKey, mockEnv["CONNECTLY_BUSINESS_ID"], WithBaseURL(baseURL),
		WithTimeout(timeout), WithMaxRetries(retries), WithLogger(c.logger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func sendFails(t *testing.T, c *canaryTexts, what string, client *Client) {
	t.Helper()
	resp, err := client.SendText("whatsapp", "+15555555555", "canary message")
	if resp != nil {
		c.add(string(resp.Body), resp.TraceID)
	}
	c.addErr(t, what, err)
}

func canaryClientPaths(t *testing.T, c *canaryTexts) {
	base := mockEnv["CONNECTLY_BASE_URL"]
	client := c.client(t, base, 5*time.Second, 0)
	c.add(fmt.Sprintf("%v", client), fmt.Sprintf("%+v", client), fmt.Sprintf("%#v", client))

	resetMock(t)
	sendFails(t, c, "the mock's own 401", client)
	canaryNewCalls(t, c, client)

	echo := fmt.Sprintf(`{"message":"echo %s","code":"%s","cntTraceId":"%s","userMessage":"%s"}`,
		canaryKey, canaryKey, canaryKey, canarySecret)
	script := func(failures ...map[string]any) string {
		data, err := json.Marshal(failures)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for _, status := range []int{400, 401, 403, 404, 429, 500, 502, 302} {
		failNext(t, script(map[string]any{"status": status, "body": echo}))
		sendFails(t, c, fmt.Sprintf("%d with an echoing JSON body", status), client)
		failNext(t, script(map[string]any{"status": status, "body": "plain text " + canaryKey}))
		sendFails(t, c, fmt.Sprintf("%d with an echoing text body", status), client)
	}

	limited := map[string]any{"status": 429, "retry_after": "0", "body": echo}
	failNext(t, script(limited, limited, limited))
	sendFails(t, c, "429 retried until out of attempts", c.client(t, base, 5*time.Second, 2))

	for _, failure := range []map[string]any{
		{"drop": true},
		{"reset_mid_body": true},
		{"half_written": true},
		{"huge_bytes": 11 * 1024 * 1024, "chunked": true},
		{"huge_bytes": 11 * 1024 * 1024},
	} {
		failNext(t, script(failure))
		sendFails(t, c, fmt.Sprint(failure), client)
	}

	// Timeouts: the client's own, and a context deadline.
	failNext(t, script(map[string]any{"delay_ms": 2000}))
	sendFails(t, c, "a timeout", c.client(t, base, 300*time.Millisecond, 0))
	failNext(t, script(map[string]any{"delay_ms": 2000}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "canary message")
	cancel()
	c.addErr(t, "a context deadline", err)
	// A call cancelled in flight, and one cancelled in its wait to retry.
	failNext(t, script(map[string]any{"delay_ms": 2000}))
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = client.SendTextContext(ctx, "whatsapp", "+15555555555", "canary message")
	c.addErr(t, "a call cancelled in flight", err)
	failNext(t, script(map[string]any{"status": 429, "retry_after": "2", "body": echo}))
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	_, err = c.client(t, base, 5*time.Second, 1).SendTextContext(ctx, "whatsapp", "+15555555555",
		"canary message")
	c.addErr(t, "a call cancelled in its wait to retry", err)

	// Refused: nothing listens on the port.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + listener.Addr().String()
	listener.Close()
	sendFails(t, c, "a refused connection", c.client(t, refused, 5*time.Second, 1))

	// TLS spoken to the plain-HTTP mock: the handshake fails.
	tls := strings.Replace(base, "http://", "https://", 1)
	sendFails(t, c, "a TLS failure", c.client(t, tls, 5*time.Second, 2))

	// Configuration and validation errors that involve the key or the secret.
	for _, key := range []string{canaryKey + "\n", canaryKey + " x", canaryKey + "\x00"} {
		_, err := NewClient(key, mockEnv["CONNECTLY_BUSINESS_ID"])
		c.addErr(t, fmt.Sprintf("the key %q", key), err)
	}
	_, err = NewClient(canaryKey, mockEnv["CONNECTLY_BUSINESS_ID"], WithTimeout(0))
	c.addErr(t, "a zero timeout", err)
	_, err = NewClient(canaryKey, mockEnv["CONNECTLY_BUSINESS_ID"], WithMaxRetries(11))
	c.addErr(t, "too many retries", err)
	_, err = NewClient(canaryKey, mockEnv["CONNECTLY_BUSINESS_ID"], WithBaseURL("ftp://127.0.0.1"))
	c.addErr(t, "an unusable base URL", err)
	t.Setenv("CONNECTLY_API_KEY", canaryKey+"\n")
	_, err = NewClientFromEnv()
	c.addErr(t, "a key from the environment with a newline", err)
	for _, address := range []string{
		fmt.Sprintf("https://%s:%s@example.com/", canaryKey, canarySecret),
		"http://example.com/" + canarySecret,
	} {
		_, err := client.CreateWebhook(address, "messages")
		c.addErr(t, "the webhook address "+address, err)
	}
	_, err = client.CreateWebhook("https://example.com/"+canarySecret, canaryKey)
	c.addErr(t, "an unknown topic", err)
	resetMock(t)
	c.flushRecords(t)
}

// flushRecords waits until every record of the calls made so far has reached the logger:
// records are handed over in order, so once a last call's outcome is there, all are.
func (c *canaryTexts) flushRecords(t *testing.T) {
	t.Helper()
	marker, err := NewClient(canaryKey, mockEnv["CONNECTLY_BUSINESS_ID"],
		WithBaseURL(mockEnv["CONNECTLY_BASE_URL"]), WithLogger(c.logger.With("flush", "canary")))
	if err != nil {
		t.Fatal(err)
	}
	defer marker.Close()
	_, err = marker.SendText("whatsapp", "+15555555555", "canary message")
	c.addErr(t, "the records' last call", err)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.records.String(), "msg=failed flush=canary") {
		if time.Now().After(deadline) {
			t.Fatalf("the last call's record did not come in 5 s: %s", c.records.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// canaryNewCalls makes every call beyond texts, templates and registrations with the canary
// key: the mock answers each with its own 401.
func canaryNewCalls(t *testing.T, c *canaryTexts, client *Client) {
	ctx := context.Background()
	calls := map[string]func() error{
		"SendMessage": func() error {
			_, err := client.SendMessage(ctx, WhatsApp("+15555555555"), Message{}.WithText("canary message"))
			return err
		},
		"SendTemplateMessage": func() error {
			_, err := client.SendTemplateMessage(ctx, NewTemplateMessage("+15555555555", "welcome").
				WithCallbackData("canary"))
			return err
		},
		"ListWebhooks":  func() error { _, err := client.ListWebhooks(ctx); return err },
		"ListTemplates": func() error { _, err := client.ListTemplates(ctx); return err },
		"UpsertWebhook": func() error {
			_, err := client.UpsertWebhook(ctx, "https://example.com/h", "messages", nil)
			return err
		},
		"UpdateWebhook": func() error {
			_, err := client.UpdateWebhook(ctx, "wh_1", WebhookUpdate{Address: "https://example.com/h"})
			return err
		},
		"DeleteWebhook": func() error { _, err := client.DeleteWebhook(ctx, "wh_1"); return err },
		"SendCampaign": func() error {
			_, err := client.SendCampaign(ctx, []CampaignEntry{{Client: "+15555555555", CampaignName: "autumn"}})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrAuthentication) {
			t.Errorf("%s with the canary key: %v", name, err)
		}
		c.addErr(t, name, err)
	}
}

func canaryWebhook(t *testing.T, secrets ...string) *Webhook {
	t.Helper()
	webhook, err := NewWebhook(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { webhook.Close() })
	return webhook
}

func canaryWebhookPaths(t *testing.T, c *canaryTexts) {
	webhook := canaryWebhook(t, canarySecret)
	c.add(fmt.Sprintf("%v", webhook), fmt.Sprintf("%+v", webhook), fmt.Sprintf("%#v", webhook))
	body := []byte(fmt.Sprintf(`{"timestamp":"1639083206","sender":{"id":"%s","channelType":"%s"},`+
		`"recipient":{"id":"1","channelType":"whatsapp"}}`, canaryKey, canarySecret))
	sign := func(w *Webhook, body []byte) string {
		signature, err := w.Sign(body)
		if err != nil {
			t.Fatal(err)
		}
		return signature
	}
	good := sign(webhook, body)
	wrong := sign(canaryWebhook(t, canaryKey), body)
	notEvent := []byte(canarySecret + " " + canaryKey)
	small := canaryWebhook(t, canarySecret)
	if err := small.SetMaxBodySize(10); err != nil {
		t.Fatal(err)
	}
	strict := canaryWebhook(t, canarySecret)
	if err := strict.SetTolerance(time.Minute); err != nil {
		t.Fatal(err)
	}

	c.addErr(t, "a missing signature", webhook.Verify(body, ""))
	c.addErr(t, "the secret as the signature", webhook.Verify(body, canarySecret))
	c.addErr(t, "the key as the signature", webhook.Verify(body, canaryKey))
	c.addErr(t, "a signature with a NUL", webhook.Verify(body, canarySecret+"\x00"))
	c.addErr(t, "another secret's signature", webhook.Verify(body, wrong))
	c.addErr(t, "one-shot, another secret's signature", VerifyWebhook(canarySecret, body, wrong))
	c.addErr(t, "one-shot, the secret as the signature",
		VerifyWebhook(canarySecret, body, canarySecret))
	c.addErr(t, "a body over the limit", small.Verify(body, good))
	_, err := webhook.VerifyEvent(notEvent, sign(webhook, notEvent))
	c.addErr(t, "a signed body that is not an event", err)
	_, err = strict.VerifyEvent(body, good)
	c.addErr(t, "a timestamp outside the tolerance", err)
	_, err = webhook.VerifyEvent(body, canaryKey+"\x00")
	c.addErr(t, "an event signature with a NUL", err)
	nine := make([]string, 9)
	for i := range nine {
		nine[i] = canarySecret
	}
	for _, secrets := range [][]string{nil, nine, {canarySecret, ""}} {
		_, err := NewWebhook(secrets...)
		c.addErr(t, fmt.Sprintf("%d secrets", len(secrets)), err)
	}
	c.addErr(t, "an empty one-shot secret", VerifyWebhook("", body, good))
	c.addErr(t, "a negative limit", webhook.SetMaxBodySize(-1))
	for _, tc := range []struct{ what, method, encoding, signature string }{
		{"receiving with another method", http.MethodGet, "", good},
		{"receiving with the key as the encoding", http.MethodPost, canaryKey, good},
		{"receiving a body that is not gzip", http.MethodPost, "gzip", good},
		{"receiving with the secret as the signature", http.MethodPost, "", canarySecret},
	} {
		_, _, err := webhook.Receive(tc.method, tc.encoding, body, tc.signature)
		c.addErr(t, tc.what, err)
	}
	_, err = webhook.Admit(http.MethodPost, math.MaxInt64)
	c.addErr(t, "admitting a declared length over the limit", err)

	// The middleware, through a real server whose error log is captured.
	var handled atomic.Bool
	next := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { handled.Store(true) })
	server := httptest.NewUnstartedServer(WebhookHandler(canarySecret, next))
	server.Config.ErrorLog = log.Default()
	server.Start()
	defer server.Close()
	limited := httptest.NewServer(small.Handler(next))
	defer limited.Close()
	post := func(url string, body []byte, headers map[string]string) {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for name, value := range headers {
			req.Header.Set(name, value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode < 400 {
			t.Errorf("the middleware accepted %v: %d", headers, resp.StatusCode)
		}
		c.add(string(data), fmt.Sprint(resp.Header))
	}
	post(server.URL, body, nil)
	post(server.URL, body, map[string]string{SignatureHeader: canarySecret})
	post(server.URL, body, map[string]string{SignatureHeader: canaryKey})
	post(server.URL, body, map[string]string{SignatureHeader: wrong})
	post(server.URL, notEvent, map[string]string{SignatureHeader: sign(webhook, notEvent)})
	post(server.URL, body, map[string]string{SignatureHeader: good, "Content-Encoding": "gzip"})
	post(server.URL, body, map[string]string{SignatureHeader: good, "Content-Encoding": canaryKey})
	post(limited.URL, body, map[string]string{SignatureHeader: good})
	resp, err := http.Get(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.add(string(data))
	// Replay protection in the middleware: a timestamp outside the tolerance.
	replay := httptest.NewServer(strict.Handler(next))
	defer replay.Close()
	post(replay.URL, body, map[string]string{SignatureHeader: good})
	if handled.Load() {
		t.Error("the middleware let a refused delivery through")
	}
}

func TestSecretCanary(t *testing.T) {
	var logs bytes.Buffer
	saved, flags := log.Writer(), log.Flags()
	log.SetOutput(&logs)
	defer func() {
		log.SetOutput(saved)
		log.SetFlags(flags)
	}()
	log.Print("canary: the log is captured")

	records := &syncBuffer{}
	c := &canaryTexts{kinds: map[error]bool{}, records: records,
		logger: slog.New(slog.NewTextHandler(records, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	canaryClientPaths(t, c)
	canaryWebhookPaths(t, c)
	for _, kind := range canaryKinds {
		if !c.kinds[kind] {
			t.Errorf("no canary path produced %v", kind)
		}
	}
	if !strings.Contains(logs.String(), "the log is captured") {
		t.Error("the log output was not captured")
	}
	c.add(logs.String())
	// Every path's records: each attempt, retry and outcome.
	for _, message := range []string{"msg=sending", "msg=retrying", "msg=failed"} {
		if !strings.Contains(records.String(), message) {
			t.Errorf("no %s record among the canary clients' records", message)
		}
	}
	c.add(records.String())
	for _, text := range c.texts {
		for _, canary := range []string{canaryKey, canarySecret} {
			if n := strings.Count(text, canary); n != 0 {
				t.Errorf("%s appears %d times in: %s", canary, n, text)
			}
		}
	}
	t.Logf("canary: %d error kinds, %d texts, %d log bytes, %d bytes of records checked", len(c.kinds),
		len(c.texts), logs.Len(), len(records.String()))
}
