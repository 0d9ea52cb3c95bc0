// connectly-example: run

// Command install checks an installation of the Go package: it prints the version of the
// SDK's core library and makes a client from the environment, then sends one text through
// it to show the client works.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... go run ./guides/install
//
// CONNECTLY_BASE_URL (optional) points it at another server, such as the mock
// (`connectly mock`). Exits non-zero when anything is wrong.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"regexp"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	// --8<-- [start:version]
	fmt.Println("connectly core library", connectly.Version())
	// --8<-- [end:version]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(connectly.Version()) {
		log.Fatalf("the version %q is not MAJOR.MINOR.PATCH", connectly.Version())
	}

	// --8<-- [start:client]
	// CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID and, optionally, CONNECTLY_BASE_URL.
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err) // a missing variable is an ErrConfig or ErrValidation
	}
	defer client.Close()
	// --8<-- [end:client]

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "Installed!")
	if err != nil {
		log.Fatal(err)
	}
	var sent struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &sent); err != nil || sent.ID == "" || resp.Status != 200 {
		log.Fatalf("unexpected answer: HTTP %d %s", resp.Status, resp.Body)
	}
	fmt.Printf("the client works: a text was sent, message id %s\n", sent.ID)
}
