//! `connectly_campaign`: the entries of a campaign send, built with setters; and
//! `connectly_campaign_result`, what `connectly_send_campaign` got back.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::{
    self, call, give, handle, handle_mut, text as utf8, text_ptr, value, Failure,
};
use super::client::connectly_client;
use super::last_error::c_string;
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::{CampaignEntry, CampaignResult};

/// The entries of a campaign send being built (opaque): one per recipient, each with the
/// campaign's name, variables, version, sender and schedule.
///
/// Make it with `connectly_campaign_new`, add entries with `connectly_campaign_add_entry`
/// (the other setters apply to the entry added last), send it with `connectly_send_campaign`
/// and free it with `connectly_campaign_free`. The entries are checked when sent. A setter
/// must not run while another thread uses it; one no thread changes may be sent from several
/// threads at once.
#[derive(Debug, Clone, Default)]
pub struct connectly_campaign {
    pub(crate) entries: Vec<CampaignEntry>,
}

/// Runs a setter on the entry added last: `set` gives the new entry from the old one, and
/// changes the campaign only when it succeeds. No entry yet is
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses during the call.
unsafe fn update_last(
    campaign: *mut connectly_campaign,
    set: impl FnOnce(CampaignEntry) -> Result<CampaignEntry, Failure>,
) -> connectly_status {
    call(|| {
        // SAFETY: forwarded to the caller.
        let campaign = unsafe { handle_mut(campaign, "campaign") }?;
        let last = campaign.entries.last_mut().ok_or_else(|| {
            Failure::Invalid(
                "the campaign has no entry yet: add one with connectly_campaign_add_entry"
                    .to_owned(),
            )
        })?;
        *last = set(last.clone())?;
        Ok(())
    })
}

/// Makes a campaign without entries (free it with `connectly_campaign_free`). Never fails
/// but for lack of memory; NULL then. Does not change the thread's last error. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_campaign_new() -> *mut connectly_campaign {
    value(ptr::null_mut(), || {
        Box::into_raw(Box::new(connectly_campaign::default()))
    })
}

/// Adds an entry: campaign `campaign_name` (published in Connectly) for recipient `client`
/// (E.164, or another id). Both are copied, and checked when sent. Entries are sent in the
/// order added.
///
/// A NULL `campaign`, `client` or `campaign_name` is `CONNECTLY_ERROR_NULL_ARGUMENT`, a
/// string that is not UTF-8 `CONNECTLY_ERROR_INVALID_ARGUMENT`; on failure the campaign is
/// unchanged. Not thread-safe for one campaign.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; the strings are NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_add_entry(
    campaign: *mut connectly_campaign,
    client: *const c_char,
    campaign_name: *const c_char,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live and unshared, by the caller's contract.
        let campaign = unsafe { handle_mut(campaign, "campaign") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let client = unsafe { utf8(client, "client") }?;
        // SAFETY: as above.
        let name = unsafe { utf8(campaign_name, "campaign_name") }?;
        campaign.entries.push(CampaignEntry::new(client, name));
        Ok(())
    })
}

/// Sets one of the campaign's variables, `name` to `value` (both copied), for the entry
/// added last. Names are checked when sent (non-empty, unique per entry).
///
/// No entry yet is `CONNECTLY_ERROR_INVALID_ARGUMENT`; a NULL `campaign`, `name` or `value`
/// is `CONNECTLY_ERROR_NULL_ARGUMENT`; otherwise as for `connectly_campaign_add_entry`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; the strings are NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_set_variable(
    campaign: *mut connectly_campaign,
    name: *const c_char,
    value: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update_last(campaign, |entry| {
            let name = utf8(name, "name")?;
            let value = utf8(value, "value")?;
            Ok(entry.variable(name, value))
        })
    }
}

/// Sets the variables of the entry added last from a JSON object of strings given as text
/// (`{"name":"Ada","city":"Lisbon"}`), added to any set before: for callers that hold the
/// variables as JSON already. Text that is not JSON is `CONNECTLY_ERROR_VALIDATION` (field
/// `variables`), as is, when sent, anything but an object of strings. Otherwise as for
/// `connectly_campaign_set_variable`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; `json` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_set_variables_json(
    campaign: *mut connectly_campaign,
    json: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        update_last(campaign, |entry| {
            Ok(entry.variables(boundary::json(json, "json", "variables")?))
        })
    }
}

/// Sets the campaign version (`campaignVersion`, copied) of the entry added last. As for
/// `connectly_campaign_set_variable`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; `version` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_set_version(
    campaign: *mut connectly_campaign,
    version: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update_last(campaign, |e| Ok(e.version(utf8(version, "version")?))) }
}

/// Sets the business number that sends the entry added last (copied). As for
/// `connectly_campaign_set_variable`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; `sender` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_set_sender(
    campaign: *mut connectly_campaign,
    sender: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update_last(campaign, |e| Ok(e.sender(utf8(sender, "sender")?))) }
}

/// Sets when the entry added last is sent, an ISO 8601 time (`scheduledAt`, copied; alpha
/// in the provider's API). As for `connectly_campaign_set_variable`.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread uses; `iso8601` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_set_scheduled_at(
    campaign: *mut connectly_campaign,
    iso8601: *const c_char,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { update_last(campaign, |e| Ok(e.scheduled_at(utf8(iso8601, "iso8601")?))) }
}

/// Frees a campaign and its entries. NULL does nothing. No thread may use it during or after
/// the call; free it once.
///
/// # Safety
/// `campaign` is NULL or a live campaign no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_free(campaign: *mut connectly_campaign) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(campaign) })
}

/// What a campaign send got back (opaque): the accepted and rejected counts when the reply
/// carries them, its error when it has one, and the whole response. Immutable, so it may be
/// read from any thread. Free it with `connectly_campaign_result_free`.
pub struct connectly_campaign_result {
    accepted: i64,
    rejected: i64,
    error: Option<CString>,
    response: connectly_response,
}

/// A count as C reads it: -1 when absent.
fn count(value: Option<u64>) -> i64 {
    value.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

impl connectly_campaign_result {
    /// The whole reply, borrowed.
    pub(crate) fn response(&self) -> *const connectly_response {
        &self.response
    }

    pub(crate) fn new(result: &CampaignResult) -> Self {
        Self {
            accepted: count(result.accepted),
            rejected: count(result.rejected),
            error: result.error.as_ref().map(|e| c_string(&e.to_string())),
            response: connectly_response::new(&result.response),
        }
    }
}

/// Sends the campaign's entries (`POST /send/campaigns`) and, when `out` is not NULL, writes
/// what came back to `*out` as a new result (free it with `connectly_campaign_result_free`).
///
/// Every entry is checked before anything is sent (`CONNECTLY_ERROR_VALIDATION`: field
/// `campaign entries` when there are none, else `client`, `campaign name`, `variables`,
/// ...). A campaign that is not published is answered 409 (`CONNECTLY_ERROR_API`). A NULL
/// `client` or `campaign` is `CONNECTLY_ERROR_NULL_ARGUMENT`. Retried like a send: only
/// when the request provably did not reach the server, or on 429. The campaign is only read.
/// On failure `*out` is not written, and the last error has the details. Blocks until done.
/// Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `campaign` is NULL or a live campaign no thread
/// changes during the call; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_campaign(
    client: *const connectly_client,
    campaign: *const connectly_campaign,
    out: *mut *mut connectly_campaign_result,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or live, by the caller's contract.
        let campaign = unsafe { handle(campaign, "campaign") }?;
        let result = client.client.send_campaign(&campaign.entries)?;
        if !out.is_null() {
            // SAFETY: non-NULL, and writable by the caller's contract.
            unsafe { give(out, connectly_campaign_result::new(&result)) };
        }
        Ok(())
    })
}

/// How many entries the reply says were accepted (`data[0].acceptedCount`); -1 when the
/// reply has no count, or `result` is NULL. Thread-safe.
///
/// # Safety
/// `result` is NULL or a live result.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_result_accepted(
    result: *const connectly_campaign_result,
) -> i64 {
    // SAFETY: NULL or live, by the caller's contract.
    value(-1, || unsafe { result.as_ref() }.map_or(-1, |r| r.accepted))
}

/// How many entries the reply says were rejected (`data[0].rejectedCount`); -1 when the
/// reply has no count, or `result` is NULL. Thread-safe.
///
/// # Safety
/// `result` is NULL or a live result.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_result_rejected(
    result: *const connectly_campaign_result,
) -> i64 {
    // SAFETY: NULL or live, by the caller's contract.
    value(-1, || unsafe { result.as_ref() }.map_or(-1, |r| r.rejected))
}

/// The reply's error (`data[0].error`) as compact JSON text, or NULL when it has none (or
/// `result` is NULL). Owned by the result: valid until `connectly_campaign_result_free`;
/// never free it. Thread-safe.
///
/// # Safety
/// `result` is NULL or a live result.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_result_error_json(
    result: *const connectly_campaign_result,
) -> *const c_char {
    // SAFETY: NULL or live, by the caller's contract.
    value(ptr::null(), || {
        unsafe { result.as_ref() }.map_or(ptr::null(), |r| text_ptr(r.error.as_ref()))
    })
}

/// The whole reply (status, raw JSON body, attempts, trace id), read with the
/// `connectly_response_*` getters; NULL when `result` is NULL. Borrowed: owned by the
/// result, valid until `connectly_campaign_result_free`; never pass it to
/// `connectly_response_free`. Thread-safe.
///
/// # Safety
/// `result` is NULL or a live result.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_result_response(
    result: *const connectly_campaign_result,
) -> *const connectly_response {
    // SAFETY: NULL or live, by the caller's contract.
    value(ptr::null(), || {
        unsafe { result.as_ref() }.map_or(ptr::null(), |r| &r.response as *const _)
    })
}

/// Frees a campaign result, its response and its strings. NULL does nothing; free it once.
///
/// # Safety
/// `result` is NULL or a live result no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_campaign_result_free(result: *mut connectly_campaign_result) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(result) })
}
