//! `connectly_operation`: any call checked and built once (the core's `Operation`), then
//! performed blocking with `connectly_perform` or submitted to a `connectly_queue` with
//! `connectly_submit`.

use std::os::raw::c_char;

use super::boundary::{self, call, give, handle, optional_json, out_ptr, text as utf8, Failure};
use super::campaign::connectly_campaign;
use super::client::{connectly_client, connectly_template_param, template_params};
use super::manage::{new_webhook, webhook_update};
use super::message::connectly_message;
use super::queue::connectly_completion;
use super::status::connectly_status;
use super::template::connectly_template_message;
use sdk::{Client, Message, Operation, Recipient, TemplateMessage};

/// A call checked and built, not yet made (opaque): made by a `connectly_operation_*`
/// constructor, bound to the client it was made with (which it keeps alive: the client may
/// be freed first).
///
/// Perform it with `connectly_perform` (as often as wanted), or hand it to
/// `connectly_submit`, which takes it over. Free one not submitted with
/// `connectly_operation_free`. May be performed from several threads at once.
pub struct connectly_operation {
    pub(crate) client: Client,
    pub(crate) operation: Operation,
}

/// Builds an operation at the boundary: every input is checked here, so a refusal comes back
/// now, before anything is queued or sent. On success writes the new operation to `*out`.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
unsafe fn build(
    client: *const connectly_client,
    out: *mut *mut connectly_operation,
    make: impl FnOnce(&Client) -> Result<Operation, Failure>,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = &unsafe { handle(client, "client") }?.client;
        out_ptr(out, "out")?;
        let operation = make(client)?;
        let built = connectly_operation {
            client: client.clone(),
            operation,
        };
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, built) };
        Ok(())
    })
}

/// The operation of `connectly_send_text`: the arguments and statuses are its own; on
/// success writes a new operation to `*out` (a NULL `out` is `CONNECTLY_ERROR_NULL_ARGUMENT`).
/// The strings are copied. Nothing is sent. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_send_text(
    client: *const connectly_client,
    channel: *const c_char,
    to: *const c_char,
    text: *const c_char,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let channel = utf8(channel, "channel")?;
            let to = utf8(to, "to")?;
            let text = utf8(text, "text")?;
            Ok(
                client
                    .send_message_operation(&Recipient::new(channel, to), &Message::text(text))?,
            )
        })
    }
}

/// The operation of `connectly_send_template`, as `connectly_operation_send_text` is of
/// `connectly_send_text`.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `params` is NULL
/// or points to `n_params` parameters; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_send_template(
    client: *const connectly_client,
    number: *const c_char,
    template_name: *const c_char,
    params: *const connectly_template_param,
    n_params: usize,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let number = utf8(number, "number")?;
            let template_name = utf8(template_name, "template_name")?;
            let pairs = template_params(params, n_params)?;
            let message = TemplateMessage::new(number, template_name).params(pairs);
            Ok(client.send_template_operation(&message)?)
        })
    }
}

/// The operation of `connectly_send_message`, as `connectly_operation_send_text` is of
/// `connectly_send_text`. The message is only read: it stays the caller's.
///
/// # Safety
/// `client` is NULL or a live client; `channel` and `to` are NULL or NUL-terminated;
/// `message` is NULL or a live message no thread changes during the call; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_send_message(
    client: *const connectly_client,
    channel: *const c_char,
    to: *const c_char,
    message: *const connectly_message,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let channel = utf8(channel, "channel")?;
            let to = utf8(to, "to")?;
            let message = handle(message, "message")?;
            let recipient = message.recipient(channel, to);
            Ok(client.send_message_operation(&recipient, &message.to_core()?)?)
        })
    }
}

/// The operation of `connectly_send_template_message`, as `connectly_operation_send_text`
/// is of `connectly_send_text`. The template message is only read: it stays the caller's.
///
/// # Safety
/// `client` is NULL or a live client; `message` is NULL or a live template message no thread
/// changes during the call; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_send_template_message(
    client: *const connectly_client,
    message: *const connectly_template_message,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let template = handle(message, "message")?;
            Ok(client.send_template_operation(&template.message)?)
        })
    }
}

/// The operation of `connectly_create_webhook_with` (and of `connectly_create_webhook`,
/// with a NULL `type` and `configuration_json`), as `connectly_operation_send_text` is of
/// `connectly_send_text`.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_create_webhook(
    client: *const connectly_client,
    address: *const c_char,
    topic: *const c_char,
    r#type: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let webhook = new_webhook(address, topic, r#type, configuration_json)?;
            Ok(client.create_webhook_operation(&webhook)?)
        })
    }
}

/// The operation of `connectly_update_webhook`, as `connectly_operation_send_text` is of
/// `connectly_send_text`.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_update_webhook(
    client: *const connectly_client,
    webhook_id: *const c_char,
    address: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let id = utf8(webhook_id, "webhook_id")?;
            let update = webhook_update(address, configuration_json)?;
            Ok(client.update_webhook_operation(id, &update)?)
        })
    }
}

/// The operation of `connectly_delete_webhook`, as `connectly_operation_send_text` is of
/// `connectly_send_text`.
///
/// # Safety
/// `client` is NULL or a live client; `webhook_id` is NULL or NUL-terminated; `out` is NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_delete_webhook(
    client: *const connectly_client,
    webhook_id: *const c_char,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let id = utf8(webhook_id, "webhook_id")?;
            Ok(client.delete_webhook_operation(id)?)
        })
    }
}

/// The operation of `connectly_upsert_webhook`, as `connectly_operation_send_text` is of
/// `connectly_send_text`.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_upsert_webhook(
    client: *const connectly_client,
    address: *const c_char,
    topic: *const c_char,
    configuration_json: *const c_char,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let address = utf8(address, "address")?;
            let topic = utf8(topic, "topic")?;
            let configuration =
                optional_json(configuration_json, "configuration_json", "configuration")?;
            Ok(client.upsert_webhook_operation(address, topic, configuration)?)
        })
    }
}

/// The operation of `connectly_list_webhooks`: its outcome is a `connectly_webhook_list`
/// (`connectly_completion_webhooks`). A NULL `client` or `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_list_webhooks(
    client: *const connectly_client,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { build(client, out, |client| Ok(client.list_webhooks_operation()?)) }
}

/// The operation of `connectly_list_templates`: its outcome is a `connectly_template_list`
/// (`connectly_completion_templates`). A NULL `client` or `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_list_templates(
    client: *const connectly_client,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { build(client, out, |client| Ok(client.list_templates_operation()?)) }
}

/// The operation of `connectly_send_campaign`: every entry is checked now (statuses as
/// there); its outcome is a `connectly_campaign_result` (`connectly_completion_campaign`).
/// The campaign is only read: it stays the caller's. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `campaign` is NULL or a live campaign no thread
/// changes during the call; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_send_campaign(
    client: *const connectly_client,
    campaign: *const connectly_campaign,
    out: *mut *mut connectly_operation,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        build(client, out, |client| {
            let campaign = handle(campaign, "campaign")?;
            Ok(client.send_campaign_operation(&campaign.entries)?)
        })
    }
}

/// Performs `operation` on its client, blocking the calling thread until it ends. The
/// operation is only read: perform it again, submit it or free it afterwards.
///
/// Returns the outcome's status, as the blocking call the operation stands for would
/// (`CONNECTLY_ERROR_NULL_ARGUMENT` for a NULL `operation`); on failure the last error
/// (`connectly_last_error()`) has the details. On success, when `out` is not NULL, writes
/// the outcome to `*out` as a new completion with tag 0 (its response, list or campaign
/// result; free it with `connectly_completion_free`). Thread-safe.
///
/// # Safety
/// `operation` is NULL or a live operation; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_perform(
    operation: *const connectly_operation,
    out: *mut *mut connectly_completion,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let operation = unsafe { handle(operation, "operation") }?;
        let outcome = operation.client.perform_operation(&operation.operation)?;
        if !out.is_null() {
            // SAFETY: non-NULL, and writable by the caller's contract.
            unsafe { give(out, connectly_completion::new(0, Ok(outcome))) };
        }
        Ok(())
    })
}

/// Frees an operation that was not submitted. NULL does nothing; free it once, and never
/// one `connectly_submit` took.
///
/// # Safety
/// `operation` is NULL or a live operation no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_operation_free(operation: *mut connectly_operation) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    boundary::value((), || unsafe { boundary::free(operation) })
}
