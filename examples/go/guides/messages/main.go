// connectly-example: run

// Command messages sends one of each kind of message: a text, a WhatsApp template with its
// language and callback data, an image with a caption, a location, reply buttons and a
// list. Then it checks, through the mock's control API (with connectlytest), that each
// request carried what was asked for.
//
//	CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... CONNECTLY_BASE_URL=http://127.0.0.1:PORT \
//	go run ./guides/messages
//
// Inside the SDK's repository, run it from examples/go with -tags connectly_intree, against
// the mock (`connectly mock`). Exits non-zero when a send fails or the mock saw something
// else.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"reflect"
	"strings"

	"github.com/connectly-sdk/connectly-sdk/examples/go/guides/internal/check"
	connectly "github.com/connectly-sdk/connectly-sdk/go"
)

func main() {
	// --8<-- [start:client]
	client, err := connectly.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	to := connectly.WhatsApp("+15555555555") // or connectly.SMS(...), a BSUID, ...
	// --8<-- [end:client]

	var ids []string
	sent := func(what string, resp *connectly.Response) {
		var answer struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(resp.Body, &answer); err != nil || answer.ID == "" {
			log.Fatalf("%s: no message id in %s", what, resp.Body)
		}
		ids = append(ids, answer.ID)
	}

	// --8<-- [start:text]
	resp, err := client.SendTextContext(ctx, to.Channel, to.ID, "Your order has shipped.")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("text sent: %s\n", resp.Body) // {"id": "...", ...}: statuses name this id
	// --8<-- [end:text]
	sent("text", resp)

	// --8<-- [start:template]
	order := connectly.NewTemplateMessage("+15555555555", "order_update").
		WithLanguage("en_US").
		WithParam("name", "Ada").
		WithParam("order", "1042").
		// Echoed in every delivery status about this message.
		WithCallbackData(map[string]any{"orderId": 1042})
	resp, err = client.SendTemplateMessage(ctx, order)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("template sent: %s\n", resp.Body)
	// --8<-- [end:template]
	sent("template", resp)

	// --8<-- [start:media]
	receipt := connectly.Image("https://example.com/receipts/1042.jpg").WithCaption("Your receipt")
	resp, err = client.SendMessage(ctx, to, connectly.Message{}.WithAttachment(receipt))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("image sent: %s\n", resp.Body)
	// --8<-- [end:media]
	sent("image", resp)

	// --8<-- [start:location]
	store := connectly.NewLocation(51.5246, -0.0847).
		WithName("Shoreditch store").
		WithAddress("1 Example Street, London")
	resp, err = client.SendMessage(ctx, to, connectly.Message{}.WithLocation(store))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("location sent: %s\n", resp.Body)
	// --8<-- [end:location]
	sent("location", resp)

	// --8<-- [start:buttons]
	// One to three buttons; the message's text is their body. A tap comes back as an
	// inbound message whose ButtonReply carries the button's id.
	question := connectly.Message{}.WithText("Did your order arrive?").WithButtons(
		connectly.NewReplyButtons(
			connectly.Button{ID: "arrived", Text: "Yes"},
			connectly.Button{ID: "missing", Text: "Not yet"},
		).WithFooter("Order 1042"))
	resp, err = client.SendMessage(ctx, to, question)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("buttons sent: %s\n", resp.Body)
	// --8<-- [end:buttons]
	sent("buttons", resp)

	// --8<-- [start:list]
	// Up to ten rows in all; the pick comes back as an inbound message's ListReply.
	slots := connectly.NewListMessage("Pick a slot", connectly.ListSection{
		Title: "Tomorrow",
		Rows: []connectly.ListRow{
			connectly.NewListRow("am", "Morning").WithDescription("8:00 to 12:00"),
			connectly.NewListRow("pm", "Afternoon").WithDescription("12:00 to 18:00"),
		},
	})
	resp, err = client.SendMessage(ctx, to, connectly.Message{}.WithText("When should we deliver?").WithList(slots))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("list sent: %s\n", resp.Body)
	// --8<-- [end:list]
	sent("list", resp)

	checkReceived(ids)
	fmt.Println("the mock received all six messages as sent")
}

// checkReceived checks, through the mock's control API, that the mock accepted every id
// (the template with its callback data) and that a request with each expected body
// arrived. Only the fields given are compared, so that other requests to the same mock
// (other programs') do not matter.
func checkReceived(ids []string) {
	mock := check.Mock()
	byID := map[string]string{}
	for _, m := range check.Must(mock.Messages()) {
		// The path is the API's, after /v1/businesses/{id}; no callback data is null.
		_, endpoint, _ := strings.Cut(m.Path, "/send/")
		callbackData := "null"
		if m.CallbackData != nil {
			callbackData = string(m.CallbackData)
		}
		byID[m.ID] = endpoint + " " + callbackData
	}
	for i, id := range ids {
		got, ok := byID[id]
		wantTemplate := i == 1
		switch {
		case !ok:
			log.Fatalf("the mock did not accept message %s", id)
		case wantTemplate && got != `whatsapp_templated_messages {"orderId":1042}`:
			log.Fatalf("the template was recorded as %s", got)
		case !wantTemplate && got != "messages null":
			log.Fatalf("message %s was recorded as %s", id, got)
		}
	}

	var bodies []any // the JSON bodies of the requests the mock recorded
	for _, r := range check.Must(mock.Requests()) {
		var body any
		if r.JSON(&body) == nil {
			bodies = append(bodies, body)
		}
	}
	want := []string{
		`{"recipient":{"id":"+15555555555","channelType":"whatsapp"},"message":{"text":"Your order has shipped."}}`,
		`{"number":"+15555555555","templateName":"order_update","language":"en_US",` +
			`"parameters":[{"name":"name","value":"Ada"},{"name":"order","value":"1042"}],"callbackData":{"orderId":1042}}`,
		`{"message":{"attachments":[{"type":"image","url":"https://example.com/receipts/1042.jpg","caption":"Your receipt"}]}}`,
		`{"message":{"location":{"latitude":51.5246,"longitude":-0.0847,"name":"Shoreditch store","address":"1 Example Street, London"}}}`,
		`{"message":{"text":"Did your order arrive?","replyButtonMessage":{"buttons":[{"id":"arrived","text":"Yes"},{"id":"missing","text":"Not yet"}]}}}`,
		`{"message":{"text":"When should we deliver?","listMessage":{"button":{"text":"Pick a slot"},"sections":[{"title":"Tomorrow",` +
			`"rows":[{"id":"am","text":"Morning","description":"8:00 to 12:00"},{"id":"pm","text":"Afternoon","description":"12:00 to 18:00"}]}]}}}`,
	}
	for _, w := range want {
		var subset any
		if err := json.Unmarshal([]byte(w), &subset); err != nil {
			log.Fatal(err)
		}
		found := false
		for _, body := range bodies {
			found = found || holds(body, subset)
		}
		if !found {
			log.Fatalf("no request to the mock carried %s", w)
		}
	}
}

// holds reports whether got has every field of want, recursively (lists compared whole).
func holds(got, want any) bool {
	w, ok := want.(map[string]any)
	if !ok {
		return reflect.DeepEqual(got, want)
	}
	g, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range w {
		if !holds(g[k], v) {
			return false
		}
	}
	return true
}
