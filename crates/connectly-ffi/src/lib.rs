//! The C ABI (`include/connectly.h`, generated from this module by cbindgen).
//!
//! Conventions every export follows:
//!
//! - It runs inside one panic boundary (the `boundary` module): a panic never crosses into C; it
//!   becomes `CONNECTLY_ERROR_INTERNAL`.
//! - Every pointer is checked: a NULL required argument is `CONNECTLY_ERROR_NULL_ARGUMENT`;
//!   `(NULL, 0)` is an empty byte slice or array.
//! - Outputs are written only on success; each `*_new` has a `*_free`, and `*_free(NULL)`
//!   does nothing.
//! - A fallible call returns a [`status::connectly_status`], clears the thread's last error
//!   on success and records it on failure ([`last_error`]).
//!
//! Nothing here is meant for Rust callers: use the crate's own API.

#![allow(non_camel_case_types)]

mod boundary;
pub mod bulk;
pub mod campaign;
pub mod client;
pub mod event;
pub mod fleet;
pub mod interrupt;
pub mod last_error;
pub mod log;
pub mod manage;
pub mod message;
pub mod operation;
pub mod queue;
pub mod response;
pub mod status;
pub mod template;
pub mod tracker;
pub mod webhook;
