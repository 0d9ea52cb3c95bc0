//! The Python extension module `connectly._connectly`.
