// Command quickstart is the README's Go quickstart: a text and a template, and a typed
// error.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... go run ./guides/quickstart
//
// connectly-example: run
package main

// --8<-- [start:quickstart]
import (
	"fmt"
	"log"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	client, err := connectly.NewClientFromEnv() // CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	sent, err := client.SendText("whatsapp", "+15555555555", "Your order has shipped")
	if err != nil {
		log.Fatal(err) // a *connectly.Error: errors.Is(err, connectly.ErrRateLimited), ...
	}
	fmt.Printf("Connectly answered %s after %d attempt(s)\n", sent.Body, sent.Attempts)
	params := []connectly.TemplateParam{{Name: "name", Value: "Ada"}}
	if _, err := client.SendTemplate("+15555555555", "order_update", params); err != nil {
		log.Fatal(err)
	}
}

// --8<-- [end:quickstart]
