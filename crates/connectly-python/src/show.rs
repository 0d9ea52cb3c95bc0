//! Python-style reprs, `Name(arg, field=value, ...)`, each value shown by Python's own `repr`,
//! so that a value class's repr reads as the call that makes it.

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// Builds one repr.
pub(crate) struct Repr<'py> {
    py: Python<'py>,
    text: String,
    empty: bool,
}

impl<'py> Repr<'py> {
    /// A repr of class `name`.
    pub(crate) fn new(py: Python<'py>, name: &str) -> Self {
        Repr {
            py,
            text: format!("{name}("),
            empty: true,
        }
    }

    fn push(&mut self, part: &str) {
        if !self.empty {
            self.text.push_str(", ");
        }
        self.empty = false;
        self.text.push_str(part);
    }

    /// A positional argument.
    pub(crate) fn arg<V: IntoPyObject<'py>>(mut self, value: V) -> PyResult<Self> {
        let shown = value.into_bound_py_any(self.py)?.repr()?.to_string();
        self.push(&shown);
        Ok(self)
    }

    /// A keyword argument.
    pub(crate) fn field<V: IntoPyObject<'py>>(mut self, name: &str, value: V) -> PyResult<Self> {
        let shown = value.into_bound_py_any(self.py)?.repr()?;
        self.push(&format!("{name}={shown}"));
        Ok(self)
    }

    /// A keyword argument that is left out when it is `None`.
    pub(crate) fn optional<V: IntoPyObject<'py>>(
        self,
        name: &str,
        value: Option<V>,
    ) -> PyResult<Self> {
        match value {
            Some(value) => self.field(name, value),
            None => Ok(self),
        }
    }

    /// The repr.
    pub(crate) fn finish(mut self) -> String {
        self.text.push(')');
        self.text
    }
}
