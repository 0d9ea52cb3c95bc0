package connectly

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The mock Connectly every test and example runs against, started through the CLI.
var mockEnv = map[string]string{}

func TestMain(m *testing.M) {
	os.Exit(runWithMock(m))
}

func runWithMock(m *testing.M) int {
	dir, err := os.MkdirTemp("", "connectly-go-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	envFile := filepath.Join(dir, "mock.env")
	bin := os.Getenv("CONNECTLY_BIN")
	if bin == "" {
		bin = "../target/debug/connectly"
	}
	cmd := exec.Command(bin, "mock", "--env-file", envFile)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "starting the mock (%s): %v; run `make lib-debug` first\n", bin, err)
		return 1
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	for i := 0; i < 100; i++ {
		if info, err := os.Stat(envFile); err == nil && info.Size() > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	f, err := os.Open(envFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "the mock did not start:", err)
		return 1
	}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if name, value, ok := strings.Cut(scanner.Text(), "="); ok {
			mockEnv[name] = value
			os.Setenv(name, value)
		}
	}
	f.Close()
	return m.Run()
}

// mockControl makes one request to the mock's control endpoints and returns the status and
// body.
func mockControl(t testing.TB, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, mockEnv["CONNECTLY_BASE_URL"]+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", mockEnv["CONNECTLY_API_KEY"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func resetMock(t testing.TB) {
	t.Helper()
	if status, body := mockControl(t, "POST", "/_mock/reset", ""); status != 200 {
		t.Fatalf("reset: %d %s", status, body)
	}
}

func failNext(t testing.TB, failures string) {
	t.Helper()
	if status, body := mockControl(t, "POST", "/_mock/fail", failures); status != 200 {
		t.Fatalf("fail: %d %s", status, body)
	}
}

func requestCount(t testing.TB) int {
	t.Helper()
	_, body := mockControl(t, "GET", "/_mock/requests", "")
	return strings.Count(body, `"method"`)
}

func mockClient(t testing.TB, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithBaseURL(mockEnv["CONNECTLY_BASE_URL"])}, opts...)
	client, err := NewClient(mockEnv["CONNECTLY_API_KEY"], mockEnv["CONNECTLY_BUSINESS_ID"], opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// recordedRequest is one request the mock recorded (GET /_mock/requests).
type recordedRequest struct {
	Method string  `json:"method"`
	Path   string  `json:"path"`
	Body   *string `json:"body"`
}

// recorded is every request the mock recorded since the last reset, in arrival order.
func recorded(t testing.TB) []recordedRequest {
	t.Helper()
	status, body := mockControl(t, "GET", "/_mock/requests", "")
	if status != 200 {
		t.Fatalf("requests: %d %s", status, body)
	}
	var requests []recordedRequest
	if err := json.Unmarshal([]byte(body), &requests); err != nil {
		t.Fatal(err)
	}
	return requests
}

// mockSwitch sets one of the mock's switches (POST /_mock/<path>) and sets it back to
// reset when the test ends: the mock is shared by every test.
func mockSwitch(t testing.TB, path, body, reset string) {
	t.Helper()
	if status, answer := mockControl(t, "POST", path, body); status != 200 {
		t.Fatalf("%s: %d %s", path, status, answer)
	}
	t.Cleanup(func() {
		if status, answer := mockControl(t, "POST", path, reset); status != 200 {
			t.Errorf("%s: %d %s", path, status, answer)
		}
	})
}

// mockWebhookSecret is the secret the mock signs its deliveries with.
func mockWebhookSecret(t testing.TB) string {
	t.Helper()
	_, body := mockControl(t, "GET", "/_mock/config", "")
	var config struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	if err := json.Unmarshal([]byte(body), &config); err != nil || config.WebhookSecret == "" {
		t.Fatalf("config: %s (%v)", body, err)
	}
	return config.WebhookSecret
}

// validationField is the field a validation error names (its Field); "" when err is not a
// validation error.
func validationField(err error) string {
	var e *Error
	if !errors.Is(err, ErrValidation) || !errors.As(err, &e) {
		return ""
	}
	return e.Field
}
