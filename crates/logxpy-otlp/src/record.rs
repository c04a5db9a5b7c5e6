//! One logxpy line (either record format) as an OTLP `LogRecord`.
//!
//! The mapping follows the OpenTelemetry log data model: `ts` (or Eliot's
//! `timestamp`) is the time, the level is the severity, `msg` the body,
//! `trace_id`/`span_id`/`trace_flags` the trace context, and every other
//! field an attribute. logxpy's own fields get `logxpy.*` names, and an
//! exception's the semantic conventions' `exception.*`. Nested objects are
//! flattened into dotted keys (`user.id`), the way OpenTelemetry names
//! attributes; arrays stay arrays. A line that is not a JSON object is
//! exported whole as the body of a record without severity: nothing a
//! user logs is lost on the way.

use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, SeverityNumber};
use serde_json::{Map, Value};

/// Fields with a meaning of their own: `(logxpy name, Eliot name, attribute)`.
/// The time, message and trace context are taken apart separately.
const RENAMED: [(&str, &str, &str); 8] = [
    ("tid", "task_uuid", "logxpy.task_id"),
    ("lvl", "task_level", "logxpy.task_level"),
    ("mt", "message_type", "logxpy.message_type"),
    ("at", "action_type", "logxpy.action_type"),
    ("st", "action_status", "logxpy.action_status"),
    ("dur", "duration", "logxpy.duration"),
    ("exc", "exception", "exception.type"),
    ("reason", "reason", "exception.message"),
];

/// Deeper than this, a nested object is exported as a key-value list
/// instead of being flattened further.
const MAX_FLATTEN_DEPTH: usize = 8;

/// The record one line makes. `observed` is when the exporter read it.
///
/// ```
/// # use logxpy_otlp::record::to_log_record;
/// let rec = to_log_record(br#"{"ts":1.5,"tid":"Xa.1","lvl":[1],"mt":"warning","msg":"disk"}"#, 7);
/// assert_eq!(rec.severity_number, 13);
/// assert_eq!(rec.time_unix_nano, 1_500_000_000);
/// ```
pub fn to_log_record(line: &[u8], observed: u64) -> LogRecord {
    let mut fields = match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(fields)) => fields,
        _ => return raw_record(line, observed),
    };
    let mut rec = LogRecord {
        observed_time_unix_nano: observed,
        ..LogRecord::default()
    };
    if let Some(ts) = take(&mut fields, "ts", "timestamp").and_then(|v| v.as_f64()) {
        rec.time_unix_nano = unix_nanos(ts);
    }
    let (number, text) = severity(&fields);
    rec.severity_number = number as i32;
    rec.severity_text = text.to_string();
    rec.body = Some(body(&mut fields));
    trace_context(&mut fields, &mut rec);
    if let Some(stack) = fields.remove("stack") {
        push(&mut rec.attributes, "exception.stacktrace".into(), stack, 0);
    }
    for (ours, eliot, attribute) in RENAMED {
        if let Some(value) = take(&mut fields, ours, eliot) {
            push(&mut rec.attributes, attribute.into(), value, 0);
        }
    }
    for (key, value) in fields {
        push(&mut rec.attributes, key, value, 0);
    }
    rec
}

/// Now, in nanoseconds since the epoch (the records' observed time).
pub fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Turns a JSON value into attributes under `key`, flattening objects.
/// Used for the resource too.
pub fn push(into: &mut Vec<KeyValue>, key: String, value: Value, depth: usize) {
    match value {
        Value::Object(map) if depth < MAX_FLATTEN_DEPTH && !map.is_empty() => {
            for (sub, v) in map {
                push(into, format!("{key}.{sub}"), v, depth + 1);
            }
        }
        Value::Null => {} // OpenTelemetry attributes have no null
        value => into.push(KeyValue {
            key,
            value: Some(any_value(value)),
            ..KeyValue::default()
        }),
    }
}

fn any_value(value: Value) -> AnyValue {
    let v = match value {
        Value::Null => None,
        Value::Bool(b) => Some(any_value::Value::BoolValue(b)),
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => any_value::Value::IntValue(i),
            None => any_value::Value::DoubleValue(n.as_f64().unwrap_or(f64::NAN)),
        }),
        Value::String(s) => Some(any_value::Value::StringValue(s)),
        Value::Array(items) => Some(any_value::Value::ArrayValue(ArrayValue {
            values: items.into_iter().map(any_value).collect(),
        })),
        Value::Object(map) => Some(any_value::Value::KvlistValue(KeyValueList {
            values: map
                .into_iter()
                .map(|(key, v)| KeyValue {
                    key,
                    value: Some(any_value(v)),
                    ..KeyValue::default()
                })
                .collect(),
        })),
    };
    AnyValue { value: v }
}

fn take(fields: &mut Map<String, Value>, ours: &str, eliot: &str) -> Option<Value> {
    fields.remove(ours).or_else(|| fields.remove(eliot))
}

/// Seconds with microseconds, exactly: a float of 1.8e9 seconds carries
/// microseconds faithfully, but not nanoseconds, so the fraction is rounded
/// to whole microseconds before it is scaled.
fn unix_nanos(ts: f64) -> u64 {
    if !ts.is_finite() || ts < 0.0 {
        return 0;
    }
    let secs = ts.trunc();
    let micros = ((ts - secs) * 1e6).round();
    (secs as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(micros as u64 * 1000)
}

/// The level of a message (`mt`), or of an action record by its status.
fn severity(fields: &Map<String, Value>) -> (SeverityNumber, &'static str) {
    let status = fields.get("st").or_else(|| fields.get("action_status"));
    if let Some(status) = status.and_then(Value::as_str) {
        return if status == "failed" {
            (SeverityNumber::Error, "error")
        } else {
            (SeverityNumber::Info, "info")
        };
    }
    let level = fields.get("mt").or_else(|| fields.get("message_type"));
    match level.and_then(Value::as_str).unwrap_or("") {
        "debug" => (SeverityNumber::Debug, "debug"),
        "success" => (SeverityNumber::Info2, "success"),
        "note" => (SeverityNumber::Info3, "note"),
        "warning" => (SeverityNumber::Warn, "warning"),
        "error" | "exception" => (SeverityNumber::Error, "error"),
        "critical" => (SeverityNumber::Fatal, "critical"),
        _ => (SeverityNumber::Info, "info"),
    }
}

/// `msg`; an action record, which has none, says what it is ("db:query succeeded").
fn body(fields: &mut Map<String, Value>) -> AnyValue {
    if let Some(msg) = fields.remove("msg") {
        return any_value(msg);
    }
    let action = fields.get("at").or_else(|| fields.get("action_type"));
    let status = fields.get("st").or_else(|| fields.get("action_status"));
    let text = match (
        action.and_then(Value::as_str),
        status.and_then(Value::as_str),
    ) {
        (Some(action), Some(status)) => format!("{action} {status}"),
        (Some(action), None) => action.to_string(),
        _ => String::new(),
    };
    any_value(Value::String(text))
}

/// `trace_id` (32 hex digits), `span_id` (16) and `trace_flags` (hex or a
/// number) into the record's own fields; one that does not parse stays an
/// attribute, so it is still seen.
fn trace_context(fields: &mut Map<String, Value>, rec: &mut LogRecord) {
    if let Some(id) = hex_field(fields, "trace_id", 16) {
        rec.trace_id = id;
    }
    if let Some(id) = hex_field(fields, "span_id", 8) {
        rec.span_id = id;
    }
    let flags = match fields.get("trace_flags") {
        Some(Value::String(s)) => u8::from_str_radix(s, 16).ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u8::try_from(n).ok()),
        _ => None,
    };
    if let Some(flags) = flags {
        fields.remove("trace_flags");
        rec.flags = u32::from(flags);
    }
}

fn hex_field(fields: &mut Map<String, Value>, key: &str, len: usize) -> Option<Vec<u8>> {
    let bytes = fields.get(key)?.as_str().and_then(|s| decode_hex(s, len))?;
    fields.remove(key);
    Some(bytes)
}

fn decode_hex(s: &str, len: usize) -> Option<Vec<u8>> {
    if s.len() != len * 2 || !s.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..len)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect();
    // All zeros is OpenTelemetry's "no id".
    bytes.filter(|b| b.iter().any(|&x| x != 0))
}

fn raw_record(line: &[u8], observed: u64) -> LogRecord {
    LogRecord {
        time_unix_nano: observed,
        observed_time_unix_nano: observed,
        body: Some(any_value(Value::String(
            String::from_utf8_lossy(line).into_owned(),
        ))),
        ..LogRecord::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr<'a>(rec: &'a LogRecord, key: &str) -> Option<&'a any_value::Value> {
        rec.attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref()?.value.as_ref())
    }

    fn string(s: &str) -> Option<any_value::Value> {
        Some(any_value::Value::StringValue(s.into()))
    }

    #[test]
    fn a_message_becomes_a_record_with_time_severity_body_and_attributes() {
        let line = br#"{"ts":1795718250.304033,"tid":"Xa.1","lvl":[1],"mt":"error","msg":"Hello","user":{"id":123,"tags":["a"]},"ok":true}"#;
        let rec = to_log_record(line, 42);
        assert_eq!(rec.time_unix_nano, 1_795_718_250_304_033_000);
        assert_eq!(rec.observed_time_unix_nano, 42);
        assert_eq!(
            (rec.severity_number, rec.severity_text.as_str()),
            (17, "error")
        );
        assert_eq!(rec.body.clone().unwrap().value, string("Hello"));
        assert_eq!(attr(&rec, "logxpy.task_id").cloned(), string("Xa.1"));
        assert_eq!(
            attr(&rec, "user.id"),
            Some(&any_value::Value::IntValue(123))
        );
        assert!(matches!(
            attr(&rec, "user.tags"),
            Some(any_value::Value::ArrayValue(_))
        ));
        assert_eq!(attr(&rec, "ok"), Some(&any_value::Value::BoolValue(true)));
        assert!(
            matches!(attr(&rec, "logxpy.task_level"), Some(any_value::Value::ArrayValue(a)) if a.values.len() == 1)
        );
        assert_eq!(attr(&rec, "ts"), None);
        assert_eq!(attr(&rec, "msg"), None);
    }

    #[test]
    fn trace_context_fills_the_record_fields() {
        let line = br#"{"ts":1,"mt":"info","msg":"x","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01"}"#;
        let rec = to_log_record(line, 0);
        assert_eq!(rec.trace_id.len(), 16);
        assert_eq!(rec.trace_id[0], 0x4b);
        assert_eq!(
            rec.span_id,
            [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]
        );
        assert_eq!(rec.flags, 1);
        assert!(
            rec.attributes
                .iter()
                .all(|kv| !kv.key.starts_with("trace") && kv.key != "span_id")
        );
    }

    #[test]
    fn a_malformed_trace_id_stays_an_attribute() {
        let rec = to_log_record(br#"{"msg":"x","trace_id":"nope"}"#, 0);
        assert!(rec.trace_id.is_empty());
        assert_eq!(attr(&rec, "trace_id").cloned(), string("nope"));
    }

    #[test]
    fn an_action_end_is_named_by_its_type_and_status() {
        let line = br#"{"ts":2,"tid":"Xa.2","lvl":[3],"at":"db:query","st":"failed","dur":0.5,"exc":"TypeError","reason":"bad","stack":"at x"}"#;
        let rec = to_log_record(line, 0);
        assert_eq!(rec.severity_number, SeverityNumber::Error as i32);
        assert_eq!(rec.body.clone().unwrap().value, string("db:query failed"));
        assert_eq!(
            attr(&rec, "logxpy.action_type").cloned(),
            string("db:query")
        );
        assert_eq!(attr(&rec, "exception.type").cloned(), string("TypeError"));
        assert_eq!(attr(&rec, "exception.message").cloned(), string("bad"));
        assert_eq!(attr(&rec, "exception.stacktrace").cloned(), string("at x"));
        assert_eq!(
            attr(&rec, "logxpy.duration"),
            Some(&any_value::Value::DoubleValue(0.5))
        );
    }

    #[test]
    fn the_eliot_format_maps_to_the_same_attributes() {
        let line = br#"{"timestamp":3.25,"task_uuid":"u","task_level":[1],"message_type":"warning","msg":"w"}"#;
        let rec = to_log_record(line, 0);
        assert_eq!(rec.time_unix_nano, 3_250_000_000);
        assert_eq!(rec.severity_number, SeverityNumber::Warn as i32);
        assert_eq!(attr(&rec, "logxpy.task_id").cloned(), string("u"));
    }

    #[test]
    fn a_line_that_is_not_an_object_is_kept_as_the_body() {
        let rec = to_log_record(b"not json", 9);
        assert_eq!(rec.body.unwrap().value, string("not json"));
        assert_eq!(rec.time_unix_nano, 9);
    }
}
