// Command fleet-receiver is one receiver of the cross-language fleet test: the Go
// middleware (connectly.WebhookHandler) with a deduplicator on a Redis shared with the other
// receivers (connectly.WithDeduplicator, connectly.NewRedisDeduplicator), so that a delivery
// posted to several of them is handled once.
//
//	CONNECTLY_WEBHOOK_SECRET=... fleet-receiver -redis redis://127.0.0.1:6379/0 -out handled.txt
//
// Build (from the repository's root): `make fleet-go-programs`, which writes
// build/go/fleet-receiver; by hand, `cd tests/fleet/go && go build -tags connectly_intree
// -o ../../../build/go/fleet-receiver ./receiver` after `make lib-debug`.
//
// It listens on 127.0.0.1 on a free port (-addr to choose) and prints, once it accepts
// connections, one line to stdout:
//
//	listening on http://127.0.0.1:PORT/webhook
//
// Each delivery is verified with CONNECTLY_WEBHOOK_SECRET (403, 400, ... as the SDK's
// receiving policy says), then claimed in the store: a copy handled already is answered 200,
// one being handled 409, and 503 when Redis does not answer, none of them running the
// handler. Each time the handler runs it appends one line to the -out file (opened with
// O_APPEND, one write per line, so several receivers may share it) before it answers 200:
// an inbound message's text (a message without text gives an empty line), or for a
// delivery status "status MESSAGE_ID STATUS"; a carriage return or newline in the text is
// written as \r or \n.
//
// For the failure cases: -fail-first N makes the handler fail the first N deliveries it
// runs in this process, appending nothing, by answering -fail-with (a status such as 500,
// the default) or, with -fail-with panic, by panicking (net/http then drops the
// connection); the claim is released either way, so a retry runs the handler again.
// -hold makes each run of the handler last that long first (so that copies overlap).
// Without -redis the store is this process's memory (NewMemoryDeduplicator).
//
// It runs until killed; SIGINT or SIGTERM stops it with exit status 0. Exit status 2: a
// usage or configuration error.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// handler appends each delivery it runs for to out, failing the first failFirst runs.
type handler struct {
	out       *os.File
	hold      time.Duration
	failWith  string
	mu        sync.Mutex
	failFirst int
}

// line is what a delivery's run appends.
func line(event *connectly.Event) string {
	text := event.Text
	if s := event.Status; s != nil {
		text = "status " + s.MessageID + " " + s.Status
	}
	text = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(text)
	return text + "\n"
}

// fail reports whether this run is one of the first -fail-first.
func (h *handler) fail() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failFirst > 0 {
		h.failFirst--
		return true
	}
	return false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event, ok := connectly.EventFromContext(r.Context())
	if !ok {
		http.Error(w, "no event", http.StatusInternalServerError)
		return
	}
	time.Sleep(h.hold)
	if h.fail() {
		if h.failWith == "panic" {
			panic("fleet-receiver: failing as -fail-first asks")
		}
		status, _ := strconv.Atoi(h.failWith)
		http.Error(w, "failing as -fail-first asks", status)
		return
	}
	if _, err := h.out.WriteString(line(event)); err != nil {
		fmt.Fprintln(os.Stderr, "fleet-receiver: writing the output:", err)
		// Not handled: the claim is released and the delivery comes again.
		http.Error(w, "cannot record the delivery", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func run() int {
	redisURL := flag.String("redis", "", "the Redis the receivers share (none: this process's memory)")
	outPath := flag.String("out", "", "the file each handled delivery appends a line to (required)")
	addr := flag.String("addr", "127.0.0.1:0", "where to listen")
	failFirst := flag.Int("fail-first", 0, "fail the first N deliveries the handler runs")
	failWith := flag.String("fail-with", "500", `how they fail: an HTTP status (not 2xx), or "panic"`)
	hold := flag.Duration("hold", 0, "how long each run of the handler takes")
	flag.Parse()
	status, err := strconv.Atoi(*failWith)
	if *outPath == "" || flag.NArg() > 0 || *failFirst < 0 ||
		(*failWith != "panic" && (err != nil || status < 300 || status > 599)) {
		flag.Usage()
		return 2
	}
	secret := os.Getenv("CONNECTLY_WEBHOOK_SECRET")
	if secret == "" {
		fmt.Fprintln(os.Stderr, "fleet-receiver: CONNECTLY_WEBHOOK_SECRET is not set")
		return 2
	}
	webhook, err := connectly.NewWebhook(secret)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-receiver:", err)
		return 2
	}
	defer webhook.Close()
	var dedup *connectly.Deduplicator
	if *redisURL != "" {
		dedup, err = connectly.NewRedisDeduplicator(*redisURL)
	} else {
		dedup, err = connectly.NewMemoryDeduplicator(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-receiver: deduplicator:", err)
		return 2
	}
	defer dedup.Close()
	out, err := os.OpenFile(*outPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-receiver:", err)
		return 2
	}
	defer out.Close()

	h := &handler{out: out, hold: *hold, failWith: *failWith, failFirst: *failFirst}
	mux := http.NewServeMux()
	mux.Handle("/webhook", webhook.Handler(h, connectly.WithDeduplicator(dedup)))
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-receiver:", err)
		return 2
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	// os.Stdout is not buffered: the line is out when Printf returns.
	fmt.Printf("listening on http://%s/webhook\n", listener.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stop:
	case err := <-served:
		fmt.Fprintln(os.Stderr, "fleet-receiver:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
	return 0
}

func main() {
	os.Exit(run())
}
