//! The shapes request bodies must have, and what a valid body asks for.

use serde_json::{Map, Value};

use super::errors::{self, Kind};

/// Why a request is refused: the error kind and a message.
pub(crate) type Reject = (Kind, String);

/// The webhook topics Connectly accepts.
pub(crate) const TOPICS: [&str; 2] = ["messages", "delivery_status"];
/// The webhook types Connectly accepts; the first is the default.
pub(crate) const WEBHOOK_TYPES: [&str; 4] = ["custom", "zapier", "webengage", "integromat_make"];
/// The attachment types Connectly accepts.
const ATTACHMENT_TYPES: [&str; 4] = ["image", "video", "audio", "document"];
/// The largest `callbackData`, serialised compactly.
pub(crate) const MAX_CALLBACK_DATA: usize = 1024;
/// WhatsApp's limits: reply buttons in a message, rows in a list message (all sections).
const MAX_BUTTONS: usize = 3;
const MAX_ROWS: usize = 10;

/// The fields a session message may have.
const MESSAGE_FIELDS: [&str; 8] = [
    "id",
    "text",
    "attachments",
    "location",
    "listMessage",
    "replyButtonMessage",
    "singleProductMessage",
    "multiProductMessage",
];

/// A valid send: what the mock keeps of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewMessage {
    pub recipient: String,
    pub channel_type: String,
    pub sender: Option<String>,
    pub callback_data: Option<Value>,
    pub campaign_name: Option<String>,
}

/// A valid webhook registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewWebhook {
    pub topic: String,
    pub address: String,
    pub kind: String,
    pub configuration: Value,
}

/// A valid webhook update: the fields to change, and the topic if one was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WebhookUpdate {
    pub topic: Option<String>,
    pub address: Option<String>,
    pub configuration: Option<Value>,
}

/// One valid campaign entry: its campaign, and whether its client number is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CampaignEntry {
    pub campaign: String,
    pub valid_client: bool,
}

/// `{"sender"?: {"id", "channelType"}, "recipient": {"id", "channelType", "name"?},
/// "message": {"id"?, "text"?, "attachments"?, "location"?, "listMessage"?,
/// "replyButtonMessage"?, "singleProductMessage"?, "multiProductMessage"?}}`
pub(crate) fn check_message(body: &Map<String, Value>) -> Result<NewMessage, Reject> {
    only(
        body,
        "the body",
        &["sender", "recipient", "message"],
        &["recipient", "message"],
    )?;
    let recipient = object(body, "recipient", "recipient")?;
    only(
        recipient,
        "recipient",
        &["channelType", "id", "name"],
        &["channelType", "id"],
    )?;
    let channel = string(recipient, "channelType", "recipient.channelType")?;
    if channel.trim().is_empty() {
        return Err(reject(errors::BAD_BODY, "recipient.channelType is empty"));
    }
    let id = string(recipient, "id", "recipient.id")?;
    check_number(id, "recipient.id")?;
    optional_string(recipient, "name", "recipient.name")?;
    let sender = match body.get("sender") {
        None => None,
        Some(_) => {
            let sender = object(body, "sender", "sender")?;
            exact(sender, "sender", &["id", "channelType"])?;
            let channel = string(sender, "channelType", "sender.channelType")?;
            if channel.trim().is_empty() {
                return Err(reject(errors::BAD_BODY, "sender.channelType is empty"));
            }
            let id = string(sender, "id", "sender.id")?;
            check_sender(id, "sender.id")?;
            Some(id.to_owned())
        }
    };
    let message = object(body, "message", "message")?;
    only(message, "message", &MESSAGE_FIELDS, &[])?;
    if let Some(id) = optional_string(message, "id", "message.id")? {
        if id.trim().is_empty() {
            return Err(reject(errors::BAD_BODY, "message.id is empty"));
        }
    }
    if let Some(text) = optional_string(message, "text", "message.text")? {
        if text.trim().is_empty() {
            return Err(reject(errors::TEXT_EMPTY, "message.text is empty"));
        }
    }
    if let Some(attachments) = message.get("attachments") {
        check_attachments(attachments)?;
    }
    if message.contains_key("location") {
        check_location(object(message, "location", "message.location")?)?;
    }
    if message.contains_key("listMessage") {
        check_list(object(message, "listMessage", "message.listMessage")?)?;
    }
    if message.contains_key("replyButtonMessage") {
        let buttons = object(message, "replyButtonMessage", "message.replyButtonMessage")?;
        check_buttons(buttons)?;
    }
    for product in ["singleProductMessage", "multiProductMessage"] {
        if message.contains_key(product) {
            object(message, product, &format!("message.{product}"))?;
        }
    }
    if message.keys().all(|k| k == "id") {
        return Err(reject(
            errors::CONTENT_MISSING,
            "the message has no content: give text, attachments, location, listMessage, \
             replyButtonMessage, singleProductMessage or multiProductMessage",
        ));
    }
    Ok(NewMessage {
        recipient: id.to_owned(),
        channel_type: channel.to_owned(),
        sender,
        callback_data: None,
        campaign_name: None,
    })
}

/// `[{"type": "image"|"video"|"audio"|"document", "url": "https://…", "caption"?, "filename"?}]`
fn check_attachments(value: &Value) -> Result<(), Reject> {
    let list = value
        .as_array()
        .ok_or_else(|| reject(errors::BAD_BODY, "message.attachments must be a list"))?;
    let [item] = list.as_slice() else {
        return Err((
            errors::ATTACHMENTS_NUMBER,
            format!(
                "message.attachments must hold exactly one attachment, not {}",
                list.len()
            ),
        ));
    };
    let what = "message.attachments[0]";
    let item = item
        .as_object()
        .ok_or_else(|| (errors::BAD_BODY, format!("{what} must be an object")))?;
    only(
        item,
        what,
        &["type", "url", "caption", "filename"],
        &["type", "url"],
    )?;
    let kind = string(item, "type", &format!("{what}.type"))?;
    if !ATTACHMENT_TYPES.contains(&kind) {
        return Err((
            errors::ATTACHMENT,
            format!("{what}.type {kind:?} is not one of {ATTACHMENT_TYPES:?}"),
        ));
    }
    let url = string(item, "url", &format!("{what}.url"))?;
    let https = url::Url::parse(url)
        .ok()
        .filter(|u| u.scheme() == "https" && u.host().is_some());
    if https.is_none() {
        return Err((
            errors::ATTACHMENT,
            format!("{what}.url must be an absolute https URL"),
        ));
    }
    optional_string(item, "caption", &format!("{what}.caption"))?;
    if let Some(filename) = optional_string(item, "filename", &format!("{what}.filename"))? {
        if kind != "document" {
            return Err((
                errors::ATTACHMENT,
                format!("{what}.filename is for documents only, not {kind}"),
            ));
        }
        if filename.trim().is_empty() {
            return Err((errors::ATTACHMENT, format!("{what}.filename is empty")));
        }
    }
    Ok(())
}

/// `{"latitude": -90..90, "longitude": -180..180, "name"?, "address"?}`
fn check_location(location: &Map<String, Value>) -> Result<(), Reject> {
    let what = "message.location";
    only(
        location,
        what,
        &["latitude", "longitude", "name", "address"],
        &["latitude", "longitude"],
    )?;
    for (key, limit) in [("latitude", 90.0), ("longitude", 180.0)] {
        let value = location
            .get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| (errors::BAD_BODY, format!("{what}.{key} must be a number")))?;
        if !(-limit..=limit).contains(&value) {
            return Err((
                errors::LOCATION,
                format!("{what}.{key} {value} is outside -{limit}..{limit}"),
            ));
        }
    }
    optional_string(location, "name", &format!("{what}.name"))?;
    optional_string(location, "address", &format!("{what}.address"))?;
    Ok(())
}

/// `{"header"?: {"text"}, "footer"?: {"text"}, "button": {"text"},
/// "sections": [{"title", "rows": [{"id", "text", "description"?}]}]}`
fn check_list(list: &Map<String, Value>) -> Result<(), Reject> {
    let what = "message.listMessage";
    let bad = |message: String| (errors::LIST, message);
    only(
        list,
        what,
        &["header", "footer", "button", "sections"],
        &["button", "sections"],
    )?;
    for key in ["header", "footer", "button"] {
        if list.contains_key(key) {
            text_object(list, key, &format!("{what}.{key}"), errors::LIST)?;
        }
    }
    let sections = list
        .get("sections")
        .and_then(Value::as_array)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what}.sections must be a list")))?;
    if sections.is_empty() {
        return Err(bad(format!("{what}.sections is empty")));
    }
    let mut ids: Vec<&str> = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let at = format!("{what}.sections[{i}]");
        let section = section
            .as_object()
            .ok_or_else(|| (errors::BAD_BODY, format!("{at} must be an object")))?;
        exact(section, &at, &["title", "rows"])?;
        string(section, "title", &format!("{at}.title"))?;
        let rows = section
            .get("rows")
            .and_then(Value::as_array)
            .ok_or_else(|| (errors::BAD_BODY, format!("{at}.rows must be a list")))?;
        if rows.is_empty() {
            return Err(bad(format!("{at}.rows is empty")));
        }
        for (j, row) in rows.iter().enumerate() {
            let at = format!("{at}.rows[{j}]");
            let row = row
                .as_object()
                .ok_or_else(|| (errors::BAD_BODY, format!("{at} must be an object")))?;
            only(row, &at, &["id", "text", "description"], &["id", "text"])?;
            let id = string(row, "id", &format!("{at}.id"))?;
            let text = string(row, "text", &format!("{at}.text"))?;
            optional_string(row, "description", &format!("{at}.description"))?;
            if id.trim().is_empty() || text.trim().is_empty() {
                return Err(bad(format!("{at} needs a non-empty id and text")));
            }
            if ids.contains(&id) {
                return Err(bad(format!("row id {id:?} is given twice")));
            }
            ids.push(id);
        }
    }
    if ids.len() > MAX_ROWS {
        return Err(bad(format!(
            "{what} has {} rows; at most {MAX_ROWS} are allowed",
            ids.len()
        )));
    }
    Ok(())
}

/// `{"header"?: {"text"}, "footer"?: {"text"}, "buttons": [{"id", "text"}, …]}` (1 to 3).
fn check_buttons(message: &Map<String, Value>) -> Result<(), Reject> {
    let what = "message.replyButtonMessage";
    let bad = |message: String| (errors::BUTTONS, message);
    only(
        message,
        what,
        &["header", "footer", "buttons"],
        &["buttons"],
    )?;
    for key in ["header", "footer"] {
        if message.contains_key(key) {
            text_object(message, key, &format!("{what}.{key}"), errors::BUTTONS)?;
        }
    }
    let buttons = message
        .get("buttons")
        .and_then(Value::as_array)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what}.buttons must be a list")))?;
    if !(1..=MAX_BUTTONS).contains(&buttons.len()) {
        return Err(bad(format!(
            "{what}.buttons holds {} buttons; give 1 to {MAX_BUTTONS}",
            buttons.len()
        )));
    }
    let mut ids: Vec<&str> = Vec::new();
    for (i, button) in buttons.iter().enumerate() {
        let at = format!("{what}.buttons[{i}]");
        let button = button
            .as_object()
            .ok_or_else(|| (errors::BAD_BODY, format!("{at} must be an object")))?;
        exact(button, &at, &["id", "text"])?;
        let id = string(button, "id", &format!("{at}.id"))?;
        let text = string(button, "text", &format!("{at}.text"))?;
        if id.trim().is_empty() || text.trim().is_empty() {
            return Err(bad(format!("{at} needs a non-empty id and text")));
        }
        if ids.contains(&id) {
            return Err(bad(format!("button id {id:?} is given twice")));
        }
        ids.push(id);
    }
    Ok(())
}

/// `{"text": "…"}` with a non-blank text; a blank one is refused with `blank`.
fn text_object(
    parent: &Map<String, Value>,
    key: &str,
    what: &str,
    blank: Kind,
) -> Result<(), Reject> {
    let inner = object(parent, key, what)?;
    exact(inner, what, &["text"])?;
    if string(inner, "text", &format!("{what}.text"))?
        .trim()
        .is_empty()
    {
        return Err((blank, format!("{what}.text is empty")));
    }
    Ok(())
}

/// `{"parameters":[{"name":"var1","value":"value1"}],"number":"+15555555555","templateName":"welcome",
/// "language"?, "sender"?, "callbackData"?, "campaignName"?}`
pub(crate) fn check_template(body: &Map<String, Value>) -> Result<NewMessage, Reject> {
    only(
        body,
        "the body",
        &[
            "parameters",
            "number",
            "templateName",
            "language",
            "sender",
            "callbackData",
            "campaignName",
        ],
        &["parameters", "number", "templateName"],
    )?;
    let number = string(body, "number", "number")?;
    check_number(number, "number")?;
    let name = string(body, "templateName", "templateName")?;
    if name.trim().is_empty() {
        return Err(reject(errors::TEMPLATE_NOT_FOUND, "templateName is empty"));
    }
    check_parameters(body)?;
    if let Some(language) = optional_string(body, "language", "language")? {
        if language.trim().is_empty() {
            return Err(reject(errors::BAD_BODY, "language is empty"));
        }
    }
    let sender = optional_string(body, "sender", "sender")?;
    if let Some(sender) = sender {
        check_sender(sender, "sender")?;
    }
    let callback_data = body.get("callbackData").cloned();
    if let Some(data) = &callback_data {
        let size = data.to_string().len();
        if size > MAX_CALLBACK_DATA {
            return Err((
                errors::CALLBACK_DATA,
                format!("callbackData is {size} bytes; at most {MAX_CALLBACK_DATA} are allowed"),
            ));
        }
    }
    let campaign_name = optional_string(body, "campaignName", "campaignName")?;
    if campaign_name.is_some_and(|c| c.trim().is_empty()) {
        return Err(reject(errors::BAD_BODY, "campaignName is empty"));
    }
    Ok(NewMessage {
        recipient: number.to_owned(),
        channel_type: "whatsapp".to_owned(),
        sender: sender.map(str::to_owned),
        callback_data,
        campaign_name: campaign_name.map(str::to_owned),
    })
}

/// `parameters`: a list of `{name, value}` strings, names unique and non-empty, values
/// non-empty.
fn check_parameters(body: &Map<String, Value>) -> Result<(), Reject> {
    let bad = |message: String| (errors::TEMPLATE_INPUT, message);
    let parameters = body
        .get("parameters")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("parameters must be a list".to_owned()))?;
    let mut names: Vec<&str> = Vec::with_capacity(parameters.len());
    for (i, parameter) in parameters.iter().enumerate() {
        let what = format!("parameters[{i}]");
        let parameter = parameter
            .as_object()
            .ok_or_else(|| bad(format!("{what} must be an object")))?;
        exact(parameter, &what, &["name", "value"]).map_err(|(_, m)| bad(m))?;
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("{what}.name must be a string")))?;
        let value = parameter
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("{what}.value must be a string")))?;
        if name.trim().is_empty() {
            return Err(bad(format!("{what}.name is empty")));
        }
        if value.is_empty() {
            return Err(bad(format!("{what}.value is empty")));
        }
        if names.contains(&name) {
            return Err(bad(format!("parameter {name:?} is given twice")));
        }
        names.push(name);
    }
    Ok(())
}

/// `{"topic":"messages","address":"https://example.com/webhook","type"?,"configuration"?}`
pub(crate) fn check_webhook(body: &Map<String, Value>) -> Result<NewWebhook, Reject> {
    only(
        body,
        "the body",
        &["topic", "address", "type", "configuration"],
        &["topic", "address"],
    )?;
    let topic = string(body, "topic", "topic")?;
    if !TOPICS.contains(&topic) {
        return Err((
            errors::WEBHOOK_TOPIC,
            format!("unknown topic {topic:?}; use one of {TOPICS:?}"),
        ));
    }
    let address = string(body, "address", "address")?;
    check_address(address)?;
    let kind = optional_string(body, "type", "type")?.unwrap_or(WEBHOOK_TYPES[0]);
    if !WEBHOOK_TYPES.contains(&kind) {
        return Err((
            errors::WEBHOOK_TYPE,
            format!("unknown webhook type {kind:?}; use one of {WEBHOOK_TYPES:?}"),
        ));
    }
    let configuration = match body.get("configuration") {
        Some(value) => check_configuration(value)?,
        None => Value::Object(Map::new()),
    };
    Ok(NewWebhook {
        topic: topic.to_owned(),
        address: address.to_owned(),
        kind: kind.to_owned(),
        configuration,
    })
}

/// `{"address"?, "configuration"?, "topic"?}`, with an address or a configuration.
pub(crate) fn check_webhook_update(body: &Map<String, Value>) -> Result<WebhookUpdate, Reject> {
    only(
        body,
        "the body",
        &["address", "configuration", "topic"],
        &[],
    )?;
    let topic = optional_string(body, "topic", "topic")?;
    let address = optional_string(body, "address", "address")?;
    if let Some(address) = address {
        check_address(address)?;
    }
    let configuration = body
        .get("configuration")
        .map(check_configuration)
        .transpose()?;
    if address.is_none() && configuration.is_none() {
        return Err(reject(
            errors::BAD_BODY,
            "give \"address\", \"configuration\" or both",
        ));
    }
    Ok(WebhookUpdate {
        topic: topic.map(str::to_owned),
        address: address.map(str::to_owned),
        configuration,
    })
}

fn check_address(address: &str) -> Result<(), Reject> {
    let valid = url::Url::parse(address)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    match valid {
        Some(_) => Ok(()),
        None => Err(reject(
            errors::WEBHOOK_ADDRESS,
            "address must be an absolute http(s) URL",
        )),
    }
}

/// `{"echo"?: bool, "channelTypes"?: [string], "filters"?: [{"field", "expression"}]}`
fn check_configuration(value: &Value) -> Result<Value, Reject> {
    let what = "configuration";
    let configuration = value
        .as_object()
        .ok_or_else(|| reject(errors::BAD_BODY, "configuration must be an object"))?;
    only(
        configuration,
        what,
        &["echo", "channelTypes", "filters"],
        &[],
    )?;
    if configuration.get("echo").is_some_and(|e| !e.is_boolean()) {
        return Err(reject(
            errors::BAD_BODY,
            "configuration.echo must be true or false",
        ));
    }
    if let Some(types) = configuration.get("channelTypes") {
        let strings = types
            .as_array()
            .is_some_and(|list| list.iter().all(Value::is_string));
        if !strings {
            return Err(reject(
                errors::BAD_BODY,
                "configuration.channelTypes must be a list of strings",
            ));
        }
    }
    if let Some(filters) = configuration.get("filters") {
        let filters = filters
            .as_array()
            .ok_or_else(|| reject(errors::BAD_BODY, "configuration.filters must be a list"))?;
        for (i, filter) in filters.iter().enumerate() {
            let at = format!("configuration.filters[{i}]");
            let filter = filter
                .as_object()
                .ok_or_else(|| (errors::BAD_BODY, format!("{at} must be an object")))?;
            exact(filter, &at, &["field", "expression"])?;
            string(filter, "field", &format!("{at}.field"))?;
            string(filter, "expression", &format!("{at}.expression"))?;
        }
    }
    Ok(value.clone())
}

/// `{"entries": [{"client", "campaignName", "campaignVersion"?, "variables"?, "sender"?,
/// "scheduledAt"?}, …]}`
pub(crate) fn check_campaign(body: &Map<String, Value>) -> Result<Vec<CampaignEntry>, Reject> {
    exact(body, "the body", &["entries"])?;
    let entries = body
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| reject(errors::BAD_BODY, "entries must be a list"))?;
    if entries.is_empty() {
        return Err(reject(errors::BAD_BODY, "entries is empty"));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| check_campaign_entry(i, entry))
        .collect()
}

fn check_campaign_entry(i: usize, entry: &Value) -> Result<CampaignEntry, Reject> {
    let at = format!("entries[{i}]");
    let entry = entry
        .as_object()
        .ok_or_else(|| (errors::BAD_BODY, format!("{at} must be an object")))?;
    only(
        entry,
        &at,
        &[
            "client",
            "campaignName",
            "campaignVersion",
            "variables",
            "sender",
            "scheduledAt",
        ],
        &["client", "campaignName"],
    )?;
    let client = string(entry, "client", &format!("{at}.client"))?;
    let campaign = string(entry, "campaignName", &format!("{at}.campaignName"))?;
    if campaign.trim().is_empty() {
        return Err((errors::BAD_BODY, format!("{at}.campaignName is empty")));
    }
    optional_string(entry, "campaignVersion", &format!("{at}.campaignVersion"))?;
    if let Some(variables) = entry.get("variables") {
        let strings = variables
            .as_object()
            .is_some_and(|v| v.values().all(Value::is_string));
        if !strings {
            return Err((
                errors::BAD_BODY,
                format!("{at}.variables must be an object of strings"),
            ));
        }
    }
    if let Some(sender) = optional_string(entry, "sender", &format!("{at}.sender"))? {
        check_sender(sender, &format!("{at}.sender"))?;
    }
    if let Some(at_time) = optional_string(entry, "scheduledAt", &format!("{at}.scheduledAt"))? {
        if at_time.trim().is_empty() {
            return Err((errors::BAD_BODY, format!("{at}.scheduledAt is empty")));
        }
    }
    Ok(CampaignEntry {
        campaign: campaign.to_owned(),
        valid_client: check_number(client, "client").is_ok(),
    })
}

/// A body that must be absent: empty, or the JSON object `{}`.
pub(crate) fn check_no_fields(body: &Map<String, Value>) -> Result<(), Reject> {
    exact(body, "the body", &[])
}

/// A number starting with `+` must be `+` and 8 to 15 digits; `bsuid:` must be followed by
/// an id; other ids pass, unless empty.
pub(crate) fn check_number(id: &str, what: &str) -> Result<(), Reject> {
    if valid_number(id) {
        Ok(())
    } else {
        Err((
            errors::PHONE_BAD_FORMAT,
            format!("{what} {id:?} is not a valid phone number (+ and 8 to 15 digits)"),
        ))
    }
}

/// The same rule as [`check_number`], for the business's own number.
fn check_sender(id: &str, what: &str) -> Result<(), Reject> {
    if valid_number(id) {
        Ok(())
    } else {
        Err((
            errors::INVALID_SENDER,
            format!("{what} {id:?} is not a valid sender (+ and 8 to 15 digits, or an id)"),
        ))
    }
}

fn valid_number(id: &str) -> bool {
    match (id.strip_prefix('+'), id.strip_prefix("bsuid:")) {
        (Some(digits), _) => {
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
        (None, Some(user)) => !user.trim().is_empty(),
        (None, None) => !id.trim().is_empty(),
    }
}

pub(crate) fn reject(kind: Kind, message: &str) -> Reject {
    (kind, message.to_owned())
}

/// Refuses unknown fields and missing ones.
fn exact(object: &Map<String, Value>, what: &str, fields: &[&str]) -> Result<(), Reject> {
    only(object, what, fields, fields)
}

/// Refuses fields not in `allowed`, and missing `required` ones.
fn only(
    object: &Map<String, Value>,
    what: &str,
    allowed: &[&str],
    required: &[&str],
) -> Result<(), Reject> {
    if let Some(unknown) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err((
            errors::BAD_BODY,
            format!("unknown field {unknown:?} in {what}"),
        ));
    }
    if let Some(missing) = required.iter().find(|f| !object.contains_key(**f)) {
        return Err((
            errors::BAD_BODY,
            format!("missing field {missing:?} in {what}"),
        ));
    }
    Ok(())
}

fn object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<&'a Map<String, Value>, Reject> {
    object
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what} must be an object")))
}

fn string<'a>(object: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str, Reject> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what} must be a string")))
}

/// A string field that may be absent (`null` is not absent: it is refused).
fn optional_string<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<&'a str>, Reject> {
    match object.get(key) {
        None => Ok(None),
        Some(_) => string(object, key, what).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code<T>(result: Result<T, Reject>) -> &'static str {
        result.err().map_or("OK", |(kind, _)| kind.code)
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn message(content: Value) -> Map<String, Value> {
        map(
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": content}),
        )
    }

    #[test]
    fn message_shapes() {
        let ok = json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hi"}});
        assert_eq!(code(check_message(&map(ok))), "OK");
        let user_id =
            json!({"recipient":{"channelType":"sms","id":"user-1"},"message":{"text":"hi"}});
        assert_eq!(code(check_message(&map(user_id))), "OK");
        let cases = [
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+1555"},"message":{"text":"hi"}}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+1555555555x"},"message":{"text":"hi"}}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"bsuid:"},"message":{"text":"hi"}}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":" "}}),
                "ERROR_CODE_MESSAGE_TEXT_EMPTY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":1}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555","x":1},"message":{"text":"a"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":"+15555555555","message":{"text":"a"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"sender":{"id":"+1","channelType":"whatsapp"},"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"a"}}),
                "ERROR_CODE_INVALID_SENDER_ID",
            ),
            (
                json!({"sender":"+14151111234","recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"a"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(code(check_message(&map(body.clone()))), expected, "{body}");
        }
    }

    #[test]
    fn message_contents() {
        let image = json!({"type": "image", "url": "https://cdn.example.com/a.png"});
        let list = json!({"button": {"text": "Pick"}, "sections": [{"title": "S", "rows": [{"id": "r1", "text": "One"}]}]});
        let buttons = json!({"buttons": [{"id": "b1", "text": "Yes"}, {"id": "b2", "text": "No"}]});
        let ok = [
            json!({"attachments": [image]}),
            json!({"id": "01FPW47QF69Y5JZH24605VAKQB", "text": "hi"}),
            json!({"attachments": [{"type": "document", "url": "https://e.com/f.pdf", "filename": "f.pdf", "caption": "c"}]}),
            json!({"location": {"latitude": -90, "longitude": 180.0, "name": "n", "address": "a"}}),
            json!({"text": "body", "listMessage": list}),
            json!({"text": "body", "replyButtonMessage": buttons}),
            json!({"singleProductMessage": {"anything": [1]}}),
            json!({"multiProductMessage": {}}),
        ];
        for content in ok {
            assert_eq!(
                code(check_message(&message(content.clone()))),
                "OK",
                "{content}"
            );
        }
        let shape = "ERROR_CODE_INVALID_REQUEST_BODY";
        let cases = [
            (json!({}), "ERROR_CODE_MESSAGE_CONTENT_MISSING"),
            (json!({"id": "x"}), "ERROR_CODE_MESSAGE_CONTENT_MISSING"),
            (json!({"id": "", "text": "a"}), shape),
            (
                json!({"attachments": []}),
                "ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID",
            ),
            (
                json!({"attachments": [image, image]}),
                "ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID",
            ),
            (
                json!({"attachments": [{"type": "sticker", "url": "https://e.com/a"}]}),
                "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
            ),
            (
                json!({"attachments": [{"type": "image", "url": "http://e.com/a"}]}),
                "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
            ),
            (
                json!({"attachments": [{"type": "image", "url": "https://e.com/a", "filename": "a"}]}),
                "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
            ),
            (json!({"attachments": [{"type": "image"}]}), shape),
            (
                json!({"location": {"latitude": 91, "longitude": 0}}),
                "ERROR_CODE_MESSAGE_LOCATION_INVALID",
            ),
            (
                json!({"location": {"latitude": 0, "longitude": -180.5}}),
                "ERROR_CODE_MESSAGE_LOCATION_INVALID",
            ),
            (
                json!({"location": {"latitude": "1", "longitude": 0}}),
                shape,
            ),
            (
                json!({"listMessage": {"button": {"text": "b"}, "sections": []}}),
                "ERROR_CODE_MESSAGE_LIST_INVALID",
            ),
            (
                json!({"listMessage": {"button": {"text": "b"}, "sections": [{"title": "t", "rows": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}]}}),
                "ERROR_CODE_MESSAGE_LIST_INVALID",
            ),
            (json!({"listMessage": {"sections": []}}), shape),
            (
                json!({"replyButtonMessage": {"buttons": []}}),
                "ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID",
            ),
            (
                json!({"replyButtonMessage": {"buttons": [{"id": "1", "text": "a"}, {"id": "2", "text": "b"}, {"id": "3", "text": "c"}, {"id": "4", "text": "d"}]}}),
                "ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID",
            ),
            (
                json!({"replyButtonMessage": {"buttons": [{"id": "1"}]}}),
                shape,
            ),
            (json!({"singleProductMessage": "x"}), shape),
            (json!({"list_message": {}}), shape),
        ];
        for (content, expected) in cases {
            assert_eq!(
                code(check_message(&message(content.clone()))),
                expected,
                "{content}"
            );
        }
        let eleven: Vec<Value> = (0..11)
            .map(|i| json!({"id": i.to_string(), "text": "r"}))
            .collect();
        let big = json!({"listMessage": {"button": {"text": "b"}, "sections": [{"title": "t", "rows": eleven}]}});
        assert_eq!(
            code(check_message(&message(big))),
            "ERROR_CODE_MESSAGE_LIST_INVALID"
        );
    }

    #[test]
    fn template_shapes() {
        let ok = json!({"parameters":[{"name":"a","value":"1"}],"number":"+15555555555","templateName":"t"});
        assert_eq!(code(check_template(&map(ok))), "OK");
        let full = json!({"parameters":[],"number":"bsuid:US.13491208655302741918","templateName":"t",
            "language":"en_US","sender":"+14151111234","callbackData":{"orderId":42},"campaignName":"autumn"});
        let accepted = check_template(&map(full)).unwrap();
        assert_eq!(accepted.callback_data, Some(json!({"orderId": 42})));
        assert_eq!(accepted.campaign_name.as_deref(), Some("autumn"));
        assert_eq!(accepted.sender.as_deref(), Some("+14151111234"));
        let big = "x".repeat(MAX_CALLBACK_DATA - 2);
        let at_limit =
            json!({"parameters":[],"number":"+15555555555","templateName":"t","callbackData":big});
        assert_eq!(code(check_template(&map(at_limit))), "OK");
        let cases = [
            (
                json!({"parameters":[{"name":"a","value":"1"},{"name":"a","value":"2"}],"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":{"a":"1"},"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":[{"name":"a"}],"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":[],"number":"+1","templateName":"t"}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":""}),
                "ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND",
            ),
            (
                json!({"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":"t","sender":{"id":"+14151111234"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":"t","sender":"+1"}),
                "ERROR_CODE_INVALID_SENDER_ID",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":"t","language":""}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":"t","callbackData":"x".repeat(MAX_CALLBACK_DATA)}),
                "ERROR_CODE_CALLBACK_DATA_TOO_LARGE",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(code(check_template(&map(body.clone()))), expected, "{body}");
        }
    }

    #[test]
    fn webhook_and_campaign_shapes() {
        let webhook = |v: Value| code(check_webhook(&map(v)));
        assert_eq!(
            webhook(json!({"topic":"messages","address":"https://e.com/h"})),
            "OK"
        );
        let configured = json!({"topic":"delivery_status","address":"https://e.com/h","type":"zapier",
            "configuration":{"echo":true,"channelTypes":["whatsapp"],"filters":[{"field":"campaign_name","expression":"summer-*"}]}});
        assert_eq!(check_webhook(&map(configured)).unwrap().kind, "zapier");
        for (body, expected) in [
            (
                json!({"topic":"nope","address":"https://e.com/h"}),
                "ERROR_CODE_WEBHOOK_TOPIC_INVALID",
            ),
            (
                json!({"topic":"messages","address":"/relative"}),
                "ERROR_CODE_WEBHOOK_ADDRESS_INVALID",
            ),
            (
                json!({"topic":"messages","address":"https://e.com","type":"slack"}),
                "ERROR_CODE_WEBHOOK_TYPE_INVALID",
            ),
            (
                json!({"topic":"messages","address":"https://e.com","configuration":{"echo":"yes"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"topic":"messages","address":"https://e.com","configuration":{"filters":[{"field":"x"}]}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"topic":"messages","address":"https://e.com","configuration":{"other":1}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
        ] {
            assert_eq!(webhook(body.clone()), expected, "{body}");
        }
        let update = |v: Value| code(check_webhook_update(&map(v)));
        assert_eq!(update(json!({"address": "https://e.com/2"})), "OK");
        assert_eq!(update(json!({"configuration": {"echo": false}})), "OK");
        assert_eq!(update(json!({})), "ERROR_CODE_INVALID_REQUEST_BODY");
        assert_eq!(
            update(json!({"topic": "messages"})),
            "ERROR_CODE_INVALID_REQUEST_BODY"
        );
        assert_eq!(
            update(json!({"address": "x"})),
            "ERROR_CODE_WEBHOOK_ADDRESS_INVALID"
        );

        let entries = check_campaign(&map(json!({"entries": [
            {"client": "+15555555555", "campaignName": "autumn", "campaignVersion": "2",
             "variables": {"name": "Ada"}, "sender": "+14151111234", "scheduledAt": "2030-01-01T00:00:00Z"},
            {"client": "+1", "campaignName": "autumn"}
        ]}))).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.valid_client).collect::<Vec<_>>(),
            [true, false]
        );
        let campaign = |v: Value| code(check_campaign(&map(v)));
        assert_eq!(
            campaign(json!({"entries": []})),
            "ERROR_CODE_INVALID_REQUEST_BODY"
        );
        assert_eq!(
            campaign(json!({"entries": [{"client": "+15555555555"}]})),
            "ERROR_CODE_INVALID_REQUEST_BODY"
        );
        assert_eq!(
            campaign(
                json!({"entries": [{"client": "+15555555555", "campaignName": "a", "variables": {"n": 1}}]})
            ),
            "ERROR_CODE_INVALID_REQUEST_BODY"
        );
    }
}
