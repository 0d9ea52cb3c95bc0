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

CAPTURE(message_set_text, (connectly_message *message, const char *text), (message, text))
CAPTURE(message_set_id, (connectly_message *message, const char *id), (message, id))
CAPTURE(message_set_sender, (connectly_message *message, const char *sender), (message, sender))
CAPTURE(message_set_recipient_name, (connectly_message *message, const char *name),
	(message, name))
CAPTURE(message_set_attachment,
	(connectly_message *message, const char *type, const char *url, const char *caption,
	 const char *filename),
	(message, type, url, caption, filename))
CAPTURE(message_set_location,
	(connectly_message *message, double latitude, double longitude, const char *name,
	 const char *address),
	(message, latitude, longitude, name, address))
CAPTURE(message_set_list_button, (connectly_message *message, const char *button),
	(message, button))
CAPTURE(message_add_list_section, (connectly_message *message, const char *title),
	(message, title))
CAPTURE(message_add_list_row,
	(connectly_message *message, const char *section_title, const char *id, const char *text,
	 const char *description),
	(message, section_title, id, text, description))
CAPTURE(message_start_buttons, (connectly_message *message), (message))
CAPTURE(message_add_button, (connectly_message *message, const char *id, const char *text),
	(message, id, text))
CAPTURE(message_set_header, (connectly_message *message, const char *header), (message, header))
CAPTURE(message_set_footer, (connectly_message *message, const char *footer), (message, footer))
CAPTURE(message_set_product_json, (connectly_message *message, bool multi, const char *json),
	(message, multi, json))
CAPTURE(operation_send_message,
	(const connectly_client *client, const char *channel, const char *to,
	 const connectly_message *message, connectly_operation **out),
	(client, channel, to, message, out))
*/
import "C"

import (
	"context"
	"encoding/json"
	"slices"
	"unsafe"
)

// Recipient is who a session message goes to: a channel and an id on it.
type Recipient struct {
	// Channel is "whatsapp", "sms" or any other channel the API knows, passed through as
	// given.
	Channel string
	// ID is an E.164 number such as "+15555555555", or a channel user id such as
	// "bsuid:US.1349...".
	ID string
}

// WhatsApp is a WhatsApp recipient: an E.164 number or a BSUID.
func WhatsApp(id string) Recipient { return Recipient{Channel: "whatsapp", ID: id} }

// SMS is an SMS recipient: an E.164 number.
func SMS(id string) Recipient { return Recipient{Channel: "sms", ID: id} }

// The attachment types the API names (an InboundAttachment may carry others).
const (
	AttachmentImage    = "image"
	AttachmentVideo    = "video"
	AttachmentAudio    = "audio"
	AttachmentDocument = "document"
)

// Attachment is one file sent with a message, which Connectly fetches from a public https
// URL. Make it with Image, Video, Audio, Document or NewAttachment; the With methods return
// a changed copy.
type Attachment struct {
	kind, url         string
	caption, filename *string
}

// NewAttachment is an attachment of the type named kind: AttachmentImage, AttachmentVideo,
// AttachmentAudio or AttachmentDocument (another name is refused with ErrValidation when
// the message is sent).
func NewAttachment(kind, url string) Attachment { return Attachment{kind: kind, url: url} }

// Image is a picture at url.
func Image(url string) Attachment { return NewAttachment(AttachmentImage, url) }

// Video is a video at url.
func Video(url string) Attachment { return NewAttachment(AttachmentVideo, url) }

// Audio is a sound file or voice note at url.
func Audio(url string) Attachment { return NewAttachment(AttachmentAudio, url) }

// Document is any other file at url, shown with its filename.
func Document(url string) Attachment { return NewAttachment(AttachmentDocument, url) }

// WithCaption sets the text shown under the file: an attachment's caption is its text.
func (a Attachment) WithCaption(caption string) Attachment {
	a.caption = &caption
	return a
}

// WithFilename sets the file's name as the recipient sees it (documents only).
func (a Attachment) WithFilename(filename string) Attachment {
	a.filename = &filename
	return a
}

// Location is a place on the map: latitude from -90 to 90 and longitude from -180 to 180,
// in degrees. Make it with NewLocation.
type Location struct {
	latitude, longitude float64
	name, address       *string
}

// NewLocation is the point at latitude and longitude.
func NewLocation(latitude, longitude float64) Location {
	return Location{latitude: latitude, longitude: longitude}
}

// WithName sets the place's name.
func (l Location) WithName(name string) Location {
	l.name = &name
	return l
}

// WithAddress sets the place's address.
func (l Location) WithAddress(address string) Location {
	l.address = &address
	return l
}

// ListRow is one choice in a ListSection. Make it with NewListRow.
type ListRow struct {
	id, text    string
	description *string
}

// NewListRow is a row: id is what a reply carries back, text what is shown.
func NewListRow(id, text string) ListRow { return ListRow{id: id, text: text} }

// WithDescription sets a second line under the row's text.
func (r ListRow) WithDescription(description string) ListRow {
	r.description = &description
	return r
}

// ListSection is a titled group of rows in a ListMessage.
type ListSection struct {
	// Title is the section's title.
	Title string
	// Rows are the section's choices; a list holds 1 to 10 rows in all, with unique ids.
	Rows []ListRow
}

// ListMessage is a list the recipient opens with a button and picks one row from; the
// message's text is its body. Make it with NewListMessage.
type ListMessage struct {
	button         string
	sections       []ListSection
	header, footer *string
}

// NewListMessage is a list opened by a button labelled button, with its sections in order.
func NewListMessage(button string, sections ...ListSection) ListMessage {
	return ListMessage{button: button, sections: slices.Clone(sections)}
}

// WithHeader sets a header above the message.
func (l ListMessage) WithHeader(header string) ListMessage {
	l.header = &header
	return l
}

// WithFooter sets a footer below the message.
func (l ListMessage) WithFooter(footer string) ListMessage {
	l.footer = &footer
	return l
}

// Button is one quick-reply button of ReplyButtons.
type Button struct {
	// ID is what a reply carries back; unique among the message's buttons.
	ID string
	// Text is the button's label.
	Text string
}

// ReplyButtons are one to three quick-reply buttons under the message's text, its body.
// Make them with NewReplyButtons.
type ReplyButtons struct {
	buttons        []Button
	header, footer *string
}

// NewReplyButtons are the buttons given, in order.
func NewReplyButtons(buttons ...Button) ReplyButtons {
	return ReplyButtons{buttons: slices.Clone(buttons)}
}

// WithHeader sets a header above the message.
func (b ReplyButtons) WithHeader(header string) ReplyButtons {
	b.header = &header
	return b
}

// WithFooter sets a footer below the message.
func (b ReplyButtons) WithFooter(footer string) ReplyButtons {
	b.footer = &footer
	return b
}

// ProductKind says which catalog message a product payload is.
type ProductKind int

const (
	// SingleProduct is singleProductMessage: one product of the catalog.
	SingleProduct ProductKind = iota
	// MultiProduct is multiProductMessage: several products, in sections.
	MultiProduct
)

// Message is a session message: a text, one attachment, a location, a list or reply buttons
// (the last two with a text, their body), and optionally its own id, the business number
// that sends it and the recipient's name. Build it from the zero value with the With
// methods, each of which returns a changed copy:
//
//	photo := connectly.Message{}.WithAttachment(connectly.Image(url).WithCaption("Ada"))
//	question := connectly.Message{}.WithText("Did it arrive?").
//		WithButtons(connectly.NewReplyButtons(connectly.Button{ID: "y", Text: "Yes"}))
//
// Every rule (one content at most, no text beside an attachment, the buttons' and rows'
// limits, https URLs...) is checked when it is sent, before any byte goes out.
type Message struct {
	text                      *string
	attachment                *Attachment
	location                  *Location
	list                      *ListMessage
	buttons                   *ReplyButtons
	product                   *product
	id, sender, recipientName *string
}

// product is a catalog product payload, marshalled to JSON when the message is sent.
type product struct {
	kind    ProductKind
	payload any
}

// WithText sets the text: the message itself, or the body of a list or button message.
func (m Message) WithText(text string) Message {
	m.text = &text
	return m
}

// WithAttachment sets the message's one file.
func (m Message) WithAttachment(a Attachment) Message {
	m.attachment = &a
	return m
}

// WithLocation sets a location.
func (m Message) WithLocation(l Location) Message {
	m.location = &l
	return m
}

// WithList sets a list; give the message a text too, the list's body.
func (m Message) WithList(l ListMessage) Message {
	m.list = &l
	return m
}

// WithButtons sets reply buttons; give the message a text too, their body.
func (m Message) WithButtons(b ReplyButtons) Message {
	m.buttons = &b
	return m
}

// WithProduct sets a catalog product message, passed through as the JSON object payload
// marshals to (the SDK does not model catalogs).
func (m Message) WithProduct(kind ProductKind, payload any) Message {
	m.product = &product{kind: kind, payload: payload}
	return m
}

// WithID sets a client-chosen id for the message (message.id).
func (m Message) WithID(id string) Message {
	m.id = &id
	return m
}

// WithSender sets which of the business's numbers sends the message, when it has several.
func (m Message) WithSender(sender string) Message {
	m.sender = &sender
	return m
}

// WithRecipientName sets the recipient's name (recipient.name).
func (m Message) WithRecipientName(name string) Message {
	m.recipientName = &name
	return m
}

// appendStrings appends every string the message holds, for the NUL check.
func (m *Message) appendStrings(all []string) []string {
	for _, s := range []*string{m.text, m.id, m.sender, m.recipientName} {
		if s != nil {
			all = append(all, *s)
		}
	}
	if a := m.attachment; a != nil {
		all = append(all, a.kind, a.url)
		all = appendOptional(all, a.caption, a.filename)
	}
	if l := m.location; l != nil {
		all = appendOptional(all, l.name, l.address)
	}
	if l := m.list; l != nil {
		all = append(all, l.button)
		all = appendOptional(all, l.header, l.footer)
		for _, section := range l.sections {
			all = append(all, section.Title)
			for _, row := range section.Rows {
				all = append(all, row.id, row.text)
				all = appendOptional(all, row.description)
			}
		}
	}
	if b := m.buttons; b != nil {
		all = appendOptional(all, b.header, b.footer)
		for _, button := range b.buttons {
			all = append(all, button.ID, button.Text)
		}
	}
	return all
}

// appendOptional appends the strings that are set.
func appendOptional(all []string, values ...*string) []string {
	for _, v := range values {
		if v != nil {
			all = append(all, *v)
		}
	}
	return all
}

// prepared is a message checked for what C cannot carry, its product payload marshalled:
// ready to become a C handle.
type prepared struct {
	message *Message
	product *string
}

// prepare checks that the message's strings can be C strings and marshals its product
// payload; every other rule is the core's, checked when the message is sent.
func (m *Message) prepare() (prepared, error) {
	if hasNUL(m.appendStrings(nil)...) {
		return prepared{}, nulError("a message's strings")
	}
	p := prepared{message: m}
	if m.product != nil {
		text, err := marshalArgument("product", m.product.payload)
		if err != nil {
			return prepared{}, err
		}
		p.product = &text
	}
	return p, nil
}

// marshalArgument is value as JSON text for the core, which parses it and applies every
// rule (a JSON object, a size limit); a value encoding/json cannot marshal is refused as
// field with ErrValidation.
func marshalArgument(field string, value any) (string, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return "", &Error{Message: "invalid " + field + ": cannot be marshalled to JSON: " + err.Error(),
			Field: field, kind: ErrValidation}
	}
	return string(data), nil
}

// handle makes the C message: each part through its setter, the list row by row. The
// setters refuse only what they cannot store (an unknown attachment type, invalid JSON).
func (p prepared) handle() (*C.connectly_message, error) {
	m := p.message
	h := C.connectly_message_new()
	if h == nil {
		panic("connectly: out of memory")
	}
	var cs cStrings
	defer cs.free()
	var s setters
	if m.text != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_text(e, h, cs.add(*m.text))
		})
	}
	if m.id != nil {
		s.run(func(e **cError) cStatus { return C.go_message_set_id(e, h, cs.add(*m.id)) })
	}
	if m.sender != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_sender(e, h, cs.add(*m.sender))
		})
	}
	if m.recipientName != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_recipient_name(e, h, cs.add(*m.recipientName))
		})
	}
	if a := m.attachment; a != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_attachment(e, h, cs.add(a.kind), cs.add(a.url),
				cs.optional(a.caption), cs.optional(a.filename))
		})
	}
	if l := m.location; l != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_location(e, h, C.double(l.latitude), C.double(l.longitude),
				cs.optional(l.name), cs.optional(l.address))
		})
	}
	if l := m.list; l != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_list_button(e, h, cs.add(l.button))
		})
		setLabels(&s, h, &cs, l.header, l.footer)
		for _, section := range l.sections {
			// Opened first, so that a section keeps its place even without rows, or after
			// one of the same title.
			s.run(func(e **cError) cStatus {
				return C.go_message_add_list_section(e, h, cs.add(section.Title))
			})
			for _, row := range section.Rows {
				s.run(func(e **cError) cStatus {
					return C.go_message_add_list_row(e, h, cs.add(section.Title), cs.add(row.id),
						cs.add(row.text), cs.optional(row.description))
				})
			}
		}
	}
	if b := m.buttons; b != nil {
		// Started first, so that buttons without a button are still buttons (and refused).
		s.run(func(e **cError) cStatus { return C.go_message_start_buttons(e, h) })
		setLabels(&s, h, &cs, b.header, b.footer)
		for _, button := range b.buttons {
			s.run(func(e **cError) cStatus {
				return C.go_message_add_button(e, h, cs.add(button.ID), cs.add(button.Text))
			})
		}
	}
	if p.product != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_product_json(e, h, C.bool(m.product.kind == MultiProduct),
				cs.add(*p.product))
		})
	}
	if s.err != nil {
		C.connectly_message_free(h)
		return nil, s.err
	}
	return h, nil
}

// setLabels sets a list's or buttons' header and footer, when given.
func setLabels(s *setters, h *C.connectly_message, cs *cStrings, header, footer *string) {
	if header != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_header(e, h, cs.add(*header))
		})
	}
	if footer != nil {
		s.run(func(e **cError) cStatus {
			return C.go_message_set_footer(e, h, cs.add(*footer))
		})
	}
}

// SendMessage sends a session message to to (POST /send/messages): a text, an attachment,
// a location, a list or reply buttons, built with Message's With methods. The message is
// checked before any byte is sent (ErrValidation); it is retried only when the request
// provably did not reach the server, or on 429.
//
// ctx bounds the call as in SendTextContext: a context already done returns ctx.Err()
// before anything is sent, and a deadline becomes the call's timeout, retries included.
func (c *Client) SendMessage(ctx context.Context, to Recipient, msg Message) (*Response, error) {
	if hasNUL(to.Channel, to.ID) {
		return nil, nulError("the channel and recipient")
	}
	p, err := msg.prepare()
	if err != nil {
		return nil, err
	}
	h, err := p.handle()
	if err != nil {
		return nil, err
	}
	defer C.connectly_message_free(h)
	cChannel, cTo := cString(to.Channel), cString(to.ID)
	defer C.free(unsafe.Pointer(cChannel))
	defer C.free(unsafe.Pointer(cTo))
	return c.call(ctx, func(client *cClient, op **cOperation, e **cError) cStatus {
		return C.go_operation_send_message(e, client, cChannel, cTo, h, op)
	})
}
