// Command bench measures the Go package beside the code a Go user would write without it,
// in the same run: webhook verification against crypto/hmac, concurrent sends against
// net/http (8 goroutines at GOMAXPROCS=2, and 1,000 at once against a server that answers
// after 0.2 s, with the process's thread count), SendMany's throughput and pacing, and the
// time from cancelling a send's context to the server seeing its connection closed. It
// prints one JSON object per line (see bench/run.py); `quick` gives a short run. The mock
// Connectly's CONNECTLY_BASE_URL, CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID must be set.
//
// Build it with -tags connectly_release (bench/go/run does), so the optimised library is
// measured.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

// payload is the documented delivery body (167 bytes), as in bench/rust/main.rs.
const payload = `{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}`

// textBody is the POST body SendText sends for ("whatsapp", "+15555555555", "hello!").
const textBody = `{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}`

type settings struct {
	round   time.Duration // time per measurement round
	rounds  int           // rounds per measurement; the median is reported
	sends   int           // sends per round of a send measurement
	paced   int           // messages in the rate-limited SendMany run
	bursts  int           // rounds of the 1,000-goroutine burst; the median is reported
	cancels int           // cancellation trials; the median is reported
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

// peerClient is the net/http client a Go user would share for the API, with idle
// connections for idle goroutines.
func peerClient(idle int) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = idle
	transport.MaxIdleConns = max(idle, transport.MaxIdleConns)
	transport.Proxy = nil
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// peerSend is the send a Go user writes with net/http: the same bytes SendText sends.
func peerSend(httpClient *http.Client, url, key string) {
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

func benchSendText(s settings, client *connectly.Client, base, key, business string) {
	const goroutines = 8
	url := base + "/v1/businesses/" + business + "/send/messages"
	httpClient := peerClient(16)
	ours := func() {
		if _, err := client.SendText("whatsapp", "+15555555555", "hello!"); err != nil {
			panic(err)
		}
	}
	peer := func() { peerSend(httpClient, url, key) }
	// The target's row is at GOMAXPROCS=2 whatever the machine's core count.
	previous := runtime.GOMAXPROCS(2)
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
	// goroutine. Both park their waiting goroutines (ours on the completion queue's
	// descriptor, net/http on its sockets), so more Ps should change little.
	runtime.GOMAXPROCS(8)
	o, p = sendRates(s, goroutines, ours, peer)
	oursWait := schedWaitPerCall(goroutines, 2000, ours)
	peerWait := schedWaitPerCall(goroutines, 2000, peer)
	emit(map[string]any{
		"group": "go send_text, 8 goroutines, GOMAXPROCS=8 (diagnostic)",
		"name":  "Client.SendText (one shared client)",
		"peer":  peerName, "ours_per_s": o, "peer_per_s": p, "ratio": o / p, "gomaxprocs": 8,
		"ours_sched_wait_us_per_call": oursWait, "peer_sched_wait_us_per_call": peerWait,
	})
	// And with one P: no idle P for the scheduler to wake when a completion readies a
	// waiting goroutine, which ours does once per call with little Go work between (the
	// HTTP work is on the library's thread), and net/http does with more.
	runtime.GOMAXPROCS(1)
	o, p = sendRates(s, goroutines, ours, peer)
	oursWait = schedWaitPerCall(goroutines, 2000, ours)
	peerWait = schedWaitPerCall(goroutines, 2000, peer)
	runtime.GOMAXPROCS(previous)
	emit(map[string]any{
		"group": "go send_text, 8 goroutines, GOMAXPROCS=1 (diagnostic)",
		"name":  "Client.SendText (one shared client)",
		"peer":  peerName, "ours_per_s": o, "peer_per_s": p, "ratio": o / p, "gomaxprocs": 1,
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

// threadCount is the process's OS threads (entries of /proc/self/task); -1 where they
// cannot be counted.
func threadCount() int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return -1
	}
	return len(entries)
}

// mockFail queues failures (a JSON list) on the mock Connectly (POST /_mock/fail).
func mockFail(base, key, failures string) {
	req, err := http.NewRequest("POST", base+"/_mock/fail", strings.NewReader(failures))
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		panic(fmt.Sprintf("/_mock/fail: %d", resp.StatusCode))
	}
}

// burst runs n calls of f at once, each on its own goroutine, and returns the time they
// took and the most OS threads the process had meanwhile (sampled every millisecond).
func burst(n int, f func()) (time.Duration, int) {
	var most atomic.Int64
	most.Store(int64(threadCount()))
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				most.Store(max(most.Load(), int64(threadCount())))
			}
		}
	}()
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	return elapsed, int(most.Load())
}

// benchBurst sends 1,000 texts at once, each answered after 0.2 s (the mock's delay_ms),
// with the SDK and with net/http, in alternating order over the rounds; it reports the
// median times and the most threads each side's process had.
func benchBurst(s settings, client *connectly.Client, base, key, business string) {
	const n = 1000
	delays := "[" + strings.Repeat(`{"delay_ms":200},`, n-1) + `{"delay_ms":200}]`
	url := base + "/v1/businesses/" + business + "/send/messages"
	httpClient := peerClient(n)
	ours := func() {
		if _, err := client.SendTextContext(context.Background(), "whatsapp", "+15555555555", "hello!"); err != nil {
			panic(err)
		}
	}
	peer := func() { peerSend(httpClient, url, key) }
	var oursTimes, peerTimes []float64
	oursThreads, peerThreads := 0, 0
	run := func(f func(), times *[]float64, threads *int) {
		mockFail(base, key, delays)
		elapsed, most := burst(n, f)
		*times = append(*times, elapsed.Seconds())
		*threads = max(*threads, most)
	}
	for r := 0; r < s.bursts; r++ {
		if r%2 == 0 {
			run(ours, &oursTimes, &oursThreads)
			run(peer, &peerTimes, &peerThreads)
		} else {
			run(peer, &peerTimes, &peerThreads)
			run(ours, &oursTimes, &oursThreads)
		}
	}
	o, p := median(oursTimes), median(peerTimes)
	emit(map[string]any{
		"group": "go SendText, 1,000 goroutines", "name": "1,000 at once, server answers after 0.2 s",
		"peer":   "net/http, one shared http.Client (1,000 idle per host), same bytes",
		"ours_s": o, "peer_s": p, "ratio": p / o,
		"threads": oursThreads, "peer_threads": peerThreads,
		"gomaxprocs": runtime.GOMAXPROCS(0), "rounds": s.bursts,
	})
}

// silentServer is a loopback TCP server that reads each request, never answers, and
// reports when it reads the end of the connection (or an error): when it saw the client
// close it.
type silentServer struct {
	listener net.Listener
	received chan struct{}  // a whole request was read
	closed   chan time.Time // the connection ended, at that time
}

func newSilentServer() *silentServer {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := &silentServer{listener: listener, received: make(chan struct{}, 1), closed: make(chan time.Time, 1)}
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *silentServer) serve(conn net.Conn) {
	defer conn.Close()
	reader := bufio.NewReader(conn)
	req, err := http.ReadRequest(reader)
	if err != nil {
		return
	}
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		return
	}
	s.received <- struct{}{}
	buf := make([]byte, 512)
	for {
		if _, err := reader.Read(buf); err != nil {
			s.closed <- time.Now()
			return
		}
	}
}

// benchCancel measures the time from cancelling a send's context, once the server has
// read its request, to the server reading the end of the connection: how fast a
// cancellation reaches the network. It reports the median over the trials.
func benchCancel(s settings) {
	server := newSilentServer()
	defer server.listener.Close()
	client, err := connectly.NewClient("bench-key", "bench-business",
		connectly.WithBaseURL("http://"+server.listener.Addr().String()))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	var samples []float64
	for i := 0; i < s.cancels; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		returned := make(chan error, 1)
		go func() {
			_, err := client.SendTextContext(ctx, "whatsapp", "+15555555555", "hello!")
			returned <- err
		}()
		<-server.received
		start := time.Now()
		cancel()
		closed := <-server.closed
		if err := <-returned; !errors.Is(err, connectly.ErrCanceled) {
			panic(fmt.Sprintf("a cancelled send: %v", err))
		}
		samples = append(samples, float64(closed.Sub(start).Microseconds())/1000)
	}
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	emit(map[string]any{
		"group": "cancellation", "name": "go: cancel to server seeing the connection closed",
		"ms": median(samples), "max_ms": sorted[len(sorted)-1], "trials": len(samples),
	})
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
	s := settings{round: 300 * time.Millisecond, rounds: 7, sends: 4000, paced: 2000, bursts: 5, cancels: 21}
	if quick {
		s = settings{round: 50 * time.Millisecond, rounds: 3, sends: 800, paced: 500, bursts: 1, cancels: 5}
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
	benchBurst(s, client, base, key, business)
	benchSendMany(s, client)
	benchCancel(s)
}
