//! JSON values (`serde_json::Value`) as Python objects, and Python values as JSON.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

use super::errors;

/// Converts a JSON value to the object `json.loads` would give.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)
            }
        }
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_py(py, item)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// Python's `json.dumps`, looked up once per process.
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A JSON-serialisable Python value as the core's JSON: serialised compactly by `json.dumps`
/// (`separators=(",", ":")`, `ensure_ascii=False`) and handed to [`connectly::json_argument`],
/// which parses it or refuses it as `field` (a `ValidationError`). What `json.dumps` cannot
/// serialise raises its own `TypeError`.
pub(crate) fn from_py(value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Value> {
    let py = value.py();
    let dumps = JSON_DUMPS.get_or_try_init(py, || {
        py.import("json")?.getattr("dumps").map(Bound::unbind)
    })?;
    let dumps = dumps.bind(py);
    let dump = |ensure_ascii: bool| -> PyResult<Bound<'_, PyString>> {
        let options = PyDict::new(py);
        options.set_item("separators", (",", ":"))?;
        options.set_item("ensure_ascii", ensure_ascii)?;
        Ok(dumps
            .call((value,), Some(&options))?
            .cast_into::<PyString>()?)
    };
    let text = dump(false)?;
    let parsed = match text.to_cow() {
        Ok(text) => connectly::json_argument(field, &text),
        // A lone surrogate cannot be UTF-8: escaped instead, it is text the core refuses.
        Err(_) => connectly::json_argument(field, &dump(true)?.to_cow()?),
    };
    parsed.map_err(|err| errors::client(py, &err.into()))
}
