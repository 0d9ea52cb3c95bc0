//! The native half of `connectly.testing.MockServer`: the Rust mock Connectly.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::args::{self, Secret};
use super::{errors, guard};
use connectly_mock::{Delivery, Failure, MockServer};

/// The Rust mock Connectly. Use ``connectly.testing.MockServer``, which wraps it.
#[pyclass(frozen, module = "connectly._connectly", name = "_MockServer")]
pub(crate) struct NativeMockServer {
    server: Mutex<Option<Arc<MockServer>>>,
    /// The base URL clients take: ``http://127.0.0.1:PORT``.
    #[pyo3(get)]
    url: String,
    /// The API key it accepts.
    #[pyo3(get)]
    api_key: String,
    /// The business id it serves.
    #[pyo3(get)]
    business_id: String,
    /// The secret it signs deliveries with.
    #[pyo3(get)]
    webhook_secret: String,
}

/// A recorded request: `(method, path, headers, body)`.
type RequestTuple<'py> = (String, String, Vec<(String, String)>, Bound<'py, PyBytes>);
/// A delivery: `(address, status, body, signature, response)`.
type DeliveryTuple<'py> = (
    String,
    u16,
    Bound<'py, PyBytes>,
    Option<String>,
    Bound<'py, PyBytes>,
);

fn delivery_tuple<'py>(py: Python<'py>, d: &Delivery) -> DeliveryTuple<'py> {
    (
        d.address.clone(),
        d.status,
        PyBytes::new(py, &d.body),
        d.signature.clone(),
        PyBytes::new(py, &d.response),
    )
}

impl NativeMockServer {
    /// The running server, or an error once it is closed. The lock is held only to clone
    /// the `Arc`, so no thread ever waits for it while another holds it across I/O.
    fn server(&self) -> PyResult<Arc<MockServer>> {
        self.server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| PyRuntimeError::new_err("the mock server is closed"))
    }
}

#[pymethods]
impl NativeMockServer {
    #[new]
    #[pyo3(signature = (*, port=0, api_key=None, business_id=None, webhook_secret=None, business_phone=None))]
    fn new(
        py: Python<'_>,
        port: u16,
        api_key: Option<&Bound<'_, PyAny>>,
        business_id: Option<&Bound<'_, PyAny>>,
        webhook_secret: Option<&Bound<'_, PyAny>>,
        business_phone: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            // Read without pyo3's own conversion, whose error quotes a str it cannot encode.
            let api_key = args::optional_secret(api_key, "api_key", Secret::Config)?;
            let business_id = args::optional_secret(business_id, "business_id", Secret::Config)?;
            let webhook_secret =
                args::optional_secret(webhook_secret, "webhook_secret", Secret::Webhook)?;
            let business_phone =
                args::optional_secret(business_phone, "business_phone", Secret::Config)?;
            let mut builder = MockServer::builder().port(port);
            if let Some(key) = api_key {
                builder = builder.api_key(key);
            }
            if let Some(id) = business_id {
                builder = builder.business_id(id);
            }
            if let Some(secret) = webhook_secret {
                builder = builder.webhook_secret(secret);
            }
            if let Some(phone) = business_phone {
                builder = builder.business_phone(phone);
            }
            let server = py
                .detach(|| builder.start())
                .map_err(|err| errors::mock_io(py, &err))?;
            Ok(NativeMockServer {
                url: server.url(),
                api_key: server.api_key().to_owned(),
                business_id: server.business_id().to_owned(),
                webhook_secret: server.webhook_secret().to_owned(),
                server: Mutex::new(Some(Arc::new(server))),
            })
        })
    }

    /// The API requests received, oldest first, as ``(method, path, headers, body)``.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Vec<RequestTuple<'py>>> {
        guard(py, || {
            let server = self.server()?;
            Ok(server
                .requests()
                .into_iter()
                .map(|r| {
                    let body = PyBytes::new(py, &r.body);
                    (r.method, r.path, r.headers, body)
                })
                .collect())
        })
    }

    /// How many API requests arrived since the start or the last clear.
    fn request_count(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.server()?.request_count()))
    }

    /// Forgets the recorded requests.
    fn clear_requests(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.server()?.clear_requests();
            Ok(())
        })
    }

    /// Forgets the recorded requests and the queued failures (not the webhooks).
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.server()?.reset();
            Ok(())
        })
    }

    /// Queues failures given in the control protocol's JSON form (a list of objects).
    fn fail_next_json(&self, py: Python<'_>, failures: String) -> PyResult<()> {
        guard(py, || {
            let value: serde_json::Value = serde_json::from_str(&failures)
                .map_err(|_| PyValueError::new_err("failures must be JSON"))?;
            let items = match value {
                serde_json::Value::Array(items) => items,
                one => vec![one],
            };
            let parsed = items
                .iter()
                .map(Failure::from_json)
                .collect::<Result<Vec<_>, _>>()
                .map_err(PyValueError::new_err)?;
            self.server()?.fail_next(parsed);
            Ok(())
        })
    }

    /// The failures still queued, in the control protocol's JSON form.
    fn pending_failures_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let pending: Vec<serde_json::Value> = self
                .server()?
                .pending_failures()
                .iter()
                .map(Failure::to_json)
                .collect();
            Ok(serde_json::Value::Array(pending).to_string())
        })
    }

    /// The registered webhooks as ``(topic, address)`` pairs.
    fn webhooks(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        guard(py, || Ok(self.server()?.webhooks()))
    }

    /// Delivers an inbound message to the ``messages`` webhook; the GIL is released while
    /// the receiver (which may be in this process) answers.
    fn deliver_inbound<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        text: String,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = py.detach(|| server.deliver_inbound(&sender, &text));
            match result {
                Ok(d) => Ok(delivery_tuple(py, &d)),
                Err(err) => Err(errors::delivery(py, &err)),
            }
        })
    }

    /// POSTs ``body`` as is to ``topic``'s webhook with ``signature`` (or none).
    #[pyo3(signature = (topic, body, signature))]
    fn deliver_raw<'py>(
        &self,
        py: Python<'py>,
        topic: String,
        body: Vec<u8>,
        signature: Option<String>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = py.detach(|| server.deliver_raw(&topic, body, signature.as_deref()));
            match result {
                Ok(d) => Ok(delivery_tuple(py, &d)),
                Err(err) => Err(errors::delivery(py, &err)),
            }
        })
    }

    /// Whether ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// Stops the server and releases its port. Calling it again does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            let taken = self
                .server
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(server) = taken {
                py.detach(move || match Arc::try_unwrap(server) {
                    Ok(server) => server.shutdown(),
                    // A delivery in flight holds it: it stops when that one lets go.
                    Err(shared) => drop(shared),
                });
            }
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "MockServer(url={:?}, business_id={:?})",
            self.url, self.business_id
        )
    }
}
