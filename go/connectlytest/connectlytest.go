// Package connectlytest runs the mock Connectly for tests of code that uses the Connectly
// SDK, in the way net/http/httptest runs an HTTP server.
//
// Start launches `connectly mock` (the SDK's command-line tool) for one test and stops it
// when the test ends. The mock is a real HTTP server on 127.0.0.1 that checks every
// request's shape as Connectly documents it, records what it received, fails on demand and
// delivers signed webhook events; the methods of [Mock] drive it through its control API.
//
//	func TestNotifyShipped(t *testing.T) {
//		mock := connectlytest.Start(t)
//		mock.Setenv(t) // CONNECTLY_BASE_URL and the rest, for connectly.NewClientFromEnv
//		client, err := connectly.NewClientFromEnv()
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer client.Close()
//
//		// ... run the code under test with client ...
//
//		requests, err := mock.Requests()
//		if err != nil {
//			t.Fatal(err)
//		}
//		var body struct{ Message struct{ Text string } }
//		if len(requests) != 1 || requests[0].JSON(&body) != nil || body.Message.Text != "Order 1042 has shipped." {
//			t.Errorf("the mock received %v", requests)
//		}
//
//		// The next request is answered 429 with Retry-After: 1, the one after it 503.
//		if err := mock.FailNext(connectlytest.Status(429).WithRetryAfter("1"), connectlytest.Status(503)); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// The binary is the one given by [WithBinary], else the CONNECTLY_BIN environment
// variable, else `connectly` on PATH. Outside a test (a TestMain sharing one mock, say),
// [New] starts a mock and [Mock.Close] stops it. A program or test run against a mock
// started for it (CONNECTLY_BASE_URL and the rest in its environment) drives that one with
// [FromEnv], or [Attach] given its URL and key; closing such a Mock stops nothing.
//
// The package uses the standard library only: it does not link the SDK's C library, so it
// works in any test, whatever the code under test sends with.
package connectlytest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ErrNoBinary is returned by [New] (and reported by [Start]) when no connectly binary was
// given and none is on PATH.
var ErrNoBinary = errors.New("connectlytest: the connectly binary was not found: " +
	"give it with connectlytest.WithBinary, set CONNECTLY_BIN, or put connectly on PATH")

// DefaultStartTimeout is how long [New] and [Start] wait for the mock to serve, unless
// [WithStartTimeout] says otherwise.
const DefaultStartTimeout = 20 * time.Second

// Option configures [Start] and [New].
type Option func(*settings)

type settings struct {
	binary        string
	apiKey        string
	businessID    string
	webhookSecret string
	port          int
	startTimeout  time.Duration
}

// WithBinary runs the connectly binary at path, rather than CONNECTLY_BIN's or the one on
// PATH.
func WithBinary(path string) Option {
	return func(s *settings) { s.binary = path }
}

// WithAPIKey sets the API key the mock accepts (default "mock-api-key").
func WithAPIKey(key string) Option {
	return func(s *settings) { s.apiKey = key }
}

// WithBusinessID sets the business id the mock serves (default "mock-business").
func WithBusinessID(id string) Option {
	return func(s *settings) { s.businessID = id }
}

// WithWebhookSecret sets the secret the mock signs deliveries with (default
// "mock-webhook-secret").
func WithWebhookSecret(secret string) Option {
	return func(s *settings) { s.webhookSecret = secret }
}

// WithPort makes the mock listen on this port of 127.0.0.1 (default 0: a free one).
func WithPort(port int) Option {
	return func(s *settings) { s.port = port }
}

// WithStartTimeout sets how long to wait for the mock to serve (default
// [DefaultStartTimeout]).
func WithStartTimeout(d time.Duration) Option {
	return func(s *settings) { s.startTimeout = d }
}

// Mock is a running mock Connectly. Its methods may be called from several goroutines at
// once.
type Mock struct {
	url           string
	apiKey        string
	businessID    string
	webhookSecret string

	binary string
	cmd    *exec.Cmd
	dir    string
	stderr *tail
	client *http.Client

	exited  chan struct{} // closed once the process has been waited for
	waitErr error         // the process's end, set before exited is closed

	closeOnce sync.Once
	closeErr  error
}

// Start starts a mock for the test t and stops it when t and its subtests end (through
// t.Cleanup). When it cannot start, Start reports why with t.Fatal: a missing binary
// ([ErrNoBinary]), one that exited, or one that did not serve within the start timeout.
func Start(t testing.TB, opts ...Option) *Mock {
	t.Helper()
	m, err := New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
		return nil
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

// New starts a mock and returns once it serves, or with an error. ctx bounds only the
// start: the mock runs until [Mock.Close], which the caller must call.
func New(ctx context.Context, opts ...Option) (*Mock, error) {
	s := settings{startTimeout: DefaultStartTimeout}
	for _, opt := range opts {
		opt(&s)
	}
	binary, from, err := findBinary(s.binary)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "connectlytest-")
	if err != nil {
		return nil, fmt.Errorf("connectlytest: %w", err)
	}
	envFile := filepath.Join(dir, "mock.env")
	args := []string{"mock", "--env-file", envFile, "--port", strconv.Itoa(s.port)}
	for _, flag := range []struct{ name, value string }{
		{"--api-key", s.apiKey}, {"--business-id", s.businessID}, {"--webhook-secret", s.webhookSecret},
	} {
		if flag.value != "" {
			args = append(args, flag.name, flag.value)
		}
	}
	cmd := exec.Command(binary, args...) // stdin and stdout: the null device
	stderr := &tail{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("connectlytest: starting the mock (%s, from %s): %w", binary, from, err)
	}
	m := &Mock{
		binary: binary,
		cmd:    cmd,
		dir:    dir,
		stderr: stderr,
		client: newHTTPClient(),
		exited: make(chan struct{}),
	}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	if err := m.awaitEnvFile(ctx, envFile, s.startTimeout); err != nil {
		_ = m.Close()
		return nil, err
	}
	return m, nil
}

// findBinary is the binary to run and where it came from.
func findBinary(explicit string) (path, from string, err error) {
	if explicit != "" {
		return explicit, "WithBinary", nil
	}
	if env := os.Getenv("CONNECTLY_BIN"); env != "" {
		return env, "CONNECTLY_BIN", nil
	}
	if found, err := exec.LookPath("connectly"); err == nil {
		return found, "PATH", nil
	}
	return "", "", ErrNoBinary
}

// awaitEnvFile waits for the mock to write its settings (it writes the file whole, once
// it serves) and reads them.
func (m *Mock) awaitEnvFile(ctx context.Context, envFile string, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if env, err := os.ReadFile(envFile); err == nil {
			return m.readSettings(env)
		}
		select {
		case <-m.exited:
			return fmt.Errorf("connectlytest: %s mock exited before serving (%v)%s",
				m.binary, m.waitErr, m.stderr.suffix())
		case <-ctx.Done():
			return fmt.Errorf("connectlytest: waiting for the mock to serve: %w", ctx.Err())
		case <-timer.C:
			return fmt.Errorf("connectlytest: %s mock did not serve within %v%s",
				m.binary, timeout, m.stderr.suffix())
		case <-tick.C:
		}
	}
}

// readSettings takes the URL and credentials from the env file's NAME=value lines.
func (m *Mock) readSettings(env []byte) error {
	for _, line := range strings.Split(string(env), "\n") {
		name, value, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch name {
		case "CONNECTLY_BASE_URL":
			m.url = value
		case "CONNECTLY_API_KEY":
			m.apiKey = value
		case "CONNECTLY_BUSINESS_ID":
			m.businessID = value
		case "CONNECTLY_WEBHOOK_SECRET":
			m.webhookSecret = value
		}
	}
	if m.url == "" || m.apiKey == "" {
		return fmt.Errorf("connectlytest: the mock's env file lacks CONNECTLY_BASE_URL or CONNECTLY_API_KEY: %q", env)
	}
	return nil
}

// URL is the base URL a client takes (connectly.WithBaseURL): http://127.0.0.1:PORT.
func (m *Mock) URL() string { return m.url }

// APIKey is the API key the mock accepts.
func (m *Mock) APIKey() string { return m.apiKey }

// BusinessID is the business id the mock serves.
func (m *Mock) BusinessID() string { return m.businessID }

// WebhookSecret is the secret the mock signs its webhook deliveries with.
func (m *Mock) WebhookSecret() string { return m.webhookSecret }

// Env is the environment that points the SDK (connectly.NewClientFromEnv) and the
// connectly CLI at the mock, as NAME=value entries for exec.Cmd.Env: CONNECTLY_BASE_URL,
// CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and CONNECTLY_WEBHOOK_SECRET.
func (m *Mock) Env() []string {
	return []string{
		"CONNECTLY_BASE_URL=" + m.url,
		"CONNECTLY_API_KEY=" + m.apiKey,
		"CONNECTLY_BUSINESS_ID=" + m.businessID,
		"CONNECTLY_WEBHOOK_SECRET=" + m.webhookSecret,
	}
}

// Setenv sets the variables of [Mock.Env] for the test t with t.Setenv, which restores
// them when t ends (and, like t.Setenv, cannot be used in parallel tests).
func (m *Mock) Setenv(t testing.TB) {
	t.Helper()
	for _, entry := range m.Env() {
		name, value, _ := strings.Cut(entry, "=")
		t.Setenv(name, value)
	}
}

// Close stops the mock (it kills the process and waits for it) and removes its temporary
// files. It reports an error if the mock had exited by itself before. Calling it again
// does nothing and returns the same error.
//
// For a Mock from [Attach] or [FromEnv], which started nothing, Close stops nothing: it
// only closes the Mock's idle connections, and returns nil.
func (m *Mock) Close() error {
	m.closeOnce.Do(func() {
		if m.cmd == nil { // attached: the mock is someone else's
			m.client.CloseIdleConnections()
			return
		}
		select {
		case <-m.exited:
			m.closeErr = fmt.Errorf("connectlytest: the mock exited before Close (%v)%s",
				m.waitErr, m.stderr.suffix())
		default:
			if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
				m.closeErr = fmt.Errorf("connectlytest: stopping the mock: %w", err)
			}
		}
		<-m.exited
		m.client.CloseIdleConnections()
		m.closeErr = cmp.Or(m.closeErr, os.RemoveAll(m.dir))
	})
	return m.closeErr
}

// tail keeps the last bytes the mock wrote to its standard error, for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tailSize; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// suffix is ": <what it wrote>" or "" when it wrote nothing.
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	text := bytes.TrimSpace(t.buf)
	if len(text) == 0 {
		return ""
	}
	return ": " + string(text)
}
