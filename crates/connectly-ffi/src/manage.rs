//! Managing the account: webhook registrations (create with a type and configuration, list,
//! update, delete, upsert) and the template list.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::{
    self, call, give, handle, optional_json, optional_text, out_ptr, text as utf8, text_ptr, value,
    Failure,
};
use super::client::{connectly_client, respond};
use super::last_error::c_string;
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::{NewWebhook, TemplateInfo, WebhookInfo, WebhookUpdate};

/// A C string from API text; `None` when it holds a NUL character, which a C string cannot
/// carry (the entry's raw JSON still has it).
fn text_field(text: Option<&str>) -> Option<CString> {
    text.and_then(|t| CString::new(t).ok())
}

/// JSON as compact text (a NUL inside a string is escaped, so it always fits a C string).
fn json_text(value: &serde_json::Value) -> CString {
    c_string(&value.to_string())
}

/// Registers `address` for `topic` (`POST /create/webhooks`), with an integration `type`
/// (`"custom"`, `"zapier"`, ...; NULL: Connectly's default) and a `configuration_json`
/// object given as JSON text (NULL: none), such as
/// `{"echo":false,"channelTypes":["whatsapp"]}`.
///
/// Everything is checked before anything is sent (`CONNECTLY_ERROR_VALIDATION`: field
/// `webhook address`, `topic`, `webhook type` or `configuration`, which is also the field
/// for text that is not JSON). A NULL `client`, `address` or `topic` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`, a string that is not UTF-8
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`. A second registration of a topic either replaces the
/// first or is answered 409 (`CONNECTLY_ERROR_API`), as the provider chooses; so the call is
/// retried on 5xx and timeouts too. The strings are only read. On success, when `out` is
/// not NULL, writes a new response to `*out` (free it with `connectly_response_free`).
/// Blocks until done. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_create_webhook_with(
    client: *const connectly_client,
    address: *const c_char,
    topic: *const c_char,
    r#type: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: forwarded to the caller.
        let webhook = unsafe { new_webhook(address, topic, r#type, configuration_json) }?;
        respond(out, || client.client.create_webhook_with(&webhook))
    })
}

/// The registration `connectly_create_webhook_with`'s arguments describe.
///
/// # Safety
/// Each string is NULL or NUL-terminated.
pub(crate) unsafe fn new_webhook(
    address: *const c_char,
    topic: *const c_char,
    r#type: *const c_char,
    configuration_json: *const c_char,
) -> Result<NewWebhook, Failure> {
    // SAFETY: NULL or NUL-terminated, by the caller's contract.
    let address = unsafe { utf8(address, "address") }?;
    // SAFETY: as above.
    let topic = unsafe { utf8(topic, "topic") }?;
    // SAFETY: as above.
    let kind = unsafe { optional_text(r#type, "type") }?;
    // SAFETY: as above.
    let configuration =
        unsafe { optional_json(configuration_json, "configuration_json", "configuration") }?;
    let mut webhook = NewWebhook::new(address, topic);
    if let Some(kind) = kind {
        webhook = webhook.webhook_type(kind);
    }
    if let Some(configuration) = configuration {
        webhook = webhook.configuration(configuration);
    }
    Ok(webhook)
}

/// Changes a registration (`PUT /update/webhooks/{webhook_id}`, the id percent-encoded):
/// its `address` and/or its `configuration_json` (a JSON object as text); NULL leaves that
/// field as it is, and at least one must be given (else `CONNECTLY_ERROR_VALIDATION`, field
/// `webhook update`).
///
/// An unknown id is answered 404 (`CONNECTLY_ERROR_API`). A NULL `client` or `webhook_id` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`; validation, retries (the same update twice is one
/// update) and the response are as for `connectly_create_webhook_with`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_update_webhook(
    client: *const connectly_client,
    webhook_id: *const c_char,
    address: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let id = unsafe { utf8(webhook_id, "webhook_id") }?;
        // SAFETY: forwarded to the caller.
        let update = unsafe { webhook_update(address, configuration_json) }?;
        respond(out, || client.client.update_webhook(id, &update))
    })
}

/// The change `connectly_update_webhook`'s arguments describe.
///
/// # Safety
/// Each string is NULL or NUL-terminated.
pub(crate) unsafe fn webhook_update(
    address: *const c_char,
    configuration_json: *const c_char,
) -> Result<WebhookUpdate, Failure> {
    // SAFETY: NULL or NUL-terminated, by the caller's contract.
    let address = unsafe { optional_text(address, "address") }?;
    // SAFETY: as above.
    let configuration =
        unsafe { optional_json(configuration_json, "configuration_json", "configuration") }?;
    let mut update = WebhookUpdate::new();
    if let Some(address) = address {
        update = update.address(address);
    }
    if let Some(configuration) = configuration {
        update = update.configuration(configuration);
    }
    Ok(update)
}

/// Removes a registration (`DELETE /delete/webhooks/{webhook_id}`, the id percent-encoded).
/// An unknown id is answered 404 (`CONNECTLY_ERROR_API`), also for a retry after an attempt
/// that did delete it. A NULL `client` or `webhook_id` is `CONNECTLY_ERROR_NULL_ARGUMENT`; a
/// blank id `CONNECTLY_ERROR_VALIDATION` (field `webhook id`). The response is as for
/// `connectly_create_webhook_with`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `webhook_id` is NULL or NUL-terminated; `out` is NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_delete_webhook(
    client: *const connectly_client,
    webhook_id: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let id = unsafe { utf8(webhook_id, "webhook_id") }?;
        respond(out, || client.client.delete_webhook(id))
    })
}

/// Makes `address` the registration for `topic`, whichever way the provider answers a
/// second registration: a create that replaces it is the answer; a create answered 409
/// finds the topic's registration (`GET /webhooks`) and updates it, and that update's
/// response is the answer. `configuration_json` is a JSON object as text, or NULL.
///
/// Statuses, validation and the response are as for `connectly_create_webhook_with`; when
/// the 409 came but no registration of the topic is listed, it is `CONNECTLY_ERROR_API`
/// with the 409's details. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_upsert_webhook(
    client: *const connectly_client,
    address: *const c_char,
    topic: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let address = unsafe { utf8(address, "address") }?;
        // SAFETY: as above.
        let topic = unsafe { utf8(topic, "topic") }?;
        // SAFETY: as above.
        let configuration =
            unsafe { optional_json(configuration_json, "configuration_json", "configuration") }?;
        respond(out, || {
            client.client.upsert_webhook(address, topic, configuration)
        })
    })
}

/// One listed registration, as C strings.
struct WebhookEntry {
    id: Option<CString>,
    topic: Option<CString>,
    address: Option<CString>,
    configuration: Option<CString>,
    raw: CString,
}

/// The business's webhook registrations (opaque), as `connectly_list_webhooks` got them.
/// Immutable, so it may be read from any thread. Free it with `connectly_webhook_list_free`;
/// the strings its getters give are owned by it.
pub struct connectly_webhook_list {
    entries: Vec<WebhookEntry>,
}

impl connectly_webhook_list {
    pub(crate) fn new(list: &[WebhookInfo]) -> Self {
        let entries = list
            .iter()
            .map(|w| WebhookEntry {
                id: text_field(Some(&w.id)),
                topic: text_field(w.topic.as_deref()),
                address: text_field(w.address.as_deref()),
                configuration: w.configuration.as_ref().map(json_text),
                raw: json_text(&w.raw),
            })
            .collect();
        Self { entries }
    }
}

/// Lists the business's webhook registrations (`GET /webhooks`) and writes them to `*out`
/// as a new list (free it with `connectly_webhook_list_free`; empty when there are none).
///
/// A NULL `client` or `out` is `CONNECTLY_ERROR_NULL_ARGUMENT`, and nothing is sent. Safe to
/// repeat, so retried like `connectly_create_webhook_with`; errors are as for
/// `connectly_send_text`. On failure `*out` is not written. Blocks until done. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_list_webhooks(
    client: *const connectly_client,
    out: *mut *mut connectly_webhook_list,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        out_ptr(out, "out")?;
        let list = connectly_webhook_list::new(&client.client.list_webhooks()?);
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, list) };
        Ok(())
    })
}

/// Reads a string of entry `index` of a list, NULL when the list is NULL, `index` is out of
/// range or the entry has no such string.
///
/// # Safety
/// `list` is NULL or a live list.
unsafe fn entry_text<L, E>(
    list: *const L,
    index: usize,
    entries: impl FnOnce(&L) -> &[E],
    get: impl FnOnce(&E) -> Option<&CString>,
) -> *const c_char {
    value(ptr::null(), || {
        // SAFETY: NULL or live, by the caller's contract.
        text_ptr(
            unsafe { list.as_ref() }
                .and_then(|l| entries(l).get(index))
                .and_then(get),
        )
    })
}

/// How many registrations `list` holds; 0 when `list` is NULL. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_len(list: *const connectly_webhook_list) -> usize {
    // SAFETY: NULL or live, by the caller's contract.
    value(0, || {
        unsafe { list.as_ref() }.map_or(0, |l| l.entries.len())
    })
}

/// Registration `index`'s id (what `connectly_update_webhook` and `connectly_delete_webhook`
/// take). NULL when `list` is NULL, `index` is out of range, or the id holds a NUL
/// character (read it from the raw JSON). Owned by the list: valid until
/// `connectly_webhook_list_free`; never free it. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_id(
    list: *const connectly_webhook_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.id.as_ref()) }
}

/// Registration `index`'s topic, or NULL when it was not listed (or as for
/// `connectly_webhook_list_id`). Owned by the list; never free it. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_topic(
    list: *const connectly_webhook_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.topic.as_ref()) }
}

/// Registration `index`'s address, or NULL when it was not listed (or as for
/// `connectly_webhook_list_id`). Owned by the list; never free it. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_address(
    list: *const connectly_webhook_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.address.as_ref()) }
}

/// Registration `index`'s configuration object as compact JSON text, or NULL when it was not
/// listed or was null (or as for `connectly_webhook_list_id`). Owned by the list; never free
/// it. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_configuration_json(
    list: *const connectly_webhook_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.configuration.as_ref()) }
}

/// Registration `index` as the API listed it, as compact JSON text (fields the SDK does not
/// model included). NULL only when `list` is NULL or `index` is out of range. Owned by the
/// list; never free it. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_raw_json(
    list: *const connectly_webhook_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| Some(&e.raw)) }
}

/// Frees a webhook list and its strings. NULL does nothing; free it once.
///
/// # Safety
/// `list` is NULL or a live list no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_list_free(list: *mut connectly_webhook_list) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(list) })
}

/// One listed template, as C strings.
struct TemplateEntry {
    name: Option<CString>,
    group: Option<CString>,
    language: Option<CString>,
    status: Option<CString>,
    category: Option<CString>,
    rejection_reason: Option<CString>,
    raw: CString,
}

/// The business's WhatsApp templates (opaque), one entry per template and language, as
/// `connectly_list_templates` got them. Immutable, so it may be read from any thread. Free
/// it with `connectly_template_list_free`; the strings its getters give are owned by it.
pub struct connectly_template_list {
    entries: Vec<TemplateEntry>,
}

impl connectly_template_list {
    pub(crate) fn new(list: &[TemplateInfo]) -> Self {
        let entries = list
            .iter()
            .map(|t| TemplateEntry {
                name: text_field(t.name.as_deref()),
                group: text_field(t.group.as_deref()),
                language: text_field(t.language.as_deref()),
                status: text_field(t.status.as_deref()),
                category: text_field(t.category.as_deref()),
                rejection_reason: text_field(t.rejection_reason.as_deref()),
                raw: json_text(&t.raw),
            })
            .collect();
        Self { entries }
    }
}

/// Lists the business's templates (`POST /get/templates`), one entry per template and
/// language, and writes them to `*out` as a new list (free it with
/// `connectly_template_list_free`). Statuses, retries and threads as for
/// `connectly_list_webhooks`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_list_templates(
    client: *const connectly_client,
    out: *mut *mut connectly_template_list,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        out_ptr(out, "out")?;
        let list = connectly_template_list::new(&client.client.list_templates()?);
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, list) };
        Ok(())
    })
}

/// How many templates `list` holds; 0 when `list` is NULL. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_len(
    list: *const connectly_template_list,
) -> usize {
    // SAFETY: NULL or live, by the caller's contract.
    value(0, || {
        unsafe { list.as_ref() }.map_or(0, |l| l.entries.len())
    })
}

/// Template `index`'s name (its group's `name`: what `connectly_template_message_new` takes).
/// Each `connectly_template_list_*` string getter gives NULL when `list` is NULL, `index` is
/// out of range, the field was not listed, or it holds a NUL character (read it from the
/// raw JSON). Owned by the list: valid until `connectly_template_list_free`; never free it.
/// Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_name(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.name.as_ref()) }
}

/// Template `index`'s group id. NULL as for `connectly_template_list_name`; owned by the
/// list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_group(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.group.as_ref()) }
}

/// Template `index`'s language code, such as `"en_US"`. NULL as for
/// `connectly_template_list_name`; owned by the list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_language(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.language.as_ref()) }
}

/// Template `index`'s review status as the API wrote it, such as
/// `"MESSAGE_TEMPLATE_STATUS_APPROVED"`. NULL as for `connectly_template_list_name`; owned
/// by the list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_status(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.status.as_ref()) }
}

/// Template `index`'s category (its group's), such as `"UTILITY"`. NULL as for
/// `connectly_template_list_name`; owned by the list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_category(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.category.as_ref()) }
}

/// Why template `index` was rejected, wherever the API put it (`rejectionReason`, or the
/// older `externalTemplate.whatsapp.rejectedReason`). NULL as for
/// `connectly_template_list_name`; owned by the list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_rejection_reason(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| e.rejection_reason.as_ref()) }
}

/// Template `index` as the API listed it, as compact JSON text. NULL only when `list` is
/// NULL or `index` is out of range; owned by the list. Thread-safe.
///
/// # Safety
/// `list` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_raw_json(
    list: *const connectly_template_list,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { entry_text(list, index, |l| &l.entries, |e| Some(&e.raw)) }
}

/// Frees a template list and its strings. NULL does nothing; free it once.
///
/// # Safety
/// `list` is NULL or a live list no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_template_list_free(list: *mut connectly_template_list) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(list) })
}
