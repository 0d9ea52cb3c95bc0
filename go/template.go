package connectly

/*
#include <stdlib.h>
#include <connectly.h>
*/
import "C"

import (
	"context"
	"slices"
)

// TemplateMessage is a WhatsApp template message with every field: the recipient's number,
// the template's name, its parameters in order, and optionally its language, the sender,
// callback data and a campaign. Make it with NewTemplateMessage; the With methods return a
// changed copy:
//
//	order := connectly.NewTemplateMessage("+15555555555", "order_update").
//		WithLanguage("en_US").
//		WithParam("body_1", "Ada").
//		WithCallbackData(map[string]any{"orderId": 42})
type TemplateMessage struct {
	number, name                   string
	params                         []TemplateParam
	language, sender, campaignName *string
	callbackData                   *callbackData
}

// callbackData is the value given to WithCallbackData, marshalled when the message is sent
// (nil is a value too: JSON null).
type callbackData struct{ value any }

// NewTemplateMessage is the template templateName for number (E.164, or "bsuid:<id>" for a
// customer known only by a BSUID), with params in the order given.
func NewTemplateMessage(number, templateName string, params ...TemplateParam) TemplateMessage {
	return TemplateMessage{number: number, name: templateName, params: slices.Clone(params)}
}

// WithParam adds a parameter after those already given.
func (t TemplateMessage) WithParam(name, value string) TemplateMessage {
	t.params = append(slices.Clip(t.params), TemplateParam{Name: name, Value: value})
	return t
}

// WithLanguage sets the template's language code, such as "en" or "pt_BR".
func (t TemplateMessage) WithLanguage(language string) TemplateMessage {
	t.language = &language
	return t
}

// WithSender sets the business number that sends it.
func (t TemplateMessage) WithSender(sender string) TemplateMessage {
	t.sender = &sender
	return t
}

// WithCallbackData sets data Connectly echoes in the webhook events about this message
// (delivery statuses, replies): any value encoding/json marshals, at most 1024 bytes of
// compact JSON (checked when the message is sent).
func (t TemplateMessage) WithCallbackData(data any) TemplateMessage {
	t.callbackData = &callbackData{value: data}
	return t
}

// WithCampaignName sets the campaign this message counts towards.
func (t TemplateMessage) WithCampaignName(name string) TemplateMessage {
	t.campaignName = &name
	return t
}

// preparedTemplate is a template message checked for what C cannot carry, its callback
// data marshalled: ready to become a C handle.
type preparedTemplate struct {
	message      *TemplateMessage
	callbackData *string
}

// prepare checks that the message's strings can be C strings and marshals its callback
// data; every other rule is the core's, checked when the message is sent.
func (t *TemplateMessage) prepare() (preparedTemplate, error) {
	all := appendOptional([]string{t.number, t.name}, t.language, t.sender, t.campaignName)
	for _, p := range t.params {
		all = append(all, p.Name, p.Value)
	}
	if hasNUL(all...) {
		return preparedTemplate{}, nulError("a template message's strings")
	}
	p := preparedTemplate{message: t}
	if t.callbackData != nil {
		text, err := marshalArgument("callback data", t.callbackData.value)
		if err != nil {
			return preparedTemplate{}, err
		}
		p.callbackData = &text
	}
	return p, nil
}

// handle makes the C template message through its setters; the caller must be on one
// locked thread (see withThread) to read the error.
func (p preparedTemplate) handle() (*C.connectly_template_message, error) {
	t := p.message
	var cs cStrings
	defer cs.free()
	h := C.connectly_template_message_new(cs.add(t.number), cs.add(t.name))
	if h == nil {
		return nil, lastError(C.CONNECTLY_ERROR_INTERNAL)
	}
	var s setters
	for _, param := range t.params {
		s.run(func() C.enum_connectly_status {
			return C.connectly_template_message_add_param(h, cs.add(param.Name), cs.add(param.Value))
		})
	}
	if t.language != nil {
		s.run(func() C.enum_connectly_status {
			return C.connectly_template_message_set_language(h, cs.add(*t.language))
		})
	}
	if t.sender != nil {
		s.run(func() C.enum_connectly_status {
			return C.connectly_template_message_set_sender(h, cs.add(*t.sender))
		})
	}
	if p.callbackData != nil {
		s.run(func() C.enum_connectly_status {
			return C.connectly_template_message_set_callback_data_json(h, cs.add(*p.callbackData))
		})
	}
	if t.campaignName != nil {
		s.run(func() C.enum_connectly_status {
			return C.connectly_template_message_set_campaign_name(h, cs.add(*t.campaignName))
		})
	}
	if s.err != nil {
		C.connectly_template_message_free(h)
		return nil, s.err
	}
	return h, nil
}

// newHandle makes the C template message for p on one locked thread.
func (p preparedTemplate) newHandle() (*C.connectly_template_message, error) {
	var h *C.connectly_template_message
	err := withThread(func() error {
		var err error
		h, err = p.handle()
		return err
	})
	return h, err
}

// SendTemplateMessage sends a WhatsApp template message with every field (POST
// /send/whatsapp_templated_messages). It is checked before any byte is sent
// (ErrValidation), and retried only when the request provably did not reach the server, or
// on 429. ctx bounds the call as in SendTextContext.
func (c *Client) SendTemplateMessage(ctx context.Context, msg TemplateMessage) (*Response, error) {
	p, err := msg.prepare()
	if err != nil {
		return nil, err
	}
	h, err := p.newHandle()
	if err != nil {
		return nil, err
	}
	defer C.connectly_template_message_free(h)
	return c.call(ctx, func(client *C.connectly_client, out **C.connectly_response) C.enum_connectly_status {
		return C.connectly_send_template_message(client, h, out)
	})
}
