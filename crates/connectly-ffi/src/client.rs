//! `connectly_client`: configuration and the three API calls.

use std::os::raw::c_char;
use std::time::Duration;

use super::boundary::{self, call, give, handle, out_ptr, text as utf8, Failure};
use super::fleet::connectly_rate_limiter;
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::{Client, ClientBuilder, Error, Recipient, Response};

/// A Connectly API client (opaque): credentials, base URL, timeouts and a connection pool.
///
/// Thread-safe: one client may be used by any number of threads at once (they share its
/// connection pool). Make it with `connectly_client_new*`, free it with
/// `connectly_client_free` once no thread uses it.
pub struct connectly_client {
    pub(super) client: Client,
}

/// A template parameter: a name and its value, both NUL-terminated UTF-8.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct connectly_template_param {
    /// The parameter's name, such as `"var1"`. Not NULL.
    pub name: *const c_char,
    /// Its value. Not NULL.
    pub value: *const c_char,
}

fn build(builder: ClientBuilder) -> Result<connectly_client, Failure> {
    Ok(connectly_client {
        client: builder.build()?,
    })
}

/// Makes a client with the default timeout (30 s per attempt) and retries (2).
///
/// `api_key` and `business_id` are required, NUL-terminated UTF-8; `base_url` is NULL for
/// `https://api.connectly.ai` (plain `http://` is accepted only for loopback hosts). Nothing
/// is sent. On success writes a new client to `*out` (free it with `connectly_client_free`);
/// on failure `*out` is not written.
///
/// Returns `CONNECTLY_ERROR_NULL_ARGUMENT` when `api_key`, `business_id` or `out` is NULL,
/// `CONNECTLY_ERROR_INVALID_ARGUMENT` for a string that is not UTF-8, and
/// `CONNECTLY_ERROR_VALIDATION` or `CONNECTLY_ERROR_CONFIG` for unusable settings.
/// Thread-safe. The strings are copied; the caller keeps ownership of them.
///
/// # Safety
/// Each string is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_new(
    api_key: *const c_char,
    business_id: *const c_char,
    base_url: *const c_char,
    out: *mut *mut connectly_client,
) -> connectly_status {
    // SAFETY: forwarded; -1 and 0 select the defaults.
    unsafe { connectly_client_new_with_options(api_key, business_id, base_url, 0, -1, out) }
}

/// Makes a client like `connectly_client_new`, with a timeout and a retry count.
///
/// `timeout_ms` is the time each attempt may take, in milliseconds; 0 selects the default
/// (30 s). `max_retries` is how many times a failed attempt may be retried (0 to 10); a
/// negative value selects the default (2). A send is retried only when it provably did not
/// reach the server, or on 429. Everything else is as for `connectly_client_new`;
/// `max_retries` over 10 is `CONNECTLY_ERROR_CONFIG`. Thread-safe.
///
/// # Safety
/// Each string is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_new_with_options(
    api_key: *const c_char,
    business_id: *const c_char,
    base_url: *const c_char,
    timeout_ms: u64,
    max_retries: i32,
    out: *mut *mut connectly_client,
) -> connectly_status {
    call(|| {
        out_ptr(out, "out")?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let api_key = unsafe { utf8(api_key, "api_key") }?;
        // SAFETY: as above.
        let business_id = unsafe { utf8(business_id, "business_id") }?;
        // SAFETY: as above.
        let base_url = unsafe { boundary::optional_text(base_url, "base_url") }?;
        let builder = Client::builder().api_key(api_key).business_id(business_id);
        // SAFETY: `out` was checked non-NULL above.
        unsafe { make(out, builder, base_url, timeout_ms, max_retries) }
    })
}

/// Applies the settings every constructor shares (a base URL when given, the timeout, 0 for
/// the default, and the retries, negative for the default), builds the client and writes it
/// to `*out`.
///
/// # Safety
/// `out` is non-NULL and writable.
unsafe fn make(
    out: *mut *mut connectly_client,
    mut builder: ClientBuilder,
    base_url: Option<&str>,
    timeout_ms: u64,
    max_retries: i32,
) -> Result<(), Failure> {
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if timeout_ms > 0 {
        builder = builder.timeout(Duration::from_millis(timeout_ms));
    }
    if let Ok(retries) = u32::try_from(max_retries) {
        builder = builder.max_retries(retries);
    }
    let client = build(builder)?;
    // SAFETY: non-NULL and writable, by the caller's contract.
    unsafe { give(out, client) };
    Ok(())
}

/// Makes a client from the environment: `CONNECTLY_API_KEY` and `CONNECTLY_BUSINESS_ID`
/// (required) and `CONNECTLY_BASE_URL` (optional), with the default timeout and retries.
///
/// A missing variable is `CONNECTLY_ERROR_CONFIG`. On success writes a new client to `*out`
/// (free it with `connectly_client_free`); on failure `*out` is not written; a NULL `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe as far as the process environment is (do not
/// change it concurrently).
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_new_from_env(
    out: *mut *mut connectly_client,
) -> connectly_status {
    // SAFETY: forwarded; NULL options read everything from the environment.
    unsafe { connectly_client_new_with(std::ptr::null(), out) }
}

/// Settings for `connectly_client_new_with`. Start from `connectly_client_options_default()`
/// (everything from the environment, the default timeout and retries) and set what you need.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct connectly_client_options {
    /// The API key; NULL: `CONNECTLY_API_KEY`.
    pub api_key: *const c_char,
    /// The business id; NULL: `CONNECTLY_BUSINESS_ID`.
    pub business_id: *const c_char,
    /// The API's address; NULL: `CONNECTLY_BASE_URL`, or the default when that is unset.
    pub base_url: *const c_char,
    /// The time each attempt may take, in milliseconds; 0: the default (30 s).
    pub timeout_ms: u64,
    /// How many times a failed attempt may be retried (0 to 10); negative: the default (2).
    pub max_retries: i32,
    /// The send budget every send request waits its turn in (`connectly_rate_limiter_new_*`;
    /// the client shares it, so it may be freed after); NULL: the default, a budget of 200
    /// sends per second for the Connectly API and none for another base URL.
    pub rate_limiter: *const connectly_rate_limiter,
    /// True: no budget at all, also for the Connectly API (which answers 429 above its
    /// limit). Ignored when `rate_limiter` is set.
    pub no_rate_limiter: bool,
}

/// Options that take everything from the environment, with the default timeout and retries
/// (`max_retries` -1). Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_client_options_default() -> connectly_client_options {
    connectly_client_options {
        api_key: std::ptr::null(),
        business_id: std::ptr::null(),
        base_url: std::ptr::null(),
        timeout_ms: 0,
        max_retries: -1,
        rate_limiter: std::ptr::null(),
        no_rate_limiter: false,
    }
}

/// Makes a client from `options` (NULL: `connectly_client_options_default()`), reading each
/// NULL string setting from its environment variable: the one way every language binding
/// configures a client, so none reads the environment itself.
///
/// A required setting missing from both is `CONNECTLY_ERROR_CONFIG`; invalid ones are
/// `CONNECTLY_ERROR_VALIDATION` or `_CONFIG`, before anything is sent. On success writes a new
/// client to `*out` (free it with `connectly_client_free`); a NULL `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe as far as the process environment is.
///
/// # Safety
/// `options` is NULL or readable, its strings NULL or NUL-terminated, its
/// `rate_limiter` NULL or live; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_new_with(
    options: *const connectly_client_options,
    out: *mut *mut connectly_client,
) -> connectly_status {
    call(|| {
        out_ptr(out, "out")?;
        // SAFETY: NULL or readable, by the caller's contract.
        let options = unsafe { options.as_ref() }
            .copied()
            .unwrap_or_else(|| connectly_client_options_default());
        let mut builder = ClientBuilder::from_env();
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        if let Some(key) = unsafe { boundary::optional_text(options.api_key, "api_key") }? {
            builder = builder.api_key(key);
        }
        // SAFETY: as above.
        if let Some(id) = unsafe { boundary::optional_text(options.business_id, "business_id") }? {
            builder = builder.business_id(id);
        }
        // SAFETY: as above.
        let base_url = unsafe { boundary::optional_text(options.base_url, "base_url") }?;
        // SAFETY: NULL or live, by the caller's contract.
        match unsafe { options.rate_limiter.as_ref() } {
            Some(limiter) => builder = builder.rate_limiter(limiter.limiter.clone()),
            None if options.no_rate_limiter => builder = builder.no_rate_limiter(),
            None => {}
        }
        // SAFETY: `out` was checked non-NULL above.
        unsafe {
            make(
                out,
                builder,
                base_url,
                options.timeout_ms,
                options.max_retries,
            )
        }
    })
}

/// Makes a client with the same settings as `client` whose calls are bounded by
/// `timeout_ms` milliseconds in total, retries and waits included (each attempt also keeps
/// the original per-attempt limit when that is shorter). For a deadline on a single call,
/// as Go's `context` gives: make one, call, free it.
///
/// The new client shares `client`'s connection pool (making one is cheap); free it with
/// `connectly_client_free`. Either may be freed first.
/// `timeout_ms` 0 is `CONNECTLY_ERROR_CONFIG`; a NULL `client` or `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. On failure `*out` is not written. Thread-safe; `client`
/// is only read.
///
/// # Safety
/// `client` is NULL or a live client; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_with_timeout(
    client: *const connectly_client,
    timeout_ms: u64,
    out: *mut *mut connectly_client,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let base = unsafe { handle(client, "client") }?;
        out_ptr(out, "out")?;
        let derived = connectly_client {
            client: base
                .client
                .with_timeout(Duration::from_millis(timeout_ms))?,
        };
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, derived) };
        Ok(())
    })
}

/// The number naming `client` in log records (`connectly_log_record.client`); the clients
/// derived from it share it. 0 when `client` is NULL. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_id(client: *const connectly_client) -> u64 {
    // SAFETY: NULL or live, by the caller's contract.
    super::boundary::value(0, || {
        unsafe { client.as_ref() }.map_or(0, |c| c.client.id())
    })
}

/// Frees a client and closes its connections. NULL does nothing. No thread may use the
/// client during or after the call; free it once. Responses it returned stay valid.
///
/// # Safety
/// `client` is NULL or a live client that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_client_free(client: *mut connectly_client) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    boundary::value((), || unsafe { boundary::free(client) })
}

/// Runs a call and hands its response out when `out` is not NULL.
pub(crate) fn respond(
    out: *mut *mut connectly_response,
    send: impl FnOnce() -> Result<Response, Error>,
) -> Result<(), Failure> {
    let response = send()?;
    if !out.is_null() {
        // SAFETY: non-NULL, and writable by the caller's contract.
        unsafe { give(out, connectly_response::new(&response)) };
    }
    Ok(())
}

/// Sends a free-form text message (`POST /send/messages`).
///
/// `channel` is the channel type, such as `"whatsapp"` or `"sms"` (any other is passed
/// through); `to` an E.164 number such as `"+15555555555"` or a channel user id; `text` the
/// message. All three are required NUL-terminated UTF-8 and checked before anything is sent
/// (`CONNECTLY_ERROR_VALIDATION`); a NULL `client` or string is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`, a string that is not UTF-8
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`. A send is retried only when it provably did not reach the
/// server, or on 429: after `CONNECTLY_ERROR_TIMEOUT`, `_TRANSPORT` or `_SERVER` the message
/// may have arrived.
///
/// On success, when `out` is not NULL, writes a new response to `*out` (free it with
/// `connectly_response_free`); pass NULL when the response is not wanted. On failure `*out`
/// is not written, and for API errors `connectly_last_error_http_status()`,
/// `connectly_last_error_code()` and `connectly_last_error_trace_id()` give the provider's
/// details. Blocks until done. Thread-safe: any number of threads may send on one client.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_text(
    client: *const connectly_client,
    channel: *const c_char,
    to: *const c_char,
    text: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let channel = unsafe { utf8(channel, "channel") }?;
        // SAFETY: as above.
        let to = unsafe { utf8(to, "to") }?;
        // SAFETY: as above.
        let message = unsafe { utf8(text, "text") }?;
        respond(out, || {
            client
                .client
                .send_text(&Recipient::new(channel, to), message)
        })
    })
}

/// Sends a WhatsApp template message (`POST /send/whatsapp_templated_messages`).
///
/// `number` is the recipient's E.164 number, `template_name` the template's name (both
/// required NUL-terminated UTF-8); `params` points to `n_params` parameters sent in that
/// order (`(NULL, 0)`: none; every `name` and `value` must be non-NULL). Everything else is
/// as for `connectly_send_text`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `params` is NULL
/// or points to `n_params` parameters; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_template(
    client: *const connectly_client,
    number: *const c_char,
    template_name: *const c_char,
    params: *const connectly_template_param,
    n_params: usize,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let number = unsafe { utf8(number, "number") }?;
        // SAFETY: as above.
        let template_name = unsafe { utf8(template_name, "template_name") }?;
        // SAFETY: forwarded to the caller.
        let pairs = unsafe { template_params(params, n_params) }?;
        respond(out, || {
            client.client.send_template(number, template_name, &pairs)
        })
    })
}

/// The `(name, value)` pairs of a `connectly_template_param` array.
///
/// # Safety
/// `params` is NULL or points to `n_params` parameters whose strings are NULL or
/// NUL-terminated and outlive `'a`.
pub(crate) unsafe fn template_params<'a>(
    params: *const connectly_template_param,
    n_params: usize,
) -> Result<Vec<(&'a str, &'a str)>, Failure> {
    // SAFETY: NULL or `n_params` parameters, by the caller's contract.
    let raw = unsafe { boundary::array(params, n_params, "params") }?;
    let mut pairs = Vec::with_capacity(raw.len());
    for param in raw {
        // SAFETY: each is NULL or NUL-terminated, by the caller's contract.
        let name = unsafe { utf8(param.name, "params[].name") }?;
        // SAFETY: as above.
        let value = unsafe { utf8(param.value, "params[].value") }?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Registers the address Connectly delivers a topic's events to (`POST /create/webhooks`).
///
/// `address` is an `https://` URL (`http://` only for loopback hosts); `topic` is
/// `"messages"` or `"delivery_status"`. Registering a topic again replaces its address, so
/// this call is also retried on 5xx and timeouts. Everything else is as for
/// `connectly_send_text`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; each string is NULL or NUL-terminated; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_create_webhook(
    client: *const connectly_client,
    address: *const c_char,
    topic: *const c_char,
    out: *mut *mut connectly_response,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let address = unsafe { utf8(address, "address") }?;
        // SAFETY: as above.
        let topic = unsafe { utf8(topic, "topic") }?;
        respond(out, || client.client.create_webhook(address, topic))
    })
}
