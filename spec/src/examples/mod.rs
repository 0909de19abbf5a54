//! Named examples for every operation, written into the document by [`apply`]: each request
//! (parameters and body) with the success response it gets, and one example per problem type.
//!
//! The examples tell one story, in [`all`]'s order, in a documented world ([`world`]): a sandbox
//! operator sets up holders, accounts and platforms, the holder's representatives transfer,
//! cancel, consent, delegate, reserve and escrow, the platforms read and act, and the operator
//! finally resets the sandbox. Every identifier or token a request uses is one an earlier
//! example's response shows. The mock's test `examples` replays the story in this order against a
//! fresh registry, mapping each documented identifier, token and page token to the one its
//! registry answered, and checks every request gets the status documented here.

mod accounts;
mod associations;
mod oauth;
mod platforms;
mod problems;
mod registers;
mod sandbox;
mod trading;
mod transactions;
mod webhooks;
pub mod world;

use serde_json::{Map, Value, json};

/// One named example of one operation: the request and the success response it gets.
#[derive(Debug, Clone)]
pub struct Example {
    /// The `operationId`.
    pub operation: &'static str,
    /// The example's name, unique within the operation (the key in every `examples` map).
    pub name: &'static str,
    /// One line saying what it shows.
    pub summary: &'static str,
    /// The bearer token it is sent with (one a [`world`] response shows), if any.
    pub token: Option<&'static str>,
    /// Path parameters.
    pub path: Vec<(&'static str, String)>,
    /// Query parameters.
    pub query: Vec<(&'static str, String)>,
    /// The request body: JSON, or for a form body an object of its fields.
    pub body: Option<Value>,
    /// The documented status.
    pub status: u16,
    /// The documented response body: JSON, or a string for a page (`text/html`).
    pub response: Value,
    /// The documented `Location` of a redirect (`302`, `303`); the replay does not follow it.
    pub location: Option<String>,
    /// The `Accept` it is sent with when it asks for another media type than JSON (`text/csv`).
    pub accept: Option<&'static str>,
}

impl Example {
    fn new(operation: &'static str, name: &'static str, summary: &'static str) -> Example {
        Example {
            operation,
            name,
            summary,
            token: None,
            path: Vec::new(),
            query: Vec::new(),
            body: None,
            status: 200,
            response: Value::Null,
            location: None,
            accept: None,
        }
    }

    fn by(mut self, token: &'static str) -> Example {
        self.token = Some(token);
        self
    }

    fn path(mut self, name: &'static str, value: impl Into<String>) -> Example {
        self.path.push((name, value.into()));
        self
    }

    fn query(mut self, name: &'static str, value: impl ToString) -> Example {
        self.query.push((name, value.to_string()));
        self
    }

    fn body(mut self, body: Value) -> Example {
        self.body = Some(body);
        self
    }

    fn answers(mut self, status: u16, response: Value) -> Example {
        self.status = status;
        self.response = response;
        self
    }

    fn redirects(mut self, status: u16, location: String) -> Example {
        self.status = status;
        self.location = Some(location);
        self
    }

    /// The example's `Idempotency-Key`: a UUID derived from the operation and the name, so that
    /// each example has its own and the document stays deterministic.
    pub fn idempotency_key(&self) -> String {
        // FNV-1a, twice with different offsets, gives 128 stable bits.
        let hash = |offset: u64| {
            let mut h = offset;
            for byte in self
                .operation
                .bytes()
                .chain([b'/'])
                .chain(self.name.bytes())
            {
                h ^= u64::from(byte);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            h
        };
        let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// The value this example gives parameter `name` (`in` being `location`), if any.
    pub fn parameter(&self, location: &str, name: &str) -> Option<String> {
        let find = |list: &[(&'static str, String)]| {
            list.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        match location {
            "path" => find(&self.path),
            "query" => find(&self.query),
            "header" if name == "Idempotency-Key" => Some(self.idempotency_key()),
            _ => None,
        }
    }
}

/// Every example, in the order of the story (the order the replay sends them in).
pub fn all() -> Vec<Example> {
    [
        sandbox::set_up(),
        platforms::examples(),
        webhooks::subscriptions(),
        transactions::examples(),
        trading::examples(),
        associations::examples(),
        webhooks::deliveries(),
        accounts::examples(),
        registers::examples(),
        oauth::examples(),
        sandbox::wind_down(),
    ]
    .concat()
}

/// Writes the examples into the document: `examples` on every parameter, request body and success
/// response of an operation, and one example per problem type on the shared problem responses
/// (and per OAuth error on the token endpoint).
pub fn apply(doc: &mut Value) {
    let examples = all();
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .expect("path item is an object")
            .values_mut()
        {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let mine: Vec<&Example> = examples.iter().filter(|e| e.operation == id).collect();
            apply_to_operation(op, &mine);
        }
    }
    problems::apply(doc);
    for (event, payload) in webhooks::payloads() {
        let pointer = format!(
            "/webhooks/{}/post/requestBody/content/application~1json",
            event.name()
        );
        let id = payload["data"]["event_id"].clone();
        if let Some(media) = doc.pointer_mut(&pointer) {
            media["examples"] = json!({"event": named("A signed event of this type.", payload)});
        }
        let pointer = format!("/webhooks/{}/post/parameters", event.name());
        for param in doc
            .pointer_mut(&pointer)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let value = match param["name"].as_str() {
                Some("webhook-id") => id.clone(),
                // LATER as Unix seconds.
                Some("webhook-timestamp") => json!(world::LATER_UNIX.to_string()),
                _ => continue,
            };
            param["examples"] =
                json!({"event": named("The headers of that event's first attempt.", value)});
        }
    }
}

fn named(summary: &str, value: Value) -> Value {
    json!({"summary": summary, "value": value})
}

fn apply_to_operation(op: &mut Value, examples: &[&Example]) {
    for param in op
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let location = param["in"].as_str().unwrap_or_default().to_owned();
        let name = param["name"].as_str().unwrap_or_default().to_owned();
        let schema_type = param["schema"]["type"].clone();
        let mut map = Map::new();
        for example in examples {
            if let Some(value) = example.parameter(&location, &name) {
                let value = match (schema_type.as_str(), value.parse::<i64>()) {
                    (Some("integer"), Ok(n)) => json!(n),
                    (Some("number"), _) if value.parse::<f64>().is_ok() => {
                        json!(value.parse::<f64>().expect("a number"))
                    }
                    _ if schema_type == "boolean" => json!(value == "true"),
                    _ => json!(value),
                };
                map.insert(example.name.into(), named(example.summary, value));
            }
        }
        if !map.is_empty() {
            let param = param.as_object_mut().expect("a parameter is an object");
            param.remove("example");
            param.insert("examples".into(), Value::Object(map));
        }
    }
    if let Some(content) = op
        .pointer_mut("/requestBody/content")
        .and_then(Value::as_object_mut)
    {
        let map: Map<String, Value> = examples
            .iter()
            .filter_map(|e| {
                let body = e.body.clone()?;
                Some((e.name.to_owned(), named(e.summary, body)))
            })
            .collect();
        for media in content.values_mut() {
            media["examples"] = Value::Object(map.clone());
        }
    }
    for example in examples {
        // What it accepts; otherwise a string is a page (`text/html`) and anything else JSON.
        let media_type = match (example.accept, &example.response) {
            (Some(accept), _) => accept.replace('/', "~1"),
            (None, Value::String(_)) => "text~1html".to_owned(),
            (None, _) => "application~1json".to_owned(),
        };
        let pointer = format!("/responses/{}/content/{media_type}", example.status);
        if let Some(media) = op.pointer_mut(&pointer) {
            if media.get("examples").is_none() {
                media["examples"] = json!({});
            }
            media["examples"][example.name] = named(example.summary, example.response.clone());
        }
        let pointer = format!("/responses/{}/headers/Location", example.status);
        if let (Some(location), Some(header)) = (&example.location, op.pointer_mut(&pointer)) {
            if header.get("examples").is_none() {
                header["examples"] = json!({});
            }
            header["examples"][example.name] = named(example.summary, json!(location));
        }
    }
}

#[cfg(test)]
mod tests;
