//! `requests.json`: each call's inputs, and the exact request it sends or the field it refuses.

use connectly::{
    Attachment, AttachmentType, Button, CampaignEntry, Client, Error, ListMessage, ListRow,
    ListSection, Location, Message, MessageParts, NewWebhook, Recipient, ReplyButtons,
    TemplateMessage, WebhookUpdate,
};
use connectly_mock::MockServer;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::{client_for, load, report, same};

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).map(|x| x.as_str().unwrap().to_owned())
}

fn req(v: &Value, key: &str) -> String {
    s(v, key).unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// A coordinate: a number, or "NaN" / "Infinity" / "-Infinity" for the IEEE values.
fn coordinate(v: &Value) -> f64 {
    match v {
        Value::String(text) => text.parse().unwrap(),
        other => other.as_f64().unwrap(),
    }
}

fn attachment(a: &Value) -> Result<Attachment, Error> {
    let mut out = Attachment::new(AttachmentType::parse(&req(a, "type"))?, req(a, "url"));
    if let Some(caption) = s(a, "caption") {
        out = out.caption(caption);
    }
    if let Some(filename) = s(a, "filename") {
        out = out.filename(filename);
    }
    Ok(out)
}

fn location(l: &Value) -> Location {
    let mut out = Location::new(coordinate(&l["latitude"]), coordinate(&l["longitude"]));
    if let Some(name) = s(l, "name") {
        out = out.name(name);
    }
    if let Some(address) = s(l, "address") {
        out = out.address(address);
    }
    out
}

fn list(l: &Value) -> ListMessage {
    let sections = l["sections"].as_array().unwrap().iter().map(|section| {
        let rows = section["rows"].as_array().unwrap().iter().map(|r| {
            let row = ListRow::new(req(r, "id"), req(r, "text"));
            match s(r, "description") {
                Some(d) => row.description(d),
                None => row,
            }
        });
        ListSection::new(req(section, "title"), rows)
    });
    let mut out = ListMessage::new(req(l, "button"), sections);
    if let Some(header) = s(l, "header") {
        out = out.header(header);
    }
    if let Some(footer) = s(l, "footer") {
        out = out.footer(footer);
    }
    out
}

fn buttons(b: &Value) -> ReplyButtons {
    let buttons = b["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| Button::new(req(x, "id"), req(x, "text")));
    let mut out = ReplyButtons::new(buttons);
    if let Some(header) = s(b, "header") {
        out = out.header(header);
    }
    if let Some(footer) = s(b, "footer") {
        out = out.footer(footer);
    }
    out
}

fn send_message(client: &Client, a: &Value) -> Result<(), Error> {
    let mut to = Recipient::new(s(a, "channel").unwrap_or("whatsapp".into()), req(a, "to"));
    if let Some(name) = s(a, "recipient_name") {
        to = to.with_name(name);
    }
    let message = Message::from_parts(MessageParts {
        text: s(a, "text"),
        attachment: a.get("attachment").map(attachment).transpose()?,
        location: a.get("location").map(location),
        list: a.get("list").map(list),
        buttons: a.get("buttons").map(buttons),
        id: s(a, "message_id"),
        sender: s(a, "sender"),
        ..MessageParts::default()
    })?;
    client.send_message(&to, &message).map(drop)
}

fn send_template(client: &Client, a: &Value) -> Result<(), Error> {
    let mut t = TemplateMessage::new(req(a, "number"), req(a, "template_name"));
    for p in a["params"].as_array().unwrap() {
        t = t.param(p[0].as_str().unwrap(), p[1].as_str().unwrap());
    }
    if let Some(language) = s(a, "language") {
        t = t.language(language);
    }
    if let Some(sender) = s(a, "sender") {
        t = t.sender(sender);
    }
    if let Some(data) = a.get("callback_data") {
        t = t.callback_data(data.clone());
    }
    if let Some(campaign) = s(a, "campaign_name") {
        t = t.campaign_name(campaign);
    }
    client.send_template_message(&t).map(drop)
}

fn send_campaign(client: &Client, a: &Value) -> Result<(), Error> {
    let entries: Vec<CampaignEntry> = a["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut entry = CampaignEntry::new(req(e, "client"), req(e, "campaign_name"));
            if let Some(variables) = e.get("variables") {
                entry = entry.variables(variables.clone());
            }
            if let Some(version) = s(e, "version") {
                entry = entry.version(version);
            }
            if let Some(sender) = s(e, "sender") {
                entry = entry.sender(sender);
            }
            if let Some(at) = s(e, "scheduled_at") {
                entry = entry.scheduled_at(at);
            }
            entry
        })
        .collect();
    client.send_campaign(&entries).map(drop)
}

/// Makes the row's call; an answer from the mock (even an error status) counts as sent.
fn run(client: &Client, call: &str, a: &Value) -> Result<(), Error> {
    let sent = match call {
        "send_message" => send_message(client, a),
        "send_template" => send_template(client, a),
        "create_webhook" => {
            let mut w = NewWebhook::new(req(a, "address"), req(a, "topic"));
            if let Some(kind) = s(a, "type") {
                w = w.webhook_type(kind);
            }
            if let Some(configuration) = a.get("configuration") {
                w = w.configuration(configuration.clone());
            }
            client.create_webhook_with(&w).map(drop)
        }
        "upsert_webhook_create" => client
            .upsert_webhook(
                &req(a, "address"),
                &req(a, "topic"),
                a.get("configuration").cloned(),
            )
            .map(drop),
        "list_webhooks" => client.list_webhooks().map(drop),
        "update_webhook" => {
            let mut update = WebhookUpdate::new();
            if let Some(address) = s(a, "address") {
                update = update.address(address);
            }
            if let Some(configuration) = a.get("configuration") {
                update = update.configuration(configuration.clone());
            }
            client
                .update_webhook(&req(a, "webhook_id"), &update)
                .map(drop)
        }
        "delete_webhook" => client.delete_webhook(&req(a, "webhook_id")).map(drop),
        "list_templates" => client.list_templates().map(drop),
        "send_campaign" => send_campaign(client, a),
        other => panic!("unknown call {other}"),
    };
    match sent {
        Err(Error::Validation(v)) => Err(Error::Validation(v)),
        _ => Ok(()),
    }
}

/// The path's segments, each percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .map(|seg| percent_decode_str(seg).decode_utf8().unwrap().into_owned())
        .collect()
}

#[test]
fn requests_json() {
    let (_, rows) = load("requests.json");
    let mock = MockServer::start().unwrap();
    let client = client_for(&mock, 0, 5_000);
    let prefix = format!("/v1/businesses/{}", mock.business_id());
    let mut ran = 0;
    for row in &rows {
        let name = row["name"].as_str().unwrap();
        let call = row["call"].as_str().unwrap();
        let expect = &row["expect"];
        mock.reset();
        let result = run(&client, call, &row["args"]);
        let recorded = mock.requests();
        if let Some(error) = expect.get("error") {
            match result {
                Err(Error::Validation(v)) => assert_eq!(v.field, error["field"], "{name}"),
                other => panic!(
                    "{name}: want a refusal of {}, got {other:?}",
                    error["field"]
                ),
            }
            assert!(recorded.is_empty(), "{name}: a refused call sent a request");
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                recorded.len(),
                1,
                "{name}: sent {} requests",
                recorded.len()
            );
            let request = &recorded[0];
            assert_eq!(request.method, expect["method"], "{name}");
            let want = format!("{prefix}{}", expect["path"].as_str().unwrap());
            assert_eq!(segments(&request.path), segments(&want), "{name}");
            if expect["body"].is_null() {
                assert!(request.body.is_empty(), "{name}: a body was sent");
            } else {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                assert!(
                    same(&body, &expect["body"]),
                    "{name}:\n got {body}\nwant {}",
                    expect["body"]
                );
            }
        }
        ran += 1;
    }
    report("requests.json", ran, rows.len());
}
