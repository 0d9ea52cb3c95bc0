//! `connectly_template_message`: a WhatsApp template message built with setters, then sent
//! with `connectly_send_template_message` (or in a batch by `connectly_send_many`).

use std::os::raw::c_char;

use super::boundary::{self, call, construct, handle, handle_mut, text as utf8, value, Failure};
use super::client::{connectly_client, respond};
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::TemplateMessage;

/// A WhatsApp template message being built (opaque): the recipient's number, the
/// template's name, its parameters in order, and the optional language, sender, callback
/// data and campaign.
///
/// Make it with `connectly_template_message_new`, send it with
/// `connectly_send_template_message` (as often as wanted: sending does not change it), and
/// free it with `connectly_template_message_free`. Its contents are checked when it is sent.
/// A setter must not run while another thread uses it; one no thread changes may be sent
/// from several threads at once.
#[derive(Debug, Clone)]
pub struct connectly_template_message {
    pub(crate) message: TemplateMessage,
}

/// Runs a setter: `set` gives the new message from the old one, and changes the handle only
/// when it succeeds.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses during the call.
unsafe fn update(
    template: *mut connectly_template_message,
    set: impl FnOnce(TemplateMessage) -> Result<TemplateMessage, Failure>,
) -> connectly_status {
    call(|| {
        // SAFETY: forwarded to the caller.
        let handle = unsafe { handle_mut(template, "template") }?;
        handle.message = set(handle.message.clone())?;
        Ok(())
    })
}

/// Makes a template message for `number` (E.164, or `bsuid:<id>`) and the template named
/// `template_name`, without parameters. Both are copied, and checked when it is sent.
///
/// Returns the new template message (free it with `connectly_template_message_free`), or
/// NULL with the thread's last error set: a NULL string (`CONNECTLY_ERROR_NULL_ARGUMENT`) or
/// one that is not UTF-8 (`CONNECTLY_ERROR_INVALID_ARGUMENT`). Thread-safe.
///
/// # Safety
/// Each string is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_new(
    number: *const c_char,
    template_name: *const c_char,
) -> *mut connectly_template_message {
    construct(|| {
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let number = unsafe { utf8(number, "number") }?;
        // SAFETY: as above.
        let name = unsafe { utf8(template_name, "template_name") }?;
        Ok(connectly_template_message {
            message: TemplateMessage::new(number, name),
        })
    })
}

/// Adds a parameter; parameters are sent in the order added. Both strings are copied; the
/// names are checked when sent (non-empty, unique).
///
/// A NULL `template`, `name` or `value` is `CONNECTLY_ERROR_NULL_ARGUMENT`, a string that is
/// not UTF-8 `CONNECTLY_ERROR_INVALID_ARGUMENT`; on failure the template message is
/// unchanged. Not thread-safe for one template message.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses; `name` and `value`
/// are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_add_param(
    template: *mut connectly_template_message,
    name: *const c_char,
    value: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(template, |t| {
            let name = utf8(name, "name")?;
            let value = utf8(value, "value")?;
            Ok(t.param(name, value))
        })
    }
}

/// Sets the template's language code, such as `"en"` or `"pt_BR"` (copied; checked when
/// sent), replacing any. Statuses as for `connectly_template_message_add_param`.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses; `language` is NULL
/// or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_set_language(
    template: *mut connectly_template_message,
    language: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update(template, |t| Ok(t.language(utf8(language, "language")?))) }
}

/// Sets the business number that sends it (copied; checked when sent), replacing any.
/// Statuses as for `connectly_template_message_add_param`.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses; `sender` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_set_sender(
    template: *mut connectly_template_message,
    sender: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update(template, |t| Ok(t.sender(utf8(sender, "sender")?))) }
}

/// Sets the callback data, any JSON given as text (`"{\"orderId\":42}"`), replacing any:
/// Connectly echoes it in the webhook events about this message. At most 1024 bytes of
/// compact JSON, checked when sent.
///
/// Text that is not JSON is `CONNECTLY_ERROR_VALIDATION` (field `callback data`); otherwise
/// statuses as for `connectly_template_message_add_param`.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses; `json` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_set_callback_data_json(
    template: *mut connectly_template_message,
    json: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update(template, |t| {
            Ok(t.callback_data(boundary::json(json, "json", "callback data")?))
        })
    }
}

/// Sets the campaign the message counts towards (copied; checked when sent), replacing any.
/// Statuses as for `connectly_template_message_add_param`.
///
/// # Safety
/// `template` is NULL or a live template message no other thread uses; `name` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_set_campaign_name(
    template: *mut connectly_template_message,
    name: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update(template, |t| Ok(t.campaign_name(utf8(name, "name")?))) }
}

/// Frees a template message. NULL does nothing. No thread may use it during or after the
/// call; free it once.
///
/// # Safety
/// `template` is NULL or a live template message no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_message_free(
    template: *mut connectly_template_message,
) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(template) })
}

/// Sends a template message (`POST /send/whatsapp_templated_messages`) with every field set
/// on it.
///
/// Everything is checked before anything is sent (`CONNECTLY_ERROR_VALIDATION`, the field in
/// the last error's message). A NULL `client` or `message` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. The template message is only read: it stays the
/// caller's. Retries, the response (`out` may be NULL) and errors are as for
/// `connectly_send_template`. Blocks until done. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `message` is NULL or a live template message no
/// thread changes during the call; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_template_message(
    client: *const connectly_client,
    message: *const connectly_template_message,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or live, by the caller's contract.
        let template = unsafe { handle(message, "message") }?;
        respond(out, || {
            client.client.send_template_message(&template.message)
        })
    })
}
