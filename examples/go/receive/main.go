// Command receive is a small webhook receiver: it registers itself for topic "messages",
// then verifies every delivery with connectly.WebhookHandler (403 to a bad signature),
// and exits after the first verified one.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
//	CONNECTLY_BASE_URL=http://127.0.0.1:PORT go run ./receive [READY_FILE]
//
// It listens on 127.0.0.1 (plain http, which Connectly accepts only for the local mock);
// once registered it writes its URL to READY_FILE.
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	url := fmt.Sprintf("http://%s/webhook", listener.Addr())

	verified := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/webhook", connectly.WebhookHandler(os.Getenv("CONNECTLY_WEBHOOK_SECRET"),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			event, _ := connectly.EventFromContext(r.Context())
			fmt.Printf("verified delivery from %s (%s): %s\n", event.Sender.ID, event.Sender.ChannelType, event.Text)
			w.WriteHeader(http.StatusOK)
			select {
			case <-verified:
			default:
				close(verified)
			}
		})))
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go server.Serve(listener)

	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.CreateWebhook(url, "messages"); err != nil {
		log.Fatal(err)
	}
	client.Close()
	fmt.Printf("receiver at %s, registered for topic messages\n", url)
	if len(os.Args) > 1 {
		if err := os.WriteFile(os.Args[1], []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}

	select {
	case <-verified:
	case <-time.After(60 * time.Second):
		log.Fatal("no verified delivery within 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
