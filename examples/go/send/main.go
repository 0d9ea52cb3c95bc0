// Command send sends a WhatsApp text and a template through Connectly.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... go run ./send +15555555555
//
// CONNECTLY_BASE_URL (optional) points it at another server, such as the mock
// (`connectly mock`). Exits non-zero when a call fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		var apiErr *connectly.APIError
		if errors.As(err, &apiErr) {
			fmt.Fprintf(os.Stderr, "  HTTP %d, provider code %s, trace id %s\n", apiErr.Status, apiErr.Code, apiErr.TraceID)
		}
		os.Exit(1)
	}
}

func run() error {
	to := "+15555555555"
	if len(os.Args) > 1 {
		to = os.Args[1]
	}
	client, err := connectly.NewClientFromEnv(connectly.WithTimeout(10 * time.Second))
	if err != nil {
		return err
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := client.SendTextContext(ctx, "whatsapp", to, "Hello from Go!")
	if err != nil {
		return err
	}
	fmt.Printf("text sent: HTTP %d after %d attempt(s), trace id %s\n  body %s\n",
		resp.Status, resp.Attempts, resp.TraceID, resp.Body)

	_, err = client.SendTemplateContext(ctx, to, "order_update", []connectly.TemplateParam{
		{Name: "name", Value: "Ada"},
		{Name: "order", Value: "1042"},
	})
	if err != nil {
		return err
	}
	fmt.Println("template sent")
	return nil
}
