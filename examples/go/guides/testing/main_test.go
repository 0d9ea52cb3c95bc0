// connectly-example: test

// Package shipping_test tests code that sends through Connectly against the mock
// Connectly: each test starts its own `connectly mock` (the SDK's command-line tool, found
// as CONNECTLY_BIN or on PATH), asserts on the requests the mock received, through its
// control endpoints, and makes the mock fail on demand.
//
//	CONNECTLY_BIN=/path/to/connectly go test ./guides/testing
//
// Inside the SDK's repository, run it from examples/go with -tags connectly_intree (the
// binary is target/debug/connectly, which `make lib-debug` builds).
package shipping_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// notifyShipped is the code under test; in a program it lives in a package of its own.
func notifyShipped(ctx context.Context, client *connectly.Client, phone, order string) error {
	text := "Order " + order + " has shipped."
	_, err := client.SendMessage(ctx, connectly.WhatsApp(phone), connectly.Message{}.WithText(text))
	return err
}

// --8<-- [start:mock]
// startMock starts `connectly mock` for one test, stopped when the test ends, and points
// the CONNECTLY_* variables at it, as NewClientFromEnv reads them.
func startMock(t *testing.T) {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "mock.env")
	bin := cmp.Or(os.Getenv("CONNECTLY_BIN"), "connectly") // else found on PATH
	cmd := exec.Command(bin, "mock", "--env-file", envFile)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Once it serves, it writes its settings to envFile: CONNECTLY_BASE_URL=..., one a line.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if data, err := os.ReadFile(envFile); err == nil {
			for _, line := range strings.Fields(string(data)) {
				name, value, _ := strings.Cut(line, "=")
				t.Setenv(name, value)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the mock did not start within 10 s")
}

// --8<-- [end:mock]

// newClient is a client of the mock, closed when the test ends.
func newClient(t *testing.T) *connectly.Client {
	t.Helper()
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// --8<-- [start:assert]
// control calls one of the mock's control endpoints (/_mock/...), decoding its answer.
func control(t *testing.T, method, path, body string, answer any) {
	t.Helper()
	req, _ := http.NewRequest(method, os.Getenv("CONNECTLY_BASE_URL")+path, strings.NewReader(body))
	req.Header.Set("X-API-Key", os.Getenv("CONNECTLY_API_KEY"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || (answer != nil && json.NewDecoder(resp.Body).Decode(answer) != nil) {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
}

func TestNotifyShipped(t *testing.T) {
	startMock(t)
	if err := notifyShipped(context.Background(), newClient(t), "+15555550100", "1042"); err != nil {
		t.Fatal(err)
	}
	var requests []struct{ Path, JSON any } // every API request, oldest first
	control(t, "GET", "/_mock/requests", "", &requests)
	path := "/v1/businesses/" + os.Getenv("CONNECTLY_BUSINESS_ID") + "/send/messages"
	body := map[string]any{ // the JSON sent, exactly
		"recipient": map[string]any{"id": "+15555550100", "channelType": "whatsapp"},
		"message":   map[string]any{"text": "Order 1042 has shipped."},
	}
	if len(requests) != 1 || requests[0].Path != path || !reflect.DeepEqual(requests[0].JSON, body) {
		t.Errorf("the mock received %+v", requests)
	}
}

// --8<-- [end:assert]

// --8<-- [start:failures]
func TestNotifyShippedWhenConnectlyFails(t *testing.T) {
	startMock(t)
	client := newClient(t)
	// The next two requests are answered 503, then 429; each failure is used once.
	control(t, "POST", "/_mock/fail", `[{"status": 503}, {"status": 429, "retry_after": "0"}]`, nil)

	err := notifyShipped(context.Background(), client, "+15555550100", "1042")
	var apiErr *connectly.APIError
	if !errors.Is(err, connectly.ErrServer) || !errors.As(err, &apiErr) || apiErr.Attempts != 1 {
		t.Fatalf("after a 503: %v; want ErrServer, not retried (the message may have been sent)", err)
	}
	// A 429 is retried, after the wait the API asks for.
	if err := notifyShipped(context.Background(), client, "+15555550100", "1043"); err != nil {
		t.Fatalf("after a 429: %v; want it retried", err)
	}
	var requests []any
	control(t, "GET", "/_mock/requests", "", &requests)
	if len(requests) != 3 {
		t.Errorf("the mock received %d requests, want 3 (the 503; the 429 and its retry)", len(requests))
	}
}

// --8<-- [end:failures]
