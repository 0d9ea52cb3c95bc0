package connectly_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// The examples run against the mock Connectly the tests start; its settings are in the
// CONNECTLY_* environment variables, set before the examples run.
var (
	apiKey     = func() string { return os.Getenv("CONNECTLY_API_KEY") }
	businessID = func() string { return os.Getenv("CONNECTLY_BUSINESS_ID") }
	baseURL    = func() string { return os.Getenv("CONNECTLY_BASE_URL") }
)

const body = `{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},` +
	`"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}`

func newClient() *connectly.Client {
	client, err := connectly.NewClient(apiKey(), businessID(), connectly.WithBaseURL(baseURL()))
	if err != nil {
		panic(err)
	}
	return client
}

func ExampleVersion() {
	fmt.Println(connectly.Version() != "")
	// Output: true
}

func ExampleNewClient() {
	client, err := connectly.NewClient(apiKey(), businessID(), connectly.WithBaseURL(baseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	resp, err := client.SendText("whatsapp", "+15555555555", "hello!")
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleNewClientFromEnv() {
	// CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and CONNECTLY_BASE_URL.
	client, err := connectly.NewClientFromEnv(connectly.WithMaxRetries(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	fmt.Println("ready")
	// Output: ready
}

func ExampleWithBaseURL() {
	_, err := connectly.NewClient("key", "biz", connectly.WithBaseURL("http://example.com"))
	fmt.Println(errors.Is(err, connectly.ErrValidation))
	// Output: true
}

func ExampleWithTimeout() {
	client, err := connectly.NewClient(apiKey(), businessID(), connectly.WithBaseURL(baseURL()),
		connectly.WithTimeout(10*time.Second))
	fmt.Println(err)
	client.Close()
	_, err = connectly.NewClient(apiKey(), businessID(), connectly.WithTimeout(0))
	fmt.Println(errors.Is(err, connectly.ErrConfig))
	// Output:
	// <nil>
	// true
}

func ExampleWithMaxRetries() {
	client, err := connectly.NewClient(apiKey(), businessID(), connectly.WithBaseURL(baseURL()),
		connectly.WithMaxRetries(0))
	fmt.Println(err)
	client.Close()
	// Output: <nil>
}

func ExampleWithLogger() {
	// Debug shows every attempt ("sending"); Info the outcomes ("answered"); Warn retries
	// and failures. Records arrive shortly after the calls they record.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := connectly.NewClient(apiKey(), businessID(), connectly.WithBaseURL(baseURL()),
		connectly.WithLogger(logger.With("component", "connectly")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	_, _ = client.SendText("whatsapp", "+15555555555", "hello!")
	// {"time":"…","level":"DEBUG","msg":"sending","component":"connectly","method":"POST","path":"/v1/businesses/…/send/messages","attempt":1}
	// {"time":"…","level":"INFO","msg":"answered","component":"connectly","status":200,"attempts":1,"trace_id":"…"}
}

func ExampleClient_Close() {
	client := newClient()
	client.Close()
	client.Close() // idempotent
	_, err := client.SendText("whatsapp", "+15555555555", "hello!")
	fmt.Println(errors.Is(err, connectly.ErrClosed))
	// Output: true
}

func ExampleClient_SendText() {
	client := newClient()
	defer client.Close()
	resp, err := client.SendText("whatsapp", "+15555555555", "hello!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Attempts, resp.TraceID != "")
	// Output: 200 1 true
}

func ExampleClient_SendTextContext() {
	client := newClient()
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := client.SendTextContext(ctx, "sms", "+15555555555", "hello!")
	fmt.Println(resp.Status, err)

	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	_, err = client.SendTextContext(cancelled, "sms", "+15555555555", "hello!")
	fmt.Println(err)
	// Output:
	// 200 <nil>
	// context canceled
}

func ExampleClient_SendTemplate() {
	client := newClient()
	defer client.Close()
	resp, err := client.SendTemplate("+15555555555", "welcome",
		[]connectly.TemplateParam{{Name: "var1", Value: "value1"}})
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleClient_SendTemplateContext() {
	client := newClient()
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := client.SendTemplateContext(ctx, "+15555555555", "welcome", nil)
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleClient_CreateWebhook() {
	client := newClient()
	defer client.Close()
	resp, err := client.CreateWebhook("https://example.com/webhook", "messages")
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleClient_CreateWebhookContext() {
	client := newClient()
	defer client.Close()
	resp, err := client.CreateWebhookContext(context.Background(), "https://example.com/webhook", "delivery_status")
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleNewWebhook() {
	// Rotation: the new secret first; deliveries signed with either verify.
	webhook, err := connectly.NewWebhook("new-secret", "old-secret")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer webhook.Close()
	old, _ := connectly.NewWebhook("old-secret")
	defer old.Close()
	signature, _ := old.Sign([]byte(body))
	fmt.Println(webhook.Verify([]byte(body), signature))
	_, err = connectly.NewWebhook("")
	fmt.Println(errors.Is(err, connectly.ErrInvalidSecret))
	// Output:
	// <nil>
	// true
}

func ExampleWebhook_Close() {
	webhook, _ := connectly.NewWebhook("secret")
	webhook.Close()
	fmt.Println(errors.Is(webhook.Verify([]byte(body), "x"), connectly.ErrClosed))
	// Output: true
}

func ExampleWebhook_SetMaxBodySize() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	_ = webhook.SetMaxBodySize(64)
	fmt.Println(errors.Is(webhook.Verify([]byte(body), signature), connectly.ErrPayloadTooLarge))
	// Output: true
}

func ExampleWebhook_SetTolerance() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	_ = webhook.SetTolerance(5 * time.Minute)
	signature, _ := webhook.Sign([]byte(body)) // a 2021 timestamp: far outside 5 minutes
	err := webhook.Verify([]byte(body), signature)
	fmt.Println(errors.Is(err, connectly.ErrTimestampOutsideTolerance))
	// Output: true
}

func ExampleWebhook_Verify() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	fmt.Println(webhook.Verify([]byte(body), signature))
	err := webhook.Verify([]byte(body), "")
	fmt.Println(errors.Is(err, connectly.ErrMissingSignature))
	// Output:
	// <nil>
	// true
}

func ExampleWebhook_VerifyEvent() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	event, err := webhook.VerifyEvent([]byte(body), signature)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(event.Sender.ID, event.Sender.ChannelType, event.Text)
	// Output: +16315555500 whatsapp TEST 11
}

// The GitHub Docs example of tests/vectors/webhooks.json.
func ExampleWebhook_Sign() {
	webhook, _ := connectly.NewWebhook("It's a Secret to Everybody")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte("Hello, World!"))
	fmt.Println(signature)
	// Output: dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=
}

func ExampleVerifyWebhook() {
	err := connectly.VerifyWebhook("It's a Secret to Everybody", []byte("Hello, World!"),
		"dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=")
	fmt.Println(err)
	err = connectly.VerifyWebhook("another secret", []byte("Hello, World!"),
		"dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=")
	fmt.Println(errors.Is(err, connectly.ErrInvalidSignature))
	// Output:
	// <nil>
	// true
}

func ExampleWebhookHandler() {
	handler := connectly.WebhookHandler("secret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		event, _ := connectly.EventFromContext(r.Context())
		fmt.Println("received:", event.Text)
	}))
	// http.Handle("/webhook", handler) in a server; here, a forged delivery:
	req := httptest.NewRequest("POST", "/webhook", strings.NewReader(body))
	req.Header.Set(connectly.SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output: 403
}

func ExampleWebhook_Handler() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	server := httptest.NewServer(webhook.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		event, _ := connectly.EventFromContext(r.Context())
		io.WriteString(w, "thanks, "+event.Sender.ID)
	})))
	defer server.Close()
	signature, _ := webhook.Sign([]byte(body))
	req, _ := http.NewRequest("POST", server.URL, strings.NewReader(body))
	req.Header.Set(connectly.SignatureHeader, signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(reply))
	// Output: 200 thanks, +16315555500
}

// With a router other than net/http: refuse early with Admit, read at most the limit plus
// one byte, then answer with the status Receive gives.
func ExampleWebhook_Receive() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	if status, err := webhook.Admit("POST", int64(len(body))); err != nil {
		fmt.Println(status, err)
		return
	}
	event, status, err := webhook.Receive("POST", "", []byte(body), signature)
	fmt.Println(status, err, event.Text, string(event.Body) == body)
	_, status, err = webhook.Receive("POST", "br", []byte(body), signature)
	fmt.Println(status, errors.Is(err, connectly.ErrUnsupportedEncoding))
	_, status, err = webhook.Receive("GET", "", nil, "")
	fmt.Println(status, errors.Is(err, connectly.ErrMethodNotAllowed)) // answer with Allow: POST
	// Output:
	// 200 <nil> TEST 11 true
	// 415 true
	// 405 true
}

func ExampleEventFromContext() {
	_, ok := connectly.EventFromContext(context.Background())
	fmt.Println(ok)
	// Output: false
}

func ExampleEvent_Time() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	event, _ := webhook.VerifyEvent([]byte(body), signature)
	fmt.Println(event.Time().UTC().Format(time.RFC3339))
	// Output: 2021-12-09T20:53:26Z
}

func ExampleAPIError() {
	client, _ := connectly.NewClient("wrong-key", businessID(), connectly.WithBaseURL(baseURL()))
	defer client.Close()
	_, err := client.SendText("whatsapp", "+15555555555", "hello!")
	var apiErr *connectly.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.TraceID != "")
	}
	fmt.Println(errors.Is(err, connectly.ErrAuthentication))
	// Output:
	// 401 ERROR_CODE_API_KEY_INVALID true
	// true
}

func ExampleError() {
	client := newClient()
	defer client.Close()
	_, err := client.SendText("whatsapp", "+15555555555", "")
	var e *connectly.Error
	if errors.As(err, &e) {
		fmt.Println(e.Attempts, errors.Is(err, connectly.ErrValidation))
	}
	// Output: 0 true
}

func ExampleClient_SendMany() {
	client := newClient()
	defer client.Close()
	messages := []connectly.Outgoing{
		connectly.Text("whatsapp", "+15555555555", "hello!"),
		connectly.Text("sms", "+15555555555", ""), // refused: empty text
		connectly.Template("+15555555555", "welcome",
			[]connectly.TemplateParam{{Name: "var1", Value: "value1"}}),
	}
	results, err := client.SendMany(messages,
		connectly.WithConcurrency(8), connectly.WithRateLimit(200),
		connectly.WithProgress(func(done, failed, total int) {
			if done == total {
				fmt.Printf("%d of %d finished, %d failed\n", done, total, failed)
			}
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results { // in input order
		if r.Err != nil {
			fmt.Println(i, errors.Is(r.Err, connectly.ErrValidation))
			continue
		}
		fmt.Println(i, r.Response.Status)
	}
	// Output:
	// 3 of 3 finished, 1 failed
	// 0 200
	// 1 true
	// 2 200
}

func ExampleClient_SendMessage() {
	client := newClient()
	defer client.Close()
	ctx := context.Background()
	to := connectly.WhatsApp("+15555555555")

	photo := connectly.Message{}.WithAttachment(
		connectly.Image("https://cdn.example.com/receipt.jpg").WithCaption("Your receipt"))
	resp, err := client.SendMessage(ctx, to, photo)
	fmt.Println(resp.Status, err)

	question := connectly.Message{}.WithText("Did it arrive?").WithButtons(connectly.NewReplyButtons(
		connectly.Button{ID: "yes", Text: "Yes"}, connectly.Button{ID: "no", Text: "No"}))
	resp, err = client.SendMessage(ctx, to, question)
	fmt.Println(resp.Status, err)

	menu := connectly.Message{}.WithText("Pick a size").WithList(connectly.NewListMessage("Sizes",
		connectly.ListSection{Title: "Pizza", Rows: []connectly.ListRow{
			connectly.NewListRow("s", "Small").WithDescription("8 inch"),
			connectly.NewListRow("l", "Large"),
		}}))
	resp, err = client.SendMessage(ctx, to, menu)
	fmt.Println(resp.Status, err)

	// Checked before anything is sent: a text cannot go with an attachment.
	_, err = client.SendMessage(ctx, to, photo.WithText("look"))
	fmt.Println(errors.Is(err, connectly.ErrValidation))
	// Output:
	// 200 <nil>
	// 200 <nil>
	// 200 <nil>
	// true
}

func ExampleClient_SendTemplateMessage() {
	client := newClient()
	defer client.Close()
	order := connectly.NewTemplateMessage("+15555555555", "order_update").
		WithLanguage("en_US").
		WithParam("body_1", "Ada").
		WithCallbackData(map[string]any{"orderId": 42}). // echoed in the delivery statuses
		WithCampaignName("autumn")
	resp, err := client.SendTemplateMessage(context.Background(), order)
	fmt.Println(resp.Status, err)
	// Output: 200 <nil>
}

func ExampleClient_UpsertWebhook() {
	client := newClient()
	defer client.Close()
	ctx := context.Background()
	// Creates the registration, or updates the topic's one when the API answers 409.
	resp, err := client.UpsertWebhook(ctx, "https://example.com/statuses", connectly.TopicDeliveryStatus,
		map[string]any{"echo": false})
	fmt.Println(resp.Status, err)
	webhooks, _ := client.ListWebhooks(ctx)
	for _, w := range webhooks {
		if w.Topic == connectly.TopicDeliveryStatus {
			fmt.Println(w.Address, string(w.Configuration))
			resp, err = client.DeleteWebhook(ctx, w.ID)
			fmt.Println(resp.Status, err)
		}
	}
	// Output:
	// 200 <nil>
	// https://example.com/statuses {"echo":false}
	// 200 <nil>
}

func ExampleClient_ListTemplates() {
	client := newClient()
	defer client.Close()
	templates, err := client.ListTemplates(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range templates {
		if t.Name == "summer_sale" {
			fmt.Println(t.Language, t.Status, t.RejectionReason)
		}
	}
	// Output: en MESSAGE_TEMPLATE_STATUS_REJECTED PROMOTIONAL
}

func ExampleClient_SendCampaign() {
	client := newClient()
	defer client.Close()
	result, err := client.SendCampaign(context.Background(), []connectly.CampaignEntry{
		{Client: "+15555555555", CampaignName: "autumn", Variables: map[string]any{"name": "Ada"}},
		{Client: "+15555555556", CampaignName: "autumn", Variables: map[string]any{"name": "Grace"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if result.Accepted != nil {
		fmt.Println("accepted:", *result.Accepted)
	}
	// Output: accepted: 2
}

// A delivery-status webhook: the handler is given the typed event, and a StatusTracker
// keeps out-of-order and repeated statuses from moving a message backwards.
func ExampleStatusTracker() {
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	tracker := connectly.NewStatusTracker()
	handler := webhook.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		event, _ := connectly.EventFromContext(r.Context())
		if s := event.Status; s != nil {
			fmt.Println(s.MessageID, s.Status, tracker.Advance(s.MessageID, s.Status))
		}
	}))
	for _, status := range []string{"read", "delivered"} { // delivered arrives late
		delivery := `{"topic":"delivery_status","timestamp":"1639083206",` +
			`"sender":{"id":"+16044441234","channelType":"whatsapp"},` +
			`"recipient":{"id":"+16315555500","channelType":"whatsapp"},` +
			`"statusUpdate":{"id":"01FRRWW2","status":"` + status + `"}}`
		signature, _ := webhook.Sign([]byte(delivery))
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(delivery))
		req.Header.Set(connectly.SignatureHeader, signature)
		handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	furthest, _ := tracker.Status("01FRRWW2")
	fmt.Println(furthest)
	// Output:
	// 01FRRWW2 read true
	// 01FRRWW2 delivered false
	// read
}

// In every worker of a fleet: one send budget for them all, shared through Redis, a
// quarter of it each while Redis is away (four workers).
func ExampleNewRedisRateLimiter() {
	limiter, err := connectly.NewRedisRateLimiter("redis://127.0.0.1:6379/0", 200,
		connectly.WithBurst(20), connectly.WithFallbackShare(0.25))
	if err != nil {
		panic(err)
	}
	// The client keeps what it needs of the budget.
	defer limiter.Close()
	client, err := connectly.NewClientFromEnv(connectly.WithRateLimiter(limiter))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	_, _ = client.SendText("whatsapp", "+15555555555", "hello from one of many workers")
}

// A delivery posted twice (Connectly retries one not answered 200, perhaps to another
// worker) is handled once; with NewRedisDeduplicator, across every receiver sharing it.
func ExampleWithDeduplicator() {
	dedup, _ := connectly.NewMemoryDeduplicator(0)
	defer dedup.Close()
	runs := 0
	handler := connectly.WebhookHandler("secret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs++ // answer 2xx (or nothing) once handled; anything else lets a retry run it again
	}), connectly.WithDeduplicator(dedup))
	webhook, _ := connectly.NewWebhook("secret")
	defer webhook.Close()
	signature, _ := webhook.Sign([]byte(body))
	for i := 0; i < 2; i++ {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(body))
		req.Header.Set(connectly.SignatureHeader, signature)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	fmt.Println("runs:", runs)
	// Output:
	// 200
	// 200
	// runs: 1
}

// A bulk send that resumes: run it again with the same messages and journal after a crash,
// and only what never left is sent.
func ExampleWithJournal() {
	client := newClient()
	defer client.Close()
	dir, _ := os.MkdirTemp("", "journal")
	defer os.RemoveAll(dir)
	journal := dir + "/campaign.journal"
	messages := []connectly.Outgoing{
		connectly.Text("whatsapp", "+15555555555", "one"),
		connectly.Text("whatsapp", "+15555555556", "two"),
	}
	for run := 1; run <= 2; run++ {
		results, _ := client.SendMany(messages, connectly.WithJournal(journal))
		for i, r := range results {
			var e *connectly.Error
			switch {
			case r.Err == nil:
				fmt.Printf("run %d, message %d: sent, %d request(s) this run\n", run, i, r.Response.Attempts)
			case errors.As(r.Err, &e) && e.PossiblySent:
				fmt.Printf("run %d, message %d: may have been sent: check\n", run, i)
			default:
				fmt.Printf("run %d, message %d: %v\n", run, i, r.Err)
			}
		}
	}
	// Output:
	// run 1, message 0: sent, 1 request(s) this run
	// run 1, message 1: sent, 1 request(s) this run
	// run 2, message 0: sent, 0 request(s) this run
	// run 2, message 1: sent, 0 request(s) this run
}
