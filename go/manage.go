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

CAPTURE(operation_create_webhook,
	(const connectly_client *client, const char *address, const char *topic, const char *type,
	 const char *configuration_json, connectly_operation **out),
	(client, address, topic, type, configuration_json, out))
CAPTURE(operation_update_webhook,
	(const connectly_client *client, const char *webhook_id, const char *address,
	 const char *configuration_json, connectly_operation **out),
	(client, webhook_id, address, configuration_json, out))
CAPTURE(operation_delete_webhook,
	(const connectly_client *client, const char *webhook_id, connectly_operation **out),
	(client, webhook_id, out))
CAPTURE(operation_upsert_webhook,
	(const connectly_client *client, const char *address, const char *topic,
	 const char *configuration_json, connectly_operation **out),
	(client, address, topic, configuration_json, out))
CAPTURE(operation_list_webhooks, (const connectly_client *client, connectly_operation **out),
	(client, out))
CAPTURE(operation_list_templates, (const connectly_client *client, connectly_operation **out),
	(client, out))
*/
import "C"

import (
	"context"
	"encoding/json"
)

// WebhookRegistration is a registration for CreateWebhookWith: where a topic's events go,
// and how.
type WebhookRegistration struct {
	// Address is where events are delivered: https, or http on a loopback host.
	Address string
	// Topic is "messages" or "delivery_status".
	Topic string
	// Type is the integration type, such as "custom" (Connectly's default), "zapier",
	// "webengage" or "integromat_make"; "" sends none.
	Type string
	// Configuration is the configuration object, any value encoding/json marshals to a JSON
	// object, such as map[string]any{"echo": false, "channelTypes": []string{"whatsapp"}};
	// nil sends none.
	Configuration any
}

// WebhookUpdate is what UpdateWebhook changes: the address, the configuration, or both.
type WebhookUpdate struct {
	// Address is the new address; "" leaves it as it is.
	Address string
	// Configuration is the new configuration object (see WebhookRegistration); nil leaves
	// it as it is.
	Configuration any
}

// WebhookInfo is one registration, as ListWebhooks lists it.
type WebhookInfo struct {
	// ID is the registration's id (opaque: ULIDs, UUIDs and "wh_" ids all occur).
	ID string
	// Topic is the topic, "" when the entry did not list one.
	Topic string
	// Address is where events go, "" when the entry did not list one.
	Address string
	// Configuration is the configuration object, nil when the entry did not list one.
	Configuration json.RawMessage
	// Raw is the entry as the API listed it.
	Raw json.RawMessage
}

// TemplateInfo is one template in one language, as ListTemplates lists it. Each string is
// "" when the API's reply did not carry it.
type TemplateInfo struct {
	// Name is the template's name (from its group), as SendTemplateMessage takes it.
	Name string
	// Group is the template group's id.
	Group string
	// Language is the language code, such as "en".
	Language string
	// Status is the review status, such as "MESSAGE_TEMPLATE_STATUS_APPROVED".
	Status string
	// Category is the template's category.
	Category string
	// RejectionReason says why the template was rejected, wherever the API put it.
	RejectionReason string
	// Raw is the template as the API listed it.
	Raw json.RawMessage
}

// optionalJSON marshals value for a C argument that may be NULL: nil when value is nil.
func optionalJSON(field string, value any) (*string, error) {
	if value == nil {
		return nil, nil
	}
	text, err := marshalArgument(field, value)
	if err != nil {
		return nil, err
	}
	return &text, nil
}

// optionalText is s, or nil (a NULL argument) when s is "".
func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateWebhookWith registers the address a topic's events go to, with a type and a
// configuration (POST /create/webhooks). Registering a topic again either replaces its
// address or is refused with 409 (an *APIError), depending on the provider; UpsertWebhook
// handles both. Retried on 5xx and timeouts too: a repeat never registers twice. ctx bounds
// the call as in SendTextContext.
func (c *Client) CreateWebhookWith(ctx context.Context, webhook WebhookRegistration) (*Response, error) {
	if hasNUL(webhook.Address, webhook.Topic, webhook.Type) {
		return nil, nulError("the address, topic and type")
	}
	configuration, err := optionalJSON("configuration", webhook.Configuration)
	if err != nil {
		return nil, err
	}
	var cs cStrings
	defer cs.free()
	address, topic := cs.add(webhook.Address), cs.add(webhook.Topic)
	kind, config := cs.optional(optionalText(webhook.Type)), cs.optional(configuration)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_create_webhook(e, client, address, topic, kind, config, op)
	})
}

// UpdateWebhook changes a registration's address, configuration or both (PUT
// /update/webhooks/{id}); only what is given changes, and an update that changes nothing is
// refused (ErrValidation). An unknown id answers 404 (an *APIError with ErrAPI). Retried like
// CreateWebhookWith. ctx bounds the call as in SendTextContext.
func (c *Client) UpdateWebhook(ctx context.Context, id string, update WebhookUpdate) (*Response, error) {
	if hasNUL(id, update.Address) {
		return nil, nulError("the webhook id and address")
	}
	configuration, err := optionalJSON("configuration", update.Configuration)
	if err != nil {
		return nil, err
	}
	var cs cStrings
	defer cs.free()
	cID, address, config := cs.add(id), cs.optional(optionalText(update.Address)), cs.optional(configuration)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_update_webhook(e, client, cID, address, config, op)
	})
}

// DeleteWebhook removes a registration (DELETE /delete/webhooks/{id}). Retried like
// CreateWebhookWith; a retry after an attempt that did delete it answers 404. ctx bounds the
// call as in SendTextContext.
func (c *Client) DeleteWebhook(ctx context.Context, id string) (*Response, error) {
	if hasNUL(id) {
		return nil, nulError("the webhook id")
	}
	var cs cStrings
	defer cs.free()
	cID := cs.add(id)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_delete_webhook(e, client, cID, op)
	})
}

// UpsertWebhook makes address the registration for topic whichever way the provider answers
// a second registration: a create that replaces it is the answer; a create answered 409
// finds the topic's registration with ListWebhooks and updates it (when none is listed, the
// 409 is returned). configuration is as in WebhookRegistration; nil sends none. ctx bounds
// each of its calls as in SendTextContext.
func (c *Client) UpsertWebhook(ctx context.Context, address, topic string, configuration any) (*Response, error) {
	if hasNUL(address, topic) {
		return nil, nulError("the address and topic")
	}
	config, err := optionalJSON("configuration", configuration)
	if err != nil {
		return nil, err
	}
	var cs cStrings
	defer cs.free()
	cAddress, cTopic, cConfig := cs.add(address), cs.add(topic), cs.optional(config)
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_upsert_webhook(e, client, cAddress, cTopic, cConfig, op)
	})
}

// ListWebhooks lists the business's registrations (GET /webhooks); empty when it has none.
// Retried like CreateWebhookWith. ctx bounds the call as in SendTextContext.
func (c *Client) ListWebhooks(ctx context.Context) ([]WebhookInfo, error) {
	completion, err := c.perform(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_list_webhooks(e, client, op)
	})
	if err != nil {
		return nil, err
	}
	defer C.connectly_completion_free(completion)
	list := C.connectly_completion_webhooks(completion)
	webhooks := make([]WebhookInfo, clampInt(uint64(C.connectly_webhook_list_len(list))))
	for i := range webhooks {
		index := C.size_t(i)
		webhooks[i] = WebhookInfo{
			ID:            optionalString(C.connectly_webhook_list_id(list, index)),
			Topic:         optionalString(C.connectly_webhook_list_topic(list, index)),
			Address:       optionalString(C.connectly_webhook_list_address(list, index)),
			Configuration: optionalRaw(C.connectly_webhook_list_configuration_json(list, index)),
			Raw:           optionalRaw(C.connectly_webhook_list_raw_json(list, index)),
		}
	}
	return webhooks, nil
}

// ListTemplates lists the business's templates (POST /get/templates), one TemplateInfo per
// template and language. Retried like CreateWebhookWith. ctx bounds the call as in
// SendTextContext.
func (c *Client) ListTemplates(ctx context.Context) ([]TemplateInfo, error) {
	completion, err := c.perform(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_list_templates(e, client, op)
	})
	if err != nil {
		return nil, err
	}
	defer C.connectly_completion_free(completion)
	list := C.connectly_completion_templates(completion)
	templates := make([]TemplateInfo, clampInt(uint64(C.connectly_template_list_len(list))))
	for i := range templates {
		index := C.size_t(i)
		templates[i] = TemplateInfo{
			Name:            optionalString(C.connectly_template_list_name(list, index)),
			Group:           optionalString(C.connectly_template_list_group(list, index)),
			Language:        optionalString(C.connectly_template_list_language(list, index)),
			Status:          optionalString(C.connectly_template_list_status(list, index)),
			Category:        optionalString(C.connectly_template_list_category(list, index)),
			RejectionReason: optionalString(C.connectly_template_list_rejection_reason(list, index)),
			Raw:             optionalRaw(C.connectly_template_list_raw_json(list, index)),
		}
	}
	return templates, nil
}

// optionalRaw copies JSON text from C, or gives nil for NULL.
func optionalRaw(s *C.char) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(C.GoString(s))
}
