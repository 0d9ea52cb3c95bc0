//! The C ABI (`include/connectly.h`).
