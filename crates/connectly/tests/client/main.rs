//! The client against the mock Connectly: wire exactness, error mapping, retries, validation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bulk;
mod errors;
mod interrupt;
mod retries;
mod support;
mod validation;
mod wire;
