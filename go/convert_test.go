package connectly

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every conversion at the C boundary saturates instead of wrapping, and rounds up where
// rounding down would give 0.
func TestConversionsSaturate(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want uint64
	}{
		{1, 1}, {time.Millisecond, 1}, {time.Millisecond + 1, 2}, {30 * time.Second, 30000},
		{math.MaxInt64, 9223372036855}, {-time.Second, 0},
	} {
		if got := millis(tc.in); got != tc.want {
			t.Errorf("millis(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   time.Duration
		want uint64
	}{
		{0, 0}, {1, 1}, {900 * time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2},
		{5 * time.Minute, 300}, {math.MaxInt64, 9223372037}, {-time.Second, 0},
	} {
		if got := wholeSeconds(tc.in); got != tc.want {
			t.Errorf("wholeSeconds(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   int64
		want time.Duration
	}{
		{0, 0}, {7000, 7 * time.Second}, {9223372036854, 9223372036854 * time.Millisecond},
		{9223372036855, math.MaxInt64}, {1e13, math.MaxInt64}, {math.MaxInt64, math.MaxInt64},
		{math.MinInt64, math.MinInt64},
	} {
		if got := durationFromMillis(tc.in); got != tc.want {
			t.Errorf("durationFromMillis(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   int
		want int64
	}{{0, 1}, {DefaultMaxBodySize, DefaultMaxBodySize + 1}, {math.MaxInt, math.MaxInt64}} {
		if got := readLimit(tc.in); got != tc.want {
			t.Errorf("readLimit(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   uint64
		want int
	}{{0, 0}, {11, 11}, {math.MaxInt, math.MaxInt}, {math.MaxUint64, math.MaxInt}} {
		if got := clampInt(tc.in); got != tc.want {
			t.Errorf("clampInt(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// WithTimeout(math.MaxInt64) is the longest timeout, not 1 ms: an answer 100 ms late
// arrives in time.
func TestWithTimeoutMaxInt64(t *testing.T) {
	client := mockClient(t, WithTimeout(math.MaxInt64), WithMaxRetries(0))
	resetMock(t)
	failNext(t, `[{"delay_ms":100}]`)
	if _, err := client.SendText("whatsapp", "+15555555555", "patient"); err != nil {
		t.Errorf("WithTimeout(math.MaxInt64): %v", err)
	}
}

// A context deadline centuries away bounds the call by the longest timeout, not 1 ms.
func TestContextDeadlineFarAway(t *testing.T) {
	client := mockClient(t, WithMaxRetries(0))
	resetMock(t)
	failNext(t, `[{"delay_ms":100}]`)
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1<<62, 0))
	defer cancel()
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "patient"); err != nil {
		t.Errorf("a deadline far away: %v", err)
	}
}

// SetMaxBodySize(math.MaxInt) is no practical limit: a small valid delivery verifies, through
// the middleware too.
func TestSetMaxBodySizeMaxInt(t *testing.T) {
	webhook, err := NewWebhook("limit-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	if err := webhook.SetMaxBodySize(math.MaxInt); err != nil {
		t.Fatal(err)
	}
	signature, _ := webhook.Sign([]byte(delivery))
	if err := webhook.Verify([]byte(delivery), signature); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if _, status, err := webhook.Receive("POST", "", []byte(delivery), signature); status != 200 || err != nil {
		t.Errorf("Receive: %d, %v", status, err)
	}
	handler := webhook.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	headers := map[string]string{SignatureHeader: signature}
	// A strings.Reader declares its length; the wrapper hides it (Content-Length unknown).
	for name, body := range map[string]io.Reader{
		"declared length": strings.NewReader(delivery),
		"unknown length":  struct{ io.Reader }{strings.NewReader(delivery)},
	} {
		if rec := deliver(handler, "POST", body, headers); rec.Code != 200 {
			t.Errorf("the middleware, %s: %d", name, rec.Code)
		}
	}
}

// A tolerance under a second is rounded up to one, never down to 0: with 900 ms, a
// timestamp 1 s old verifies and one 2 s old does not. The core compares whole seconds
// of the same clock as Go's; a try is judged only when no second boundary passed during it.
func TestSetToleranceRoundsUp(t *testing.T) {
	webhook, err := NewWebhook("tolerance-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	if err := webhook.SetTolerance(900 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	verifyAged := func(now, age int64) error {
		body := []byte(fmt.Sprintf(`{"timestamp":"%d","sender":{"id":"+1","channelType":"sms"},`+
			`"recipient":{"id":"2","channelType":"sms"}}`, now-age))
		signature, _ := webhook.Sign(body)
		_, err := webhook.VerifyEvent(body, signature)
		return err
	}
	if err := verifyAged(time.Now().Unix(), 2); !errors.Is(err, ErrTimestampOutsideTolerance) {
		t.Errorf("2 s old: %v, want ErrTimestampOutsideTolerance", err)
	}
	for try := 0; try < 5; try++ {
		before := time.Now().Unix()
		err := verifyAged(before, 1)
		if time.Now().Unix() != before {
			continue
		}
		if err != nil {
			t.Fatalf("1 s old with a 900 ms tolerance: %v", err)
		}
		return
	}
	t.Fatal("no try ran within one second")
}

// A Retry-After too long for a time.Duration saturates at the longest one instead of
// wrapping.
func TestRetryAfterSaturates(t *testing.T) {
	client := mockClient(t, WithMaxRetries(0))
	for _, header := range []string{"10000000000", "99999999999999999999999"} {
		resetMock(t)
		failNext(t, `[{"status":429,"retry_after":"`+header+`"}]`)
		_, err := client.SendText("whatsapp", "+15555555555", "hi")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.RetryAfter != math.MaxInt64 {
			t.Errorf("Retry-After: %s: %v, want RetryAfter = math.MaxInt64", header, err)
		}
	}
	resetMock(t)
}

// A rate the core cannot pace fails every message with ErrValidation, and none is sent.
func TestWithRateLimitTheCoreRefuses(t *testing.T) {
	client := mockClient(t)
	for _, rate := range []float64{math.Inf(1), 0.001, math.SmallestNonzeroFloat64} {
		resetMock(t)
		results, err := client.SendMany([]Outgoing{Text("whatsapp", "+15555555555", "hi")},
			WithRateLimit(rate))
		if err != nil || len(results) != 1 || !errors.Is(results[0].Err, ErrValidation) {
			t.Errorf("rate %v: %+v, %v", rate, results, err)
		}
		if n := requestCount(t); n != 0 {
			t.Errorf("rate %v: %d requests", rate, n)
		}
	}
}
