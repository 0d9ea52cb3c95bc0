package connectly

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// partyJSON is a Party in events.json's shape.
func partyJSON(p Party) map[string]any {
	return map[string]any{
		"id": p.ID, "channel_type": p.ChannelType, "name": p.Name, "user_id": p.UserID,
		"phone_number": p.PhoneNumber,
	}
}

// rawJSON is JSON text as a value for marshalling: nil (null) when absent.
func rawJSON(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return raw
}

// eventJSON is every typed field of an event in events.json's shape ("expect"), but the
// timestamp, compared on its own as an integer.
func eventJSON(e *Event) map[string]any {
	out := map[string]any{
		"topic":         e.Topic,
		"sender":        partyJSON(e.Sender),
		"recipient":     partyJSON(e.Recipient),
		"callback_data": rawJSON(e.CallbackData),
	}
	switch {
	case e.Message != nil && e.Status != nil:
		out["kind"] = "both a message and a status"
	case e.Message != nil:
		m := e.Message
		out["kind"] = "message"
		out["text"] = m.Text
		out["attachment"] = nil
		if a := m.Attachment; a != nil {
			out["attachment"] = map[string]any{"type": a.Type, "url": a.URL, "caption": a.Caption,
				"filename": a.Filename}
		}
		out["location"] = nil
		if l := m.Location; l != nil {
			out["location"] = map[string]any{"latitude": l.Latitude, "longitude": l.Longitude,
				"name": l.Name, "address": l.Address}
		}
		out["button_reply"] = nil
		if b := m.ButtonReply; b != nil {
			out["button_reply"] = map[string]any{"text": b.Text, "payload": b.Payload, "id": b.ID}
		}
		out["list_reply"] = nil
		if l := m.ListReply; l != nil {
			out["list_reply"] = map[string]any{"id": l.ID, "text": l.Text, "description": l.Description}
		}
		out["reply_to_id"] = m.ReplyToID
		out["referral"] = rawJSON(m.Referral)
	case e.Status != nil:
		s := e.Status
		out["kind"] = "delivery_status"
		out["message_id"] = s.MessageID
		out["status"] = s.Status
		out["error"] = nil
		if d := s.Error; d != nil {
			out["error"] = map[string]any{"code": d.Code, "type": d.Type, "message": d.Message,
				"trace_id": d.TraceID}
		}
		out["campaign_name"] = s.CampaignName
	default:
		out["kind"] = "other"
	}
	return out
}

func TestEventVectors(t *testing.T) {
	var file struct {
		Secret  string `json:"secret"`
		Vectors []struct {
			Name      string          `json:"name"`
			Body      string          `json:"body"`
			Signature string          `json:"signature"`
			Expect    json.RawMessage `json:"expect"`
		} `json:"vectors"`
	}
	readVectors(t, "events.json", &file)
	webhook, err := NewWebhook(file.Secret)
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	rows := 0
	for _, v := range file.Vectors {
		rows++
		body := []byte(v.Body)
		if err := webhook.Verify(body, v.Signature); err != nil {
			t.Errorf("%s: Verify: %v", v.Name, err)
			continue
		}
		var expect map[string]json.RawMessage
		if err := json.Unmarshal(v.Expect, &expect); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		event, err := webhook.VerifyEvent(body, v.Signature)
		if refusal, ok := expect["error"]; ok && string(refusal) == `"invalid_payload"` {
			if !errors.Is(err, ErrInvalidPayload) {
				t.Errorf("%s: got %v, want ErrInvalidPayload", v.Name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		timestamp, err := strconv.ParseInt(string(expect["timestamp"]), 10, 64)
		if err != nil {
			t.Fatalf("%s: timestamp %s: %v", v.Name, expect["timestamp"], err)
		}
		if event.Timestamp != timestamp {
			t.Errorf("%s: timestamp %d, want %d", v.Name, event.Timestamp, timestamp)
		}
		delete(expect, "timestamp")
		want, err := json.Marshal(expect)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(eventJSON(event))
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, got, want) {
			t.Errorf("%s:\n got %s\nwant %s", v.Name, got, want)
		}
		if !bytes.Equal(event.Body, body) {
			t.Errorf("%s: Body is not the signed bytes", v.Name)
		}
		if string(event.Raw) != strings.Trim(v.Body, " \t\r\n") {
			t.Errorf("%s: Raw %s", v.Name, event.Raw)
		}
		// Event.Text, which events had before they were typed, is the message's text.
		if m := event.Message; m != nil {
			if m.Text == nil && event.HasText || m.Text != nil && (!event.HasText || *m.Text != event.Text) {
				t.Errorf("%s: Text %q (%v), Message.Text %v", v.Name, event.Text, event.HasText, m.Text)
			}
		}
	}
	reportConformance(t, "events.json", rows)
	if rows != 108 {
		t.Fatalf("events.json: %d rows, want 108", rows)
	}
}

// TestEventPartiesAndEmptyError: both parties' userId and phoneNumber are read (the vectors
// carry them for senders only), and an error object without fields is still an error.
func TestEventPartiesAndEmptyError(t *testing.T) {
	webhook, err := NewWebhook("parties-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer webhook.Close()
	body := []byte(`{"topic":"delivery_status","timestamp":"1641513098",` +
		`"sender":{"id":"bsuid:US.1","channelType":"whatsapp","userId":"US.1","phoneNumber":""},` +
		`"recipient":{"id":"bsuid:US.2","channelType":"whatsapp","userId":"US.2","phoneNumber":"+16315555500"},` +
		`"statusUpdate":{"id":"msg-2","status":"delivery_failed","error":{}}}`)
	signature, err := webhook.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	event, err := webhook.VerifyEvent(body, signature)
	if err != nil {
		t.Fatal(err)
	}
	if str(event.Sender.UserID) != "US.1" || str(event.Sender.PhoneNumber) != "" ||
		str(event.Recipient.UserID) != "US.2" || str(event.Recipient.PhoneNumber) != "+16315555500" {
		t.Errorf("sender %+v, recipient %+v", event.Sender, event.Recipient)
	}
	if event.Status == nil || event.Status.Error == nil || *event.Status.Error != (ErrorDetail{}) {
		t.Errorf("status %+v", event.Status)
	}
}
