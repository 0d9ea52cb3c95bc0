// connectly-example: run

// Command errors shows the errors a call can return and what each means: input refused
// before anything is sent (a typed *connectly.Error naming the field), errors the API
// answered (an *connectly.APIError, matched with errors.Is on its kind), and the retry
// settings, with what is never retried because the message may have been sent.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	go run ./guides/errors
//
// It needs the mock (`connectly mock`), whose control API it drives with connectlytest to
// make the API fail on demand (a 429, a 503, a dropped connection, a slow answer); inside the
// SDK's repository, run it from examples/go with -tags connectly_intree. Exits non-zero
// when an error is not the one expected.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/connectly-sdk/connectly-sdk/examples/go/guides/internal/check"
	connectly "github.com/connectly-sdk/connectly-sdk/go"
	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

// --8<-- [start:api_errors]
// explain says what to do about a failed call.
func explain(err error) string {
	var apiErr *connectly.APIError
	switch {
	case errors.Is(err, connectly.ErrValidation):
		return "fix the input: nothing was sent"
	case errors.Is(err, connectly.ErrAuthentication):
		return "check CONNECTLY_API_KEY"
	case errors.Is(err, connectly.ErrRateLimited) && errors.As(err, &apiErr):
		return fmt.Sprintf("rate limited: try again in %v", apiErr.RetryAfter)
	case errors.Is(err, connectly.ErrServer) && errors.As(err, &apiErr):
		return fmt.Sprintf("Connectly failed (HTTP %d, trace id %s): it may have the message",
			apiErr.Status, apiErr.TraceID)
	case errors.As(err, &apiErr): // ErrAPI: any other refusal
		return fmt.Sprintf("refused: HTTP %d %s: %s", apiErr.Status, apiErr.Code, apiErr.Message)
	case connectly.PossiblySent(err): // a timeout or a broken connection after the request
		return "no answer: the message may have been sent; check before resending"
	case errors.Is(err, connectly.ErrTimeout), errors.Is(err, connectly.ErrTransport):
		return "no answer, and the request never reached Connectly: safe to send again"
	default:
		return err.Error()
	}
}

// --8<-- [end:api_errors]

func main() {
	client, err := connectly.NewClientFromEnv(connectly.WithMaxRetries(0))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	mock := check.Mock()
	before := requestCount(mock)

	// --8<-- [start:validation]
	// An attachment must be at an https URL: refused before any byte is sent.
	receipt := connectly.Image("http://example.com/receipt.jpg")
	_, err = client.SendMessage(ctx, connectly.WhatsApp("+15555555555"),
		connectly.Message{}.WithAttachment(receipt))
	var invalid *connectly.Error
	if errors.As(err, &invalid) && errors.Is(err, connectly.ErrValidation) {
		fmt.Printf("refused: %v (field %q, %d requests made)\n", err, invalid.Field, invalid.Attempts)
	}
	// --8<-- [end:validation]
	if invalid == nil || invalid.Field == "" || invalid.Attempts != 0 {
		log.Fatalf("expected a validation error naming its field, got %v", err)
	}
	if n := requestCount(mock); n != before {
		log.Fatalf("a refused message reached the mock (%d requests)", n-before)
	}

	// Errors the API answered, each read with explain.
	wrongKey, err := connectly.NewClient("not-the-key", os.Getenv("CONNECTLY_BUSINESS_ID"),
		connectly.WithBaseURL(os.Getenv("CONNECTLY_BASE_URL")))
	if err != nil {
		log.Fatal(err)
	}
	defer wrongKey.Close()
	_, err = wrongKey.SendText("whatsapp", "+15555555555", "hello")
	show("wrong API key", err, connectly.ErrAuthentication, "check CONNECTLY_API_KEY")

	_, err = client.SendText("whatsapp", "+1555", "hello")
	show("too short a number", err, connectly.ErrValidation, "nothing was sent")

	_, err = client.DeleteWebhook(ctx, "wh_no_such_registration")
	show("deleting an unknown registration", err, connectly.ErrAPI, "HTTP 404")

	check.OK(mock.FailNext(connectlytest.Status(429).WithRetryAfter("7")))
	_, err = client.SendText("whatsapp", "+15555555555", "hello")
	show("429 with Retry-After: 7", err, connectly.ErrRateLimited, "try again in 7s")

	check.OK(mock.FailNext(connectlytest.Status(503)))
	_, err = client.SendText("whatsapp", "+15555555555", "hello")
	show("503", err, connectly.ErrServer, "it may have the message")

	retries(ctx, mock)
}

// retries shows the retry settings: what is retried, and what never is.
func retries(ctx context.Context, mock *connectlytest.Mock) {
	check.OK(mock.FailNext(connectlytest.Status(429).WithRetryAfter("1"))) // the first attempt is rate limited

	// --8<-- [start:retries]
	// Each attempt may take 5 s; a failed one is retried up to 3 times (the default is 2),
	// but only when the request provably never reached Connectly, or when the API answered
	// 429 (after the wait it asks for). A timeout, a connection lost after the request was
	// written or a 5xx is never retried: Connectly may have the message, and a retry
	// could send it twice.
	client, err := connectly.NewClientFromEnv(
		connectly.WithTimeout(5*time.Second),
		connectly.WithMaxRetries(3),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	resp, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "Your code is 1234")
	if err != nil {
		log.Fatal(explain(err))
	}
	fmt.Printf("sent after %d attempts\n", resp.Attempts)
	// --8<-- [end:retries]
	if resp.Attempts != 2 {
		log.Fatalf("a 429 then a success took %d attempts, want 2", resp.Attempts)
	}

	// Never sent twice: each of these failures happens after the request was written.
	for _, failure := range []connectlytest.Failure{
		connectlytest.Status(503), connectlytest.Drop(), connectlytest.Delay(8 * time.Second),
	} {
		before := requestCount(mock)
		check.OK(mock.FailNext(failure))
		_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "Your code is 1234")
		attempts := -1
		var apiErr *connectly.APIError
		var sdkErr *connectly.Error
		switch {
		case errors.As(err, &apiErr):
			attempts = apiErr.Attempts
		case errors.As(err, &sdkErr):
			attempts = sdkErr.Attempts
		}
		if requests := requestCount(mock) - before; attempts != 1 || requests != 1 {
			log.Fatalf("after %s: %v, %d attempts, %d requests; want one", failure, err, attempts, requests)
		}
		if !connectly.PossiblySent(err) {
			log.Fatalf("after %s: %v is not reported as possibly sent", failure, err)
		}
		fmt.Printf("after %s: %s (not retried)\n", failure, explain(err))
	}
}

// show prints what explain says about err, and checks that err is of the kind want and
// that explain's text holds hint.
func show(what string, err error, want error, hint string) {
	text := explain(err)
	fmt.Printf("%s: %s\n", what, text)
	if !errors.Is(err, want) || !strings.Contains(text, hint) {
		log.Fatalf("%s: got %v (%q), want %v", what, err, text, want)
	}
}

// requestCount is how many API requests the mock recorded.
func requestCount(mock *connectlytest.Mock) int {
	return len(check.Must(mock.Requests()))
}
