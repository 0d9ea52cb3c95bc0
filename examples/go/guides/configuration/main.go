// connectly-example: run

// Command configuration makes clients the two ways the package offers: from the
// environment (CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID, CONNECTLY_BASE_URL) and with every
// setting given explicitly (key, business, base URL, timeout, retries). It checks that
// invalid settings are refused when the client is made, and that neither printing a client
// nor its errors nor its log records show the API key.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... go run ./guides/configuration
//
// CONNECTLY_BASE_URL (optional) points it at another server, such as the mock
// (`connectly mock`); inside the SDK's repository, run it from examples/go with
// -tags connectly_intree. Exits non-zero when a check fails.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	ctx := context.Background()
	fromEnv(ctx)

	// Settings from wherever your program keeps them (here, the same variables).
	apiKey, businessID := os.Getenv("CONNECTLY_API_KEY"), os.Getenv("CONNECTLY_BUSINESS_ID")
	baseURL := os.Getenv("CONNECTLY_BASE_URL")
	if baseURL == "" {
		baseURL = "https://api.connectly.ai"
	}
	explicit(ctx, apiKey, businessID, baseURL)
	refused(apiKey, businessID)
	secrets(ctx, apiKey, businessID, baseURL)
}

// fromEnv makes a client from the environment and sends a text with it.
func fromEnv(ctx context.Context) {
	// --8<-- [start:from_env]
	// CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID, and CONNECTLY_BASE_URL when set (the
	// default is https://api.connectly.ai). Options given here override the environment.
	client, err := connectly.NewClientFromEnv(connectly.WithTimeout(10 * time.Second))
	if err != nil {
		log.Fatal(err) // a variable missing or invalid: ErrConfig or ErrValidation
	}
	defer client.Close()
	// --8<-- [end:from_env]
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "from the environment"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("a client from the environment sent a text")
}

// explicit makes a client with every setting given, and sends a text with it.
func explicit(ctx context.Context, apiKey, businessID, baseURL string) {
	// --8<-- [start:explicit]
	client, err := connectly.NewClient(apiKey, businessID,
		connectly.WithBaseURL(baseURL),       // default https://api.connectly.ai
		connectly.WithTimeout(5*time.Second), // each attempt's limit; default 30 s
		connectly.WithMaxRetries(1),          // 0 to 10; default 2
	)
	if err != nil {
		log.Fatal(err) // an invalid setting, refused before anything is sent
	}
	defer client.Close()
	// --8<-- [end:explicit]
	if _, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "explicitly"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("an explicitly configured client sent a text")
}

// refused checks that invalid settings are refused when the client is made.
func refused(apiKey, businessID string) {
	for _, c := range []struct {
		what string
		opt  connectly.Option
		want error
	}{
		{"a zero timeout", connectly.WithTimeout(0), connectly.ErrConfig},
		{"11 retries", connectly.WithMaxRetries(11), connectly.ErrConfig},
		{"plain http to a remote host", connectly.WithBaseURL("http://api.example.com"), connectly.ErrValidation},
	} {
		_, err := connectly.NewClient(apiKey, businessID, c.opt)
		if !errors.Is(err, c.want) {
			log.Fatalf("%s: %v, want %v", c.what, err, c.want)
		}
		fmt.Printf("%s is refused: %v\n", c.what, err)
	}
}

// secrets shows what printing a client and an error shows, and checks that neither they
// nor the log records of a call quote the key or the message.
func secrets(ctx context.Context, apiKey, businessID, baseURL string) {
	client, err := connectly.NewClient(apiKey, businessID, connectly.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// --8<-- [start:secrets]
	// The settings live in the core's memory, not in the Go value: printing a client
	// shows a handle, and no error message or log record (WithLogger) quotes the API key,
	// a webhook secret or a message's content.
	fmt.Printf("client: %+v\n", client) // &{s:0xc000...}
	wrong, err := connectly.NewClient("not-the-key", businessID, connectly.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}
	defer wrong.Close()
	_, err = wrong.SendTextContext(ctx, "whatsapp", "+15555555555", "a private message")
	fmt.Println("error:", err) // the key was refused; not what it was
	// --8<-- [end:secrets]

	shown := fmt.Sprintf("%v %+v %#v %v %+v %#v", client, client, client, wrong, wrong, err)
	if !errors.Is(err, connectly.ErrAuthentication) {
		log.Fatalf("a wrong key: %v, want ErrAuthentication", err)
	}

	// The log records of the same call, captured.
	var records syncBuffer
	logger := slog.New(slog.NewTextHandler(&records, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logged, err := connectly.NewClient("not-the-key", businessID, connectly.WithBaseURL(baseURL),
		connectly.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer logged.Close()
	_, _ = logged.SendTextContext(ctx, "whatsapp", "+15555555555", "a private message")
	// Log records arrive shortly after the call they record.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(records.String(), "msg=failed"); {
		if time.Now().After(deadline) {
			log.Fatalf("no log record of the failure: %q", records.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Print("its log records:\n", records.String())
	for _, secret := range []string{apiKey, "not-the-key", "a private message"} {
		if strings.Contains(shown, secret) || strings.Contains(records.String(), secret) {
			log.Fatalf("%q was shown", secret)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutine and this one.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
