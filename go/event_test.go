package connectly

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// receiver is a net/http server behind the middleware, registered with the mock for both
// topics: each verified event its handler is given arrives on events.
type receiver struct {
	events chan *Event
	url    string
}

// newReceiver starts a receiver with the mock's webhook secret and registers it; the
// registrations are removed when the test ends.
func newReceiver(t *testing.T, client *Client) *receiver {
	t.Helper()
	webhook, err := NewWebhook(mockWebhookSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { webhook.Close() })
	r := &receiver{events: make(chan *Event, 64)}
	server := httptest.NewServer(webhook.Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		event, ok := EventFromContext(req.Context())
		if !ok {
			http.Error(w, "no event", http.StatusInternalServerError)
			return
		}
		r.events <- event
	})))
	t.Cleanup(server.Close)
	r.url = server.URL + "/hook"
	mockSwitch(t, "/_mock/webhook_conflicts", `{"enabled": false}`, `{"enabled": false}`)
	ctx := context.Background()
	for _, topic := range []string{TopicMessages, TopicDeliveryStatus} {
		if _, err := client.CreateWebhookWith(ctx, WebhookRegistration{Address: r.url, Topic: topic}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, topic := range []string{TopicMessages, TopicDeliveryStatus} {
			if w := webhookFor(t, client, topic); w != nil && w.Address == r.url {
				if _, err := client.DeleteWebhook(ctx, w.ID); err != nil {
					t.Error(err)
				}
			}
		}
	})
	return r
}

// deliver asks the mock to deliver (POST /_mock/<path> with body) and returns the event the
// handler was given: the mock answers once the receiver has.
func (r *receiver) deliver(t *testing.T, path, body string) *Event {
	t.Helper()
	if status, answer := mockControl(t, "POST", path, body); status != 200 {
		t.Fatalf("%s: %d %s", path, status, answer)
	}
	select {
	case event := <-r.events:
		return event
	default:
		t.Fatalf("%s: the handler was given no event", path)
		return nil
	}
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// The middleware hands the handler typed events: an inbound media message and a delivery
// status, delivered by the mock over HTTP and verified with its secret.
func TestHandlerTypedEvents(t *testing.T) {
	client := mockClient(t)
	r := newReceiver(t, client)

	event := r.deliver(t, "/_mock/deliver", `{"kind": "media", "from": "+16315555500", "type": "image",`+
		` "url": "https://cdn.connectly.ai/img/1.jpg", "caption": "my receipt"}`)
	m := event.Message
	if event.Topic != TopicMessages || event.Status != nil || m == nil || m.Attachment == nil ||
		event.Sender.ID != "+16315555500" || event.Sender.ChannelType != "whatsapp" {
		t.Fatalf("media: %+v", event)
	}
	if a := m.Attachment; a.Type != AttachmentImage || a.URL != "https://cdn.connectly.ai/img/1.jpg" ||
		str(a.Caption) != "my receipt" || a.Filename != nil || m.Text != nil || event.HasText {
		t.Errorf("media attachment %+v, text %v", *a, m.Text)
	}

	event = r.deliver(t, "/_mock/deliver", `{"kind": "button_reply", "shape": "with_context", "from": "+16315555500",`+
		` "text": "Yes", "payload": "1", "reply_to_id": "018d62f2"}`)
	if b := event.Message.ButtonReply; b == nil || str(b.Text) != "Yes" || str(b.Payload) != "1" || b.ID != nil ||
		str(event.Message.ReplyToID) != "018d62f2" {
		t.Errorf("button reply %+v", event.Message)
	}
	event = r.deliver(t, "/_mock/deliver", `{"kind": "location", "from": "+16315555500", "latitude": -33.5,`+
		` "longitude": 151, "name": "Opera House"}`)
	if l := event.Message.Location; l == nil || l.Latitude != -33.5 || l.Longitude != 151 ||
		str(l.Name) != "Opera House" || l.Address != nil {
		t.Errorf("location %+v", event.Message)
	}
	event = r.deliver(t, "/_mock/deliver", `{"kind": "referral", "from": "+16315555500", "text": "Hi",`+
		` "referral": {"ctwaClid": "c1", "sourceType": "ad"}}`)
	if !sameJSON(t, event.Message.Referral, []byte(`{"ctwaClid":"c1","sourceType":"ad"}`)) || event.Text != "Hi" {
		t.Errorf("referral %+v", event.Message)
	}

	// A status about a template the mock accepted, with its callback data and campaign.
	resetMock(t)
	resp, err := client.SendTemplateMessage(context.Background(),
		NewTemplateMessage("+15555555555", "order_update").WithCampaignName("autumn").
			WithCallbackData(map[string]int{"orderId": 42}))
	if err != nil {
		t.Fatal(err)
	}
	id := replyID(t, resp)
	event = r.deliver(t, "/_mock/deliver_status", `{"message_id": "`+id+`", "status": "delivery_failed",`+
		` "campaign_name_place": "status_update"}`)
	s := event.Status
	if event.Topic != TopicDeliveryStatus || event.Message != nil || s == nil || s.MessageID != id ||
		s.Status != StatusDeliveryFailed || str(s.CampaignName) != "autumn" || event.Recipient.ID != "+15555555555" {
		t.Fatalf("status %+v: %+v", event, s)
	}
	if s.Error == nil || str(s.Error.Code) != "ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW" || s.Error.TraceID == nil {
		t.Errorf("status error %+v", s.Error)
	}
	if !sameJSON(t, event.CallbackData, []byte(`{"orderId":42}`)) {
		t.Errorf("callback data %s", event.CallbackData)
	}
	var raw map[string]any
	if err := json.Unmarshal(event.Raw, &raw); err != nil || raw["topic"] != TopicDeliveryStatus {
		t.Errorf("Raw %s: %v", event.Raw, err)
	}
	event = r.deliver(t, "/_mock/deliver_status", `{"message_id": "`+id+`", "status": "read"}`)
	if s := event.Status; s == nil || s.Status != StatusRead || s.Error != nil || str(s.CampaignName) != "autumn" {
		t.Errorf("read %+v", s)
	}
	resetMock(t)
}

func TestStatusTracker(t *testing.T) {
	tracker := NewStatusTracker()
	for _, step := range []struct {
		id, status string
		forward    bool
		furthest   string
	}{
		{"m1", "pending", true, "pending"}, // unknown: recorded only when nothing is
		{"m1", StatusSent, true, StatusSent},
		{"m1", "pending", false, StatusSent},
		{"m1", StatusRead, true, StatusRead},
		{"m1", StatusDelivered, false, StatusRead}, // late
		{"m1", StatusRead, false, StatusRead},      // repeated
		{"m1", StatusDeliveryFailed, true, StatusDeliveryFailed},
		{"m1", StatusSent, false, StatusDeliveryFailed},
		{"m2", "delivery_failure", true, StatusDeliveryFailed}, // the other spelling
		{"m3", StatusDelivered, true, StatusDelivered},
		{"m\x004", StatusSent, false, ""},
		{"m5", "\xff", false, ""},
	} {
		if got := tracker.Advance(step.id, step.status); got != step.forward {
			t.Errorf("Advance(%q, %q) = %v", step.id, step.status, got)
		}
		furthest, ok := tracker.Status(step.id)
		if furthest != step.furthest || ok != (step.furthest != "") {
			t.Errorf("after %q %q: Status = %q, %v; want %q", step.id, step.status, furthest, ok, step.furthest)
		}
	}
	if status, ok := tracker.Status("never"); ok || status != "" {
		t.Errorf("unknown id: %q %v", status, ok)
	}

	// Shared by goroutines: one of them moves each message to each status.
	shared := NewStatusTracker()
	forward := make(chan bool, 64*3)
	done := make(chan struct{})
	for g := 0; g < 64; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, s := range []string{StatusSent, StatusDelivered, StatusRead} {
				forward <- shared.Advance("shared", s)
			}
		}()
	}
	for g := 0; g < 64; g++ {
		<-done
	}
	close(forward)
	moves := 0
	for f := range forward {
		if f {
			moves++
		}
	}
	if status, _ := shared.Status("shared"); status != StatusRead || moves < 1 || moves > 3 {
		t.Errorf("shared: %q after %d moves forward", status, moves)
	}
}

// The mock sends sent, delivered and read for each message, shuffled: a tracker fed every
// status as it arrives ends at read for each, and never moves one backwards.
func TestStatusTrackerWithShuffledStatuses(t *testing.T) {
	client := mockClient(t)
	r := newReceiver(t, client)
	mockSwitch(t, "/_mock/statuses", `{"auto": "shuffled"}`, `{"auto": "off"}`)
	resetMock(t)
	tracker := NewStatusTracker()
	ids := map[string]bool{}
	for i := 0; i < 5; i++ {
		resp, err := client.SendMessage(context.Background(), WhatsApp("+15555555555"), Message{}.WithText("hi"))
		if err != nil {
			t.Fatal(err)
		}
		ids[replyID(t, resp)] = true
	}
	seen := map[string][]string{}
	deadline := time.After(30 * time.Second)
	for n := 0; n < 3*len(ids); n++ {
		select {
		case event := <-r.events:
			s := event.Status
			if s == nil || !ids[s.MessageID] {
				t.Fatalf("unexpected event %+v", event)
			}
			seen[s.MessageID] = append(seen[s.MessageID], s.Status)
			before, _ := tracker.Status(s.MessageID)
			if forward := tracker.Advance(s.MessageID, s.Status); forward != (rank(s.Status) > rank(before)) {
				t.Errorf("%s: %s after %s: Advance %v", s.MessageID, s.Status, before, forward)
			}
		case <-deadline:
			t.Fatalf("%d statuses of %d arrived: %v", n, 3*len(ids), seen)
		}
	}
	for id := range ids {
		if status, ok := tracker.Status(id); !ok || status != StatusRead || len(seen[id]) != 3 {
			t.Errorf("%s: %q after %v", id, status, seen[id])
		}
	}
}

// rank is the order the test expects of the tracker ("" is no status yet).
func rank(status string) int {
	for i, s := range []string{"", StatusSent, StatusDelivered, StatusRead, StatusDeliveryFailed} {
		if s == status {
			return i
		}
	}
	return 0
}
