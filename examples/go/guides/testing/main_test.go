// connectly-example: test

// Package shipping_test tests code that sends through Connectly against the mock
// Connectly: each test starts its own `connectly mock` (the SDK's command-line tool, found
// as CONNECTLY_BIN or on PATH) with the connectlytest package, asserts on the requests the
// mock received and makes the mock fail on demand.
//
//	CONNECTLY_BIN=/path/to/connectly go test ./guides/testing
//
// Inside the SDK's repository, run it from examples/go with -tags connectly_intree (the
// binary is target/debug/connectly, which `make lib-debug` builds).
package shipping_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

// notifyShipped is the code under test; in a program it lives in a package of its own.
func notifyShipped(ctx context.Context, client *connectly.Client, phone, order string) error {
	text := "Order " + order + " has shipped."
	_, err := client.SendMessage(ctx, connectly.WhatsApp(phone), connectly.Message{}.WithText(text))
	return err
}

// --8<-- [start:mock]
// newMock starts a mock Connectly for one test, stopped when the test ends, and a client
// of it.
func newMock(t *testing.T) (*connectlytest.Mock, *connectly.Client) {
	t.Helper()
	mock := connectlytest.Start(t) // or mock.Setenv(t) for connectly.NewClientFromEnv
	client, err := connectly.NewClient(mock.APIKey(), mock.BusinessID(), connectly.WithBaseURL(mock.URL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return mock, client
}

// --8<-- [end:mock]

// --8<-- [start:assert]
func TestNotifyShipped(t *testing.T) {
	mock, client := newMock(t)
	if err := notifyShipped(context.Background(), client, "+15555550100", "1042"); err != nil {
		t.Fatal(err)
	}
	requests, err := mock.Requests() // every API request, oldest first
	if err != nil {
		t.Fatal(err)
	}
	var sent any
	want := map[string]any{ // the JSON sent, exactly
		"recipient": map[string]any{"id": "+15555550100", "channelType": "whatsapp"},
		"message":   map[string]any{"text": "Order 1042 has shipped."},
	}
	if len(requests) != 1 || requests[0].Path != "/v1/businesses/"+mock.BusinessID()+"/send/messages" ||
		requests[0].JSON(&sent) != nil || !reflect.DeepEqual(sent, want) {
		t.Errorf("the mock received %v; the body sent: %v", requests, sent)
	}
	// The sends it accepted, with the ids delivery statuses name (mock.DeliverStatus).
	if messages, err := mock.Messages(); err != nil || len(messages) != 1 {
		t.Errorf("the mock accepted %+v (%v)", messages, err)
	}
}

// --8<-- [end:assert]

// --8<-- [start:failures]
func TestNotifyShippedWhenConnectlyFails(t *testing.T) {
	mock, client := newMock(t)
	ctx := context.Background()
	// Each API request pops one failure: the next three are answered 503, with a dropped
	// connection, then 429.
	err := mock.FailNext(connectlytest.Status(503), connectlytest.Drop(), connectlytest.Status(429).WithRetryAfter("1"))
	if err != nil {
		t.Fatal(err)
	}

	err = notifyShipped(ctx, client, "+15555550100", "1042")
	var apiErr *connectly.APIError
	if !errors.Is(err, connectly.ErrServer) || !errors.As(err, &apiErr) || apiErr.Attempts != 1 {
		t.Fatalf("after a 503: %v; want ErrServer, not retried (the message may have been sent)", err)
	}
	// A connection lost once the request was sent is not retried either.
	if err := notifyShipped(ctx, client, "+15555550100", "1043"); !errors.Is(err, connectly.ErrTransport) {
		t.Fatalf("after a dropped connection: %v; want ErrTransport", err)
	}
	// A 429 is retried, after the wait the API asks for.
	if err := notifyShipped(ctx, client, "+15555550100", "1044"); err != nil {
		t.Fatalf("after a 429: %v; want it retried", err)
	}
	if requests, err := mock.Requests(); err != nil || len(requests) != 4 {
		t.Errorf("the mock received %v (%v), want 4: the 503; the dropped one; the 429 and its retry", requests, err)
	}
}

// --8<-- [end:failures]
