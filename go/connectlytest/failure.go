package connectlytest

import (
	"encoding/json"
	"time"
)

// Failure is what the mock does with an API request instead of (or before) answering it
// normally; [Mock.FailNext] queues failures and each API request pops one. Build them with
// [Status], [Delay], [Drop], [DropBeforeRead], [ResetMidBody], [HalfWritten], [Dribble],
// [Huge] and [InvalidJSON]; the zero Failure is not valid.
//
// A request a failure answered is recorded (except with DropBeforeRead) but changes
// nothing: it registers no webhook and keeps no message. A delayed one does.
type Failure struct {
	form failureForm
}

// failureForm is a failure in the mock's control protocol.
type failureForm struct {
	Status             int     `json:"status,omitempty"`
	Body               *string `json:"body,omitempty"`
	RetryAfter         *string `json:"retry_after,omitempty"`
	DelayMS            *int64  `json:"delay_ms,omitempty"`
	Drop               bool    `json:"drop,omitempty"`
	DropBeforeRead     bool    `json:"drop_before_read,omitempty"`
	ResetMidBody       bool    `json:"reset_mid_body,omitempty"`
	HalfWritten        bool    `json:"half_written,omitempty"`
	DribbleBytesPerSec int     `json:"dribble_bytes_per_sec,omitempty"`
	HugeBytes          *int64  `json:"huge_bytes,omitempty"`
	Chunked            *bool   `json:"chunked,omitempty"`
	InvalidJSON        bool    `json:"invalid_json,omitempty"`
}

// Status answers with the HTTP status code (100 to 599). Without [Failure.WithBody] the
// body is an error in Connectly's documented format fitting the status: 429 is
// ERROR_TYPE_RATE_LIMITED / ERROR_CODE_BUSINESS_REACHED_LIMITS, a 5xx
// ERROR_TYPE_INTERNAL, 401 and 403 ERROR_TYPE_AUTHENTICATION, 408 and 504
// ERROR_TYPE_DEADLINE_EXCEEDED.
func Status(code int) Failure {
	return Failure{failureForm{Status: code}}
}

// WithRetryAfter adds a Retry-After header with this value, verbatim ("1", or an HTTP
// date), to a [Status] failure; other failures are returned unchanged.
func (f Failure) WithRetryAfter(value string) Failure {
	if f.form.Status != 0 {
		f.form.RetryAfter = &value
	}
	return f
}

// WithBody sets the body of a [Status] failure, sent verbatim: as application/json when
// it parses as JSON, else as text/plain. Other failures are returned unchanged.
func (f Failure) WithBody(body string) Failure {
	if f.form.Status != 0 {
		f.form.Body = &body
	}
	return f
}

// Delay waits d (to the millisecond, rounded up), then answers normally.
func Delay(d time.Duration) Failure {
	ms := int64(0)
	if d > 0 {
		ms = int64((d + time.Millisecond - 1) / time.Millisecond)
	}
	return Failure{failureForm{DelayMS: &ms}}
}

// Drop reads and records the whole request, then closes the connection without answering.
func Drop() Failure {
	return Failure{failureForm{Drop: true}}
}

// DropBeforeRead closes the connection as soon as the request head has arrived, without
// reading the body, recording the request or answering.
func DropBeforeRead() Failure {
	return Failure{failureForm{DropBeforeRead: true}}
}

// ResetMidBody answers normally but stops half-way through the body and resets the
// connection (TCP RST).
func ResetMidBody() Failure {
	return Failure{failureForm{ResetMidBody: true}}
}

// HalfWritten writes the answer's head (announcing the whole body) and half its body, then
// closes the connection cleanly.
func HalfWritten() Failure {
	return Failure{failureForm{HalfWritten: true}}
}

// Dribble answers normally but writes the body bytesPerSecond bytes (at least 1) a second.
func Dribble(bytesPerSecond int) Failure {
	return Failure{failureForm{DribbleBytesPerSec: max(bytesPerSecond, 1)}}
}

// Huge answers 200 with a body of n spaces, streamed; chunked leaves out Content-Length,
// so the client only learns the size by reading.
func Huge(n int64, chunked bool) Failure {
	return Failure{failureForm{HugeBytes: &n, Chunked: &chunked}}
}

// InvalidJSON answers 200 with Content-Type application/json and a body that is not JSON.
func InvalidJSON() Failure {
	return Failure{failureForm{InvalidJSON: true}}
}

// MarshalJSON writes the failure in the mock's control protocol, such as
// {"status":429,"retry_after":"1"} or {"delay_ms":200}.
func (f Failure) MarshalJSON() ([]byte, error) {
	return json.Marshal(f.form)
}

// UnmarshalJSON reads a failure in the mock's control protocol.
func (f *Failure) UnmarshalJSON(data []byte) error {
	var form failureForm
	if err := json.Unmarshal(data, &form); err != nil {
		return err
	}
	f.form = form
	return nil
}

// String is the failure in the mock's control protocol.
func (f Failure) String() string {
	encoded, _ := json.Marshal(f.form)
	return string(encoded)
}
