//! The native half of `connectly.AsyncClient`: each call checked and built at once into the
//! core's operation (`_Operation`), submitted to a completion queue (`_CompletionQueue`)
//! whose descriptor the event loop watches, and cancelled through its `_Ticket`.
//!
//! The core's network threads never take the GIL: a finished call waits in the queue as
//! the core's outcome, and becomes Python objects on the event loop's thread, in
//! [`CompletionQueue::drain`].

use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::client::{self, Client};
use super::{admin, bulk, errors, finalize, guard, message};

/// What a performed operation gave back, as the blocking `Client` returns it: a
/// `Response`, a list of `WebhookInfo` or `TemplateInfo`, or a `CampaignResult`; a failure
/// as its exception.
pub(crate) fn outcome(
    py: Python<'_>,
    result: Result<connectly::Outcome, connectly::Error>,
) -> PyResult<Py<PyAny>> {
    match result.map_err(|err| errors::client(py, &err))? {
        connectly::Outcome::Response(reply) => {
            Ok(Py::new(py, client::response(py, reply)?)?.into_any())
        }
        connectly::Outcome::Webhooks(listed) => {
            let infos = listed
                .into_iter()
                .map(|info| admin::WebhookInfo::from_core(py, info))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(infos.into_pyobject(py)?.into_any().unbind())
        }
        connectly::Outcome::Templates(listed) => {
            let infos = listed
                .into_iter()
                .map(|info| admin::TemplateInfo::from_core(py, info))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(infos.into_pyobject(py)?.into_any().unbind())
        }
        connectly::Outcome::Campaign(result) => {
            Ok(Py::new(py, admin::CampaignResult::from_core(py, result)?)?.into_any())
        }
        // An outcome a later core adds: a bug here until this binding converts it.
        _ => Err(errors::internal(py)),
    }
}

/// One call of a client, checked and built, not yet made. Built by the static methods
/// below, which take the same arguments as the `Client` method of the same name (all of
/// them, without defaults: `connectly.AsyncClient` holds those) and raise the same
/// exceptions, before anything is sent. Started once.
#[pyclass(frozen, module = "connectly._connectly", name = "_Operation")]
pub(crate) struct Operation {
    client: connectly::Client,
    operation: Mutex<Option<connectly::Operation>>,
}

impl Operation {
    fn new(client: &Client, operation: connectly::Operation) -> Self {
        Self {
            client: client.core().clone(),
            operation: Mutex::new(Some(operation)),
        }
    }

    /// The operation, taken: a second start is refused.
    fn take(&self) -> PyResult<connectly::Operation> {
        self.operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this operation was already started"))
    }
}

#[pymethods]
impl Operation {
    /// ``Client.send_text``'s call.
    #[staticmethod]
    fn send_text(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        to: String,
        text: String,
        channel: String,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            Ok(Self::new(
                client,
                client.text_operation(py, to, text, channel)?,
            ))
        })
    }

    /// ``Client.send_message``'s call.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn send_message(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        to: String,
        text: Option<String>,
        attachment: Option<PyRef<'_, message::Attachment>>,
        location: Option<PyRef<'_, message::Location>>,
        list: Option<PyRef<'_, message::ListMessage>>,
        buttons: Option<PyRef<'_, message::ReplyButtons>>,
        channel: String,
        sender: Option<String>,
        message_id: Option<String>,
        recipient_name: Option<String>,
    ) -> PyResult<Self> {
        guard(py, || {
            let draft = message::Draft::new(
                to,
                text,
                attachment,
                location,
                list,
                buttons,
                channel,
                sender,
                message_id,
                recipient_name,
            );
            let client = client.get();
            Ok(Self::new(client, client.message_operation(py, &draft)?))
        })
    }

    /// ``Client.send_template``'s call.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn send_template(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        number: String,
        template_name: String,
        params: Option<&Bound<'_, PyAny>>,
        language: Option<String>,
        sender: Option<String>,
        callback_data: Option<&Bound<'_, PyAny>>,
        campaign_name: Option<String>,
    ) -> PyResult<Self> {
        guard(py, || {
            let message = bulk::TemplateMessage::new(
                number,
                template_name,
                params,
                language,
                sender,
                callback_data,
                campaign_name,
            )?;
            let client = client.get();
            Ok(Self::new(client, client.template_operation(py, &message)?))
        })
    }

    /// ``Client.create_webhook``'s call.
    #[staticmethod]
    fn create_webhook(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        address: String,
        topic: String,
        r#type: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            let operation =
                client.create_webhook_operation(py, address, topic, r#type, configuration)?;
            Ok(Self::new(client, operation))
        })
    }

    /// ``Client.list_webhooks``' call.
    #[staticmethod]
    fn list_webhooks(py: Python<'_>, client: &Bound<'_, Client>) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            Ok(Self::new(client, client.list_webhooks_operation(py)?))
        })
    }

    /// ``Client.update_webhook``'s call.
    #[staticmethod]
    fn update_webhook(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        webhook_id: String,
        address: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            let operation =
                client.update_webhook_operation(py, &webhook_id, address, configuration)?;
            Ok(Self::new(client, operation))
        })
    }

    /// ``Client.delete_webhook``'s call.
    #[staticmethod]
    fn delete_webhook(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        webhook_id: String,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            Ok(Self::new(
                client,
                client.delete_webhook_operation(py, &webhook_id)?,
            ))
        })
    }

    /// ``Client.upsert_webhook``'s call.
    #[staticmethod]
    fn upsert_webhook(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        address: String,
        topic: String,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            let operation = client.upsert_webhook_operation(py, &address, &topic, configuration)?;
            Ok(Self::new(client, operation))
        })
    }

    /// ``Client.list_templates``' call.
    #[staticmethod]
    fn list_templates(py: Python<'_>, client: &Bound<'_, Client>) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            Ok(Self::new(client, client.list_templates_operation(py)?))
        })
    }

    /// ``Client.send_campaign``'s call.
    #[staticmethod]
    fn send_campaign(
        py: Python<'_>,
        client: &Bound<'_, Client>,
        entries: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        guard(py, || {
            let client = client.get();
            Ok(Self::new(client, client.campaign_operation(py, entries)?))
        })
    }

    /// Performs the call on the calling thread with the GIL released, for an event loop
    /// that cannot watch a descriptor (it runs it in a worker thread instead). Returns what
    /// the blocking `Client` method returns, or raises what it raises.
    fn perform(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let operation = self.take()?;
            let result = finalize::detach(py, || self.client.perform_operation(&operation));
            outcome(py, result)
        })
    }
}

/// A submitted call; ``cancel()`` aborts it.
#[pyclass(frozen, module = "connectly._connectly", name = "_Ticket")]
pub(crate) struct Ticket {
    ticket: connectly::Ticket,
}

#[pymethods]
impl Ticket {
    /// Aborts the call: a request not yet written is never sent; one in flight is abandoned
    /// (its connection closed). Its completion still arrives, once, with
    /// ``connectly.CancelledError`` unless it had finished.
    fn cancel(&self) {
        self.ticket.cancel();
    }
}

/// The core's completion queue: submitted calls run on their client's runtime, and each
/// completes exactly once into the queue. ``fd`` (``None`` where the platform has none) is
/// readable while completions wait; ``drain()`` takes them, never blocking.
#[pyclass(frozen, module = "connectly._connectly", name = "_CompletionQueue")]
pub(crate) struct CompletionQueue {
    queue: connectly::CompletionQueue,
}

#[pymethods]
impl CompletionQueue {
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        guard(py, || {
            Ok(Self {
                queue: connectly::CompletionQueue::new()?,
            })
        })
    }

    /// Starts ``operation``; it completes into this queue with ``tag``.
    fn submit(
        &self,
        py: Python<'_>,
        operation: &Bound<'_, Operation>,
        tag: u64,
    ) -> PyResult<Ticket> {
        guard(py, || {
            let call = operation.get();
            let ticket = self.queue.submit(&call.client, call.take()?, tag);
            Ok(Ticket { ticket })
        })
    }

    /// The descriptor an event loop watches (readable while completions wait; reading it
    /// is the queue's business), or ``None`` on a platform without one.
    #[getter]
    fn fd(&self) -> Option<i64> {
        #[cfg(unix)]
        return Some(i64::from(self.queue.fd()));
        #[cfg(not(unix))]
        return None;
    }

    /// Every completion waiting now, oldest first, as ``(tag, ok, value)``: the value is
    /// what the blocking ``Client`` method returns when ``ok``, else the exception it
    /// raises. Never blocks.
    fn drain(&self, py: Python<'_>) -> PyResult<Vec<(u64, bool, Py<PyAny>)>> {
        guard(py, || {
            Ok(self
                .queue
                .drain()
                .into_iter()
                .map(|done| match outcome(py, done.result) {
                    Ok(value) => (done.tag, true, value),
                    Err(err) => (done.tag, false, err.into_value(py).into_any()),
                })
                .collect())
        })
    }
}
