//! Replays every example of the contract (`ucr_spec::examples`), in the order of its story, against
//! a fresh mock and checks each request gets the status the document gives it.
//!
//! The examples live in a documented world; the replay maps it onto its own registry: every
//! identifier, token and page token a documented response shows is replaced, in later requests,
//! by the one the registry answered at the same place (the first time it appears); instants are
//! shifted by the difference between the registry's clock and the documented one (`get_clock`),
//! serials by the difference between the first serial issued and the documented one
//! (`issue_units`); webhook URLs are replaced by a loopback address nothing listens on, so that
//! deliveries stay on this machine (and fail, as the documented delivery log shows). Redirects
//! (`authorize`, `decide_authorization`) are not followed: their `Location`'s `code` is mapped
//! like an identifier, and so is the consent page's hidden `request_id`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use ucr_spec::examples::{self, Example};

use crate::helpers::{self, Api};

/// Keys whose string values are identifiers or tokens the replay maps.
fn is_mapped(key: &str) -> bool {
    key.ends_with("_id")
        || matches!(
            key,
            "token" | "access_token" | "refresh_token" | "client_secret" | "next_page" | "code"
        )
}

/// The replay's mapping from the documented world to its own registry.
#[derive(Default)]
struct Mapping {
    values: BTreeMap<String, String>,
    time: Duration,
    serial: i64,
}

impl Mapping {
    fn text(&self, value: &str) -> String {
        if let Some(mapped) = self.values.get(value) {
            return mapped.clone();
        }
        if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
            return (instant.with_timezone(&Utc) + self.time)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        }
        value.to_owned()
    }

    fn body(&self, key: &str, value: &Value) -> Value {
        match value {
            Value::String(_) if key == "url" => json!("http://127.0.0.1:9/hooks/ucr"),
            Value::String(s) => json!(self.text(s)),
            Value::Number(n) if matches!(key, "serial" | "serial_start" | "serial_end") => {
                json!(n.as_i64().expect("a serial") + self.serial)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.body(key, v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.body(k, v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Learns from a documented response and the registry's answer to the same request.
    fn learn(&mut self, example: &Example, actual: &Value) {
        if example.operation == "get_clock" {
            let parse = |v: &Value| {
                DateTime::parse_from_rfc3339(v["now"].as_str().expect("a clock"))
                    .expect("an instant")
                    .with_timezone(&Utc)
            };
            self.time = parse(actual) - parse(&example.response);
        }
        if example.operation == "issue_units" {
            let start = |v: &Value| v["serial_start"].as_i64().expect("a serial");
            self.serial = start(actual) - start(&example.response);
        }
        self.walk("", &example.response, actual);
    }

    /// Learns the `code` of a documented redirect from the `Location` the registry answered.
    fn learn_location(&mut self, documented: &str, actual: &str) {
        let query = |location: &str| -> Vec<(String, String)> {
            let query = location.split_once('?').map_or("", |(_, q)| q);
            serde_urlencoded::from_str(query).unwrap_or_default()
        };
        let actual = query(actual);
        for (name, value) in query(documented) {
            if let Some((_, a)) = actual.iter().find(|(n, _)| *n == name) {
                self.walk(&name, &json!(value), &json!(a));
            }
        }
    }

    fn walk(&mut self, key: &str, documented: &Value, actual: &Value) {
        match (documented, actual) {
            (Value::String(d), Value::String(a)) if is_mapped(key) => {
                self.values.entry(d.clone()).or_insert_with(|| a.clone());
            }
            // A page: its form's hidden `request_id`.
            (Value::String(d), Value::String(a)) if key.is_empty() => {
                let hidden = |page: &str| {
                    let marker = "name=\"request_id\" value=\"";
                    let start = page.find(marker)? + marker.len();
                    Some(page[start..].split('"').next()?.to_owned())
                };
                if let (Some(d), Some(a)) = (hidden(d), hidden(a)) {
                    self.values.entry(d).or_insert(a);
                }
            }
            (Value::Array(ds), Value::Array(as_)) => {
                for (d, a) in ds.iter().zip(as_) {
                    self.walk(key, d, a);
                }
            }
            (Value::Object(ds), Value::Object(as_)) => {
                for (k, d) in ds {
                    if let Some(a) = as_.get(k) {
                        self.walk(k, d, a);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The method, path template and request media type of each operation, from the document.
fn operations() -> BTreeMap<String, (Method, String, Option<String>, bool)> {
    let doc = ucr_spec::openapi_json();
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let media = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned());
            let keyed = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "Idempotency-Key");
            out.insert(
                op["operationId"].as_str().unwrap().to_owned(),
                (
                    method.to_uppercase().parse().unwrap(),
                    path.clone(),
                    media,
                    keyed,
                ),
            );
        }
    }
    out
}

#[tokio::test]
async fn every_example_request_gets_its_documented_status() {
    let mut api = Api::start().await;
    // The replay reads redirects; it does not follow them (their targets are the clients').
    api.http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let operations = operations();
    let mut mapping = Mapping::default();
    let mut failures = Vec::new();
    let all = examples::all();
    for example in &all {
        let (method, template, media, keyed) = &operations[example.operation];
        let mut path = template.clone();
        for (name, value) in &example.path {
            path = path.replace(&format!("{{{name}}}"), &mapping.text(value));
        }
        let mut call = api.call(method.clone(), &path).no_key();
        if !example.query.is_empty() {
            let pairs: Vec<(&str, String)> = example
                .query
                .iter()
                .map(|(name, value)| (*name, mapping.text(value)))
                .collect();
            let query = serde_urlencoded::to_string(&pairs).unwrap();
            call = api
                .call(method.clone(), &format!("{path}?{query}"))
                .no_key();
        }
        if *keyed {
            call = call.key(&example.idempotency_key());
        }
        if let Some(token) = example.token {
            call = call.token(&mapping.text(token));
        }
        if let Some(body) = &example.body {
            let body = mapping.body("", body);
            call = match media.as_deref() {
                Some("application/x-www-form-urlencoded") => {
                    let form = serde_urlencoded::to_string(body.as_object().unwrap()).unwrap();
                    call.raw(form.as_bytes(), media.as_deref())
                }
                _ => call.json(body),
            };
        }
        let reply = match example.accept {
            // Another media type than JSON (a register as CSV): a plain public GET.
            Some(accept) => {
                let query = example
                    .query
                    .iter()
                    .map(|(name, value)| (*name, mapping.text(value)))
                    .collect::<Vec<_>>();
                let url = format!(
                    "{}{path}?{}",
                    api.mock.uri(),
                    serde_urlencoded::to_string(&query).unwrap()
                );
                let response = api
                    .http
                    .get(url)
                    .header("accept", accept)
                    .send()
                    .await
                    .expect("the mock answers");
                let status = response.status().as_u16();
                let is_csv = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with(accept));
                if status == example.status && !is_csv {
                    failures.push(format!(
                        "{} {}: answered without Content-Type {accept}",
                        example.operation, example.name
                    ));
                }
                let text = response.text().await.expect("a body");
                helpers::Reply {
                    status,
                    headers: Default::default(),
                    body: json!(text),
                    raw: Vec::new(),
                }
            }
            None => call.send().await,
        };
        if reply.status == example.status {
            let body = match (&example.response, &reply.body) {
                (Value::String(_), Value::Null) => json!(String::from_utf8_lossy(&reply.raw)),
                (_, body) => body.clone(),
            };
            mapping.learn(example, &body);
            if let (Some(documented), Some(actual)) = (&example.location, reply.header("location"))
            {
                mapping.learn_location(documented, actual);
            }
        } else {
            failures.push(format!(
                "{} {}: {} {path} answered {} (documented {}): {}",
                example.operation, example.name, method, reply.status, example.status, reply.body
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples got another status:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    api.mock.check_invariants().unwrap();
}
