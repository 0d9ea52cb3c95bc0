package connectly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// requestArgs are a requests.json row's args (language-neutral; absent ones are nil).
type requestArgs struct {
	To            string          `json:"to"`
	Channel       *string         `json:"channel"`
	RecipientName *string         `json:"recipient_name"`
	Sender        *string         `json:"sender"`
	MessageID     *string         `json:"message_id"`
	Text          *string         `json:"text"`
	Attachment    *attachmentArgs `json:"attachment"`
	Location      *locationArgs   `json:"location"`
	List          *listArgs       `json:"list"`
	Buttons       *buttonsArgs    `json:"buttons"`
	Number        string          `json:"number"`
	TemplateName  string          `json:"template_name"`
	Params        [][2]string     `json:"params"`
	Language      *string         `json:"language"`
	CallbackData  json.RawMessage `json:"callback_data"`
	CampaignName  *string         `json:"campaign_name"`
	Address       *string         `json:"address"`
	Topic         string          `json:"topic"`
	Type          *string         `json:"type"`
	Configuration json.RawMessage `json:"configuration"`
	WebhookID     string          `json:"webhook_id"`
	Entries       []campaignArgs  `json:"entries"`
}

type attachmentArgs struct {
	Type     string  `json:"type"`
	URL      string  `json:"url"`
	Caption  *string `json:"caption"`
	Filename *string `json:"filename"`
}

// coordinate is a location coordinate: a JSON number, or "NaN", "Infinity" or "-Infinity".
type coordinate float64

func (c *coordinate) UnmarshalJSON(data []byte) error {
	var name string
	if json.Unmarshal(data, &name) == nil {
		switch name {
		case "NaN":
			*c = coordinate(math.NaN())
		case "Infinity":
			*c = coordinate(math.Inf(1))
		case "-Infinity":
			*c = coordinate(math.Inf(-1))
		default:
			return fmt.Errorf("unknown coordinate %q", name)
		}
		return nil
	}
	var f float64
	err := json.Unmarshal(data, &f)
	*c = coordinate(f)
	return err
}

type locationArgs struct {
	Latitude  coordinate `json:"latitude"`
	Longitude coordinate `json:"longitude"`
	Name      *string    `json:"name"`
	Address   *string    `json:"address"`
}

type listArgs struct {
	Button   string  `json:"button"`
	Header   *string `json:"header"`
	Footer   *string `json:"footer"`
	Sections []struct {
		Title string `json:"title"`
		Rows  []struct {
			ID          string  `json:"id"`
			Text        string  `json:"text"`
			Description *string `json:"description"`
		} `json:"rows"`
	} `json:"sections"`
}

type buttonsArgs struct {
	Header  *string  `json:"header"`
	Footer  *string  `json:"footer"`
	Buttons []Button `json:"buttons"`
}

type campaignArgs struct {
	Client       string                     `json:"client"`
	CampaignName string                     `json:"campaign_name"`
	Variables    map[string]json.RawMessage `json:"variables"`
	Version      string                     `json:"version"`
	Sender       string                     `json:"sender"`
	ScheduledAt  string                     `json:"scheduled_at"`
}

// rowMessage is a send_message row's message, built with the public API.
func rowMessage(a *requestArgs) Message {
	var m Message
	if a.Text != nil {
		m = m.WithText(*a.Text)
	}
	if at := a.Attachment; at != nil {
		attachment := NewAttachment(at.Type, at.URL)
		if at.Caption != nil {
			attachment = attachment.WithCaption(*at.Caption)
		}
		if at.Filename != nil {
			attachment = attachment.WithFilename(*at.Filename)
		}
		m = m.WithAttachment(attachment)
	}
	if l := a.Location; l != nil {
		location := NewLocation(float64(l.Latitude), float64(l.Longitude))
		if l.Name != nil {
			location = location.WithName(*l.Name)
		}
		if l.Address != nil {
			location = location.WithAddress(*l.Address)
		}
		m = m.WithLocation(location)
	}
	if l := a.List; l != nil {
		var sections []ListSection
		for _, s := range l.Sections {
			section := ListSection{Title: s.Title}
			for _, r := range s.Rows {
				row := NewListRow(r.ID, r.Text)
				if r.Description != nil {
					row = row.WithDescription(*r.Description)
				}
				section.Rows = append(section.Rows, row)
			}
			sections = append(sections, section)
		}
		list := NewListMessage(l.Button, sections...)
		if l.Header != nil {
			list = list.WithHeader(*l.Header)
		}
		if l.Footer != nil {
			list = list.WithFooter(*l.Footer)
		}
		m = m.WithList(list)
	}
	if b := a.Buttons; b != nil {
		buttons := NewReplyButtons(b.Buttons...)
		if b.Header != nil {
			buttons = buttons.WithHeader(*b.Header)
		}
		if b.Footer != nil {
			buttons = buttons.WithFooter(*b.Footer)
		}
		m = m.WithButtons(buttons)
	}
	if a.MessageID != nil {
		m = m.WithID(*a.MessageID)
	}
	if a.Sender != nil {
		m = m.WithSender(*a.Sender)
	}
	if a.RecipientName != nil {
		m = m.WithRecipientName(*a.RecipientName)
	}
	return m
}

// rowTemplate is a send_template row's message, built with the public API.
func rowTemplate(a *requestArgs) TemplateMessage {
	t := NewTemplateMessage(a.Number, a.TemplateName)
	for _, p := range a.Params {
		t = t.WithParam(p[0], p[1])
	}
	if a.Language != nil {
		t = t.WithLanguage(*a.Language)
	}
	if a.Sender != nil {
		t = t.WithSender(*a.Sender)
	}
	if a.CallbackData != nil {
		t = t.WithCallbackData(a.CallbackData)
	}
	if a.CampaignName != nil {
		t = t.WithCampaignName(*a.CampaignName)
	}
	return t
}

// jsonArg is a JSON arg as a value for the Go API: nil (none) when the row does not give it.
func jsonArg(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return raw
}

// rowEntries are a send_campaign row's entries, their variables passed as the row gives
// them (a value that is not a string is the core's to refuse).
func rowEntries(a *requestArgs) []CampaignEntry {
	var entries []CampaignEntry
	for _, e := range a.Entries {
		entry := CampaignEntry{Client: e.Client, CampaignName: e.CampaignName, Version: e.Version,
			Sender: e.Sender, ScheduledAt: e.ScheduledAt}
		for name, value := range e.Variables {
			if entry.Variables == nil {
				entry.Variables = map[string]any{}
			}
			entry.Variables[name] = value
		}
		entries = append(entries, entry)
	}
	return entries
}

// runRequestRow makes a row's call against the mock; an answer from the mock, even an error
// status, counts as sent, so only a refusal before sending is returned.
func runRequestRow(client *Client, call string, a *requestArgs) error {
	ctx := context.Background()
	var err error
	switch call {
	case "send_message":
		to := WhatsApp(a.To)
		if a.Channel != nil {
			to.Channel = *a.Channel
		}
		_, err = client.SendMessage(ctx, to, rowMessage(a))
	case "send_template":
		_, err = client.SendTemplateMessage(ctx, rowTemplate(a))
	case "create_webhook":
		registration := WebhookRegistration{Address: *a.Address, Topic: a.Topic,
			Configuration: jsonArg(a.Configuration)}
		if a.Type != nil {
			registration.Type = *a.Type
		}
		_, err = client.CreateWebhookWith(ctx, registration)
	case "upsert_webhook_create":
		_, err = client.UpsertWebhook(ctx, *a.Address, a.Topic, jsonArg(a.Configuration))
	case "list_webhooks":
		_, err = client.ListWebhooks(ctx)
	case "update_webhook":
		update := WebhookUpdate{Configuration: jsonArg(a.Configuration)}
		if a.Address != nil {
			update.Address = *a.Address
		}
		_, err = client.UpdateWebhook(ctx, a.WebhookID, update)
	case "delete_webhook":
		_, err = client.DeleteWebhook(ctx, a.WebhookID)
	case "list_templates":
		_, err = client.ListTemplates(ctx)
	case "send_campaign":
		_, err = client.SendCampaign(ctx, rowEntries(a))
	default:
		return fmt.Errorf("unknown call %q", call)
	}
	if errors.Is(err, ErrValidation) {
		return err
	}
	return nil
}

// pathSegments are a path's segments, each percent-decoded.
func pathSegments(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, segment := range strings.Split(path, "/") {
		decoded, err := url.PathUnescape(segment)
		if err != nil {
			t.Fatalf("path %q: %v", path, err)
		}
		out = append(out, decoded)
	}
	return out
}

// sameJSON reports whether two JSON texts are the same value (numbers compared as numbers,
// key order ignored).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestRequestVectors(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name   string          `json:"name"`
			Call   string          `json:"call"`
			Args   json.RawMessage `json:"args"`
			Expect struct {
				Method string          `json:"method"`
				Path   string          `json:"path"`
				Body   json.RawMessage `json:"body"`
				Error  *struct {
					Kind  string `json:"kind"`
					Field string `json:"field"`
				} `json:"error"`
			} `json:"expect"`
		} `json:"vectors"`
	}
	readVectors(t, "requests.json", &file)
	client := mockClient(t, WithMaxRetries(0))
	// upsert_webhook_create rows need the create answered 200.
	mockSwitch(t, "/_mock/webhook_conflicts", `{"enabled": false}`, `{"enabled": false}`)
	prefix := "/v1/businesses/" + mockEnv["CONNECTLY_BUSINESS_ID"]
	rows := 0
	for _, v := range file.Vectors {
		rows++
		var args requestArgs
		decoder := json.NewDecoder(bytes.NewReader(v.Args))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&args); err != nil {
			t.Errorf("%s: args: %v", v.Name, err)
			continue
		}
		resetMock(t)
		err := runRequestRow(client, v.Call, &args)
		requests := recorded(t)
		if want := v.Expect.Error; want != nil {
			switch {
			case want.Kind != "validation":
				t.Errorf("%s: unknown error kind %q", v.Name, want.Kind)
			case validationField(err) != want.Field:
				t.Errorf("%s: got %v (field %q), want a validation error of %q", v.Name, err,
					validationField(err), want.Field)
			}
			if len(requests) != 0 {
				t.Errorf("%s: a refused call sent %d requests", v.Name, len(requests))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if len(requests) != 1 {
			t.Errorf("%s: %d requests, want 1", v.Name, len(requests))
			continue
		}
		got := requests[0]
		if got.Method != v.Expect.Method {
			t.Errorf("%s: method %s, want %s", v.Name, got.Method, v.Expect.Method)
		}
		if g, w := pathSegments(t, got.Path), pathSegments(t, prefix+v.Expect.Path); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: path %s, want %s", v.Name, got.Path, prefix+v.Expect.Path)
		}
		switch {
		case string(v.Expect.Body) == "null":
			if got.Body != nil && *got.Body != "" {
				t.Errorf("%s: a body was sent: %s", v.Name, *got.Body)
			}
		case got.Body == nil:
			t.Errorf("%s: no body, want %s", v.Name, v.Expect.Body)
		case !sameJSON(t, []byte(*got.Body), v.Expect.Body):
			t.Errorf("%s:\n got %s\nwant %s", v.Name, *got.Body, v.Expect.Body)
		}
	}
	reportConformance(t, "requests.json", rows)
	if rows != 108 {
		t.Fatalf("requests.json: %d rows, want 108", rows)
	}
	resetMock(t)
}
