// Command receive is a small webhook receiver: it registers itself for the topics "messages"
// and "delivery_status" (UpsertWebhook: whichever way Connectly answers a second
// registration) and lists the registrations, then receives each delivery through
// Webhook.Handler (the SDK's receiving policy: 200 when it verifies; 405, 413, 415, 400 or
// 403 otherwise), reading each event typed, until one inbound message and one delivery
// status have arrived; then it deletes its registrations.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
//	CONNECTLY_BASE_URL=http://127.0.0.1:PORT go run ./receive [READY_FILE]
//
// It listens on 127.0.0.1 (plain http, which Connectly accepts only for the local mock);
// once registered it writes its URL to READY_FILE. Exits 0 after a verified message and a
// verified delivery status.
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// topics are the topics the receiver registers for.
var topics = []string{connectly.TopicMessages, connectly.TopicDeliveryStatus}

// arrivals closes one channel per kind of event the first time one arrives.
type arrivals struct {
	message, status         chan struct{}
	messageOnce, statusOnce sync.Once
}

// show prints a verified event, typed by its topic, and records its kind's arrival.
func (a *arrivals) show(event *connectly.Event, tracker *connectly.StatusTracker) {
	switch {
	case event.Status != nil:
		s := event.Status
		data := "(none)"
		if event.CallbackData != nil {
			data = string(event.CallbackData)
		}
		news := ""
		if !tracker.Advance(s.MessageID, s.Status) {
			news = " (not news: already further)"
		}
		fmt.Printf("verified delivery status: message %s is %s, callback data %s%s\n",
			s.MessageID, s.Status, data, news)
		if e := s.Error; e != nil {
			fmt.Printf("  failed: %s (trace id %s)\n", orDash(e.Code), orDash(e.TraceID))
		}
		a.statusOnce.Do(func() { close(a.status) })
	case event.Message != nil:
		m := event.Message
		if at := m.Attachment; at != nil {
			fmt.Printf("verified delivery from %s (%s): attachment %s at %s\n",
				event.Sender.ID, event.Sender.ChannelType, at.Type, at.URL)
		} else {
			text := "(no text)"
			if m.Text != nil {
				text = *m.Text
			}
			fmt.Printf("verified delivery from %s (%s): %s\n", event.Sender.ID, event.Sender.ChannelType, text)
		}
		a.messageOnce.Do(func() { close(a.message) })
	default:
		fmt.Printf("verified delivery of topic %s from %s\n", event.Topic, event.Sender.ID)
	}
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// register upserts the registrations for every topic and prints them as listed.
func register(ctx context.Context, client *connectly.Client, url string) error {
	for _, topic := range topics {
		if _, err := client.UpsertWebhook(ctx, url, topic, nil); err != nil {
			return fmt.Errorf("register %s: %w", topic, err)
		}
	}
	fmt.Printf("receiver at %s, registered for topics messages and delivery_status\n", url)
	registrations, err := client.ListWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, w := range registrations {
		fmt.Printf("registered: %s -> %s (id %s)\n", w.Topic, w.Address, w.ID)
	}
	return nil
}

// unregister deletes the registrations whose address is url.
func unregister(ctx context.Context, client *connectly.Client, url string) error {
	registrations, err := client.ListWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, w := range registrations {
		if w.Address != url {
			continue
		}
		if _, err := client.DeleteWebhook(ctx, w.ID); err != nil {
			return fmt.Errorf("delete %s: %w", w.ID, err)
		}
		fmt.Printf("deleted registration %s\n", w.ID)
	}
	return nil
}

func main() {
	webhook, err := connectly.NewWebhook(os.Getenv("CONNECTLY_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	defer webhook.Close()
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := fmt.Sprintf("http://%s/webhook", listener.Addr())

	tracker := connectly.NewStatusTracker()
	got := &arrivals{message: make(chan struct{}), status: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle("/webhook", webhook.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		event, _ := connectly.EventFromContext(r.Context())
		got.show(event, tracker)
	})))
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := register(ctx, client, url); err != nil {
		log.Fatal(err)
	}
	if len(os.Args) > 1 {
		if err := os.WriteFile(os.Args[1], []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}

	timeout := time.After(60 * time.Second)
	for _, arrived := range []chan struct{}{got.message, got.status} {
		select {
		case <-arrived:
		case <-timeout:
			log.Fatal("no verified message and delivery status within 60 s")
		}
	}
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = server.Shutdown(shutdown)
	if err := unregister(shutdown, client, url); err != nil {
		log.Fatal(err)
	}
}
