//! `connectly_event`: a verified delivery, typed by its topic, read through getters.
//!
//! The core parses a delivery once (`connectly::Event`); this module only copies the typed
//! fields into C strings. Every string getter gives NULL when the event is NULL, when the
//! field is absent, or when the event's topic has no such field.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::{self, text_ptr, value, Failure};
use sdk::{Event, WebhookError};

/// The typed fields of an inbound message (topic `messages`).
struct MessageFields {
    attachment_type: Option<CString>,
    attachment_url: Option<CString>,
    attachment_caption: Option<CString>,
    attachment_filename: Option<CString>,
    location: Option<(f64, f64)>,
    location_name: Option<CString>,
    location_address: Option<CString>,
    has_button_reply: bool,
    button_text: Option<CString>,
    button_payload: Option<CString>,
    button_id: Option<CString>,
    list_reply_id: Option<CString>,
    list_reply_text: Option<CString>,
    list_reply_description: Option<CString>,
    reply_to_id: Option<CString>,
    referral: Option<CString>,
}

/// The typed fields of a delivery status (topic `delivery_status`).
struct StatusFields {
    message_id: CString,
    status: CString,
    has_error: bool,
    error_code: Option<CString>,
    error_type: Option<CString>,
    error_message: Option<CString>,
    error_trace_id: Option<CString>,
    campaign_name: Option<CString>,
}

/// A verified, parsed webhook delivery (opaque): an inbound message (topic `messages`), a
/// delivery status (topic `delivery_status`) or another topic's shared fields. Made by
/// `connectly_webhook_verify_event` and `connectly_webhook_receive`; free it with
/// `connectly_event_free`. Immutable, so it may be read from any thread.
pub struct connectly_event {
    topic: CString,
    timestamp: i64,
    sender_id: CString,
    sender_channel: CString,
    sender_name: Option<CString>,
    sender_user_id: Option<CString>,
    sender_phone_number: Option<CString>,
    recipient_id: CString,
    recipient_channel: CString,
    recipient_name: Option<CString>,
    recipient_user_id: Option<CString>,
    recipient_phone_number: Option<CString>,
    text: Option<CString>,
    callback_data: Option<CString>,
    json: CString,
    body: Vec<u8>,
    /// What a deduplicator claims it under (`sdk::delivery_key`).
    pub(crate) delivery_key: String,
    delivery_key_c: CString,
    message: Option<MessageFields>,
    status: Option<StatusFields>,
}

/// A C string from event text, which C cannot carry when it holds a NUL character.
fn event_string(text: &str) -> Result<CString, Failure> {
    CString::new(text).map_err(|_| {
        Failure::Webhook(WebhookError::InvalidPayload(
            "a field holds a NUL character, which a C string cannot carry",
        ))
    })
}

/// An optional field as a C string.
fn optional(text: Option<&str>) -> Result<Option<CString>, Failure> {
    text.map(event_string).transpose()
}

/// JSON as compact text (a NUL inside a string is escaped, so it always fits a C string).
fn json_text(value: Option<&serde_json::Value>) -> Result<Option<CString>, Failure> {
    value.map(|v| event_string(&v.to_string())).transpose()
}

impl connectly_event {
    pub(crate) fn new(event: Event) -> Result<Self, Failure> {
        let sender = event.sender();
        let recipient = event.recipient();
        let message = match event.as_message() {
            None => None,
            Some(m) => {
                let attachment = m.attachment.as_ref();
                let location = m.location.as_ref();
                let button = m.button_reply.as_ref();
                let list = m.list_reply.as_ref();
                Some(MessageFields {
                    attachment_type: optional(attachment.map(|a| a.kind.as_str()))?,
                    attachment_url: optional(attachment.map(|a| a.url.as_str()))?,
                    attachment_caption: optional(attachment.and_then(|a| a.caption.as_deref()))?,
                    attachment_filename: optional(attachment.and_then(|a| a.filename.as_deref()))?,
                    location: location.map(|l| (l.latitude, l.longitude)),
                    location_name: optional(location.and_then(|l| l.name.as_deref()))?,
                    location_address: optional(location.and_then(|l| l.address.as_deref()))?,
                    has_button_reply: button.is_some(),
                    button_text: optional(button.and_then(|b| b.text.as_deref()))?,
                    button_payload: optional(button.and_then(|b| b.payload.as_deref()))?,
                    button_id: optional(button.and_then(|b| b.id.as_deref()))?,
                    list_reply_id: optional(list.map(|l| l.id.as_str()))?,
                    list_reply_text: optional(list.and_then(|l| l.text.as_deref()))?,
                    list_reply_description: optional(list.and_then(|l| l.description.as_deref()))?,
                    reply_to_id: optional(m.reply_to_id.as_deref())?,
                    referral: json_text(m.referral.as_ref())?,
                })
            }
        };
        let status = match event.as_status() {
            None => None,
            Some(s) => {
                let error = s.error.as_ref();
                Some(StatusFields {
                    message_id: event_string(&s.message_id)?,
                    status: event_string(s.status.as_str())?,
                    has_error: error.is_some(),
                    error_code: optional(error.and_then(|e| e.code.as_deref()))?,
                    error_type: optional(error.and_then(|e| e.kind.as_deref()))?,
                    error_message: optional(error.and_then(|e| e.message.as_deref()))?,
                    error_trace_id: optional(error.and_then(|e| e.trace_id.as_deref()))?,
                    campaign_name: optional(s.campaign_name.as_deref())?,
                })
            }
        };
        let key = sdk::delivery_key(&event);
        Ok(Self {
            topic: event_string(event.topic())?,
            timestamp: event.timestamp(),
            sender_id: event_string(&sender.id)?,
            sender_channel: event_string(&sender.channel_type)?,
            sender_name: optional(sender.name.as_deref())?,
            sender_user_id: optional(sender.user_id.as_deref())?,
            sender_phone_number: optional(sender.phone_number.as_deref())?,
            recipient_id: event_string(&recipient.id)?,
            recipient_channel: event_string(&recipient.channel_type)?,
            recipient_name: optional(recipient.name.as_deref())?,
            recipient_user_id: optional(recipient.user_id.as_deref())?,
            recipient_phone_number: optional(recipient.phone_number.as_deref())?,
            text: optional(event.text())?,
            callback_data: json_text(event.callback_data())?,
            json: event_string(event.raw().get())?,
            body: event.body().to_vec(),
            delivery_key_c: event_string(&key)?,
            delivery_key: key,
            message,
            status,
        })
    }
}

/// Reads a field of `event`, or gives `default` when it is NULL.
///
/// # Safety
/// `event` is NULL or a live event.
unsafe fn field<T: Copy>(
    event: *const connectly_event,
    default: T,
    get: impl FnOnce(&connectly_event) -> T,
) -> T {
    // SAFETY: NULL or live, by the caller's contract.
    value(default, || unsafe { event.as_ref() }.map_or(default, get))
}

/// Reads an optional string field of an inbound message: NULL when `event` is NULL or not
/// a message.
///
/// # Safety
/// `event` is NULL or a live event.
unsafe fn message_text(
    event: *const connectly_event,
    get: impl FnOnce(&MessageFields) -> Option<&CString>,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, ptr::null(), |e| {
            text_ptr(e.message.as_ref().and_then(get))
        })
    }
}

/// Reads an optional string field of a delivery status: NULL when `event` is NULL or not a
/// status.
///
/// # Safety
/// `event` is NULL or a live event.
unsafe fn status_text(
    event: *const connectly_event,
    get: impl FnOnce(&StatusFields) -> Option<&CString>,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, ptr::null(), |e| {
            text_ptr(e.status.as_ref().and_then(get))
        })
    }
}

/// The event's `timestamp`: when Connectly produced it, in Unix seconds. 0 when `event` is
/// NULL. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_timestamp(event: *const connectly_event) -> i64 {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, 0, |e| e.timestamp) }
}

/// The event's topic: `"messages"` (also when the delivery names none), `"delivery_status"`,
/// or any other topic as the provider wrote it. NULL when `event` is NULL. Owned by the
/// event: valid until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_topic(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.topic.as_ptr()) }
}

/// The sender's id (`sender.id`: an E.164 number or a channel user id). NULL when `event` is
/// NULL. Owned by the event: valid until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_sender_id(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.sender_id.as_ptr()) }
}

/// The sender's channel (`sender.channelType`, such as `"whatsapp"`). NULL when `event` is
/// NULL. Owned by the event: valid until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_sender_channel(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.sender_channel.as_ptr()) }
}

/// The sender's display name (`sender.name`), or NULL when absent. Owned by the event: valid
/// until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_sender_name(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| text_ptr(e.sender_name.as_ref())) }
}

/// The sender's provider-scoped user id (`sender.userId`, a customer known by a BSUID), or
/// NULL when absent. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_sender_user_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| text_ptr(e.sender_user_id.as_ref())) }
}

/// The sender's phone number (`sender.phoneNumber`; `""` when a BSUID customer has none), or
/// NULL when absent. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_sender_phone_number(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, ptr::null(), |e| {
            text_ptr(e.sender_phone_number.as_ref())
        })
    }
}

/// The recipient's id (`recipient.id`, the business). NULL when `event` is NULL. Owned by the
/// event: valid until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_recipient_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.recipient_id.as_ptr()) }
}

/// The recipient's channel (`recipient.channelType`). NULL when `event` is NULL. Owned by the
/// event: valid until `connectly_event_free`; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_recipient_channel(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.recipient_channel.as_ptr()) }
}

/// The recipient's display name (`recipient.name`), or NULL when absent. Owned by the event;
/// never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_recipient_name(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| text_ptr(e.recipient_name.as_ref())) }
}

/// The recipient's provider-scoped user id (`recipient.userId`), or NULL when absent. Owned
/// by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_recipient_user_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, ptr::null(), |e| {
            text_ptr(e.recipient_user_id.as_ref())
        })
    }
}

/// The recipient's phone number (`recipient.phoneNumber`), or NULL when absent. Owned by the
/// event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_recipient_phone_number(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, ptr::null(), |e| {
            text_ptr(e.recipient_phone_number.as_ref())
        })
    }
}

/// The message text (`message.text`), or NULL when the event has none (a delivery status or
/// another topic has none). Owned by the event: valid until `connectly_event_free`; never
/// free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_text(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| text_ptr(e.text.as_ref())) }
}

/// The `callbackData` the message this event is about was sent with, as compact JSON text
/// (a string comes quoted: `"\"order-42\""`), or NULL when absent or null. Any topic. Owned
/// by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_callback_data_json(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| text_ptr(e.callback_data.as_ref())) }
}

/// The whole delivery as JSON text exactly as it was signed (numbers, key order and escapes
/// untouched; surrounding whitespace removed), so fields the SDK does not model are not lost.
/// NULL when `event` is NULL. Owned by the event: valid until `connectly_event_free`; never
/// free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_json(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { field(event, ptr::null(), |e| e.json.as_ptr()) }
}

/// The same text, at the same address, as `connectly_event_json` (the name every language
/// uses: `raw`). Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_raw_json(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { connectly_event_json(event) }
}

/// The exact bytes that were signed and verified (after removing a transport encoding), so
/// a receiver can store what Connectly signed; their length is written to `*len` (when `len`
/// is not NULL). NULL, with `*len` = 0, when `event` is NULL. Owned by the event: valid until
/// `connectly_event_free`; never free it. Not NUL-terminated. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event; `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_body(
    event: *const connectly_event,
    len: *mut usize,
) -> *const u8 {
    // SAFETY: forwarded to the caller.
    let (pointer, size) =
        unsafe { field(event, (ptr::null(), 0), |e| (e.body.as_ptr(), e.body.len())) };
    if !len.is_null() {
        // SAFETY: non-NULL and writable, by the caller's contract.
        value((), || unsafe { len.write(size) });
    }
    pointer
}

/// An inbound message's attachment type (the first of `message.attachments`): `"image"`,
/// `"video"`, `"audio"`, `"document"`, or another as the provider wrote it. NULL when the
/// event has no attachment. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_attachment_type(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.attachment_type.as_ref()) }
}

/// Where to download the attachment, or NULL when the event has none. Owned by the event;
/// never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_attachment_url(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.attachment_url.as_ref()) }
}

/// The attachment's caption, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_attachment_caption(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.attachment_caption.as_ref()) }
}

/// The attachment's file name, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_attachment_filename(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.attachment_filename.as_ref()) }
}

/// Whether an inbound message shares a location (`message.location`); when it does, writes
/// its coordinates in degrees to `*latitude` and `*longitude` (each may be NULL: not
/// written). False, writing nothing, when the event has no location or is NULL. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event; `latitude` and `longitude` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_location(
    event: *const connectly_event,
    latitude: *mut f64,
    longitude: *mut f64,
) -> bool {
    // SAFETY: forwarded to the caller.
    let location = unsafe { field(event, None, |e| e.message.as_ref().and_then(|m| m.location)) };
    let Some((lat, lon)) = location else {
        return false;
    };
    value((), || {
        for (out, coordinate) in [(latitude, lat), (longitude, lon)] {
            if !out.is_null() {
                // SAFETY: non-NULL and writable, by the caller's contract.
                unsafe { out.write(coordinate) };
            }
        }
    });
    true
}

/// The shared location's name, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_location_name(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.location_name.as_ref()) }
}

/// The shared location's address, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_location_address(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.location_address.as_ref()) }
}

/// Whether an inbound message is a tap on a reply button, in any of the shapes deliveries
/// use (`buttonResponse`, or `message.isButtonResponse` with the text). Its fields may all
/// be NULL even so. False when `event` is NULL or not a message. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_has_button_reply(event: *const connectly_event) -> bool {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, false, |e| {
            e.message.as_ref().is_some_and(|m| m.has_button_reply)
        })
    }
}

/// The tapped button's label, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_button_text(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.button_text.as_ref()) }
}

/// The payload the tapped button carried, or NULL when absent. Owned by the event; never free
/// it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_button_payload(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.button_payload.as_ref()) }
}

/// The button reply's id, in the shape that has one; else NULL. Owned by the event; never
/// free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_button_id(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.button_id.as_ref()) }
}

/// The id of the row picked from a list message (`message.listReply` or `listResponse`), or
/// NULL when the event is no list reply. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_list_reply_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.list_reply_id.as_ref()) }
}

/// The picked row's text, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_list_reply_text(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.list_reply_text.as_ref()) }
}

/// The picked row's description, or NULL when absent. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_list_reply_description(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.list_reply_description.as_ref()) }
}

/// The id of the message this one quotes (`context.replyToId`), or NULL. Owned by the event;
/// never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_reply_to_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.reply_to_id.as_ref()) }
}

/// A Click-to-WhatsApp referral (`message.referral`, an object) as compact JSON text, or
/// NULL. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_referral_json(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { message_text(event, |m| m.referral.as_ref()) }
}

/// A delivery status's message id (`statusUpdate.id`: the id its send answered), or NULL
/// when the event is no delivery status. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_message_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| Some(&s.message_id)) }
}

/// A delivery status's status: `"sent"`, `"delivered"`, `"read"`, `"delivery_failed"` (also
/// for the spelling `delivery_failure`), or another as the provider wrote it; pass it to
/// `connectly_status_tracker_advance`. NULL when the event is no delivery status. Owned by
/// the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_status(event: *const connectly_event) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| Some(&s.status)) }
}

/// Whether a delivery status carries an error (`statusUpdate.error` is an object, even an
/// empty one `{}`: its fields may then all be NULL). False when the status has none, when the
/// event is no delivery status, or when `event` is NULL. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_has_error(event: *const connectly_event) -> bool {
    // SAFETY: forwarded to the caller.
    unsafe {
        field(event, false, |e| {
            e.status.as_ref().is_some_and(|s| s.has_error)
        })
    }
}

/// The code of the error a failed delivery status carries (`statusUpdate.error.code`), or
/// NULL. Owned by the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_error_code(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| s.error_code.as_ref()) }
}

/// The type of that error (`statusUpdate.error.type`), or NULL. Owned by the event; never
/// free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_error_type(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| s.error_type.as_ref()) }
}

/// The message of that error (`statusUpdate.error.message`), or NULL. Owned by the event;
/// never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_error_message(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| s.error_message.as_ref()) }
}

/// The provider's trace id of that error (`statusUpdate.error.cntTraceId`), or NULL. Owned by
/// the event; never free it. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_error_trace_id(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| s.error_trace_id.as_ref()) }
}

/// A delivery status's campaign (`metadata.campaign_name`, or
/// `statusUpdate.metadata.campaignName`), or NULL. Owned by the event; never free it.
/// Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_campaign_name(
    event: *const connectly_event,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { status_text(event, |s| s.campaign_name.as_ref()) }
}

/// Frees an event and the strings it owns. NULL does nothing; free it once.
///
/// # Safety
/// `event` is NULL or a live event no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_free(event: *mut connectly_event) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(event) })
}

/// The key a deduplicator claims the delivery under (`connectly_dedup_admit`): its message id
/// and status for a delivery status, the SHA-256 of the signed body for anything else. Owned
/// by the event; NULL when `event` is NULL. Thread-safe.
///
/// # Safety
/// `event` is NULL or a live event.
#[no_mangle]
pub unsafe extern "C" fn connectly_event_delivery_key(
    event: *const connectly_event,
) -> *const c_char {
    value(std::ptr::null(), || {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { event.as_ref() }.map_or(std::ptr::null(), |e| e.delivery_key_c.as_ptr())
    })
}
