package connectly

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// lastBody is the JSON body of the one request the mock recorded since the last reset.
func lastBody(t *testing.T) string {
	t.Helper()
	requests := recorded(t)
	if len(requests) != 1 || requests[0].Body == nil {
		t.Fatalf("%d requests recorded, want 1 with a body", len(requests))
	}
	return *requests[0].Body
}

// acceptedSend is one send the mock accepted (GET /_mock/messages).
type acceptedSend struct {
	ID           string          `json:"id"`
	Recipient    string          `json:"recipient"`
	Sender       *string         `json:"sender"`
	CallbackData json.RawMessage `json:"callback_data"`
	CampaignName *string         `json:"campaign_name"`
}

// acceptedSends are the sends the mock accepted since the last reset, oldest first.
func acceptedSends(t *testing.T) []acceptedSend {
	t.Helper()
	_, body := mockControl(t, "GET", "/_mock/messages", "")
	var sends []acceptedSend
	if err := json.Unmarshal([]byte(body), &sends); err != nil {
		t.Fatalf("messages: %s (%v)", body, err)
	}
	return sends
}

// replyID is the id a send's reply carries.
func replyID(t *testing.T, resp *Response) string {
	t.Helper()
	var reply struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &reply); err != nil || reply.ID == "" {
		t.Fatalf("reply %s: %v", resp.Body, err)
	}
	return reply.ID
}

func TestSendMessageKinds(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		to   Recipient
		msg  Message
		body string
	}{
		{"text", SMS("+15555555555"), Message{}.WithText("hello!"),
			`{"recipient":{"channelType":"sms","id":"+15555555555"},"message":{"text":"hello!"}}`},
		{"image", WhatsApp("+15555555555"),
			Message{}.WithAttachment(Image("https://cdn.example.com/a.jpg").WithCaption("Ada")),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"attachments":` +
				`[{"type":"image","url":"https://cdn.example.com/a.jpg","caption":"Ada"}]}}`},
		{"document with every envelope field", WhatsApp("bsuid:US.1349"),
			Message{}.WithAttachment(Document("https://cdn.example.com/i.pdf").WithFilename("i.pdf")).
				WithID("m-1").WithSender("+14151111234").WithRecipientName("Ada"),
			`{"sender":{"channelType":"whatsapp","id":"+14151111234"},"recipient":{"channelType":"whatsapp",` +
				`"id":"bsuid:US.1349","name":"Ada"},"message":{"id":"m-1","attachments":[{"type":"document",` +
				`"url":"https://cdn.example.com/i.pdf","filename":"i.pdf"}]}}`},
		{"video and audio types", WhatsApp("+15555555555"),
			Message{}.WithAttachment(Video("https://cdn.example.com/v.mp4")),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"attachments":` +
				`[{"type":"video","url":"https://cdn.example.com/v.mp4"}]}}`},
		{"location", WhatsApp("+15555555555"),
			Message{}.WithLocation(NewLocation(37.48, -122.15).WithName("HQ").WithAddress("1 Market St")),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"location":` +
				`{"latitude":37.48,"longitude":-122.15,"name":"HQ","address":"1 Market St"}}}`},
		{"list, two sections of one title", WhatsApp("+15555555555"),
			Message{}.WithText("Pick").WithList(NewListMessage("Open",
				ListSection{Title: "A", Rows: []ListRow{NewListRow("r1", "One").WithDescription("1")}},
				ListSection{Title: "A", Rows: []ListRow{NewListRow("r2", "Two")}},
			).WithFooter("f")),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"Pick",` +
				`"listMessage":{"footer":{"text":"f"},"button":{"text":"Open"},"sections":[` +
				`{"title":"A","rows":[{"id":"r1","text":"One","description":"1"}]},` +
				`{"title":"A","rows":[{"id":"r2","text":"Two"}]}]}}}`},
		{"buttons", WhatsApp("+15555555555"),
			Message{}.WithText("OK?").WithButtons(NewReplyButtons(Button{ID: "y", Text: "Yes"},
				Button{ID: "n", Text: "No"}).WithHeader("h")),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"OK?",` +
				`"replyButtonMessage":{"header":{"text":"h"},"buttons":[{"id":"y","text":"Yes"},{"id":"n","text":"No"}]}}}`},
		{"single product", WhatsApp("+15555555555"),
			Message{}.WithProduct(SingleProduct, map[string]any{"catalogId": "c1", "productId": "p1"}),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"singleProductMessage":` +
				`{"catalogId":"c1","productId":"p1"}}}`},
		{"multi product", WhatsApp("+15555555555"),
			Message{}.WithText("Ours").WithProduct(MultiProduct, json.RawMessage(`{"catalogId":"c1","sections":[]}`)),
			`{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"Ours",` +
				`"multiProductMessage":{"catalogId":"c1","sections":[]}}}`},
	} {
		resetMock(t)
		resp, err := client.SendMessage(ctx, tc.to, tc.msg)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if resp.Status != 200 || resp.Attempts != 1 || resp.TraceID == "" {
			t.Errorf("%s: %+v", tc.name, resp)
		}
		if body := lastBody(t); !sameJSON(t, []byte(body), []byte(tc.body)) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, body, tc.body)
		}
		if sends := acceptedSends(t); len(sends) != 1 || sends[0].ID != replyID(t, resp) ||
			sends[0].Recipient != tc.to.ID {
			t.Errorf("%s: the mock accepted %+v", tc.name, sends)
		}
	}
	resetMock(t)
}

func TestSendMessageRefusals(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		to    Recipient
		msg   Message
		field string // "" when the refusal is Go's own (a NUL byte, a value json cannot marshal)
	}{
		{"no channel", Recipient{ID: "+15555555555"}, Message{}.WithText("hi"), "channel"},
		{"no content", WhatsApp("+15555555555"), Message{}, "message"},
		{"an unknown attachment type, refused by its setter", WhatsApp("+15555555555"),
			Message{}.WithAttachment(NewAttachment("sticker", "https://cdn.example.com/s.webp")), "attachment type"},
		{"a caption set empty", WhatsApp("+15555555555"),
			Message{}.WithAttachment(Image("https://cdn.example.com/a.jpg").WithCaption("")), "attachment caption"},
		{"buttons without a button", WhatsApp("+15555555555"),
			Message{}.WithText("?").WithButtons(NewReplyButtons()), "buttons"},
		{"a section without rows", WhatsApp("+15555555555"),
			Message{}.WithText("?").WithList(NewListMessage("Open",
				ListSection{Title: "A", Rows: []ListRow{NewListRow("r1", "One")}}, ListSection{Title: "B"})), "list rows"},
		{"a product that is not an object", WhatsApp("+15555555555"),
			Message{}.WithProduct(SingleProduct, []int{1}), "product"},
		{"a location and buttons", WhatsApp("+15555555555"),
			Message{}.WithLocation(NewLocation(0, 0)).WithButtons(NewReplyButtons(Button{ID: "a", Text: "A"})), "message"},
		{"a NUL byte in a row", WhatsApp("+15555555555"),
			Message{}.WithText("?").WithList(NewListMessage("Open",
				ListSection{Title: "A", Rows: []ListRow{NewListRow("r\x001", "One")}})), ""},
		{"a NUL byte in the recipient", WhatsApp("+1555\x005555555"), Message{}.WithText("hi"), ""},
		{"a product json cannot marshal", WhatsApp("+15555555555"),
			Message{}.WithProduct(MultiProduct, map[string]any{"f": func() {}}), ""},
	} {
		resetMock(t)
		_, err := client.SendMessage(ctx, tc.to, tc.msg)
		if !errors.Is(err, ErrValidation) {
			t.Errorf("%s: %v, want ErrValidation", tc.name, err)
		}
		if tc.field != "" && validationField(err) != tc.field {
			t.Errorf("%s: %v, want the field %q", tc.name, err, tc.field)
		}
		if n := len(recorded(t)); n != 0 {
			t.Errorf("%s: %d requests sent", tc.name, n)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := client.SendMessage(ctx, WhatsApp("+15555555555"), Message{}.WithText("hi")); !errors.Is(err, context.Canceled) {
		t.Errorf("a done context: %v", err)
	}
	closed := mockClient(t)
	closed.Close()
	if _, err := closed.SendMessage(context.Background(), WhatsApp("+15555555555"), Message{}.WithText("hi")); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if n := len(recorded(t)); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// The With methods return changed copies: a message built from another leaves it as it was.
func TestBuildersCopy(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	base := Message{}.WithText("base")
	_ = base.WithText("changed").WithID("x")
	resetMock(t)
	if _, err := client.SendMessage(ctx, WhatsApp("+15555555555"), base); err != nil {
		t.Fatal(err)
	}
	if body := lastBody(t); !strings.Contains(body, `"message":{"text":"base"}`) {
		t.Errorf("base changed: %s", body)
	}

	template := NewTemplateMessage("+15555555555", "order_update").WithParam("a", "1")
	first, second := template.WithParam("b", "2"), template.WithParam("c", "3")
	for _, tc := range []struct {
		msg    TemplateMessage
		params string
	}{
		{first, `[{"name":"a","value":"1"},{"name":"b","value":"2"}]`},
		{second, `[{"name":"a","value":"1"},{"name":"c","value":"3"}]`},
		{template, `[{"name":"a","value":"1"}]`},
	} {
		resetMock(t)
		if _, err := client.SendTemplateMessage(ctx, tc.msg); err != nil {
			t.Fatal(err)
		}
		if body := lastBody(t); !strings.Contains(body, `"parameters":`+tc.params) {
			t.Errorf("got %s, want the parameters %s", body, tc.params)
		}
	}
	resetMock(t)
}

func TestSendTemplateMessage(t *testing.T) {
	client := mockClient(t)
	ctx := context.Background()
	resetMock(t)
	type order struct {
		OrderID int      `json:"orderId"`
		Tags    []string `json:"tags"`
	}
	msg := NewTemplateMessage("+15555555555", "order_update", TemplateParam{Name: "body_1", Value: "Ada"}).
		WithLanguage("en_US").WithSender("+14151111234").WithCampaignName("autumn").
		WithCallbackData(order{OrderID: 42, Tags: []string{"<b>"}})
	resp, err := client.SendTemplateMessage(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"parameters":[{"name":"body_1","value":"Ada"}],"number":"+15555555555","templateName":"order_update",` +
		`"language":"en_US","sender":"+14151111234","callbackData":{"orderId":42,"tags":["<b>"]},"campaignName":"autumn"}`
	if body := lastBody(t); !sameJSON(t, []byte(body), []byte(want)) {
		t.Errorf("got %s\nwant %s", body, want)
	}
	sends := acceptedSends(t)
	if len(sends) != 1 || sends[0].ID != replyID(t, resp) || sends[0].CampaignName == nil ||
		*sends[0].CampaignName != "autumn" || !sameJSON(t, sends[0].CallbackData, []byte(`{"orderId":42,"tags":["<b>"]}`)) {
		t.Errorf("the mock accepted %+v", sends)
	}

	// The size rule is the core's: 1024 bytes of compact JSON pass, 1025 do not.
	for size, ok := range map[int]bool{1024: true, 1025: false} {
		resetMock(t)
		data := strings.Repeat("x", size-2) // a JSON string: two quotes
		_, err := client.SendTemplateMessage(ctx, NewTemplateMessage("+15555555555", "welcome").WithCallbackData(data))
		if ok && err != nil || !ok && validationField(err) != "callback data" {
			t.Errorf("%d bytes: %v", size, err)
		}
	}
	resetMock(t)
	_, err = client.SendTemplateMessage(ctx, NewTemplateMessage("+15555555555", "welcome").WithCallbackData(make(chan int)))
	if !errors.Is(err, ErrValidation) || len(recorded(t)) != 0 {
		t.Errorf("unmarshalable callback data: %v", err)
	}
	resetMock(t)
}
