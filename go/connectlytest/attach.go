package connectlytest

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ErrNoMockEnv is returned by [FromEnv] when CONNECTLY_BASE_URL or CONNECTLY_API_KEY is
// unset or empty.
var ErrNoMockEnv = errors.New("connectlytest: CONNECTLY_BASE_URL and CONNECTLY_API_KEY " +
	"must name a running mock")

// Attach returns a [Mock] for a mock that is already running, started by someone else (a
// test runner, a script, `connectly mock` in another terminal), whose control API it
// drives: baseURL is the mock's base URL (http://127.0.0.1:PORT) and apiKey the key it
// accepts. Attach makes no request: a wrong URL or key shows in the first method called.
//
// [Mock.BusinessID] and [Mock.WebhookSecret] are "" (use [FromEnv] to take them from the
// environment). [Mock.Close] only releases the Mock's idle connections: the mock it did
// not start keeps running.
func Attach(baseURL, apiKey string) *Mock {
	return &Mock{
		url:    strings.TrimRight(baseURL, "/"),
		apiKey: apiKey,
		client: newHTTPClient(),
	}
}

// FromEnv is [Attach] to the mock the environment names, as [Mock.Env] writes it:
// CONNECTLY_BASE_URL and CONNECTLY_API_KEY (both required; [ErrNoMockEnv] when either is
// missing), and CONNECTLY_BUSINESS_ID and CONNECTLY_WEBHOOK_SECRET (optional). It is for a
// program or test run against a mock started for it; like Attach it makes no request, and
// its Close stops nothing.
func FromEnv() (*Mock, error) {
	baseURL, apiKey := os.Getenv("CONNECTLY_BASE_URL"), os.Getenv("CONNECTLY_API_KEY")
	if baseURL == "" || apiKey == "" {
		return nil, ErrNoMockEnv
	}
	parsed, err := url.Parse(baseURL)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, fmt.Errorf("connectlytest: CONNECTLY_BASE_URL is not an http(s) URL: %q", baseURL)
	}
	m := Attach(baseURL, apiKey)
	m.businessID = os.Getenv("CONNECTLY_BUSINESS_ID")
	m.webhookSecret = os.Getenv("CONNECTLY_WEBHOOK_SECRET")
	return m, nil
}
