package connectly

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readVectors(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile("../tests/vectors/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// kinds maps the vectors' kind names (Rust's kind_name) to the sentinels.
var kinds = map[string]error{
	"ok":                        nil,
	"Validation":                ErrValidation,
	"Config":                    ErrConfig,
	"Authentication":            ErrAuthentication,
	"RateLimited":               ErrRateLimited,
	"Api":                       ErrAPI,
	"Server":                    ErrServer,
	"Redirect":                  ErrRedirect,
	"Timeout":                   ErrTimeout,
	"Transport":                 ErrTransport,
	"Tls":                       ErrTLS,
	"ResponseTooLarge":          ErrResponseTooLarge,
	"MissingSignature":          ErrMissingSignature,
	"MalformedSignature":        ErrMalformedSignature,
	"InvalidSignature":          ErrInvalidSignature,
	"PayloadTooLarge":           ErrPayloadTooLarge,
	"InvalidPayload":            ErrInvalidPayload,
	"InvalidSecret":             ErrInvalidSecret,
	"TimestampOutsideTolerance": ErrTimestampOutsideTolerance,
	"MethodNotAllowed":          ErrMethodNotAllowed,
	"UnsupportedEncoding":       ErrUnsupportedEncoding,
	"MalformedEncoding":         ErrMalformedEncoding,
}

func checkKind(t *testing.T, what string, err error, kind string) {
	t.Helper()
	want, ok := kinds[kind]
	if !ok {
		t.Fatalf("%s: unknown kind %q in the vectors", what, kind)
	}
	if want == nil {
		if err != nil {
			t.Errorf("%s: got %v, want success", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

func TestSignatureVectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name      string `json:"name"`
			SecretHex string `json:"secret_hex"`
			BodyHex   string `json:"body_hex"`
			Signature string `json:"signature"`
		} `json:"vectors"`
	}
	readVectors(t, "webhooks.json", &file)
	rows := 0
	for _, v := range file.Vectors {
		secret, body := string(mustHex(t, v.SecretHex)), mustHex(t, v.BodyHex)
		if err := VerifyWebhook(secret, body, v.Signature); err != nil {
			t.Errorf("%s: VerifyWebhook: %v", v.Name, err)
		}
		webhook, err := NewWebhook(secret)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if err := webhook.Verify(body, v.Signature); err != nil {
			t.Errorf("%s: Verify: %v", v.Name, err)
		}
		if got, err := webhook.Sign(body); err != nil || got != v.Signature {
			t.Errorf("%s: Sign = %q, %v; want %q", v.Name, got, err, v.Signature)
		}
		webhook.Close()
		rows++
	}
	reportConformance(t, "webhooks.json", rows)
	if rows != 7 {
		t.Fatalf("webhooks.json: %d rows, want 7", rows)
	}
}

func TestWebhookErrorVectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name                string  `json:"name"`
			Secret              string  `json:"secret"`
			Body                string  `json:"body"`
			BodyHex             *string `json:"body_hex"`
			BodyRepeat          int     `json:"body_repeat"`
			Signature           *string `json:"signature"`
			MaxBodySize         *int    `json:"max_body_size"`
			ToleranceS          *int    `json:"tolerance_s"`
			ExpectedVerify      string  `json:"expected_verify"`
			ExpectedVerifyEvent string  `json:"expected_verify_event"`
		} `json:"vectors"`
	}
	readVectors(t, "webhook_errors.json", &file)
	if len(file.Vectors) == 0 {
		t.Fatal("webhook_errors.json has no rows")
	}
	rows := 0
	for _, v := range file.Vectors {
		body := []byte(v.Body)
		if v.BodyHex != nil {
			body = mustHex(t, *v.BodyHex)
		}
		if v.BodyRepeat > 1 {
			body = []byte(strings.Repeat(string(body), v.BodyRepeat))
		}
		signature := ""
		if v.Signature != nil {
			signature = *v.Signature
		}
		webhook, err := NewWebhook(v.Secret)
		if err != nil {
			checkKind(t, v.Name+": NewWebhook", err, v.ExpectedVerify)
			rows++
			continue
		}
		if v.MaxBodySize != nil {
			if err := webhook.SetMaxBodySize(*v.MaxBodySize); err != nil {
				t.Fatal(err)
			}
		}
		if v.ToleranceS != nil {
			if err := webhook.SetTolerance(time.Duration(*v.ToleranceS) * time.Second); err != nil {
				t.Fatal(err)
			}
		}
		checkKind(t, v.Name+": Verify", webhook.Verify(body, signature), v.ExpectedVerify)
		_, err = webhook.VerifyEvent(body, signature)
		checkKind(t, v.Name+": VerifyEvent", err, v.ExpectedVerifyEvent)
		if v.MaxBodySize == nil && v.ToleranceS == nil {
			checkKind(t, v.Name+": VerifyWebhook", VerifyWebhook(v.Secret, body, signature), v.ExpectedVerify)
		}
		webhook.Close()
		rows++
	}
	reportConformance(t, "webhook_errors.json", rows)
}

func TestAPIErrorVectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name     string          `json:"name"`
			Call     string          `json:"call"`
			Reply    json.RawMessage `json:"reply"`
			Expected struct {
				Kind       string  `json:"kind"`
				Status     int     `json:"status"`
				Code       *string `json:"code"`
				Message    *string `json:"message"`
				TraceID    *string `json:"trace_id"`
				RetryAfter *int    `json:"retry_after"`
			} `json:"expected"`
		} `json:"vectors"`
	}
	readVectors(t, "api_errors.json", &file)
	client := mockClient(t, WithMaxRetries(0))
	rows := 0
	for _, v := range file.Vectors {
		rows++
		resetMock(t)
		failNext(t, "["+string(v.Reply)+"]")
		var err error
		switch v.Call {
		case "send_template":
			_, err = client.SendTemplate("+15555555555", "welcome", []TemplateParam{{"var1", "value1"}})
		case "create_webhook":
			_, err = client.CreateWebhook("https://example.com/webhook", "messages")
		default:
			_, err = client.SendText("whatsapp", "+15555555555", "hello!")
		}
		checkKind(t, v.Name, err, v.Expected.Kind)
		if n := requestCount(t); n != 1 {
			t.Errorf("%s: %d requests, want 1", v.Name, n)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			if v.Expected.Kind != "Redirect" {
				t.Errorf("%s: %T is not an *APIError", v.Name, err)
			}
			continue
		}
		str := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		if apiErr.Status != v.Expected.Status || apiErr.Code != str(v.Expected.Code) ||
			apiErr.Message != str(v.Expected.Message) || apiErr.TraceID != str(v.Expected.TraceID) {
			t.Errorf("%s: got %+v, want %+v", v.Name, *apiErr, v.Expected)
		}
		wantRetry := time.Duration(-1)
		if v.Expected.RetryAfter != nil {
			wantRetry = time.Duration(*v.Expected.RetryAfter) * time.Second
		}
		if apiErr.RetryAfter != wantRetry {
			t.Errorf("%s: RetryAfter %v, want %v", v.Name, apiErr.RetryAfter, wantRetry)
		}
	}
	reportConformance(t, "api_errors.json", rows)
	resetMock(t)
}

// reportConformance records how many rows of file ran, for `make conformance-check`: it
// writes the number to $CONNECTLY_CONFORMANCE_DIR/<file> when that variable is set.
func reportConformance(t *testing.T, file string, rows int) {
	t.Helper()
	t.Logf("%s: %d rows", file, rows)
	dir := os.Getenv("CONNECTLY_CONFORMANCE_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(strconv.Itoa(rows)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRetryVectors(t *testing.T) {
	var file struct {
		Calls struct {
			SendText struct {
				Channel, To, Text string
			} `json:"send_text"`
			SendTemplate struct {
				Number   string     `json:"number"`
				Template string     `json:"template"`
				Params   [][]string `json:"params"`
			} `json:"send_template"`
			CreateWebhook struct {
				Address, Topic string
			} `json:"create_webhook"`
		} `json:"calls"`
		Vectors []struct {
			Name       string          `json:"name"`
			Call       string          `json:"call"`
			Script     json.RawMessage `json:"script"`
			MaxRetries int             `json:"max_retries"`
			TimeoutMS  int             `json:"timeout_ms"`
			Expected   struct {
				Outcome  string `json:"outcome"`
				Attempts int    `json:"attempts"`
				Requests int    `json:"requests"`
				Status   *int   `json:"status"`
			} `json:"expected"`
		} `json:"vectors"`
	}
	readVectors(t, "retries.json", &file)
	var params []TemplateParam
	for _, p := range file.Calls.SendTemplate.Params {
		params = append(params, TemplateParam{Name: p[0], Value: p[1]})
	}
	rows := 0
	for _, v := range file.Vectors {
		client := mockClient(t, WithMaxRetries(v.MaxRetries),
			WithTimeout(time.Duration(v.TimeoutMS)*time.Millisecond))
		resetMock(t)
		failNext(t, string(v.Script))
		var resp *Response
		var err error
		switch v.Call {
		case "send_template":
			c := file.Calls.SendTemplate
			resp, err = client.SendTemplate(c.Number, c.Template, params)
		case "create_webhook":
			c := file.Calls.CreateWebhook
			resp, err = client.CreateWebhook(c.Address, c.Topic)
		default:
			c := file.Calls.SendText
			resp, err = client.SendText(c.Channel, c.To, c.Text)
		}
		checkKind(t, v.Name, err, v.Expected.Outcome)
		attempts, status := 0, 0
		var apiErr *APIError
		var plain *Error
		switch {
		case err == nil:
			attempts, status = resp.Attempts, resp.Status
		case errors.As(err, &apiErr):
			attempts, status = apiErr.Attempts, apiErr.Status
		case errors.As(err, &plain):
			attempts, status = plain.Attempts, plain.Status
		}
		wantStatus := 0
		if v.Expected.Status != nil {
			wantStatus = *v.Expected.Status
		}
		if attempts != v.Expected.Attempts || status != wantStatus {
			t.Errorf("%s: attempts %d status %d, want %d and %d", v.Name, attempts, status, v.Expected.Attempts, wantStatus)
		}
		if n := requestCount(t); n != v.Expected.Requests {
			t.Errorf("%s: %d requests, want %d", v.Name, n, v.Expected.Requests)
		}
		client.Close()
		rows++
	}
	reportConformance(t, "retries.json", rows)
	resetMock(t)
}
