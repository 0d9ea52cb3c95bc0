// Command send sends a WhatsApp text, an image with a caption, and a template with a
// language and callback data through Connectly.
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
		var sdkErr *connectly.Error
		switch {
		case errors.As(err, &apiErr):
			fmt.Fprintf(os.Stderr, "  HTTP %d, provider code %s, trace id %s\n", apiErr.Status, apiErr.Code, apiErr.TraceID)
		case errors.As(err, &sdkErr) && sdkErr.Field != "":
			fmt.Fprintf(os.Stderr, "  refused before sending: %s\n", sdkErr.Field)
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

	// An image with a caption: a session message built from the zero Message.
	photo := connectly.Message{}.WithAttachment(
		connectly.Image("https://example.com/receipt.jpg").WithCaption("Your receipt"))
	resp, err = client.SendMessage(ctx, connectly.WhatsApp(to), photo)
	if err != nil {
		return err
	}
	fmt.Printf("image sent: %s\n", resp.Body)

	// A template with its language, parameters in order, and callback data that Connectly
	// echoes in the delivery statuses about it.
	order := connectly.NewTemplateMessage(to, "order_update").
		WithLanguage("en_US").
		WithParam("name", "Ada").
		WithParam("order", "1042").
		WithCallbackData(map[string]int{"orderId": 1042})
	resp, err = client.SendTemplateMessage(ctx, order)
	if err != nil {
		return err
	}
	fmt.Printf("template sent: %s\n", resp.Body)
	return nil
}
