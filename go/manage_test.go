package connectly

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// webhookFor is the listed registration of topic, or nil.
func webhookFor(t *testing.T, client *Client, topic string) *WebhookInfo {
	t.Helper()
	webhooks, err := client.ListWebhooks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range webhooks {
		if webhooks[i].Topic == topic {
			return &webhooks[i]
		}
	}
	return nil
}

// methods are the methods and paths of the requests the mock recorded since the last reset.
func methods(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range recorded(t) {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestWebhookManagement(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	mockSwitch(t, "/_mock/webhook_conflicts", `{"enabled": false}`, `{"enabled": false}`)
	resetMock(t)

	configuration := map[string]any{"echo": true, "channelTypes": []string{"whatsapp"}}
	resp, err := client.CreateWebhookWith(ctx, WebhookRegistration{Address: "https://example.com/statuses",
		Topic: TopicDeliveryStatus, Type: "zapier", Configuration: configuration})
	if err != nil || resp.Status != 200 {
		t.Fatalf("create: %v %+v", err, resp)
	}
	want := `{"topic":"delivery_status","address":"https://example.com/statuses","type":"zapier",` +
		`"configuration":{"echo":true,"channelTypes":["whatsapp"]}}`
	if body := lastBody(t); !sameJSON(t, []byte(body), []byte(want)) {
		t.Errorf("create sent %s", body)
	}

	listed := webhookFor(t, client, TopicDeliveryStatus)
	if listed == nil || listed.ID == "" || listed.Address != "https://example.com/statuses" ||
		!sameJSON(t, listed.Configuration, []byte(`{"echo":true,"channelTypes":["whatsapp"]}`)) {
		t.Fatalf("listed %+v", listed)
	}
	var raw map[string]any
	if err := json.Unmarshal(listed.Raw, &raw); err != nil || raw["id"] != listed.ID {
		t.Errorf("Raw %s: %v", listed.Raw, err)
	}

	// Only what is given changes.
	if _, err := client.UpdateWebhook(ctx, listed.ID, WebhookUpdate{Address: "https://example.com/moved"}); err != nil {
		t.Fatal(err)
	}
	moved := webhookFor(t, client, TopicDeliveryStatus)
	if moved == nil || moved.ID != listed.ID || moved.Address != "https://example.com/moved" ||
		!sameJSON(t, moved.Configuration, listed.Configuration) {
		t.Errorf("after the address update: %+v", moved)
	}
	if _, err := client.UpdateWebhook(ctx, listed.ID, WebhookUpdate{Configuration: map[string]bool{"echo": false}}); err != nil {
		t.Fatal(err)
	}
	if changed := webhookFor(t, client, TopicDeliveryStatus); changed == nil ||
		changed.Address != "https://example.com/moved" || !sameJSON(t, changed.Configuration, []byte(`{"echo":false}`)) {
		t.Errorf("after the configuration update: %+v", changed)
	}

	resetMock(t)
	if _, err := client.UpdateWebhook(ctx, listed.ID, WebhookUpdate{}); validationField(err) != "webhook update" {
		t.Errorf("an empty update: %v", err)
	}
	if _, err := client.CreateWebhookWith(ctx, WebhookRegistration{Address: "https://example.com/h",
		Topic: TopicMessages, Configuration: []string{"not", "an", "object"}}); validationField(err) != "configuration" {
		t.Errorf("a configuration that is not an object: %v", err)
	}
	if n := len(recorded(t)); n != 0 {
		t.Errorf("refused calls sent %d requests", n)
	}

	if resp, err := client.DeleteWebhook(ctx, listed.ID); err != nil || resp.Status != 200 {
		t.Fatalf("delete: %v %+v", err, resp)
	}
	if gone := webhookFor(t, client, TopicDeliveryStatus); gone != nil {
		t.Errorf("still listed after delete: %+v", gone)
	}
	var apiErr *APIError
	_, err = client.DeleteWebhook(ctx, listed.ID)
	if !errors.Is(err, ErrAPI) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("deleting it again: %v", err)
	}
	_, err = client.UpdateWebhook(ctx, "wh/unknown id", WebhookUpdate{Address: "https://example.com/h"})
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("updating an unknown id: %v", err)
	}
	resetMock(t)
}

// UpsertWebhook works whichever way the provider answers a second registration of a topic.
func TestUpsertWebhook(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	mockSwitch(t, "/_mock/webhook_conflicts", `{"enabled": false}`, `{"enabled": false}`)
	prefix := "/v1/businesses/" + mockEnv["CONNECTLY_BUSINESS_ID"]

	// Replace mode: the create answers 200 and replaces the registration.
	if _, err := client.UpsertWebhook(ctx, "https://example.com/first", TopicMessages, nil); err != nil {
		t.Fatal(err)
	}
	resetMock(t)
	resp, err := client.UpsertWebhook(ctx, "https://example.com/second", TopicMessages, map[string]any{"echo": true})
	if err != nil || resp.Status != 200 {
		t.Fatalf("replace mode: %v %+v", err, resp)
	}
	if got := methods(t); len(got) != 1 || got[0] != "POST "+prefix+"/create/webhooks" {
		t.Errorf("replace mode sent %v", got)
	}
	first := webhookFor(t, client, TopicMessages)
	if first == nil || first.Address != "https://example.com/second" {
		t.Fatalf("replace mode: listed %+v", first)
	}

	// Conflict mode: the create answers 409; the topic's registration is found and updated.
	mockSwitch(t, "/_mock/webhook_conflicts", `{"enabled": true}`, `{"enabled": false}`)
	resetMock(t)
	resp, err = client.UpsertWebhook(ctx, "https://example.com/third", TopicMessages, map[string]any{"echo": false})
	if err != nil || resp.Status != 200 {
		t.Fatalf("conflict mode: %v %+v", err, resp)
	}
	want := []string{"POST " + prefix + "/create/webhooks", "GET " + prefix + "/webhooks",
		"PUT " + prefix + "/update/webhooks/" + first.ID}
	if got := methods(t); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("conflict mode sent %v, want %v", got, want)
	}
	third := webhookFor(t, client, TopicMessages)
	if third == nil || third.ID != first.ID || third.Address != "https://example.com/third" ||
		!sameJSON(t, third.Configuration, []byte(`{"echo":false}`)) {
		t.Errorf("conflict mode: listed %+v", third)
	}
	// A plain create in conflict mode is the 409 itself.
	_, err = client.CreateWebhookWith(ctx, WebhookRegistration{Address: "https://example.com/h", Topic: TopicMessages})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("create in conflict mode: %v", err)
	}
	resetMock(t)
}

func TestListTemplates(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	templates, err := client.ListTemplates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]TemplateInfo{}
	for _, tpl := range templates {
		byKey[tpl.Name+"/"+tpl.Language] = tpl
	}
	approved := byKey["order_update/en_US"]
	if approved.Group != "tg_order_update" || approved.Status != "MESSAGE_TEMPLATE_STATUS_APPROVED" ||
		approved.Category != "UTILITY" || approved.RejectionReason != "" {
		t.Errorf("order_update/en_US: %+v (of %d)", approved, len(templates))
	}
	var raw map[string]any
	if err := json.Unmarshal(approved.Raw, &raw); err != nil || raw["id"] != "tpl_order_update_en_US" {
		t.Errorf("Raw %s: %v", approved.Raw, err)
	}
	// The rejection reason wherever the provider put it.
	if r := byKey["summer_sale/en"].RejectionReason; r != "PROMOTIONAL" {
		t.Errorf("summer_sale: %q", r)
	}
	if r := byKey["account_alert/en"].RejectionReason; r != "INVALID_FORMAT" {
		t.Errorf("account_alert: %q", r)
	}

	// Seeded templates, restored afterwards (the mock is shared).
	_, current := mockControl(t, "GET", "/_mock/templates", "")
	mockSwitch(t, "/_mock/templates", `[{"id":"g1","name":"only","category":"MARKETING",`+
		`"templates":[{"language":"pt_BR","status":"MESSAGE_TEMPLATE_STATUS_PENDING"}]},{"id":"g2"}]`, current)
	resetMock(t)
	templates, err = client.ListTemplates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := TemplateInfo{Name: "only", Group: "g1", Language: "pt_BR",
		Status: "MESSAGE_TEMPLATE_STATUS_PENDING", Category: "MARKETING",
		Raw: json.RawMessage(`{"language":"pt_BR","status":"MESSAGE_TEMPLATE_STATUS_PENDING"}`)}
	if len(templates) != 1 || !sameJSON(t, templates[0].Raw, want.Raw) {
		t.Fatalf("seeded: %+v", templates)
	}
	got := templates[0]
	got.Raw = want.Raw
	if !reflect.DeepEqual(got, want) {
		t.Errorf("seeded: %+v", got)
	}
	if got := methods(t); len(got) != 1 || got[0] != "POST /v1/businesses/"+mockEnv["CONNECTLY_BUSINESS_ID"]+"/get/templates" {
		t.Errorf("sent %v", got)
	}
	resetMock(t)
}
