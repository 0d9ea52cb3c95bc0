// Command bench measures the Go package beside the code a Go user would write without it,
// in the same run: webhook verification against crypto/hmac, concurrent sends against
// net/http, and SendMany's throughput and pacing. It prints one JSON object per line (see
// bench/run.py); `quick` gives a short run. The mock Connectly's CONNECTLY_BASE_URL,
// CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID must be set.
//
// Build it with -tags connectly_release (bench/go/run does), so the optimised library is
// measured.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// payload is the documented delivery body (167 bytes), as in bench/rust/main.rs.
const payload = `{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}`

// textBody is the POST body SendText sends for ("whatsapp", "+15555555555", "hello!").
const textBody = `{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}`

type settings struct {
	round  time.Duration // time per measurement round
	rounds int           // rounds per measurement; the median is reported
	sends  int           // sends per round of a send measurement
	paced  int           // messages in the rate-limited SendMany run
}

func emit(fields map[string]any) {
	line, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// timePerCall is the median nanoseconds per call of f over rounds of about s.round each,
// the batch size found by doubling (the method of bench/rust/main.rs).
func timePerCall(s settings, f func()) float64 {
	batch := 1
	for {
		start := time.Now()
		for i := 0; i < batch; i++ {
			f()
		}
		if time.Since(start) >= s.round/10 {
			break
		}
		batch *= 2
	}
	perRound := batch * 10
	samples := make([]float64, s.rounds)
	for r := range samples {
		start := time.Now()
		for i := 0; i < perRound; i++ {
			f()
		}
		samples[r] = float64(time.Since(start).Nanoseconds()) / float64(perRound)
	}
	return median(samples)
}

// stdlibVerify is what a Go user writes with the standard library: HMAC-SHA256 of the body
// keyed with the secret, the header decoded from base64, compared in constant time.
func stdlibVerify(secret, body []byte, signature string) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	got, err := base64.StdEncoding.DecodeString(signature)
	return err == nil && hmac.Equal(got, mac.Sum(nil))
}

func benchVerify(s settings) {
	secret := "mock-webhook-secret"
	webhook, err := connectly.NewWebhook(secret)
	if err != nil {
		panic(err)
	}
	defer webhook.Close()
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"167 B", []byte(payload)},
		{"4 KiB", bytes.Repeat([]byte("x"), 4096)},
		{"1 MiB", bytes.Repeat([]byte("x"), 1<<20)},
	} {
		signature, err := webhook.Sign(c.body)
		if err != nil {
			panic(err)
		}
		if webhook.Verify(c.body, signature) != nil || !stdlibVerify([]byte(secret), c.body, signature) {
			panic("the signature does not verify")
		}
		ours := timePerCall(s, func() {
			if webhook.Verify(c.body, signature) != nil {
				panic("verify failed")
			}
		})
		peer := timePerCall(s, func() {
			if !stdlibVerify([]byte(secret), c.body, signature) {
				panic("verify failed")
			}
		})
		emit(map[string]any{
			"group": "go webhook verify", "name": c.name,
			"peer":    "crypto/hmac + encoding/base64 + hmac.Equal",
			"ours_ns": ours, "peer_ns": peer, "ratio": peer / ours, "bytes": len(c.body),
		})
	}
}

// inParallel runs calls calls of f split over goroutines goroutines and returns the time.
func inParallel(goroutines, calls int, f func()) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls/goroutines; i++ {
				f()
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func benchSendText(s settings, client *connectly.Client, base, key, business string) {
	const goroutines = 8
	url := base + "/v1/businesses/" + business + "/send/messages"
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 16
	transport.Proxy = nil
	httpClient := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	ours := func() {
		if _, err := client.SendText("whatsapp", "+15555555555", "hello!"); err != nil {
			panic(err)
		}
	}
	peer := func() {
		req, err := http.NewRequest("POST", url, bytes.NewReader([]byte(textBody)))
		if err != nil {
			panic(err)
		}
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := httpClient.Do(req)
		if err != nil {
			panic(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			panic(fmt.Sprintf("net/http: %v %d", err, resp.StatusCode))
		}
	}
	// Warm both up: connections open, pools full.
	inParallel(goroutines, 400, ours)
	inParallel(goroutines, 400, peer)
	o, p := sendRates(s, goroutines, ours, peer)
	peerName := "net/http, one shared http.Client (keep-alive, 16 idle per host), same bytes"
	emit(map[string]any{
		"group": "go send_text, 8 goroutines", "name": "Client.SendText (one shared client)",
		"peer": peerName, "ours_per_s": o, "peer_per_s": p, "ratio": o / p,
		"gomaxprocs":                  runtime.GOMAXPROCS(0),
		"ours_sched_wait_us_per_call": schedWaitPerCall(goroutines, 2000, ours),
		"peer_sched_wait_us_per_call": schedWaitPerCall(goroutines, 2000, peer),
	})
	// A diagnostic beside it (not the target's row): the same with GOMAXPROCS=8, one P per
	// goroutine. A goroutine blocked in a cgo call keeps its P until the scheduler's monitor
	// takes it back (20 us or more), which at GOMAXPROCS=2 idles the other senders; net/http
	// parks its goroutines on the network poller instead.
	previous := runtime.GOMAXPROCS(8)
	o, p = sendRates(s, goroutines, ours, peer)
	oursWait := schedWaitPerCall(goroutines, 2000, ours)
	peerWait := schedWaitPerCall(goroutines, 2000, peer)
	runtime.GOMAXPROCS(previous)
	emit(map[string]any{
		"group": "go send_text, 8 goroutines, GOMAXPROCS=8 (diagnostic)",
		"name":  "Client.SendText (one shared client)",
		"peer":  peerName, "ours_per_s": o, "peer_per_s": p, "ratio": o / p, "gomaxprocs": 8,
		"ours_sched_wait_us_per_call": oursWait, "peer_sched_wait_us_per_call": peerWait,
	})
}

// sendRates measures ours and peer with 8 goroutines each, in alternating blocks (8
// goroutines x 25 calls) within each round, so drift in the shared cores (the mock runs on
// them too) falls on both sides alike; it returns the median rates, calls per second.
// schedWait is the time goroutines have spent runnable but waiting for a P, so far, from
// runtime/metrics' /sched/latencies:seconds histogram (each bucket at its midpoint).
func schedWait() float64 {
	sample := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	h := sample[0].Value.Float64Histogram()
	total := 0.0
	for i, count := range h.Counts {
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		if math.IsInf(lo, -1) {
			lo = 0
		}
		if math.IsInf(hi, 1) {
			hi = lo
		}
		total += float64(count) * (lo + hi) / 2
	}
	return total
}

// schedWaitPerCall runs calls of f over goroutines and returns the microseconds per call
// that goroutines spent runnable, waiting for a P: the profile of where a slow side's time
// goes when it is not on the CPU.
func schedWaitPerCall(goroutines, calls int, f func()) float64 {
	before := schedWait()
	inParallel(goroutines, calls, f)
	return (schedWait() - before) / float64(calls) * 1e6
}

func sendRates(s settings, goroutines int, ours, peer func()) (float64, float64) {
	block := goroutines * 25
	blocks := max(s.sends/block, 2)
	var oursRates, peerRates []float64
	for r := 0; r < s.rounds; r++ {
		var o, p time.Duration
		for b := 0; b < blocks; b++ {
			if b%2 == 0 {
				o += inParallel(goroutines, block, ours)
				p += inParallel(goroutines, block, peer)
			} else {
				p += inParallel(goroutines, block, peer)
				o += inParallel(goroutines, block, ours)
			}
		}
		calls := float64(blocks * block)
		oursRates = append(oursRates, calls/o.Seconds())
		peerRates = append(peerRates, calls/p.Seconds())
	}
	return median(oursRates), median(peerRates)
}

func benchSendMany(s settings, client *connectly.Client) {
	messages := make([]connectly.Outgoing, 10000)
	for i := range messages {
		messages[i] = connectly.Text("whatsapp", "+15555555555", fmt.Sprintf("bulk %d", i))
	}
	check := func(results []connectly.Result, err error) {
		if err != nil {
			panic(err)
		}
		for i, r := range results {
			if r.Err != nil {
				panic(fmt.Sprintf("message %d: %v", i, r.Err))
			}
		}
	}
	start := time.Now()
	results, err := client.SendMany(messages)
	elapsed := time.Since(start).Seconds()
	check(results, err)
	emit(map[string]any{
		"group": "go send_many", "name": "10,000 texts, concurrency 8, no limit",
		"messages": len(messages), "seconds": elapsed, "per_s": float64(len(messages)) / elapsed,
	})

	paced := messages[:s.paced]
	start = time.Now()
	results, err = client.SendMany(paced, connectly.WithRateLimit(200))
	elapsed = time.Since(start).Seconds()
	check(results, err)
	// n messages at 200/s: the last starts (n-1)/200 s after the first.
	emit(map[string]any{
		"group": "go send_many", "name": "rate limit 200/s",
		"messages": len(paced), "seconds": elapsed,
		"per_s": float64(len(paced)-1) / elapsed, "target_per_s": 200.0,
	})
}

func main() {
	quick := len(os.Args) > 1 && os.Args[1] == "quick"
	s := settings{round: 300 * time.Millisecond, rounds: 7, sends: 4000, paced: 2000}
	if quick {
		s = settings{round: 50 * time.Millisecond, rounds: 3, sends: 800, paced: 500}
	}
	base, key, business := os.Getenv("CONNECTLY_BASE_URL"), os.Getenv("CONNECTLY_API_KEY"),
		os.Getenv("CONNECTLY_BUSINESS_ID")
	if base == "" || key == "" || business == "" {
		fmt.Fprintln(os.Stderr, "set CONNECTLY_BASE_URL, CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID (the mock's)")
		os.Exit(2)
	}
	benchVerify(s)
	client, err := connectly.NewClient(key, business, connectly.WithBaseURL(base))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	benchSendText(s, client, base, key, business)
	benchSendMany(s, client)
}
