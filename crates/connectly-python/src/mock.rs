//! The native half of `connectly.testing.MockServer`: the Rust mock Connectly.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::args::{self, Secret};
use super::{errors, finalize, guard};
use connectly_mock::{
    ButtonReply, CampaignNamePlace, Delivery, Failure, MockError, MockServer, Referral, StatusOrder,
};

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
/// A webhook registration: `(id, topic, address, type, configuration as JSON text)`.
type RegistrationTuple = (String, String, String, String, String);
/// An accepted message: `(id, path, recipient, channel type, sender, callback data as JSON
/// text, campaign name)`.
type MessageTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// A delivery: `(address, status, body, signature, response)`.
type DeliveryTuple<'py> = (
    String,
    u16,
    Bound<'py, PyBytes>,
    Option<String>,
    Bound<'py, PyBytes>,
);

/// The order of automatic statuses named `name` (`in_order`, `shuffled`), or none (`None`).
fn status_order(name: Option<&str>) -> PyResult<Option<StatusOrder>> {
    match name {
        None => Ok(None),
        Some("in_order") => Ok(Some(StatusOrder::InOrder)),
        Some("shuffled") => Ok(Some(StatusOrder::Shuffled)),
        Some(other) => Err(PyValueError::new_err(format!(
            "automatic statuses are \"in_order\", \"shuffled\" or None, not {other:?}"
        ))),
    }
}

/// JSON text given by `connectly.testing`, parsed.
fn json_text(text: &str, what: &str) -> PyResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|_| PyValueError::new_err(format!("{what} must be JSON")))
}

/// A delivery's result as the tuple `connectly.testing` wraps, or `DeliveryError`.
fn delivered<'py>(
    py: Python<'py>,
    result: Result<Delivery, MockError>,
) -> PyResult<DeliveryTuple<'py>> {
    match result {
        Ok(d) => Ok(delivery_tuple(py, &d)),
        Err(err) => Err(errors::delivery(py, &err)),
    }
}

/// A referral from its fields by their snake_case names (`ctwa_clid`, `source_url`, ...).
fn referral(fields: Vec<(String, String)>) -> PyResult<Referral> {
    let mut referral = Referral::default();
    for (name, value) in fields {
        let slot = match name.as_str() {
            "ctwa_clid" => &mut referral.ctwa_clid,
            "source_url" => &mut referral.source_url,
            "source_id" => &mut referral.source_id,
            "source_type" => &mut referral.source_type,
            "headline" => &mut referral.headline,
            "body" => &mut referral.body,
            "media_type" => &mut referral.media_type,
            "image_url" => &mut referral.image_url,
            "video_url" => &mut referral.video_url,
            "thumbnail_url" => &mut referral.thumbnail_url,
            other => {
                return Err(PyValueError::new_err(format!(
                    "a referral has no field {other:?}"
                )))
            }
        };
        *slot = Some(value);
    }
    Ok(referral)
}

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
    #[pyo3(signature = (
        *, port=0, api_key=None, business_id=None, webhook_secret=None, business_phone=None,
        webhook_conflicts=false, templates_json=None, unpublished_campaigns=Vec::new(),
        auto_statuses=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        port: u16,
        api_key: Option<&Bound<'_, PyAny>>,
        business_id: Option<&Bound<'_, PyAny>>,
        webhook_secret: Option<&Bound<'_, PyAny>>,
        business_phone: Option<&Bound<'_, PyAny>>,
        webhook_conflicts: bool,
        templates_json: Option<String>,
        unpublished_campaigns: Vec<String>,
        auto_statuses: Option<String>,
    ) -> PyResult<Self> {
        guard(py, || {
            // Read without pyo3's own conversion, whose error quotes a str it cannot encode.
            let api_key = args::optional_secret(api_key, "api_key", Secret::Config)?;
            let business_id = args::optional_secret(business_id, "business_id", Secret::Config)?;
            let webhook_secret =
                args::optional_secret(webhook_secret, "webhook_secret", Secret::Webhook)?;
            let business_phone =
                args::optional_secret(business_phone, "business_phone", Secret::Config)?;
            let mut builder = MockServer::builder()
                .port(port)
                .webhook_conflicts(webhook_conflicts);
            if let Some(text) = templates_json {
                builder = builder.templates(json_text(&text, "templates")?);
            }
            for campaign in unpublished_campaigns {
                builder = builder.unpublished_campaign(campaign);
            }
            if let Some(order) = status_order(auto_statuses.as_deref())? {
                builder = builder.auto_statuses(order);
            }
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
            let server = finalize::detach(py, || builder.start())
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

    /// The registered webhooks as ``(id, topic, address, type, configuration JSON)``.
    fn webhook_registrations(&self, py: Python<'_>) -> PyResult<Vec<RegistrationTuple>> {
        guard(py, || {
            Ok(self
                .server()?
                .webhook_registrations()
                .into_iter()
                .map(|w| {
                    (
                        w.id,
                        w.topic,
                        w.address,
                        w.kind,
                        w.configuration.to_string(),
                    )
                })
                .collect())
        })
    }

    /// Whether a second registration of a topic answers 409 instead of replacing the first.
    fn set_webhook_conflicts(&self, py: Python<'_>, enabled: bool) -> PyResult<()> {
        guard(py, || {
            self.server()?.set_webhook_conflicts(enabled);
            Ok(())
        })
    }

    /// The ``templateGroups`` ``POST /get/templates`` answers with, as JSON text.
    fn templates_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(self.server()?.templates().to_string()))
    }

    /// Replaces the ``templateGroups`` ``POST /get/templates`` answers with (JSON text).
    fn set_templates_json(&self, py: Python<'_>, template_groups: &str) -> PyResult<()> {
        guard(py, || {
            let groups = json_text(template_groups, "templates")?;
            self.server()?.set_templates(groups);
            Ok(())
        })
    }

    /// Replaces the campaigns that are not published.
    fn set_unpublished_campaigns(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        guard(py, || {
            self.server()?.set_unpublished_campaigns(names);
            Ok(())
        })
    }

    /// Automatic status deliveries: ``"in_order"``, ``"shuffled"`` or ``None`` (off).
    #[pyo3(signature = (order))]
    fn set_auto_statuses(&self, py: Python<'_>, order: Option<String>) -> PyResult<()> {
        guard(py, || {
            let order = status_order(order.as_deref())?;
            self.server()?.set_auto_statuses(order);
            Ok(())
        })
    }

    /// The messages the mock accepted, oldest first.
    fn messages(&self, py: Python<'_>) -> PyResult<Vec<MessageTuple>> {
        guard(py, || {
            Ok(self
                .server()?
                .messages()
                .into_iter()
                .map(|m| {
                    (
                        m.id,
                        m.path,
                        m.recipient,
                        m.channel_type,
                        m.sender,
                        m.callback_data.map(|data| data.to_string()),
                        m.campaign_name,
                    )
                })
                .collect())
        })
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
            delivered(
                py,
                finalize::detach(py, || server.deliver_inbound(&sender, &text)),
            )
        })
    }

    /// Delivers an inbound media message (``kind``: ``image``, ``video``, ...).
    #[pyo3(signature = (sender, kind, url, caption))]
    fn deliver_media<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        kind: String,
        url: String,
        caption: Option<String>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = finalize::detach(py, || {
                server.deliver_media(&sender, &kind, &url, caption.as_deref())
            });
            delivered(py, result)
        })
    }

    /// Delivers an inbound location.
    #[pyo3(signature = (sender, latitude, longitude, name, address))]
    fn deliver_location<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = finalize::detach(py, || {
                server.deliver_location(
                    &sender,
                    latitude,
                    longitude,
                    name.as_deref(),
                    address.as_deref(),
                )
            });
            delivered(py, result)
        })
    }

    /// Delivers a button reply in the shape ``flagged`` (text), ``with_context`` (text,
    /// payload, reply_to_id) or ``with_id`` (text, id, payload).
    #[pyo3(signature = (sender, shape, text, payload, reply_to_id, id))]
    #[allow(clippy::too_many_arguments)]
    fn deliver_button_reply<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        shape: &str,
        text: String,
        payload: Option<String>,
        reply_to_id: Option<String>,
        id: Option<String>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let missing = |what: &str| {
                PyValueError::new_err(format!("a {shape:?} button reply needs {what}"))
            };
            let reply = match shape {
                "flagged" => ButtonReply::Flagged { text },
                "with_context" => ButtonReply::WithContext {
                    text,
                    payload: payload.ok_or_else(|| missing("a payload"))?,
                    reply_to_id: reply_to_id.ok_or_else(|| missing("a reply_to_id"))?,
                },
                "with_id" => ButtonReply::WithId {
                    text,
                    id: id.ok_or_else(|| missing("an id"))?,
                    payload: payload.ok_or_else(|| missing("a payload"))?,
                },
                other => {
                    return Err(PyValueError::new_err(format!(
                        "a button reply's shape is \"flagged\", \"with_context\" or \"with_id\", not {other:?}"
                    )))
                }
            };
            let server = self.server()?;
            delivered(
                py,
                finalize::detach(py, || server.deliver_button_reply(&sender, &reply)),
            )
        })
    }

    /// Delivers a list reply (top-level ``listResponse``).
    #[pyo3(signature = (sender, row_id, text, description))]
    fn deliver_list_reply<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        row_id: String,
        text: String,
        description: Option<String>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = finalize::detach(py, || {
                server.deliver_list_reply(&sender, &row_id, &text, description.as_deref())
            });
            delivered(py, result)
        })
    }

    /// Delivers a text quoting the message ``reply_to_id``.
    fn deliver_quoted_reply<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        text: String,
        reply_to_id: String,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let server = self.server()?;
            let result = finalize::detach(py, || {
                server.deliver_quoted_reply(&sender, &text, &reply_to_id)
            });
            delivered(py, result)
        })
    }

    /// Delivers a text from a Click-to-WhatsApp ad, with the referral's fields by their
    /// snake_case names.
    fn deliver_referral<'py>(
        &self,
        py: Python<'py>,
        sender: String,
        text: String,
        fields: Vec<(String, String)>,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let referral = referral(fields)?;
            let server = self.server()?;
            let result =
                finalize::detach(py, || server.deliver_referral(&sender, &text, &referral));
            delivered(py, result)
        })
    }

    /// Delivers any event (JSON text), written compactly and signed, to ``topic``'s webhook.
    fn deliver_event<'py>(
        &self,
        py: Python<'py>,
        topic: String,
        event_json: &str,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let event = json_text(event_json, "the event")?;
            let server = self.server()?;
            delivered(
                py,
                finalize::detach(py, || server.deliver_event(&topic, event)),
            )
        })
    }

    /// Delivers a ``delivery_status`` event about an accepted message, its campaign name
    /// in ``"metadata"`` (top level) or ``"status_update"`` (``statusUpdate.metadata``).
    fn deliver_status<'py>(
        &self,
        py: Python<'py>,
        message_id: String,
        status: String,
        campaign_name_in: &str,
    ) -> PyResult<DeliveryTuple<'py>> {
        guard(py, || {
            let place = match campaign_name_in {
                "metadata" => CampaignNamePlace::Metadata,
                "status_update" => CampaignNamePlace::StatusUpdate,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "campaign_name_in is \"metadata\" or \"status_update\", not {other:?}"
                    )))
                }
            };
            let server = self.server()?;
            let result = finalize::detach(py, || {
                server.deliver_status_with(&message_id, &status, place)
            });
            delivered(py, result)
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
            let result = finalize::detach(py, || {
                server.deliver_raw(&topic, body, signature.as_deref())
            });
            delivered(py, result)
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
                finalize::detach(py, move || match Arc::try_unwrap(server) {
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
