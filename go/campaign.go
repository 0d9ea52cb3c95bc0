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

CAPTURE(campaign_add_entry,
	(connectly_campaign *campaign, const char *client, const char *campaign_name),
	(campaign, client, campaign_name))
CAPTURE(campaign_set_variables_json, (connectly_campaign *campaign, const char *json),
	(campaign, json))
CAPTURE(campaign_set_version, (connectly_campaign *campaign, const char *version),
	(campaign, version))
CAPTURE(campaign_set_sender, (connectly_campaign *campaign, const char *sender),
	(campaign, sender))
CAPTURE(campaign_set_scheduled_at, (connectly_campaign *campaign, const char *iso8601),
	(campaign, iso8601))
CAPTURE(operation_send_campaign,
	(const connectly_client *client, const connectly_campaign *campaign,
	 connectly_operation **out),
	(client, campaign, out))
*/
import "C"

import (
	"context"
	"encoding/json"
)

// CampaignEntry is one recipient of a campaign published in Connectly's UI, with the
// campaign's variables for them.
type CampaignEntry struct {
	// Client is the recipient: an E.164 number, or "bsuid:<id>".
	Client string
	// CampaignName is the published campaign's name.
	CampaignName string
	// Variables are the campaign's variables for this recipient, sent as a JSON object: each
	// value must be a string (any other, such as a number, is refused with ErrValidation,
	// field "variables", before anything is sent). Values decoded from JSON may be passed as
	// they are. nil or empty sends none.
	Variables map[string]any
	// Version is the campaign version (campaignVersion); "" sends none.
	Version string
	// Sender is the business number that sends it; "" sends none.
	Sender string
	// ScheduledAt is when to send it, ISO 8601 (scheduledAt; alpha in the provider's API);
	// "" sends none.
	ScheduledAt string
}

// CampaignResult is what SendCampaign got back. The provider does not document the reply's
// body; the counts are read from data[0] where real clients find them, when present.
type CampaignResult struct {
	// Accepted is data[0].acceptedCount; nil when the reply has none.
	Accepted *int64
	// Rejected is data[0].rejectedCount; nil when the reply has none.
	Rejected *int64
	// Error is data[0].error as JSON; nil when the reply has none.
	Error json.RawMessage
	// Response is the whole reply: status, raw JSON body, attempts and trace id.
	Response *Response
}

// campaignStrings are the entries' strings, for the NUL check (the variables travel as JSON
// text, in which a NUL byte is escaped).
func campaignStrings(entries []CampaignEntry) []string {
	var all []string
	for _, e := range entries {
		all = append(all, e.Client, e.CampaignName, e.Version, e.Sender, e.ScheduledAt)
	}
	return all
}

// campaignVariables are each entry's variables as JSON text for the core, which applies
// every rule to them; nil for an entry without any.
func campaignVariables(entries []CampaignEntry) ([]*string, error) {
	texts := make([]*string, len(entries))
	for i, e := range entries {
		if len(e.Variables) == 0 {
			continue
		}
		text, err := marshalArgument("variables", e.Variables)
		if err != nil {
			return nil, err
		}
		texts[i] = &text
	}
	return texts, nil
}

// newCampaign makes the C campaign through its setters, with each entry's variables as
// campaignVariables gave them.
func newCampaign(entries []CampaignEntry, variables []*string) (*C.connectly_campaign, error) {
	h := C.connectly_campaign_new()
	if h == nil {
		panic("connectly: out of memory")
	}
	var cs cStrings
	defer cs.free()
	var s setters
	for i, entry := range entries {
		s.run(func(e **cError) cStatus {
			return C.go_campaign_add_entry(e, h, cs.add(entry.Client), cs.add(entry.CampaignName))
		})
		if text := variables[i]; text != nil {
			s.run(func(e **cError) cStatus {
				return C.go_campaign_set_variables_json(e, h, cs.add(*text))
			})
		}
		if entry.Version != "" {
			s.run(func(e **cError) cStatus {
				return C.go_campaign_set_version(e, h, cs.add(entry.Version))
			})
		}
		if entry.Sender != "" {
			s.run(func(e **cError) cStatus {
				return C.go_campaign_set_sender(e, h, cs.add(entry.Sender))
			})
		}
		if entry.ScheduledAt != "" {
			s.run(func(e **cError) cStatus {
				return C.go_campaign_set_scheduled_at(e, h, cs.add(entry.ScheduledAt))
			})
		}
	}
	if s.err != nil {
		C.connectly_campaign_free(h)
		return nil, s.err
	}
	return h, nil
}

// SendCampaign sends a published campaign to each entry (POST /send/campaigns). No entries,
// or an entry the core refuses, is ErrValidation before anything is sent; an unpublished
// campaign answers 409 (an *APIError with ErrAPI). Retried like a send: only when the
// request provably did not reach the server, or on 429. ctx bounds the call as in
// SendTextContext.
func (c *Client) SendCampaign(ctx context.Context, entries []CampaignEntry) (*CampaignResult, error) {
	if hasNUL(campaignStrings(entries)...) {
		return nil, nulError("campaign entries")
	}
	variables, err := campaignVariables(entries)
	if err != nil {
		return nil, err
	}
	h, err := newCampaign(entries, variables)
	if err != nil {
		return nil, err
	}
	defer C.connectly_campaign_free(h)
	completion, err := c.perform(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_send_campaign(e, client, h, op)
	})
	if err != nil {
		return nil, err
	}
	defer C.connectly_completion_free(completion)
	out := C.connectly_completion_campaign(completion)
	count := func(n C.int64_t) *int64 {
		if n < 0 {
			return nil
		}
		v := int64(n)
		return &v
	}
	return &CampaignResult{
		Accepted: count(C.connectly_campaign_result_accepted(out)),
		Rejected: count(C.connectly_campaign_result_rejected(out)),
		Error:    optionalRaw(C.connectly_campaign_result_error_json(out)),
		Response: newResponse(C.connectly_campaign_result_response(out)),
	}, nil
}
