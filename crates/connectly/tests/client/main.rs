//! The client against the mock Connectly: wire exactness, error mapping, retries, validation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bulk;
mod errors;
mod interrupt;
mod manage;
mod retries;
mod support;
mod typed;
mod validation;
mod wire;
