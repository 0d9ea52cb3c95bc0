// connectly-example: run

// Command bulk sends a batch of template messages with SendMany: with bounded concurrency
// and a rate limit, with a progress callback, and resumably with a journal, which it runs
// twice. The first run meets a 503 (made on demand by the mock) for one message; the
// second, standing for a rerun after a crash, sends nothing again: what was sent is reported
// as sent, and the message that may have reached Connectly is reported for checking, not
// sent twice.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	go run ./guides/bulk
//
// It needs the mock (`connectly mock`), whose control API it drives with connectlytest to
// make one send fail and to count what arrived; inside the SDK's repository, run it from examples/go with
// -tags connectly_intree. Exits non-zero when a count is not the one expected.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/connectly-sdk/connectly-sdk/examples/go/guides/internal/check"
	connectly "github.com/connectly-sdk/connectly-sdk/go"
	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

type customer struct{ Phone, Name string }

func main() {
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	customers := make([]customer, 40)
	for i := range customers {
		customers[i] = customer{Phone: fmt.Sprintf("+1555020%04d", i), Name: fmt.Sprintf("Customer %d", i)}
	}

	// --8<-- [start:bulk]
	messages := make([]connectly.Outgoing, len(customers))
	for i, c := range customers {
		messages[i] = connectly.OutgoingTemplate(
			connectly.NewTemplateMessage(c.Phone, "order_update").
				WithLanguage("en").
				WithParam("name", c.Name))
	}
	// At most 8 in flight, at most 100 started per second.
	results, err := client.SendMany(messages, connectly.WithConcurrency(8), connectly.WithRateLimit(100))
	if err != nil {
		log.Fatal(err) // the batch could not be started at all
	}
	for i, r := range results { // in the order of messages
		if r.Err != nil {
			fmt.Printf("%s: %v\n", customers[i].Phone, r.Err)
		}
	}
	// --8<-- [end:bulk]
	if n := countSent(results); n != len(customers) {
		log.Fatalf("%d of %d sent", n, len(customers))
	}
	fmt.Printf("sent %d template messages\n", len(customers))

	var last [3]int
	// --8<-- [start:progress]
	progress := connectly.WithProgress(func(done, failed, total int) {
		// From another thread, one call at a time, done increasing up to total.
		if done%10 == 0 || done == total {
			fmt.Printf("%d of %d done, %d failed\n", done, total, failed)
		}
		last = [3]int{done, failed, total}
	})
	results, err = client.SendMany(messages, progress)
	// --8<-- [end:progress]
	if err != nil {
		log.Fatal(err)
	}
	if n := countSent(results); n != len(customers) || last != [3]int{len(customers), 0, len(customers)} {
		log.Fatalf("%d sent; the last progress call said %v", n, last)
	}

	dir, err := os.MkdirTemp("", "connectly-bulk")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	journalPath := filepath.Join(dir, "order-updates.journal")

	mock := check.Mock()
	check.OK(mock.FailNext(connectlytest.Status(503))) // one of the first run's sends fails
	before := requestsFor(mock, "+1555020")
	first := sendJournaled(client, messages, journalPath)
	sentFirst := requestsFor(mock, "+1555020") - before
	if n := countSent(first); n != len(messages)-1 || sentFirst != len(messages) {
		log.Fatalf("first run: %d sent of %d requests", n, sentFirst)
	}
	fmt.Printf("first run: %d sent, 1 failed with a 503\n", len(messages)-1)

	before = requestsFor(mock, "+1555020")
	second := sendJournaled(client, messages, journalPath)
	possiblySent := 0
	for i, r := range second {
		var e *connectly.Error
		switch {
		case r.Err == nil && r.Response.Attempts == 0:
		case errors.As(r.Err, &e) && e.PossiblySent && errors.Is(first[i].Err, connectly.ErrServer):
			possiblySent++
		default:
			log.Fatalf("second run, message %d: %+v", i, r)
		}
	}
	if sent := requestsFor(mock, "+1555020") - before; sent != 0 || possiblySent != 1 {
		log.Fatalf("second run: %d requests, %d possibly sent; want 0 and 1", sent, possiblySent)
	}
	fmt.Println("second run: nothing sent again")
}

// sendJournaled sends messages with a journal at journalPath.
func sendJournaled(client *connectly.Client, messages []connectly.Outgoing, journalPath string) []connectly.Result {
	// --8<-- [start:journal]
	// Run it again with the same messages and path after a crash, a deploy or a kill:
	// only what never left is sent.
	results, err := client.SendMany(messages, connectly.WithJournal(journalPath))
	if err != nil {
		log.Fatal(err)
	}
	sent, earlier := 0, 0
	for i, r := range results {
		var e *connectly.Error
		switch {
		case r.Err == nil && r.Response.Attempts == 0:
			earlier++ // sent by an earlier run: Response is the one recorded then
		case r.Err == nil:
			sent++
		case errors.As(r.Err, &e) && e.PossiblySent:
			fmt.Printf("message %d may have been sent by an earlier run: check it\n", i)
		default:
			fmt.Printf("message %d failed: %v\n", i, r.Err)
		}
	}
	fmt.Printf("%d sent now, %d by an earlier run\n", sent, earlier)
	// --8<-- [end:journal]
	return results
}

func countSent(results []connectly.Result) int {
	n := 0
	for _, r := range results {
		if r.Err == nil {
			n++
		}
	}
	return n
}

// requestsFor counts the API requests the mock recorded for numbers starting with prefix.
func requestsFor(mock *connectlytest.Mock, prefix string) int {
	n := 0
	for _, r := range check.Must(mock.Requests()) {
		var body struct {
			Number string `json:"number"`
		}
		if r.JSON(&body) == nil && strings.HasPrefix(body.Number, prefix) {
			n++
		}
	}
	return n
}
