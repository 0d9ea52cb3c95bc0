package connectlytest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

// TestAttach drives a running mock through a second Mock, and checks that closing the
// attached one leaves the mock running.
func TestAttach(t *testing.T) {
	owner := start(t)
	attached := connectlytest.Attach(owner.URL()+"/", owner.APIKey())
	if attached.URL() != owner.URL() || attached.APIKey() != owner.APIKey() {
		t.Errorf("Attach: URL %q, key %q", attached.URL(), attached.APIKey())
	}
	if attached.BusinessID() != "" || attached.WebhookSecret() != "" {
		t.Errorf("Attach: business %q, secret %q", attached.BusinessID(), attached.WebhookSecret())
	}

	// What one Mock sets, the other sees: they drive the same mock.
	check(t, attached.FailNext(connectlytest.Status(503)))
	if resp, _ := mustAPI(t, owner, "POST", "/send/messages", sendBody); resp.StatusCode != 503 {
		t.Errorf("a send after the attached FailNext: %s", resp.Status)
	}
	requests := must[[]connectlytest.Request](t)(attached.Requests())
	if len(requests) != 1 || !strings.HasSuffix(requests[0].Path, "/send/messages") {
		t.Errorf("Requests() through the attached Mock = %v", requests)
	}
	check(t, attached.SetWebhookConflicts(true))
	if !must[bool](t)(owner.WebhookConflicts()) {
		t.Error("SetWebhookConflicts through the attached Mock did not reach the mock")
	}

	if err := attached.Close(); err != nil {
		t.Fatalf("Close of an attached Mock: %v", err)
	}
	if err := attached.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	// The mock still serves, to its owner and to the attached Mock alike.
	check(t, owner.Reset())
	if got := must[[]connectlytest.Request](t)(attached.Requests()); len(got) != 0 {
		t.Errorf("Requests() after Reset = %v", got)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(owner.URL() + "/_mock/config")
	if err != nil {
		t.Fatalf("the mock stopped serving after the attached Close: %v", err)
	}
	resp.Body.Close()
}

// TestAttachWrongKey checks that the control API refuses an attached Mock's wrong key.
func TestAttachWrongKey(t *testing.T) {
	owner := start(t)
	wrong := connectlytest.Attach(owner.URL(), "not-the-key")
	defer wrong.Close()
	if _, err := wrong.Requests(); err == nil {
		t.Error("Requests() with a wrong key succeeded")
	}
	if err := wrong.FailNext(connectlytest.Status(500)); err == nil {
		t.Error("FailNext with a wrong key succeeded")
	}
	if pending := must[[]connectlytest.Failure](t)(owner.PendingFailures()); len(pending) != 0 {
		t.Errorf("a refused FailNext queued %v", pending)
	}
}

// TestFromEnv attaches to the mock the environment names, as Setenv writes it.
func TestFromEnv(t *testing.T) {
	owner := start(t, connectlytest.WithBusinessID("biz-env"), connectlytest.WithWebhookSecret("secret-env"))
	owner.Setenv(t)
	attached, err := connectlytest.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(attached.Env(), "\n"), strings.Join(owner.Env(), "\n"); got != want {
		t.Errorf("FromEnv().Env() = %q, want %q", got, want)
	}
	if phone := must[string](t)(attached.BusinessPhone()); phone != "biz-env" {
		t.Errorf("BusinessPhone() through FromEnv = %q", phone)
	}
	check(t, attached.Close())
	check(t, owner.Reset()) // still running
}

func TestFromEnvMissing(t *testing.T) {
	for _, c := range []struct{ baseURL, apiKey string }{
		{"", "key"}, {"http://127.0.0.1:1", ""}, {"", ""},
	} {
		t.Setenv("CONNECTLY_BASE_URL", c.baseURL)
		t.Setenv("CONNECTLY_API_KEY", c.apiKey)
		if mock, err := connectlytest.FromEnv(); !errors.Is(err, connectlytest.ErrNoMockEnv) || mock != nil {
			t.Errorf("FromEnv with %q and %q: %v, %v", c.baseURL, c.apiKey, mock, err)
		}
	}
	for _, bad := range []string{"127.0.0.1:8080", "ftp://127.0.0.1", "http://", "http://%zz"} {
		t.Setenv("CONNECTLY_BASE_URL", bad)
		t.Setenv("CONNECTLY_API_KEY", "key")
		if mock, err := connectlytest.FromEnv(); err == nil || mock != nil || !strings.Contains(err.Error(), "CONNECTLY_BASE_URL") {
			t.Errorf("FromEnv with %q: %v, %v", bad, mock, err)
		}
	}
}
