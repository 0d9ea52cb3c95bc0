// Command fleet-sender is one worker of the cross-language fleet test: it sends a file of
// texts through a client whose every send waits its turn in a send budget shared through
// Redis (connectly.NewRedisRateLimiter), as the Python workers beside it do.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	fleet-sender -file part-1.jsonl -redis redis://127.0.0.1:6379/0 -rate 200
//
// Build (from the repository's root): `make fleet-go-programs`, which writes
// build/go/fleet-sender; by hand, `cd tests/fleet/go && go build -tags connectly_intree
// -o ../../../build/go/fleet-sender ./sender` after `make lib-debug`.
//
// Input: one JSON object per line, {"to": "+1555...", "text": "...", "channel": "sms"}
// ("channel" optional, default -channel); blank lines are skipped and do not count. Message
// i is the i-th object (from 0).
//
// Flags: -file (required), -redis URL (a shared budget; without it, a budget of this process
// only, NewLocalRateLimiter), -rate per second (default 200), -burst (0: the SDK's default,
// 20), -fallback-share (0: the SDK's default, a quarter: the share of the rate this process
// sends at while Redis does not answer), -concurrency (default 8 goroutines), -channel
// (default "whatsapp").
//
// Output: one JSON line per message on stdout as it finishes (in the order they finish),
// {"index":i,"ok":true} or {"index":i,"error":"..."} (a line that is not a message is
// reported the same way and not sent); a summary on stderr. Exit status: 0 when every
// message was sent, 1 when any failed, 2 for a usage or configuration error (nothing sent).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// message is one input line.
type message struct {
	To      string `json:"to"`
	Text    string `json:"text"`
	Channel string `json:"channel"`
}

// outcome is one output line.
type outcome struct {
	Index int    `json:"index"`
	OK    bool   `json:"ok,omitempty"`
	Error string `json:"error,omitempty"`
}

// job is one message to send, or why its line could not be read.
type job struct {
	index int
	msg   message
	err   error
}

// readMessages reads the JSON lines of path.
func readMessages(path, channel string) ([]job, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var jobs []job
	reader := bufio.NewReader(bytes.NewReader(data))
	for n := 1; ; n++ {
		line, err := reader.ReadBytes('\n')
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			j := job{index: len(jobs), msg: message{Channel: channel}}
			if e := json.Unmarshal(trimmed, &j.msg); e != nil {
				j.err = fmt.Errorf("line %d is not a JSON message: %v", n, e)
			} else if j.msg.To == "" || j.msg.Text == "" {
				j.err = errors.New(`a message needs "to" and "text"`)
			}
			jobs = append(jobs, j)
		}
		if err == io.EOF {
			return jobs, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// newLimiter is the send budget the flags ask for.
func newLimiter(redisURL string, rate float64, burst int, share float64) (*connectly.RateLimiter, error) {
	var opts []connectly.RateLimiterOption
	if burst != 0 {
		opts = append(opts, connectly.WithBurst(burst))
	}
	if redisURL == "" {
		return connectly.NewLocalRateLimiter(rate, opts...)
	}
	if share != 0 {
		opts = append(opts, connectly.WithFallbackShare(share))
	}
	return connectly.NewRedisRateLimiter(redisURL, rate, opts...)
}

func run() int {
	file := flag.String("file", "", "the JSON lines to send (required)")
	redisURL := flag.String("redis", "", "the Redis sharing the send budget (none: this process's own)")
	rate := flag.Float64("rate", 200, "sends per second, for the whole fleet")
	burst := flag.Int("burst", 0, "sends at once after an idle period (0: the SDK's default)")
	share := flag.Float64("fallback-share", 0, "the share of the rate sent at while Redis is away (0: the default)")
	concurrency := flag.Int("concurrency", 8, "goroutines sending at once")
	channel := flag.String("channel", "whatsapp", "the channel of messages that name none")
	flag.Parse()
	if *file == "" || flag.NArg() > 0 || *concurrency < 1 {
		flag.Usage()
		return 2
	}
	jobs, err := readMessages(*file, *channel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-sender:", err)
		return 2
	}
	limiter, err := newLimiter(*redisURL, *rate, *burst, *share)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-sender: rate limiter:", err)
		return 2
	}
	client, err := connectly.NewClientFromEnv(connectly.WithRateLimiter(limiter))
	// The client keeps the budget.
	limiter.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet-sender: client:", err)
		return 2
	}
	defer client.Close()

	var mu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	failed := 0
	report := func(o outcome) {
		mu.Lock()
		defer mu.Unlock()
		if !o.OK {
			failed++
		}
		// One write per line: os.Stdout is not buffered.
		if err := out.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, "fleet-sender: stdout:", err)
		}
	}
	queue := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if j.err != nil {
					report(outcome{Index: j.index, Error: j.err.Error()})
					continue
				}
				if _, err := client.SendText(j.msg.Channel, j.msg.To, j.msg.Text); err != nil {
					report(outcome{Index: j.index, Error: err.Error()})
					continue
				}
				report(outcome{Index: j.index, OK: true})
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	fmt.Fprintf(os.Stderr, "fleet-sender: %d sent, %d failed\n", len(jobs)-failed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func main() {
	os.Exit(run())
}
