package connectly

/*
#include <connectly.h>
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"time"
	"unsafe"
)

// The topics of the deliveries the SDK types; any other topic comes as an Event with
// neither Message nor Status set.
const (
	// TopicMessages: a customer wrote (Event.Message).
	TopicMessages = "messages"
	// TopicDeliveryStatus: what became of a message the business sent (Event.Status).
	TopicDeliveryStatus = "delivery_status"
)

// The statuses a DeliveryStatus names; another status comes as the provider wrote it.
const (
	// StatusSent: WhatsApp has the message.
	StatusSent = "sent"
	// StatusDelivered: the message is on the customer's device.
	StatusDelivered = "delivered"
	// StatusRead: the customer opened it.
	StatusRead = "read"
	// StatusDeliveryFailed: it could not be delivered (final). The spelling
	// "delivery_failure" is read as this one.
	StatusDeliveryFailed = "delivery_failed"
)

// Party is one side of a message.
type Party struct {
	// ID is an E.164 number or a channel user id (BSUID).
	ID string
	// ChannelType is the channel, such as "whatsapp", as Connectly wrote it.
	ChannelType string
	// Name is the display name; nil when the delivery carries none.
	Name *string
	// UserID is the provider-scoped user id (userId) of a customer known by a BSUID; nil
	// when the delivery carries none.
	UserID *string
	// PhoneNumber is the customer's phone number (phoneNumber; "" when a BSUID customer
	// has none); nil when the delivery carries none.
	PhoneNumber *string
}

// Event is a verified webhook delivery, typed by its topic: an inbound message (Message
// set, topic "messages"), a delivery status (Status set, topic "delivery_status"), or
// another topic (neither set: the shared fields only). The parsing is the core's, the same
// in every language.
type Event struct {
	// Topic is "messages" (also when the delivery names none, as older ones do),
	// "delivery_status" (also when it names none but carries a statusUpdate), or any other
	// the provider adds.
	Topic string
	// Timestamp is when Connectly produced the event, in Unix seconds.
	Timestamp int64
	// Sender is who sent the message (the customer for messages, the business for
	// statuses); Recipient who received it.
	Sender, Recipient Party
	// Text is the inbound message's text; HasText is false when it has none (always, for
	// other topics).
	Text    string
	HasText bool
	// CallbackData is the callbackData the message this event is about was sent with, as
	// JSON; nil when the delivery carries none.
	CallbackData json.RawMessage
	// Message is the inbound message (topic "messages"); nil for other topics.
	Message *InboundMessage
	// Status is the delivery status (topic "delivery_status"); nil for other topics.
	Status *DeliveryStatus
	// Raw is the delivery's JSON text exactly as it was signed (numbers, key order and
	// escapes untouched; surrounding whitespace removed), so fields the SDK does not model
	// are not lost: decode it with json.Decoder.UseNumber to keep numbers beyond float64.
	Raw json.RawMessage
	// Body is the exact bytes that were signed and verified (after removing a gzip
	// Content-Encoding): what to store to keep what Connectly signed.
	Body []byte
}

// Time is the event's timestamp as a time.Time.
func (e *Event) Time() time.Time { return time.Unix(e.Timestamp, 0) }

// InboundMessage is what a customer sent (topic "messages"). Each field is nil when the
// delivery does not carry it.
type InboundMessage struct {
	// Text is message.text.
	Text *string
	// Attachment is the first of message.attachments.
	Attachment *InboundAttachment
	// Location is message.location.
	Location *InboundLocation
	// ButtonReply is a tap on a reply button, in any of the three shapes deliveries use.
	ButtonReply *ButtonReply
	// ListReply is a row picked from a list message.
	ListReply *ListReply
	// ReplyToID is the id of the message this one quotes (context.replyToId).
	ReplyToID *string
	// Referral is a Click-to-WhatsApp referral (message.referral), as JSON.
	Referral json.RawMessage
}

// InboundAttachment is a file a customer sent.
type InboundAttachment struct {
	// Type is "image", "video", "audio", "document", or another type as the provider
	// wrote it.
	Type string
	// URL is where to download it.
	URL string
	// Caption is the caption; nil when there is none.
	Caption *string
	// Filename is the file's name; nil when there is none.
	Filename *string
}

// InboundLocation is a location a customer shared.
type InboundLocation struct {
	// Latitude is in degrees north, Longitude in degrees east.
	Latitude, Longitude float64
	// Name is the place's name; nil when not given.
	Name *string
	// Address is the place's address; nil when not given.
	Address *string
}

// ButtonReply is a tap on a reply button. Each field is nil when the shape the delivery
// used does not carry it.
type ButtonReply struct {
	// Text is the button's label.
	Text *string
	// Payload is the payload the button carried.
	Payload *string
	// ID is the reply's id.
	ID *string
}

// ListReply is a row picked from a list message.
type ListReply struct {
	// ID is the row's id.
	ID string
	// Text is the row's text; nil when not given.
	Text *string
	// Description is the row's description; nil when not given.
	Description *string
}

// DeliveryStatus is what became of a message the business sent (topic "delivery_status").
// A StatusTracker keeps them in order.
type DeliveryStatus struct {
	// MessageID is the message's id: the id its send answered (statusUpdate.id).
	MessageID string
	// Status is StatusSent, StatusDelivered, StatusRead, StatusDeliveryFailed, or another
	// status as the provider wrote it.
	Status string
	// Error is why it failed (statusUpdate.error); nil when the delivery carries none. An
	// error object without any field (`"error": {}`) is still an error, with every field
	// nil.
	Error *ErrorDetail
	// CampaignName is the campaign (metadata.campaign_name, or
	// statusUpdate.metadata.campaignName); nil when the delivery carries none.
	CampaignName *string
}

// ErrorDetail is the API error a failed delivery status carries. Each field is nil when
// the error does not carry it.
type ErrorDetail struct {
	// Code is the error code, such as "ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW".
	Code *string
	// Type is the error type, such as "ERROR_TYPE_INVALID_REQUEST".
	Type *string
	// Message is the provider's message.
	Message *string
	// TraceID is the provider's trace id (cntTraceId).
	TraceID *string
}

// optionalPointer copies a C string, or gives nil for NULL.
func optionalPointer(s *C.char) *string {
	if s == nil {
		return nil
	}
	v := C.GoString(s)
	return &v
}

// newEvent copies a C event into an Event; the caller still frees out.
func newEvent(out *C.connectly_event) *Event {
	var n C.size_t
	body := C.connectly_event_body(out, &n)
	event := &Event{
		Topic:     C.GoString(C.connectly_event_topic(out)),
		Timestamp: int64(C.connectly_event_timestamp(out)),
		Sender: Party{
			ID:          C.GoString(C.connectly_event_sender_id(out)),
			ChannelType: C.GoString(C.connectly_event_sender_channel(out)),
			Name:        optionalPointer(C.connectly_event_sender_name(out)),
			UserID:      optionalPointer(C.connectly_event_sender_user_id(out)),
			PhoneNumber: optionalPointer(C.connectly_event_sender_phone_number(out)),
		},
		Recipient: Party{
			ID:          C.GoString(C.connectly_event_recipient_id(out)),
			ChannelType: C.GoString(C.connectly_event_recipient_channel(out)),
			Name:        optionalPointer(C.connectly_event_recipient_name(out)),
			UserID:      optionalPointer(C.connectly_event_recipient_user_id(out)),
			PhoneNumber: optionalPointer(C.connectly_event_recipient_phone_number(out)),
		},
		CallbackData: optionalRaw(C.connectly_event_callback_data_json(out)),
		Raw:          json.RawMessage(C.GoString(C.connectly_event_raw_json(out))),
		Body:         bytes.Clone(unsafe.Slice((*byte)(unsafe.Pointer(body)), n)),
	}
	if text := C.connectly_event_text(out); text != nil {
		event.Text, event.HasText = C.GoString(text), true
	}
	switch event.Topic {
	case TopicMessages:
		event.Message = newInboundMessage(out)
	case TopicDeliveryStatus:
		event.Status = newDeliveryStatus(out)
	}
	return event
}

// newInboundMessage copies the fields of an inbound message's C event.
func newInboundMessage(out *C.connectly_event) *InboundMessage {
	m := &InboundMessage{
		Text:      optionalPointer(C.connectly_event_text(out)),
		ReplyToID: optionalPointer(C.connectly_event_reply_to_id(out)),
		Referral:  optionalRaw(C.connectly_event_referral_json(out)),
	}
	if kind := C.connectly_event_attachment_type(out); kind != nil {
		m.Attachment = &InboundAttachment{
			Type:     C.GoString(kind),
			URL:      C.GoString(C.connectly_event_attachment_url(out)),
			Caption:  optionalPointer(C.connectly_event_attachment_caption(out)),
			Filename: optionalPointer(C.connectly_event_attachment_filename(out)),
		}
	}
	var latitude, longitude C.double
	if C.connectly_event_location(out, &latitude, &longitude) {
		m.Location = &InboundLocation{
			Latitude:  float64(latitude),
			Longitude: float64(longitude),
			Name:      optionalPointer(C.connectly_event_location_name(out)),
			Address:   optionalPointer(C.connectly_event_location_address(out)),
		}
	}
	if C.connectly_event_has_button_reply(out) {
		m.ButtonReply = &ButtonReply{
			Text:    optionalPointer(C.connectly_event_button_text(out)),
			Payload: optionalPointer(C.connectly_event_button_payload(out)),
			ID:      optionalPointer(C.connectly_event_button_id(out)),
		}
	}
	if id := C.connectly_event_list_reply_id(out); id != nil {
		m.ListReply = &ListReply{
			ID:          C.GoString(id),
			Text:        optionalPointer(C.connectly_event_list_reply_text(out)),
			Description: optionalPointer(C.connectly_event_list_reply_description(out)),
		}
	}
	return m
}

// newDeliveryStatus copies the fields of a delivery status's C event.
func newDeliveryStatus(out *C.connectly_event) *DeliveryStatus {
	s := &DeliveryStatus{
		MessageID:    C.GoString(C.connectly_event_message_id(out)),
		Status:       C.GoString(C.connectly_event_status(out)),
		CampaignName: optionalPointer(C.connectly_event_campaign_name(out)),
	}
	if C.connectly_event_has_error(out) {
		s.Error = &ErrorDetail{
			Code:    optionalPointer(C.connectly_event_error_code(out)),
			Type:    optionalPointer(C.connectly_event_error_type(out)),
			Message: optionalPointer(C.connectly_event_error_message(out)),
			TraceID: optionalPointer(C.connectly_event_error_trace_id(out)),
		}
	}
	return s
}
