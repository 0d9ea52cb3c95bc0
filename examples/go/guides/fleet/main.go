// connectly-example: run

// Command fleet shows what a fleet of workers shares through Redis: one send budget
// (NewRedisRateLimiter), webhook deliveries handled once whichever receiver each copy
// reaches (NewRedisDeduplicator), and delivery statuses kept in order across receivers
// (NewRedisStatusTracker). Two workers stand for two processes: each makes its own limiter,
// deduplicator and tracker from the same REDIS_URL, as separate processes would.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_WEBHOOK_SECRET=... \
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./guides/fleet
//
// Inside the SDK's repository, run it from examples/go with -tags connectly_intree, against
// the mock (`connectly mock`) and a redis-server. Exits non-zero when the workers did not
// share what they should.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	if os.Getenv("REDIS_URL") == "" {
		log.Fatal("set REDIS_URL, such as redis://127.0.0.1:6379/0")
	}
	budget()
	deliveries()
	statuses()
}

// newWorkerClient is the client of one worker of the fleet.
func newWorkerClient() *connectly.Client {
	// --8<-- [start:rate_limiter]
	// 20 sends a second for the whole fleet (5 at once after a pause), shared through
	// Redis; while Redis does not answer, each of the 2 workers sends at half the rate.
	limiter, err := connectly.NewRedisRateLimiter(os.Getenv("REDIS_URL"), 20,
		connectly.WithBurst(5), connectly.WithFallbackShare(0.5))
	if err != nil {
		log.Fatal(err)
	}
	defer limiter.Close() // the client keeps what it needs of the budget
	client, err := connectly.NewClientFromEnv(connectly.WithRateLimiter(limiter))
	if err != nil {
		log.Fatal(err)
	}
	// --8<-- [end:rate_limiter]
	return client
}

// budget has two workers send 15 messages each at once: 30 sends in one budget of 20 a
// second (burst 5) take at least (30-5)/20 = 1.25 s, where each worker alone would take
// 0.5 s.
func budget() {
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := 0; w < 2; w++ {
		client := newWorkerClient()
		defer client.Close()
		for i := 0; i < 15; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := fmt.Sprintf("+1555030%02d%02d", w, i)
				if _, err := client.SendTextContext(context.Background(), "whatsapp", to, "Your order has shipped."); err != nil {
					log.Print(err)
					failed.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("two workers sent 30 messages within one budget of 20 a second in %v\n", elapsed.Round(time.Millisecond))
	if failed.Load() > 0 || elapsed < time.Second {
		log.Fatalf("%d failed; %v is too fast for one shared budget", failed.Load(), elapsed)
	}
}

// newReceiver is the webhook endpoint of one worker of the fleet: handle runs for each
// verified delivery.
func newReceiver(handle http.HandlerFunc) http.Handler {
	// --8<-- [start:deduplicator]
	// Every receiver claims each delivery in the same Redis before handle runs: a copy
	// Connectly sends again, to this worker or another, is answered 200 without running
	// handle (409 while the first copy is still being handled, so Connectly tries later).
	dedup, err := connectly.NewRedisDeduplicator(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	webhook, err := connectly.NewWebhook(os.Getenv("CONNECTLY_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	return webhook.Handler(handle, connectly.WithDeduplicator(dedup))
	// --8<-- [end:deduplicator]
}

// deliveries posts the same signed delivery to two receivers: it is handled once.
func deliveries() {
	var handled atomic.Int32
	handle := func(w http.ResponseWriter, r *http.Request) {
		event, _ := connectly.EventFromContext(r.Context())
		handled.Add(1)
		fmt.Printf("handled the message %q\n", event.Text)
	}
	workers := []http.Handler{newReceiver(handle), newReceiver(handle)}

	// A delivery as Connectly signs it, unique to this run.
	body := fmt.Sprintf(`{"timestamp":"%d","sender":{"id":"+15555550100","channelType":"whatsapp"},`+
		`"recipient":{"id":"+15555550000","channelType":"whatsapp"},"message":{"text":"order %d, please"}}`,
		time.Now().Unix(), time.Now().UnixNano())
	signer, err := connectly.NewWebhook(os.Getenv("CONNECTLY_WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	defer signer.Close()
	signature, err := signer.Sign([]byte(body))
	if err != nil {
		log.Fatal(err)
	}
	for i, worker := range workers {
		req := httptest.NewRequest("POST", "/webhook", strings.NewReader(body))
		req.Header.Set(connectly.SignatureHeader, signature)
		answer := httptest.NewRecorder()
		worker.ServeHTTP(answer, req)
		fmt.Printf("the copy sent to worker %d was answered %d\n", i+1, answer.Code)
		if answer.Code != http.StatusOK {
			log.Fatalf("worker %d answered %d: %s", i+1, answer.Code, answer.Body)
		}
	}
	if n := handled.Load(); n != 1 {
		log.Fatalf("the delivery was handled %d times, want once", n)
	}
}

// statuses has two receivers each get one status of the same message, out of order.
func statuses() {
	id := fmt.Sprintf("fleet-guide-%d", time.Now().UnixNano())

	// --8<-- [start:status_store]
	// Every receiver records statuses in the same Redis, so a message ends at its furthest
	// status whichever worker each status reached, and in whatever order.
	tracker, err := connectly.NewRedisStatusTracker(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer tracker.Close()
	record := func(s *connectly.DeliveryStatus) {
		if !tracker.Advance(s.MessageID, s.Status) {
			fmt.Printf("message %s: %s is not news\n", s.MessageID, s.Status)
			return
		}
		fmt.Printf("message %s is now %s\n", s.MessageID, s.Status)
	}
	// --8<-- [end:status_store]

	other, err := connectly.NewRedisStatusTracker(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	record(&connectly.DeliveryStatus{MessageID: id, Status: connectly.StatusRead})
	if other.Advance(id, connectly.StatusDelivered) {
		log.Fatal("the other worker took a late delivered for news: is Redis reachable?")
	}
	fmt.Printf("message %s: the other worker's late %s is not news\n", id, connectly.StatusDelivered)
	if status, _ := other.Status(id); status != connectly.StatusRead {
		log.Fatalf("the other worker sees %q, want read", status)
	}
}
