// connectly-example: run

// Command webhooks manages webhook registrations: it creates one for the topic "messages"
// with a configuration, lists the registrations, upserts one for "delivery_status" (twice,
// the second time with the mock answering a second registration with 409, as one of
// Connectly's pages says the API does), and deletes its own registrations again, checking
// the list after each step.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	go run ./guides/webhooks
//
// Inside the SDK's repository, run it from examples/go with -tags connectly_intree, against
// the mock (`connectly mock`). It replaces whatever the mock had registered for the two
// topics, and leaves no registration behind. Exits non-zero when a call fails or the list
// is not as expected.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"

	"github.com/connectly-sdk/connectly-sdk/examples/go/guides/internal/check"
	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// prefix starts the address of every registration this program makes.
const prefix = "https://example.com/connectly/"

func main() {
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	// --8<-- [start:create]
	resp, err := client.CreateWebhookWith(ctx, connectly.WebhookRegistration{
		Address: "https://example.com/connectly/messages",
		Topic:   connectly.TopicMessages,
		// Optional: only WhatsApp messages, and not the business's own.
		Configuration: map[string]any{"channelTypes": []string{"whatsapp"}, "echo": false},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("registered: %s\n", resp.Body)
	// --8<-- [end:create]
	expect(client, map[string]string{connectly.TopicMessages: prefix + "messages"})

	// --8<-- [start:list]
	webhooks, err := client.ListWebhooks(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range webhooks {
		fmt.Printf("%s: %s -> %s, configuration %s\n", w.ID, w.Topic, w.Address, w.Configuration)
	}
	// --8<-- [end:list]
	checkConfiguration(webhooks)

	// --8<-- [start:upsert]
	// Registers the address for the topic whether or not the topic has one already:
	// a second registration replaces the first, or the API answers 409 and UpsertWebhook
	// updates the existing one. Either way, one registration per topic.
	_, err = client.UpsertWebhook(ctx, "https://example.com/connectly/statuses",
		connectly.TopicDeliveryStatus, nil)
	if err != nil {
		log.Fatal(err)
	}
	// --8<-- [end:upsert]
	expect(client, map[string]string{
		connectly.TopicMessages:       prefix + "messages",
		connectly.TopicDeliveryStatus: prefix + "statuses",
	})
	// Again, to another address, with the mock refusing a second registration with 409.
	restore := conflictMode(true)
	_, err = client.UpsertWebhook(ctx, prefix+"statuses-v2", connectly.TopicDeliveryStatus, nil)
	restore()
	if err != nil {
		log.Fatal(err)
	}
	expect(client, map[string]string{
		connectly.TopicMessages:       prefix + "messages",
		connectly.TopicDeliveryStatus: prefix + "statuses-v2",
	})
	fmt.Println("upserted the delivery_status registration twice: still one, at the new address")

	// --8<-- [start:delete]
	webhooks, err = client.ListWebhooks(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range webhooks {
		if !strings.HasPrefix(w.Address, "https://example.com/connectly/") {
			continue // not ours
		}
		if _, err := client.DeleteWebhook(ctx, w.ID); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("deleted %s (%s)\n", w.ID, w.Topic)
	}
	// --8<-- [end:delete]
	expect(client, map[string]string{})
	fmt.Println("no registration left behind")
}

// expect checks that this program's registrations are exactly want (topic -> address).
func expect(client *connectly.Client, want map[string]string) {
	webhooks, err := client.ListWebhooks(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	got := map[string]string{}
	for _, w := range webhooks {
		if !strings.HasPrefix(w.Address, prefix) {
			continue
		}
		if _, twice := got[w.Topic]; twice {
			log.Fatalf("two registrations for %s", w.Topic)
		}
		got[w.Topic] = w.Address
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		log.Fatalf("registrations: got %v, want %v", got, want)
	}
}

// checkConfiguration checks that the messages registration lists the configuration given.
func checkConfiguration(webhooks []connectly.WebhookInfo) {
	for _, w := range webhooks {
		if w.Topic != connectly.TopicMessages {
			continue
		}
		var config struct {
			ChannelTypes []string `json:"channelTypes"`
			Echo         *bool    `json:"echo"`
		}
		if err := json.Unmarshal(w.Configuration, &config); err != nil ||
			fmt.Sprint(config.ChannelTypes) != "[whatsapp]" || config.Echo == nil || *config.Echo {
			log.Fatalf("the messages registration lists the configuration %s", w.Configuration)
		}
		return
	}
	log.Fatal("no messages registration listed")
}

// conflictMode turns the mock's conflict mode (a second registration of a topic answers 409)
// on or off through its control API, and returns what sets it back.
func conflictMode(enabled bool) (restore func()) {
	mock := check.Mock()
	before := check.Must(mock.WebhookConflicts())
	check.OK(mock.SetWebhookConflicts(enabled))
	return func() {
		check.OK(mock.SetWebhookConflicts(before))
	}
}
