package connectlytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// controlTimeout bounds each control call; a delivery itself times out after 10 s in the
// mock.
const controlTimeout = 30 * time.Second

func newHTTPClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the mock is on 127.0.0.1: never through a proxy
	return &http.Client{Transport: transport, Timeout: controlTimeout}
}

// control calls /_mock/<name>: a GET when body is nil, else a POST of body as JSON. The
// answer is decoded into answer (when not nil) if the status is 200; otherwise the
// answer's status and body are returned for the caller to judge, with err nil.
func (m *Mock) control(name string, body, answer any) (status int, raw []byte, err error) {
	method := http.MethodGet
	var reader io.Reader
	if body != nil {
		method = http.MethodPost
		encoded, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("connectlytest: encoding the body of /_mock/%s: %w", name, err)
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, m.url+"/_mock/"+name, reader)
	if err != nil {
		return 0, nil, fmt.Errorf("connectlytest: %w", err)
	}
	req.Header.Set("X-API-Key", m.apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("connectlytest: %s /_mock/%s: %w", method, name, err)
	}
	defer resp.Body.Close()
	raw, err = io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("connectlytest: %s /_mock/%s: reading the answer: %w", method, name, err)
	}
	if resp.StatusCode == http.StatusOK && answer != nil {
		if err := json.Unmarshal(raw, answer); err != nil {
			return 0, nil, fmt.Errorf("connectlytest: %s /_mock/%s: decoding the answer: %w", method, name, err)
		}
	}
	return resp.StatusCode, raw, nil
}

// call is control for the calls whose only failure is the mock refusing them.
func (m *Mock) call(name string, body, answer any) error {
	status, raw, err := m.control(name, body, answer)
	if err != nil || status == http.StatusOK {
		return err
	}
	var refusal struct{ Message string }
	if json.Unmarshal(raw, &refusal) != nil || refusal.Message == "" {
		refusal.Message = string(raw)
	}
	return fmt.Errorf("connectlytest: /_mock/%s answered %d: %s", name, status, refusal.Message)
}

// Request is an API request the mock received.
type Request struct {
	// Method is the HTTP method: "POST", "GET", ...
	Method string
	// Path is the request target as sent: the path and any query string, such as
	// "/v1/businesses/mock-business/send/messages".
	Path string
	// Header holds the request's headers, names canonicalised (Header.Get("X-API-Key")
	// finds the "x-api-key" the client sent).
	Header http.Header
	// Body is the request body, byte for byte.
	Body []byte
	// Received is when the mock received it (to the millisecond).
	Received time.Time
}

// JSON decodes the body into v, as json.Unmarshal does.
func (r Request) JSON(v any) error {
	return json.Unmarshal(r.Body, v)
}

// String is the request's method, path and body size; not its headers, which hold the API
// key, nor its body.
func (r Request) String() string {
	return fmt.Sprintf("%s %s (%d-byte body)", r.Method, r.Path, len(r.Body))
}

// Requests returns the API requests the mock received (everything but the control API),
// oldest first, including those a failure answered.
func (m *Mock) Requests() ([]Request, error) {
	var recorded []struct {
		Method         string
		Path           string
		Headers        [][2]string
		BodyBase64     string `json:"body_base64"`
		ReceivedUnixMS int64  `json:"received_unix_ms"`
	}
	if err := m.call("requests", nil, &recorded); err != nil {
		return nil, err
	}
	requests := make([]Request, len(recorded))
	for i, r := range recorded {
		body, err := base64.StdEncoding.DecodeString(r.BodyBase64)
		if err != nil {
			return nil, fmt.Errorf("connectlytest: the body of a recorded request: %w", err)
		}
		header := make(http.Header, len(r.Headers))
		for _, pair := range r.Headers {
			header.Add(pair[0], pair[1])
		}
		requests[i] = Request{
			Method:   r.Method,
			Path:     r.Path,
			Header:   header,
			Body:     body,
			Received: time.UnixMilli(r.ReceivedUnixMS),
		}
	}
	return requests, nil
}

// Message is a session or template message the mock accepted.
type Message struct {
	// ID is the id the mock answered the send with, which delivery statuses name.
	ID string
	// Path is the API path it was sent to.
	Path string
	// Recipient is the recipient's id or number.
	Recipient string
	// ChannelType is the recipient's channel, such as "whatsapp".
	ChannelType string
	// Sender is the send's sender, "" when it named none.
	Sender string
	// CallbackData is the send's callback data as JSON, nil when it had none.
	CallbackData json.RawMessage
	// CampaignName is the send's campaign name, "" when it had none.
	CampaignName string
}

// Messages returns the messages the mock accepted (session and template sends), oldest
// first.
func (m *Mock) Messages() ([]Message, error) {
	var accepted []struct {
		ID           string
		Path         string
		Recipient    string
		ChannelType  string `json:"channel_type"`
		Sender       *string
		CallbackData json.RawMessage `json:"callback_data"`
		CampaignName *string         `json:"campaign_name"`
	}
	if err := m.call("messages", nil, &accepted); err != nil {
		return nil, err
	}
	messages := make([]Message, len(accepted))
	for i, a := range accepted {
		messages[i] = Message{
			ID:          a.ID,
			Path:        a.Path,
			Recipient:   a.Recipient,
			ChannelType: a.ChannelType,
		}
		if a.Sender != nil {
			messages[i].Sender = *a.Sender
		}
		if len(a.CallbackData) > 0 && string(a.CallbackData) != "null" {
			messages[i].CallbackData = a.CallbackData
		}
		if a.CampaignName != nil {
			messages[i].CampaignName = *a.CampaignName
		}
	}
	return messages, nil
}

// Reset forgets the recorded requests, the queued failures and the accepted messages; the
// registered webhooks and the settings (webhook conflicts, templates, unpublished
// campaigns, automatic statuses) stay.
func (m *Mock) Reset() error {
	return m.call("reset", struct{}{}, nil)
}

// FailNext queues failures: each API request that arrives pops the oldest and is
// answered by it instead of normally (see [Failure]). A client's retry is a request too:
// after a 429 the next failure meets the retry.
func (m *Mock) FailNext(failures ...Failure) error {
	if failures == nil {
		failures = []Failure{}
	}
	return m.call("fail", failures, nil)
}

// PendingFailures returns the failures still queued, oldest first.
func (m *Mock) PendingFailures() ([]Failure, error) {
	var pending []Failure
	err := m.call("fail", nil, &pending)
	return pending, err
}

// Webhook is a webhook registered with the mock (through the API's create, update or
// delete calls).
type Webhook struct {
	// ID is the id the mock gave it ("wh_...").
	ID string
	// Topic is "messages" or "delivery_status".
	Topic string
	// Address is the URL deliveries are POSTed to.
	Address string
	// Type is "custom", "zapier", "webengage" or "integromat_make".
	Type string
	// Configuration is the registration's configuration as sent; empty when it had none.
	Configuration map[string]any
}

// Webhooks returns the registered webhooks, one per topic.
func (m *Mock) Webhooks() ([]Webhook, error) {
	var webhooks []Webhook
	err := m.call("webhooks", nil, &webhooks)
	return webhooks, err
}

// BusinessPhone returns the number the mock's deliveries name as the business's (by
// default its business id).
func (m *Mock) BusinessPhone() (string, error) {
	var config struct {
		BusinessPhone string `json:"business_phone"`
	}
	err := m.call("config", nil, &config)
	return config.BusinessPhone, err
}

// SetWebhookConflicts sets whether registering a webhook for a topic that has one answers
// 409 (true) or replaces it (false, the default).
func (m *Mock) SetWebhookConflicts(enabled bool) error {
	return m.call("webhook_conflicts", map[string]bool{"enabled": enabled}, nil)
}

// WebhookConflicts reports whether conflict mode is on (see [Mock.SetWebhookConflicts]).
func (m *Mock) WebhookConflicts() (bool, error) {
	var answer struct{ Enabled bool }
	err := m.call("webhook_conflicts", nil, &answer)
	return answer.Enabled, err
}

// SetTemplates replaces the templateGroups that POST /get/templates answers with: groups
// is encoded as JSON and served verbatim, so odd shapes can be tested too.
func (m *Mock) SetTemplates(groups any) error {
	if groups == nil {
		groups = json.RawMessage("null")
	}
	return m.call("templates", groups, nil)
}

// Templates returns the templateGroups that POST /get/templates answers with, as JSON.
func (m *Mock) Templates() (json.RawMessage, error) {
	var groups json.RawMessage
	err := m.call("templates", nil, &groups)
	return groups, err
}

// SetUnpublishedCampaigns replaces the campaigns a campaign send is refused (409) for;
// none publishes them all.
func (m *Mock) SetUnpublishedCampaigns(names ...string) error {
	if names == nil {
		names = []string{}
	}
	return m.call("unpublished_campaigns", names, nil)
}

// UnpublishedCampaigns returns the unpublished campaigns, sorted.
func (m *Mock) UnpublishedCampaigns() ([]string, error) {
	var answer struct{ Unpublished []string }
	err := m.call("unpublished_campaigns", nil, &answer)
	return answer.Unpublished, err
}

// StatusOrder says whether and how the mock follows each accepted send with automatic
// delivery statuses (see [Mock.SetAutoStatuses]).
type StatusOrder string

const (
	// StatusesOff sends no automatic statuses (the default).
	StatusesOff StatusOrder = "off"
	// StatusesInOrder sends sent, delivered and read, in that order.
	StatusesInOrder StatusOrder = "in_order"
	// StatusesShuffled sends sent, delivered and read in a random order, as Connectly may.
	StatusesShuffled StatusOrder = "shuffled"
)

// SetAutoStatuses makes the mock follow every accepted send with sent, delivered and read
// deliveries to the delivery_status webhook registered then (in order, or shuffled), or
// stop (StatusesOff). They come from the mock's own thread and may arrive before the
// client has the send's answer; failed deliveries are dropped.
func (m *Mock) SetAutoStatuses(order StatusOrder) error {
	return m.call("statuses", map[string]StatusOrder{"auto": order}, nil)
}

// AutoStatuses returns the current automatic-status order (StatusesOff when off).
func (m *Mock) AutoStatuses() (StatusOrder, error) {
	var answer struct{ Auto StatusOrder }
	err := m.call("statuses", nil, &answer)
	return answer.Auto, err
}

// Delivery is a webhook delivery the mock made and how the receiver answered.
type Delivery struct {
	// Address is the URL it was POSTed to.
	Address string
	// Status is the receiver's HTTP status.
	Status int
	// Body is the body the mock sent.
	Body []byte
	// Signature is the X-Connectly-Hmac-Sha256 header it sent ("" when none).
	Signature string
	// Response is the receiver's answer body.
	Response []byte
}

// DeliveryError is a delivery that failed: no webhook registered for the topic, an
// unknown message id, or a receiver that did not answer 200.
type DeliveryError struct {
	// Kind is "no_webhook", "unknown_message", "rejected" (the receiver answered other
	// than 200) or "transport" (it could not be reached).
	Kind string
	// Message is the mock's description.
	Message string
	// Status is the receiver's HTTP status, for "rejected"; 0 otherwise.
	Status int
	// Response is the receiver's answer body, for "rejected"; nil otherwise.
	Response []byte
}

func (e *DeliveryError) Error() string {
	return "connectlytest: delivery failed (" + e.Kind + "): " + e.Message
}

// deliver POSTs a delivery request to /_mock/<name>.
func (m *Mock) deliver(name string, body any) (Delivery, error) {
	status, raw, err := m.control(name, body, nil)
	if err != nil {
		return Delivery{}, err
	}
	var answer struct {
		OK        bool
		Error     string
		Message   string
		Address   string
		Status    int
		Body      string
		Signature *string
		Response  json.RawMessage
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return Delivery{}, fmt.Errorf("connectlytest: /_mock/%s answered %d: %s", name, status, raw)
	}
	if answer.Error != "" { // a failed delivery: response is null or {"status", "body"}
		failure := &DeliveryError{Kind: answer.Error, Message: answer.Message}
		var rejected struct {
			Status int
			Body   string
		}
		if json.Unmarshal(answer.Response, &rejected) == nil && rejected.Status != 0 {
			failure.Status, failure.Response = rejected.Status, []byte(rejected.Body)
		}
		return Delivery{}, failure
	}
	if status != http.StatusOK {
		return Delivery{}, fmt.Errorf("connectlytest: /_mock/%s answered %d: %s", name, status, answer.Message)
	}
	var response string
	_ = json.Unmarshal(answer.Response, &response)
	delivery := Delivery{
		Address:  answer.Address,
		Status:   answer.Status,
		Body:     []byte(answer.Body),
		Response: []byte(response),
	}
	if answer.Signature != nil {
		delivery.Signature = *answer.Signature
	}
	return delivery, nil
}

// DeliverInbound delivers a signed inbound WhatsApp text from the number from to the
// webhook registered for the messages topic. It returns a *[DeliveryError] unless the
// receiver answers 200.
func (m *Mock) DeliverInbound(from, text string) (Delivery, error) {
	return m.deliver("deliver", map[string]string{"from": from, "text": text})
}

// DeliverKind delivers an inbound message of another kind to the messages webhook: kind
// is "media", "location", "button_reply", "list_reply", "quoted_reply" or "referral", and
// fields its fields as the mock's control protocol names them (for "media": "type",
// "url" and an optional "caption"; for "location": "latitude" and "longitude" as numbers,
// "name", "address"; for "button_reply": "shape" ("flagged", "with_context" or
// "with_id"), "text", "payload", "reply_to_id", "id"; see the connectly-mock crate).
func (m *Mock) DeliverKind(kind, from string, fields map[string]any) (Delivery, error) {
	body := map[string]any{"kind": kind, "from": from}
	for name, value := range fields {
		if name != "kind" && name != "from" {
			body[name] = value
		}
	}
	return m.deliver("deliver", body)
}

// DeliverStatus delivers a delivery_status event saying status ("sent", "delivered",
// "read", "delivery_failed" or any other string) about a message the mock accepted
// (messageID: the id its send answered, see [Mock.Messages]) to the webhook registered for
// delivery_status. An id the mock never gave is a *[DeliveryError] of kind
// "unknown_message".
func (m *Mock) DeliverStatus(messageID, status string) (Delivery, error) {
	return m.deliver("deliver_status", map[string]string{"message_id": messageID, "status": status})
}

// DeliverEvent delivers event, encoded as JSON (in any shape), signed, to the webhook
// registered for topic ("messages" or "delivery_status").
func (m *Mock) DeliverEvent(topic string, event any) (Delivery, error) {
	encoded, err := json.Marshal(event)
	if err != nil {
		return Delivery{}, fmt.Errorf("connectlytest: encoding the event: %w", err)
	}
	return m.deliver("deliver_event", map[string]any{"topic": topic, "event": json.RawMessage(encoded)})
}

// DeliverRaw POSTs body as is to the webhook registered for topic, with signature as its
// X-Connectly-Hmac-Sha256 header (none when ""), to test how a receiver treats bad
// deliveries. Whatever the receiver answers is returned, without a [DeliveryError].
func (m *Mock) DeliverRaw(topic string, body []byte, signature string) (Delivery, error) {
	request := map[string]any{"topic": topic, "body_base64": base64.StdEncoding.EncodeToString(body)}
	if signature != "" {
		request["signature"] = signature
	}
	return m.deliver("deliver_raw", request)
}
