//! Reading the JSON files commands are given (a path, or `-` for standard input), and the
//! fields of the objects they hold, with errors that say which file and which field.
//!
//! Only shapes are read here: a field of the wrong JSON type, a required field that is
//! absent, a key the format does not have. Every rule about the values is the core's.

use std::io::Read;

use serde_json::{Map, Value};

use super::{Exit, Failed};

/// How errors name the file at `path`: `standard input` for `-`.
pub(crate) fn file_name(path: &str) -> &str {
    if path == "-" {
        "standard input"
    } else {
        path
    }
}

/// Reads a file, or standard input for `-`, as UTF-8 text.
pub(crate) fn read_text(path: &str) -> Result<String, Failed> {
    let cannot = |e: std::io::Error| {
        Failed::new(
            Exit::Failure,
            format!("cannot read {}: {e}", file_name(path)),
        )
    };
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(cannot)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(cannot)
    }
}

/// Reads a file (or `-`) holding one JSON value; text that is not JSON is refused by the
/// core's [`connectly::json_argument`] as `field`, named with the file.
pub(crate) fn read_json(path: &str, field: &'static str) -> Result<Value, Failed> {
    let text = read_text(path)?;
    connectly::json_argument(field, &text).map_err(|e| Failed::from(e).context(file_name(path)))
}

/// A refusal of a file's shape: `source` names the file (and line or entry), `at` the field.
pub(crate) fn shape(source: &str, at: &str, reason: impl std::fmt::Display) -> Failed {
    if at.is_empty() {
        Failed::new(Exit::Invalid, format!("{source}: {reason}"))
    } else {
        Failed::new(Exit::Invalid, format!("{source}: `{at}` {reason}"))
    }
}

/// The path of `key` inside the field at `at`.
fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// A JSON object being read: where it came from and where it sits, for errors.
pub(crate) struct Object<'a> {
    map: &'a Map<String, Value>,
    source: &'a str,
    at: String,
}

impl<'a> Object<'a> {
    /// `value` as an object; `at` is its path in the file (empty at the top).
    pub(crate) fn new(value: &'a Value, source: &'a str, at: String) -> Result<Self, Failed> {
        match value {
            Value::Object(map) => Ok(Self { map, source, at }),
            _ => Err(shape(source, &at, "must be a JSON object")),
        }
    }

    /// A refusal of the field `key` of this object.
    pub(crate) fn refuse(&self, key: &str, reason: impl std::fmt::Display) -> Failed {
        shape(self.source, &join(&self.at, key), reason)
    }

    /// The core's refusal of the value of the field `key` of this object, saying where it is.
    pub(crate) fn refused_value(&self, key: &str, err: connectly::ValidationError) -> Failed {
        Failed::from(err).context(format_args!("{}: `{}`", self.source, join(&self.at, key)))
    }

    /// Refuses any key not in `known`, so a misspelt field is not silently dropped.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), Failed> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(key) => Err(self.refuse(
                key,
                format!("is not a known field (known: {})", known.join(", ")),
            )),
        }
    }

    /// The value of the first of `keys` present and not null (spellings of one field);
    /// refuses two spellings at once.
    pub(crate) fn get(
        &self,
        keys: &[&'static str],
    ) -> Result<Option<(&'static str, &'a Value)>, Failed> {
        let mut present = keys
            .iter()
            .filter_map(|&k| Some((k, self.map.get(k).filter(|v| !v.is_null())?)));
        let first = present.next();
        if let (Some((a, _)), Some((b, _))) = (first, present.next()) {
            return Err(self.refuse(b, format!("and `{a}` are the same field: give one")));
        }
        Ok(first)
    }

    /// A string field, when present.
    pub(crate) fn string(&self, keys: &[&'static str]) -> Result<Option<String>, Failed> {
        match self.get(keys)? {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.clone())),
            Some((key, _)) => Err(self.refuse(key, "must be a string")),
        }
    }

    /// A string field that must be present.
    pub(crate) fn required_string(&self, keys: &[&'static str]) -> Result<String, Failed> {
        self.string(keys)?
            .ok_or_else(|| self.refuse(keys[0], "is missing"))
    }

    /// A number field that must be present.
    pub(crate) fn required_number(&self, key: &'static str) -> Result<f64, Failed> {
        match self.get(&[key])? {
            None => Err(self.refuse(key, "is missing")),
            Some((_, value)) => value
                .as_f64()
                .ok_or_else(|| self.refuse(key, "must be a number")),
        }
    }

    /// An object field, when present.
    pub(crate) fn object(&self, keys: &[&'static str]) -> Result<Option<Object<'a>>, Failed> {
        self.get(keys)?
            .map(|(key, value)| Object::new(value, self.source, join(&self.at, key)))
            .transpose()
    }

    /// A list field, when present, with the path of each element.
    pub(crate) fn list(&self, key: &'static str) -> Result<Vec<(String, &'a Value)>, Failed> {
        match self.get(&[key])? {
            None => Ok(Vec::new()),
            Some((_, Value::Array(items))) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{}[{i}]", join(&self.at, key)), item))
                .collect()),
            Some(_) => Err(self.refuse(key, "must be a list")),
        }
    }

    /// A list field's elements as objects.
    pub(crate) fn objects(&self, key: &'static str) -> Result<Vec<Object<'a>>, Failed> {
        self.list(key)?
            .into_iter()
            .map(|(at, item)| Object::new(item, self.source, at))
            .collect()
    }

    /// Name and value pairs, in order: an object of strings, or a list of `[name, value]`
    /// string pairs.
    pub(crate) fn pairs(&self, keys: &[&'static str]) -> Result<Vec<(String, String)>, Failed> {
        let Some((key, value)) = self.get(keys)? else {
            return Ok(Vec::new());
        };
        let bad = || {
            self.refuse(
                key,
                "must be an object of strings or a list of [name, value] string pairs",
            )
        };
        match value {
            Value::Object(map) => map
                .iter()
                .map(|(name, v)| Ok((name.clone(), v.as_str().ok_or_else(bad)?.to_owned())))
                .collect(),
            Value::Array(items) => items
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                    _ => Err(bad()),
                })
                .collect(),
            _ => Err(bad()),
        }
    }

    /// A label: a string, or the API's `{"text": "..."}`.
    pub(crate) fn label(&self, key: &'static str) -> Result<Option<String>, Failed> {
        match self.get(&[key])? {
            None => Ok(None),
            Some((_, Value::String(text))) => Ok(Some(text.clone())),
            Some((_, value @ Value::Object(_))) => {
                let label = Object::new(value, self.source, join(&self.at, key))?;
                label.only(&["text"])?;
                label.required_string(&["text"]).map(Some)
            }
            Some(_) => Err(self.refuse(key, "must be a string or {\"text\": \"...\"}")),
        }
    }
}
