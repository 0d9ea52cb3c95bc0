//! `connectly_message`: a session message built with setters, then sent with
//! `connectly_send_message` (or in a batch by `connectly_send_many`).

use std::os::raw::c_char;

use super::boundary::{
    self, call, construct, handle, handle_mut, optional_text, text as utf8, value, Failure,
};
use super::client::{connectly_client, respond};
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::{
    Attachment, AttachmentType, Button, ListMessage, ListRow, ListSection, Location, Message,
    MessageParts, ProductKind, Recipient, ReplyButtons,
};

/// The list a message carries: its button's label and its sections, in order.
#[derive(Debug, Clone, Default)]
struct ListParts {
    button: Option<String>,
    sections: Vec<(String, Vec<ListRow>)>,
}

/// A session message being built (opaque): a text, one attachment, a location, a list,
/// reply buttons or a product, with an optional id, sender and recipient name.
///
/// Make it with `connectly_message_new` or `connectly_message_new_text`, set its parts, send
/// it with `connectly_send_message` (as often as wanted: sending does not change it), and
/// free it with `connectly_message_free`. Its contents are checked when it is sent, by the
/// same rules as every language's. A setter must not run while another thread uses the
/// message; a message no thread changes may be sent from several threads at once.
#[derive(Debug, Clone, Default)]
pub struct connectly_message {
    text: Option<String>,
    id: Option<String>,
    sender: Option<String>,
    recipient_name: Option<String>,
    attachment: Option<Attachment>,
    location: Option<Location>,
    list: Option<ListParts>,
    buttons: Option<Vec<Button>>,
    header: Option<String>,
    footer: Option<String>,
    product: Option<(ProductKind, serde_json::Value)>,
}

impl connectly_message {
    /// The core message these parts make: more than one content is the core's refusal
    /// (field `message`); a header or footer with neither a list nor buttons has nowhere to
    /// go, and is refused here.
    pub(crate) fn to_core(&self) -> Result<Message, Failure> {
        let list = self.list.as_ref().map(|list| {
            let sections = list
                .sections
                .iter()
                .map(|(title, rows)| ListSection::new(title.clone(), rows.clone()));
            let mut out = ListMessage::new(list.button.clone().unwrap_or_default(), sections);
            if let Some(header) = &self.header {
                out = out.header(header.clone());
            }
            if let Some(footer) = &self.footer {
                out = out.footer(footer.clone());
            }
            out
        });
        let buttons = self.buttons.as_ref().map(|buttons| {
            let mut out = ReplyButtons::new(buttons.iter().cloned());
            if let Some(header) = &self.header {
                out = out.header(header.clone());
            }
            if let Some(footer) = &self.footer {
                out = out.footer(footer.clone());
            }
            out
        });
        let labelled = list.is_some() || buttons.is_some();
        let message = Message::from_parts(MessageParts {
            text: self.text.clone(),
            attachment: self.attachment.clone(),
            location: self.location.clone(),
            list,
            buttons,
            product: self.product.clone(),
            id: self.id.clone(),
            sender: self.sender.clone(),
        })
        .map_err(|e| Failure::Core(e.into()))?;
        if !labelled && (self.header.is_some() || self.footer.is_some()) {
            return Err(Failure::Invalid(
                "a header or footer goes with a list or reply buttons, and the message has \
                 neither"
                    .to_owned(),
            ));
        }
        Ok(message)
    }

    /// The recipient `channel`/`to`, with the name set on the message.
    pub(crate) fn recipient(&self, channel: &str, to: &str) -> Recipient {
        let recipient = Recipient::new(channel, to);
        match &self.recipient_name {
            Some(name) => recipient.with_name(name.clone()),
            None => recipient,
        }
    }
}

/// Runs a setter: `set` changes the message only when it succeeds.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses during the call.
unsafe fn update(
    message: *mut connectly_message,
    set: impl FnOnce(&mut connectly_message) -> Result<(), Failure>,
) -> connectly_status {
    call(|| {
        // SAFETY: forwarded to the caller.
        let message = unsafe { handle_mut(message, "message") }?;
        set(message)
    })
}

/// An optional string setting: NULL gives `None`.
///
/// # Safety
/// `text` is NULL or NUL-terminated.
unsafe fn optional_owned(
    text: *const c_char,
    name: &'static str,
) -> Result<Option<String>, Failure> {
    // SAFETY: forwarded to the caller.
    Ok(unsafe { optional_text(text, name) }?.map(str::to_owned))
}

/// Makes an empty message (free it with `connectly_message_free`). Never fails but for
/// lack of memory; NULL then. Does not change the thread's last error. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_message_new() -> *mut connectly_message {
    value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(connectly_message::default()))
    })
}

/// Makes a text message: `connectly_message_new` and `connectly_message_set_text` in one.
///
/// `text` is copied (the caller keeps it). Returns the new message (free it with
/// `connectly_message_free`), or NULL with the thread's last error set: a NULL `text`
/// (`CONNECTLY_ERROR_NULL_ARGUMENT`) or one that is not UTF-8
/// (`CONNECTLY_ERROR_INVALID_ARGUMENT`). Thread-safe.
///
/// # Safety
/// `text` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_new_text(text: *const c_char) -> *mut connectly_message {
    construct(|| {
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let text = unsafe { utf8(text, "text") }?;
        Ok(connectly_message {
            text: Some(text.to_owned()),
            ..connectly_message::default()
        })
    })
}

/// Sets the text: the message itself, or the body of a list or reply-button message. NULL
/// clears it. The string is copied.
///
/// Returns `CONNECTLY_ERROR_NULL_ARGUMENT` for a NULL `message`,
/// `CONNECTLY_ERROR_INVALID_ARGUMENT` for text that is not UTF-8; on failure the message is
/// unchanged. The text is checked when the message is sent. Not thread-safe for one
/// message (see `connectly_message`).
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `text` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_text(
    message: *mut connectly_message,
    text: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.text = optional_owned(text, "text")?;
            Ok(())
        })
    }
}

/// Sets the message's own id (`message.id`); NULL clears it. Copied; checked when sent.
/// Statuses as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `id` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_id(
    message: *mut connectly_message,
    id: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.id = optional_owned(id, "id")?;
            Ok(())
        })
    }
}

/// Sets which of the business's numbers sends the message (`sender.id`); NULL clears it
/// (Connectly's default sender). Copied; checked when sent. Statuses as for
/// `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `sender` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_sender(
    message: *mut connectly_message,
    sender: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.sender = optional_owned(sender, "sender")?;
            Ok(())
        })
    }
}

/// Sets the recipient's name (`recipient.name`); NULL clears it. Copied; checked when sent.
/// Statuses as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `name` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_recipient_name(
    message: *mut connectly_message,
    name: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.recipient_name = optional_owned(name, "name")?;
            Ok(())
        })
    }
}

/// Sets the message's one attachment, replacing any: `type` is `"image"`, `"video"`,
/// `"audio"` or `"document"`; `url` a public `https` URL Connectly fetches; `caption` (the
/// attachment's text) and `filename` (documents only) may be NULL. The strings are copied.
///
/// An unknown `type` is `CONNECTLY_ERROR_VALIDATION` (field `attachment type`); a NULL
/// `message`, `type` or `url` is `CONNECTLY_ERROR_NULL_ARGUMENT`, a string that is not UTF-8
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`; on failure the message is unchanged. The rest is
/// checked when sent. Not thread-safe for one message.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; each string is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_attachment(
    message: *mut connectly_message,
    r#type: *const c_char,
    url: *const c_char,
    caption: *const c_char,
    filename: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let kind = utf8(r#type, "type")?;
            let url = utf8(url, "url")?;
            let caption = optional_text(caption, "caption")?;
            let filename = optional_text(filename, "filename")?;
            let kind = AttachmentType::parse(kind).map_err(|e| Failure::Core(e.into()))?;
            let mut attachment = Attachment::new(kind, url);
            if let Some(caption) = caption {
                attachment = attachment.caption(caption);
            }
            if let Some(filename) = filename {
                attachment = attachment.filename(filename);
            }
            m.attachment = Some(attachment);
            Ok(())
        })
    }
}

/// Sets the message's location, replacing any: `latitude` (-90 to 90) and `longitude` (-180
/// to 180) in degrees, checked when sent; `name` and `address` may be NULL. The strings are
/// copied. Statuses as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `name` and `address` are NULL
/// or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_location(
    message: *mut connectly_message,
    latitude: f64,
    longitude: f64,
    name: *const c_char,
    address: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let name = optional_text(name, "name")?;
            let address = optional_text(address, "address")?;
            let mut location = Location::new(latitude, longitude);
            if let Some(name) = name {
                location = location.name(name);
            }
            if let Some(address) = address {
                location = location.address(address);
            }
            m.location = Some(location);
            Ok(())
        })
    }
}

/// Makes the message a list message opened by a button labelled `button` (copied). Give it
/// rows with `connectly_message_add_list_row` and its body with `connectly_message_set_text`.
/// A NULL `message` or `button` is `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for
/// `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `button` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_list_button(
    message: *mut connectly_message,
    button: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let button = utf8(button, "button")?;
            m.list.get_or_insert_with(ListParts::default).button = Some(button.to_owned());
            Ok(())
        })
    }
}

/// Opens a new, empty section titled `title` (copied) at the end of the message's list,
/// making the message a list message: rows added next with that title join it. (To put rows
/// in two consecutive sections of the same title, open the second with this call.) A NULL
/// `message` or `title` is `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for
/// `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `title` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_add_list_section(
    message: *mut connectly_message,
    title: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let title = utf8(title, "section_title")?;
            let list = m.list.get_or_insert_with(ListParts::default);
            list.sections.push((title.to_owned(), Vec::new()));
            Ok(())
        })
    }
}

/// Adds a row to the message's list, making it a list message: the row joins the last
/// section when its title equals `section_title`, else it opens a new section with that
/// title. `id` is what a reply carries back, `text` what is shown, `description` (may be
/// NULL) a second line. The strings are copied; the rows are checked when sent (1 to 10 in
/// all, unique ids). A NULL `message`, `section_title`, `id` or `text` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; each string is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_add_list_row(
    message: *mut connectly_message,
    section_title: *const c_char,
    id: *const c_char,
    text: *const c_char,
    description: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let title = utf8(section_title, "section_title")?;
            let id = utf8(id, "id")?;
            let text = utf8(text, "text")?;
            let description = optional_text(description, "description")?;
            let mut row = ListRow::new(id, text);
            if let Some(description) = description {
                row = row.description(description);
            }
            let list = m.list.get_or_insert_with(ListParts::default);
            match list.sections.last_mut() {
                Some((last, rows)) if last == title => rows.push(row),
                _ => list.sections.push((title.to_owned(), vec![row])),
            }
            Ok(())
        })
    }
}

/// Makes the message a reply-button message, with no button yet (adding a button does so
/// too). Sent without a button it is refused (field `buttons`). A NULL `message` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Not thread-safe for one message.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_start_buttons(
    message: *mut connectly_message,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.buttons.get_or_insert_with(Vec::new);
            Ok(())
        })
    }
}

/// Adds a quick-reply button, making the message a reply-button message: `id` is what a
/// reply carries back, `text` its label (both copied). The buttons are checked when sent (1
/// to 3, unique ids); give the message its body with `connectly_message_set_text`. A NULL
/// `message`, `id` or `text` is `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for
/// `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `id` and `text` are NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_add_button(
    message: *mut connectly_message,
    id: *const c_char,
    text: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let id = utf8(id, "id")?;
            let text = utf8(text, "text")?;
            m.buttons
                .get_or_insert_with(Vec::new)
                .push(Button::new(id, text));
            Ok(())
        })
    }
}

/// Sets the header shown above a list or reply-button message; NULL clears it. Copied. A
/// message with a header but neither a list nor buttons is refused when sent
/// (`CONNECTLY_ERROR_INVALID_ARGUMENT`). Statuses as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `header` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_header(
    message: *mut connectly_message,
    header: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.header = optional_owned(header, "header")?;
            Ok(())
        })
    }
}

/// Sets the footer shown below a list or reply-button message; NULL clears it. As for
/// `connectly_message_set_header`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `footer` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_footer(
    message: *mut connectly_message,
    footer: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            m.footer = optional_owned(footer, "footer")?;
            Ok(())
        })
    }
}

/// Makes the message a catalog product message, passed through as the JSON object `json`
/// (copied): `singleProductMessage` when `multi` is false, `multiProductMessage` when true.
///
/// Text that is not JSON is `CONNECTLY_ERROR_VALIDATION` (field `product`); JSON that is not
/// an object is refused when sent. A NULL `message` or `json` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for `connectly_message_set_text`.
///
/// # Safety
/// `message` is NULL or a live message no other thread uses; `json` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_set_product_json(
    message: *mut connectly_message,
    multi: bool,
    json: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(message, |m| {
            let payload = boundary::json(json, "json", "product")?;
            let kind = if multi {
                ProductKind::Multi
            } else {
                ProductKind::Single
            };
            m.product = Some((kind, payload));
            Ok(())
        })
    }
}

/// Frees a message and everything it holds. NULL does nothing. No thread may use the
/// message during or after the call; free it once.
///
/// # Safety
/// `message` is NULL or a live message no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_message_free(message: *mut connectly_message) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(message) })
}

/// Sends a session message (`POST /send/messages`) to `to` on `channel` (such as
/// `"whatsapp"` or `"sms"`).
///
/// The message, the channel and the recipient are checked before anything is sent
/// (`CONNECTLY_ERROR_VALIDATION`, with the field in the last error's message: `message` for
/// several contents, `text`, `attachment url`, `buttons`, ...). A NULL `client`, `channel`,
/// `to` or `message` is `CONNECTLY_ERROR_NULL_ARGUMENT`, a string that is not UTF-8
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`. The message is only read: it stays the caller's, to
/// send again or free. Retries, the response (`out` may be NULL) and errors are as for
/// `connectly_send_text`. Blocks until done. Thread-safe: any number of threads may send on
/// one client, and send one message no thread changes.
///
/// # Safety
/// `client` is NULL or a live client; `channel` and `to` are NULL or NUL-terminated;
/// `message` is NULL or a live message no thread changes during the call; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_message(
    client: *const connectly_client,
    channel: *const c_char,
    to: *const c_char,
    message: *const connectly_message,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let channel = unsafe { utf8(channel, "channel") }?;
        // SAFETY: as above.
        let to = unsafe { utf8(to, "to") }?;
        // SAFETY: NULL or live, by the caller's contract.
        let message = unsafe { handle(message, "message") }?;
        let recipient = message.recipient(channel, to);
        let core = message.to_core()?;
        respond(out, || client.client.send_message(&recipient, &core))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    #[test]
    fn rows_join_the_last_section_of_their_title() {
        let message = connectly_message_new();
        let c = |s: &str| CString::new(s).unwrap();
        let (a, b) = (c("A"), c("B"));
        // SAFETY: `message` is live until freed; the strings outlive each call.
        unsafe {
            for (title, id) in [(&a, "1"), (&a, "2"), (&b, "3"), (&a, "4")] {
                let id = c(id);
                let status = connectly_message_add_list_row(
                    message,
                    title.as_ptr(),
                    id.as_ptr(),
                    id.as_ptr(),
                    std::ptr::null(),
                );
                assert_eq!(status, connectly_status::CONNECTLY_OK);
            }
            let list = (*message).list.clone().unwrap();
            let shape: Vec<(String, usize)> = list
                .sections
                .iter()
                .map(|(title, rows)| (title.clone(), rows.len()))
                .collect();
            assert_eq!(shape, [("A".into(), 2), ("B".into(), 1), ("A".into(), 1)]);
            assert!((*message).to_core().is_ok());
            connectly_message_free(message);
        }
    }

    #[test]
    fn a_header_without_a_list_or_buttons_is_refused() {
        let message = connectly_message_new();
        let (text, header) = (CString::new("hi").unwrap(), CString::new("H").unwrap());
        // SAFETY: `message` is live until freed; the strings outlive each call.
        unsafe {
            connectly_message_set_text(message, text.as_ptr());
            connectly_message_set_header(message, header.as_ptr());
            assert!(matches!((*message).to_core(), Err(Failure::Invalid(_))));
            // With buttons (even none yet: the core refuses that when sending) it has a place.
            connectly_message_start_buttons(message);
            assert!((*message).to_core().is_ok());
            connectly_message_free(message);
        }
    }
}
