package connectly

/*
#include <stdlib.h>
#include <connectly.h>

// CAPTURE: see session.go.
#define UNPAREN(...) __VA_ARGS__
#define CAPTURE(name, params, args)                                                      \
	static enum connectly_status go_##name(connectly_error **err, UNPAREN params) {       \
		enum connectly_status status = connectly_##name args;                              \
		*err = status == CONNECTLY_OK ? NULL : connectly_error_copy(connectly_last_error()); \
		return status;                                                                     \
	}

CAPTURE(template_message_add_param,
	(connectly_template_message *template_, const char *name, const char *value),
	(template_, name, value))
CAPTURE(template_message_set_language, (connectly_template_message *template_, const char *language),
	(template_, language))
CAPTURE(template_message_set_sender, (connectly_template_message *template_, const char *sender),
	(template_, sender))
CAPTURE(template_message_set_callback_data_json,
	(connectly_template_message *template_, const char *json), (template_, json))
CAPTURE(template_message_set_campaign_name, (connectly_template_message *template_, const char *name),
	(template_, name))
CAPTURE(operation_send_template_message,
	(const connectly_client *client, const connectly_template_message *message,
	 connectly_operation **out),
	(client, message, out))

// go_template_message_new makes a template message into *out, capturing the failure as
// CAPTURE does.
static enum connectly_status go_template_message_new(connectly_error **err, const char *number,
		const char *template_name, connectly_template_message **out) {
	*out = connectly_template_message_new(number, template_name);
	if (*out != NULL) {
		*err = NULL;
		return CONNECTLY_OK;
	}
	*err = connectly_error_copy(connectly_last_error());
	return *err == NULL ? CONNECTLY_ERROR_INTERNAL : connectly_error_status(*err);
}
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

// handle makes the C template message through its setters.
func (p preparedTemplate) handle() (*C.connectly_template_message, error) {
	t := p.message
	var cs cStrings
	defer cs.free()
	var h *C.connectly_template_message
	var e *C.connectly_error
	status := C.go_template_message_new(&e, cs.add(t.number), cs.add(t.name), &h)
	if err := captured(status, e); err != nil {
		return nil, err
	}
	var s setters
	for _, param := range t.params {
		s.run(func(e **cError) cStatus {
			return C.go_template_message_add_param(e, h, cs.add(param.Name), cs.add(param.Value))
		})
	}
	if t.language != nil {
		s.run(func(e **cError) cStatus {
			return C.go_template_message_set_language(e, h, cs.add(*t.language))
		})
	}
	if t.sender != nil {
		s.run(func(e **cError) cStatus {
			return C.go_template_message_set_sender(e, h, cs.add(*t.sender))
		})
	}
	if p.callbackData != nil {
		s.run(func(e **cError) cStatus {
			return C.go_template_message_set_callback_data_json(e, h, cs.add(*p.callbackData))
		})
	}
	if t.campaignName != nil {
		s.run(func(e **cError) cStatus {
			return C.go_template_message_set_campaign_name(e, h, cs.add(*t.campaignName))
		})
	}
	if s.err != nil {
		C.connectly_template_message_free(h)
		return nil, s.err
	}
	return h, nil
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
	h, err := p.handle()
	if err != nil {
		return nil, err
	}
	defer C.connectly_template_message_free(h)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_send_template_message(e, client, h, op)
	})
}
