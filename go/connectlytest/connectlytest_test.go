package connectlytest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

// binary is the connectly CLI the tests run: CONNECTLY_BIN, else the repository's debug
// build. Without either the test is skipped.
func binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("CONNECTLY_BIN"); bin != "" {
		return bin
	}
	bin, err := filepath.Abs(filepath.Join("..", "..", "target", "debug", "connectly"))
	if err == nil {
		if _, err = os.Stat(bin); err == nil {
			return bin
		}
	}
	t.Skip("no connectly binary: set CONNECTLY_BIN or build it (cargo build -p connectly-cli)")
	return ""
}

func start(t *testing.T, opts ...connectlytest.Option) *connectlytest.Mock {
	t.Helper()
	return connectlytest.Start(t, append([]connectlytest.Option{connectlytest.WithBinary(binary(t))}, opts...)...)
}

// api sends one request to the mock's API, as a client of Connectly would.
func api(t *testing.T, mock *connectlytest.Mock, method, path, body string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, mock.URL()+"/v1/businesses/"+mock.BusinessID()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", mock.APIKey())
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp, answer, err
}

// mustAPI is api for requests expected to be answered.
func mustAPI(t *testing.T, mock *connectlytest.Mock, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	resp, answer, err := api(t, mock, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, answer
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const sendBody = `{"recipient":{"id":"+15555550100","channelType":"whatsapp"},"message":{"text":"hi"}}`

func TestAccessorsAndEnv(t *testing.T) {
	mock := start(t)
	if !strings.HasPrefix(mock.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q", mock.URL())
	}
	if mock.APIKey() != "mock-api-key" || mock.BusinessID() != "mock-business" || mock.WebhookSecret() != "mock-webhook-secret" {
		t.Errorf("defaults: %q %q %q", mock.APIKey(), mock.BusinessID(), mock.WebhookSecret())
	}
	want := []string{
		"CONNECTLY_BASE_URL=" + mock.URL(),
		"CONNECTLY_API_KEY=mock-api-key",
		"CONNECTLY_BUSINESS_ID=mock-business",
		"CONNECTLY_WEBHOOK_SECRET=mock-webhook-secret",
	}
	if got := mock.Env(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Env() = %q", got)
	}
	mock.Setenv(t)
	if os.Getenv("CONNECTLY_BASE_URL") != mock.URL() || os.Getenv("CONNECTLY_API_KEY") != "mock-api-key" {
		t.Errorf("Setenv did not set the variables")
	}
	if phone := must[string](t)(mock.BusinessPhone()); phone != "mock-business" {
		t.Errorf("BusinessPhone() = %q", phone)
	}
}

func TestOptions(t *testing.T) {
	mock := start(t, connectlytest.WithAPIKey("key-1"), connectlytest.WithBusinessID("biz-1"),
		connectlytest.WithWebhookSecret("secret-1"), connectlytest.WithStartTimeout(time.Minute))
	if mock.APIKey() != "key-1" || mock.BusinessID() != "biz-1" || mock.WebhookSecret() != "secret-1" {
		t.Errorf("got %q %q %q", mock.APIKey(), mock.BusinessID(), mock.WebhookSecret())
	}
	if resp, answer := mustAPI(t, mock, "POST", "/send/messages", sendBody); resp.StatusCode != 200 {
		t.Errorf("a send with the custom credentials: %s %s", resp.Status, answer)
	}
	// The control API checks the key too: it works only because the Mock sends its own.
	check(t, mock.Reset())
}

func TestRequestsMessagesAndReset(t *testing.T) {
	mock := start(t)
	if resp, answer := mustAPI(t, mock, "POST", "/send/messages?trace=1", sendBody); resp.StatusCode != 200 {
		t.Fatalf("send: %s %s", resp.Status, answer)
	}
	requests := must[[]connectlytest.Request](t)(mock.Requests())
	if len(requests) != 1 {
		t.Fatalf("Requests() = %v", requests)
	}
	r := requests[0]
	if r.Method != "POST" || r.Path != "/v1/businesses/mock-business/send/messages?trace=1" {
		t.Errorf("request = %v", r)
	}
	if r.Header.Get("X-API-Key") != "mock-api-key" || r.Header.Get("content-type") != "application/json" {
		t.Errorf("headers = %v", r.Header)
	}
	if string(r.Body) != sendBody {
		t.Errorf("body = %s", r.Body)
	}
	var body struct{ Message struct{ Text string } }
	if err := r.JSON(&body); err != nil || body.Message.Text != "hi" {
		t.Errorf("JSON: %v %+v", err, body)
	}
	if since := time.Since(r.Received); since < 0 || since > time.Minute {
		t.Errorf("Received = %v", r.Received)
	}
	if s := r.String(); strings.Contains(s, "mock-api-key") || !strings.Contains(s, "POST /v1/") {
		t.Errorf("String() = %q", s)
	}

	messages := must[[]connectlytest.Message](t)(mock.Messages())
	if len(messages) != 1 || messages[0].ID == "" || messages[0].Recipient != "+15555550100" ||
		messages[0].ChannelType != "whatsapp" || messages[0].Sender != "" || messages[0].CallbackData != nil {
		t.Errorf("Messages() = %+v", messages)
	}
	template := `{"number":"+15555550101","templateName":"t","parameters":[{"name":"a","value":"b"}],` +
		`"callbackData":{"order":7},"campaignName":"spring"}`
	if resp, answer := mustAPI(t, mock, "POST", "/send/whatsapp_templated_messages", template); resp.StatusCode != 200 {
		t.Fatalf("template send: %s %s", resp.Status, answer)
	}
	messages = must[[]connectlytest.Message](t)(mock.Messages())
	if len(messages) != 2 || string(messages[1].CallbackData) != `{"order":7}` || messages[1].CampaignName != "spring" {
		t.Errorf("Messages() = %+v", messages)
	}

	check(t, mock.FailNext(connectlytest.Status(500)))
	check(t, mock.Reset())
	if got := must[[]connectlytest.Request](t)(mock.Requests()); len(got) != 0 {
		t.Errorf("after Reset, Requests() = %v", got)
	}
	if got := must[[]connectlytest.Message](t)(mock.Messages()); len(got) != 0 {
		t.Errorf("after Reset, Messages() = %v", got)
	}
	if got := must[[]connectlytest.Failure](t)(mock.PendingFailures()); len(got) != 0 {
		t.Errorf("after Reset, PendingFailures() = %v", got)
	}
}

func TestFailNext(t *testing.T) {
	mock := start(t)
	check(t, mock.FailNext(
		connectlytest.Status(429).WithRetryAfter("7"),
		connectlytest.Status(503).WithBody(`{"oops":true}`),
		connectlytest.Delay(150*time.Millisecond),
		connectlytest.Drop(),
		connectlytest.InvalidJSON(),
	))
	pending := must[[]connectlytest.Failure](t)(mock.PendingFailures())
	var forms []string
	for _, f := range pending {
		forms = append(forms, f.String())
	}
	want := `{"status":429,"retry_after":"7"} {"status":503,"body":"{\"oops\":true}"} {"delay_ms":150} {"drop":true} {"invalid_json":true}`
	if got := strings.Join(forms, " "); got != want {
		t.Errorf("PendingFailures() = %s\nwant %s", got, want)
	}

	resp, answer := mustAPI(t, mock, "POST", "/send/messages", sendBody)
	var apiError struct{ Code string }
	_ = json.Unmarshal(answer, &apiError)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || apiError.Code != "ERROR_CODE_BUSINESS_REACHED_LIMITS" {
		t.Errorf("first: %s Retry-After %q %s", resp.Status, resp.Header.Get("Retry-After"), answer)
	}
	resp, answer = mustAPI(t, mock, "POST", "/send/messages", sendBody)
	if resp.StatusCode != 503 || string(answer) != `{"oops":true}` {
		t.Errorf("second: %s %s", resp.Status, answer)
	}
	began := time.Now()
	resp, answer = mustAPI(t, mock, "POST", "/send/messages", sendBody)
	if took := time.Since(began); resp.StatusCode != 200 || took < 150*time.Millisecond {
		t.Errorf("third: %s after %v: %s", resp.Status, took, answer)
	}
	if _, _, err := api(t, mock, "POST", "/send/messages", sendBody); err == nil {
		t.Errorf("fourth: answered, want the connection dropped")
	}
	resp, answer = mustAPI(t, mock, "POST", "/send/messages", sendBody)
	if resp.StatusCode != 200 || json.Valid(answer) {
		t.Errorf("fifth: %s %s, want 200 with invalid JSON", resp.Status, answer)
	}
	if got := must[[]connectlytest.Request](t)(mock.Requests()); len(got) != 5 {
		t.Errorf("Requests() = %v, want all 5 recorded", got)
	}
	// Only the delayed send was accepted.
	if got := must[[]connectlytest.Message](t)(mock.Messages()); len(got) != 1 {
		t.Errorf("Messages() = %+v", got)
	}

	check(t, mock.FailNext(connectlytest.ResetMidBody(), connectlytest.HalfWritten(),
		connectlytest.DropBeforeRead(), connectlytest.Dribble(0), connectlytest.Huge(10, true)))
	pending = must[[]connectlytest.Failure](t)(mock.PendingFailures())
	forms = forms[:0]
	for _, f := range pending {
		forms = append(forms, f.String())
	}
	want = `{"reset_mid_body":true} {"half_written":true} {"drop_before_read":true} {"dribble_bytes_per_sec":1} {"huge_bytes":10,"chunked":true}`
	if got := strings.Join(forms, " "); got != want {
		t.Errorf("PendingFailures() = %s\nwant %s", got, want)
	}
	if _, _, err := api(t, mock, "POST", "/send/messages", sendBody); err == nil {
		t.Errorf("reset mid-body: read the whole answer")
	}

	if err := mock.FailNext(connectlytest.Failure{}); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("FailNext(zero Failure) = %v, want the mock's 400", err)
	}
	if f := connectlytest.Drop().WithRetryAfter("1").WithBody("x"); f.String() != `{"drop":true}` {
		t.Errorf("WithRetryAfter/WithBody changed a Drop: %s", f)
	}
}

// receiver is an httptest server recording the deliveries it gets.
type receiver struct {
	*httptest.Server
	mu         sync.Mutex
	bodies     []string
	signatures []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(body))
		r.signatures = append(r.signatures, req.Header.Get("X-Connectly-Hmac-Sha256"))
		r.mu.Unlock()
		_, _ = io.WriteString(w, "thanks")
	}))
	t.Cleanup(r.Close)
	return r
}

func register(t *testing.T, mock *connectlytest.Mock, topic, address string) {
	t.Helper()
	body := `{"topic":"` + topic + `","address":"` + address + `"}`
	if resp, answer := mustAPI(t, mock, "POST", "/create/webhooks", body); resp.StatusCode != 200 {
		t.Fatalf("create webhook: %s %s", resp.Status, answer)
	}
}

func TestDeliverInbound(t *testing.T) {
	mock := start(t)
	var noWebhook *connectlytest.DeliveryError
	if _, err := mock.DeliverInbound("+15555550100", "hello"); !errors.As(err, &noWebhook) || noWebhook.Kind != "no_webhook" {
		t.Errorf("without a webhook: %v", err)
	}

	r := newReceiver(t)
	register(t, mock, "messages", r.URL+"/hook")
	webhooks := must[[]connectlytest.Webhook](t)(mock.Webhooks())
	if len(webhooks) != 1 || webhooks[0].Topic != "messages" || webhooks[0].Address != r.URL+"/hook" ||
		webhooks[0].Type != "custom" || !strings.HasPrefix(webhooks[0].ID, "wh_") {
		t.Errorf("Webhooks() = %+v", webhooks)
	}

	delivery := must[connectlytest.Delivery](t)(mock.DeliverInbound("+15555550100", "hello"))
	if delivery.Status != 200 || delivery.Address != r.URL+"/hook" || string(delivery.Response) != "thanks" {
		t.Errorf("delivery = %+v", delivery)
	}
	r.mu.Lock()
	bodies, signatures := append([]string(nil), r.bodies...), append([]string(nil), r.signatures...)
	r.mu.Unlock()
	if len(bodies) != 1 || bodies[0] != string(delivery.Body) || signatures[0] != delivery.Signature {
		t.Fatalf("the receiver got %q %q; delivery %+v", bodies, signatures, delivery)
	}
	var event struct {
		Sender  struct{ ID string }
		Message struct{ Text string }
	}
	if err := json.Unmarshal([]byte(bodies[0]), &event); err != nil || event.Sender.ID != "+15555550100" || event.Message.Text != "hello" {
		t.Errorf("event %s: %v", bodies[0], err)
	}
	mac := hmac.New(sha256.New, []byte(mock.WebhookSecret()))
	mac.Write([]byte(bodies[0]))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); signatures[0] != want {
		t.Errorf("signature %q, want %q", signatures[0], want)
	}

	delivery = must[connectlytest.Delivery](t)(mock.DeliverKind("location", "+15555550100",
		map[string]any{"latitude": 52.5, "longitude": 13.4, "name": "Office"}))
	if !strings.Contains(string(delivery.Body), `"location":{"latitude":52.5`) {
		t.Errorf("location body %s", delivery.Body)
	}
	delivery = must[connectlytest.Delivery](t)(mock.DeliverEvent("messages", map[string]string{"custom": "shape"}))
	if string(delivery.Body) != `{"custom":"shape"}` || delivery.Signature == "" {
		t.Errorf("event delivery %+v", delivery)
	}
	delivery = must[connectlytest.Delivery](t)(mock.DeliverRaw("messages", []byte("not json"), ""))
	if string(delivery.Body) != "not json" || delivery.Signature != "" || delivery.Status != 200 {
		t.Errorf("raw delivery %+v", delivery)
	}

	// A receiver answering other than 200 is a "rejected" DeliveryError.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "go away", http.StatusForbidden)
	}))
	defer refusing.Close()
	register(t, mock, "messages", refusing.URL)
	var rejected *connectlytest.DeliveryError
	if _, err := mock.DeliverInbound("+15555550100", "hi"); !errors.As(err, &rejected) ||
		rejected.Kind != "rejected" || rejected.Status != 403 || !strings.Contains(string(rejected.Response), "go away") {
		t.Errorf("to a refusing receiver: %v %+v", err, rejected)
	}
}

func TestDeliverStatus(t *testing.T) {
	mock := start(t)
	r := newReceiver(t)
	register(t, mock, "delivery_status", r.URL)
	if resp, answer := mustAPI(t, mock, "POST", "/send/messages", sendBody); resp.StatusCode != 200 {
		t.Fatalf("send: %s %s", resp.Status, answer)
	}
	id := must[[]connectlytest.Message](t)(mock.Messages())[0].ID
	delivery := must[connectlytest.Delivery](t)(mock.DeliverStatus(id, "delivered"))
	var event struct{ StatusUpdate struct{ ID, Status string } }
	if err := json.Unmarshal(delivery.Body, &event); err != nil || event.StatusUpdate.ID != id || event.StatusUpdate.Status != "delivered" {
		t.Errorf("status event %s: %v", delivery.Body, err)
	}
	var unknown *connectlytest.DeliveryError
	if _, err := mock.DeliverStatus("no-such-id", "read"); !errors.As(err, &unknown) || unknown.Kind != "unknown_message" {
		t.Errorf("an unknown id: %v", err)
	}
}

func TestSettings(t *testing.T) {
	mock := start(t)
	if got := must[connectlytest.StatusOrder](t)(mock.AutoStatuses()); got != connectlytest.StatusesOff {
		t.Errorf("AutoStatuses() = %q", got)
	}
	check(t, mock.SetAutoStatuses(connectlytest.StatusesInOrder))
	if got := must[connectlytest.StatusOrder](t)(mock.AutoStatuses()); got != connectlytest.StatusesInOrder {
		t.Errorf("AutoStatuses() = %q", got)
	}
	if err := mock.SetAutoStatuses("sideways"); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("SetAutoStatuses(sideways) = %v", err)
	}
	// With automatic statuses, a send is followed by sent, delivered and read.
	r := newReceiver(t)
	register(t, mock, "delivery_status", r.URL)
	mustAPI(t, mock, "POST", "/send/messages", sendBody)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		n := len(r.bodies)
		r.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d automatic statuses arrived, want 3", n)
		}
	}

	check(t, mock.SetWebhookConflicts(true))
	if !must[bool](t)(mock.WebhookConflicts()) {
		t.Error("WebhookConflicts() = false")
	}
	if resp, _ := mustAPI(t, mock, "POST", "/create/webhooks", `{"topic":"delivery_status","address":"http://127.0.0.1:1/"}`); resp.StatusCode != 409 {
		t.Errorf("a second registration in conflict mode: %s", resp.Status)
	}

	groups := []map[string]any{{"name": "greeting", "templates": []any{}}}
	check(t, mock.SetTemplates(groups))
	if got := must[json.RawMessage](t)(mock.Templates()); string(got) != `[{"name":"greeting","templates":[]}]` {
		t.Errorf("Templates() = %s", got)
	}

	check(t, mock.SetUnpublishedCampaigns("b", "a"))
	if got := must[[]string](t)(mock.UnpublishedCampaigns()); strings.Join(got, ",") != "a,b" {
		t.Errorf("UnpublishedCampaigns() = %q", got)
	}
	check(t, mock.SetUnpublishedCampaigns())
	if got := must[[]string](t)(mock.UnpublishedCampaigns()); len(got) != 0 {
		t.Errorf("UnpublishedCampaigns() = %q", got)
	}
}

func TestNewAndClose(t *testing.T) {
	mock, err := connectlytest.New(context.Background(), connectlytest.WithBinary(binary(t)))
	if err != nil {
		t.Fatal(err)
	}
	url := mock.URL()
	if err := mock.Close(); err != nil {
		t.Fatal(err)
	}
	if err := mock.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if resp, err := http.Get(url + "/_mock/config"); err == nil {
		resp.Body.Close()
		t.Errorf("the mock still serves after Close: %s", resp.Status)
	}
	if _, err := mock.Requests(); err == nil {
		t.Error("Requests() after Close succeeded")
	}
}

func TestNoBinary(t *testing.T) {
	t.Setenv("CONNECTLY_BIN", "")
	t.Setenv("PATH", t.TempDir())
	_, err := connectlytest.New(context.Background())
	if !errors.Is(err, connectlytest.ErrNoBinary) {
		t.Fatalf("New without a binary: %v", err)
	}
	for _, name := range []string{"WithBinary", "CONNECTLY_BIN", "PATH"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}

	// Start reports it with t.Fatal.
	fake := &fakeTB{TB: t}
	if mock := connectlytest.Start(fake); mock != nil || !strings.Contains(fake.fatal, "CONNECTLY_BIN") {
		t.Errorf("Start without a binary: %v, fatal %q", mock, fake.fatal)
	}

	missing := filepath.Join(t.TempDir(), "connectly")
	if _, err := connectlytest.New(context.Background(), connectlytest.WithBinary(missing)); err == nil ||
		!strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "WithBinary") {
		t.Errorf("New with a missing binary: %v", err)
	}
}

// fakeTB records a Fatal instead of ending the test.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Fatal(args ...any)                 { f.fatal = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }
func (f *fakeTB) Cleanup(func())                    { f.TB.Error("Cleanup registered after Fatal") }

func TestExitedBeforeServing(t *testing.T) {
	bin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false command")
	}
	_, err = connectlytest.New(context.Background(), connectlytest.WithBinary(bin))
	if err == nil || !strings.Contains(err.Error(), "exited before serving") {
		t.Errorf("New with a binary that exits: %v", err)
	}
}

func TestStartTimeout(t *testing.T) {
	// sleep never writes the env file.
	bin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	script := filepath.Join(t.TempDir(), "connectly")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec "+bin+" 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = connectlytest.New(context.Background(), connectlytest.WithBinary(script),
		connectlytest.WithStartTimeout(200*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "did not serve within") || time.Since(began) > 5*time.Second {
		t.Errorf("New with a binary that never serves: %v after %v", err, time.Since(began))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := connectlytest.New(ctx, connectlytest.WithBinary(script)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("New with an expiring context: %v", err)
	}
}
