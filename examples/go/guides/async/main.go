// connectly-example: run

// Command async sends many messages at once, one goroutine each, through one Client (a
// goroutine waiting for the API holds no OS thread), then cancels a send through its
// context while its request is in flight (the mock answers slowly on purpose) and reads
// Error.PossiblySent, which says whether Connectly may have received it.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	go run ./guides/async
//
// It needs the mock (`connectly mock`), whose control API it drives with connectlytest to
// make one answer slow; inside the SDK's repository, run it from examples/go with
// -tags connectly_intree. Exits non-zero when a send fails or a cancellation is not
// reported as expected.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/connectly-sdk/connectly-sdk/examples/go/guides/internal/check"
	connectly "github.com/connectly-sdk/connectly-sdk/go"
	"github.com/connectly-sdk/connectly-sdk/go/connectlytest"
)

func main() {
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	customers := make([]string, 200)
	for i := range customers {
		customers[i] = fmt.Sprintf("+1555010%04d", i)
	}

	start := time.Now()
	// --8<-- [start:concurrent]
	// One Client is safe for any number of goroutines, which share its connections.
	errs := make([]error, len(customers))
	var wg sync.WaitGroup
	for i, to := range customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = client.SendTextContext(ctx, "whatsapp", to, "Your order has shipped.")
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("sent %d messages at once\n", len(customers))
	// --8<-- [end:concurrent]
	fmt.Printf("  in %v\n", time.Since(start).Round(time.Millisecond))

	// A context already done: nothing is sent.
	done, cancelNow := context.WithCancel(ctx)
	cancelNow()
	if _, err := client.SendTextContext(done, "whatsapp", "+15555555555", "never sent"); err != context.Canceled {
		log.Fatalf("with a cancelled context: %v, want context.Canceled", err)
	}

	mock := check.Mock()
	check.OK(mock.FailNext(connectlytest.Delay(3 * time.Second))) // the next answer takes 3 s
	// --8<-- [start:cancel]
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	time.AfterFunc(500*time.Millisecond, cancel) // say, the customer closed the page
	_, err = client.SendTextContext(ctx, "whatsapp", "+15555555555", "Still there?")
	var e *connectly.Error
	switch {
	case err == nil:
		fmt.Println("sent before the cancel")
	case errors.Is(err, connectly.ErrCanceled) && errors.As(err, &e) && e.PossiblySent:
		// The request was in flight: Connectly may have it. Check before sending again.
		fmt.Println("cancelled in flight; the message may have been sent:", err)
	case errors.Is(err, context.Canceled):
		fmt.Println("cancelled before the request was written: nothing was sent")
	default:
		log.Fatal(err)
	}
	// --8<-- [end:cancel]
	if e == nil || !e.PossiblySent || !errors.Is(err, context.Canceled) {
		log.Fatalf("a send cancelled in flight: %v, want a possibly sent cancellation", err)
	}
}
