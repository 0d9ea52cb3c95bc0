// connectly-example: receiver

// Command receive_nethttp is a webhook receiver on net/http: the package's middleware
// verifies each delivery's signature over the raw body and parses it only then; the
// handler reads the event typed (an inbound message, a delivery status, or another topic)
// and feeds delivery statuses to a StatusTracker, so that a late or repeated status never
// moves a message backwards. At start-up it upserts its registrations for the topics
// "messages" and "delivery_status"; it serves until SIGTERM or Ctrl-C.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... PORT=8080 \
//	CONNECTLY_BASE_URL=http://127.0.0.1:MOCKPORT go run ./guides/receive_nethttp
//
// It listens on 127.0.0.1:$PORT, path /webhook (plain http, which Connectly accepts only for
// the local mock: in production the address is your https one). Inside the SDK's
// repository, run it from examples/go with -tags connectly_intree. Try it with the mock:
// `connectly mock deliver --text hello`, and for a message sent with `connectly send-text`,
// `connectly mock deliver --status delivered --for ID`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// --8<-- [start:events]
// handle is called only for a verified delivery, with its event in the request's context.
// Answering 200 (writing nothing does) tells Connectly the delivery arrived.
func handle(w http.ResponseWriter, r *http.Request) {
	event, _ := connectly.EventFromContext(r.Context())
	switch {
	case event.Message != nil:
		m := event.Message
		switch {
		case m.Text != nil:
			fmt.Printf("message from %s: %s\n", event.Sender.ID, *m.Text)
		case m.Attachment != nil:
			fmt.Printf("%s from %s at %s\n", m.Attachment.Type, event.Sender.ID, m.Attachment.URL)
		case m.ButtonReply != nil && m.ButtonReply.ID != nil:
			fmt.Printf("%s tapped button %s\n", event.Sender.ID, *m.ButtonReply.ID)
		}
	case event.Status != nil:
		recordStatus(event.Status)
	default:
		fmt.Printf("event of topic %s, %d bytes\n", event.Topic, len(event.Raw))
	}
}

// --8<-- [end:events]

// --8<-- [start:statuses]
// tracker keeps the furthest status per message; connectly.NewRedisStatusTracker(url)
// shares it across a fleet of receivers.
var tracker = connectly.NewStatusTracker()

func recordStatus(s *connectly.DeliveryStatus) {
	if !tracker.Advance(s.MessageID, s.Status) {
		fmt.Printf("message %s: %s is not news (already further)\n", s.MessageID, s.Status)
		return
	}
	fmt.Printf("message %s is now %s\n", s.MessageID, s.Status)
	if s.Error != nil && s.Error.Code != nil {
		fmt.Printf("message %s failed: %s\n", s.MessageID, *s.Error.Code)
	}
}

// --8<-- [end:statuses]

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		log.Fatal("set PORT, the port to listen on")
	}
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	// --8<-- [start:register]
	address := "http://127.0.0.1:" + port + "/webhook"
	for _, topic := range []string{connectly.TopicMessages, connectly.TopicDeliveryStatus} {
		// Creates the registration, or moves the topic's existing one here.
		if _, err := client.UpsertWebhook(ctx, address, topic, nil); err != nil {
			log.Fatalf("registering for %s: %v", topic, err)
		}
	}
	// --8<-- [end:register]
	checkRegistered(ctx, client, address)

	// --8<-- [start:verify]
	webhook, err := connectly.NewWebhook(os.Getenv("CONNECTLY_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err) // no secret: ErrInvalidSecret
	}
	defer webhook.Close()
	mux := http.NewServeMux()
	// The middleware reads the raw body, verifies its signature and only then parses it
	// and calls handle. A missing or wrong signature is answered 403, a signed body that
	// is not an event 400, a GET 405.
	mux.Handle("/webhook", webhook.Handler(http.HandlerFunc(handle)))
	// --8<-- [end:verify]

	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	fmt.Printf("receiving on %s\n", address)
	if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	fmt.Println("stopped")
}

// checkRegistered checks that both topics are registered to address.
func checkRegistered(ctx context.Context, client *connectly.Client, address string) {
	webhooks, err := client.ListWebhooks(ctx)
	if err != nil {
		log.Fatal(err)
	}
	registered := map[string]bool{}
	for _, w := range webhooks {
		registered[w.Topic] = registered[w.Topic] || w.Address == address
	}
	if !registered[connectly.TopicMessages] || !registered[connectly.TopicDeliveryStatus] {
		log.Fatalf("not registered for both topics at %s: %+v", address, webhooks)
	}
}
