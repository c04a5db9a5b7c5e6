//! The OTLP/HTTP sink behind a real writer, against a small HTTP server on
//! 127.0.0.1 that answers as the test says: gzip and protobuf on the wire,
//! `Retry-After` honoured, refused batches counted as dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use logxpy_core::{Breaker, Hooks, LOGXPY_ERR_EXPORT, Writer, WriterConfig};
use logxpy_otlp::{OtlpConfig, OtlpSink, Protocol};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use prost::Message;

/// One request as the server saw it: when, and the decoded export.
struct Received {
    at: Instant,
    request: ExportLogsServiceRequest,
}

/// Serves each connection on a thread of its own, answering the n-th request with `answers[n]`
/// (the last one after that).
fn server(answers: Vec<&'static str>) -> (u16, Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = channel();
    let answered = Arc::new(AtomicUsize::new(0));
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (tx, answers, answered) = (tx.clone(), answers.clone(), Arc::clone(&answered));
            thread::spawn(move || serve(stream, &tx, &answers, &answered));
        }
    });
    (port, rx)
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, tx: &Sender<Received>, answers: &[&str], answered: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let (mut length, mut gzip) = (0usize, false);
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            gzip |= lower.starts_with("content-encoding: gzip");
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        if gzip {
            let mut plain = Vec::new();
            GzDecoder::new(&body[..]).read_to_end(&mut plain).unwrap();
            body = plain;
        }
        let request = ExportLogsServiceRequest::decode(&body[..]).unwrap();
        let _ = tx.send(Received {
            at: Instant::now(),
            request,
        });
        let n = answered.fetch_add(1, SeqCst);
        let answer = answers[n.min(answers.len() - 1)];
        stream
            .write_all(format!("HTTP/1.1 {answer}\r\ncontent-length: 0\r\n\r\n").as_bytes())
            .unwrap();
    }
}

fn writer(port: u16) -> (Writer, Receiver<logxpy_core::Error>) {
    let (errors_tx, errors) = channel();
    let hooks = Hooks {
        on_error: Some(Box::new(move |err| {
            let _ = errors_tx.send(err);
        })),
        on_warn: None,
    };
    let sink = OtlpSink::new(OtlpConfig {
        endpoint: format!("http://127.0.0.1:{port}/v1/logs"),
        protocol: Protocol::HttpProtobuf,
        resource: serde_json::from_str(r#"{"service.name":"svc","host":{"name":"h"}}"#).unwrap(),
        timeout: Duration::from_secs(5),
        ..OtlpConfig::default()
    })
    .unwrap();
    let config = WriterConfig {
        batch_size: 10,
        flush_interval: Duration::from_millis(10),
        breaker: Some(Breaker::default()),
        ..WriterConfig::default()
    };
    (
        Writer::with_sink(Box::new(sink), config, hooks).unwrap(),
        errors,
    )
}

#[test]
fn a_batch_is_exported_gzipped_as_protobuf_with_its_resource_and_records() {
    let (port, requests) = server(vec!["200 OK"]);
    let (writer, _errors) = writer(port);
    let lines: String = (0..5)
        .map(|i| format!("{{\"ts\":1795718250.5,\"mt\":\"info\",\"msg\":\"m{i}\",\"i\":{i}}}\n"))
        .collect();
    writer.send(lines.into_bytes(), 5).unwrap();
    assert!(writer.flush(Duration::from_secs(10)));
    let got = requests
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .request;
    let rl = &got.resource_logs[0];
    let mut resource: Vec<&str> = rl
        .resource
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|kv| kv.key.as_str())
        .collect();
    resource.sort_unstable();
    assert_eq!(
        resource,
        ["host.name", "service.name"],
        "nested attributes are flattened"
    );
    let records = &rl.scope_logs[0].log_records;
    assert_eq!(records.len(), 5);
    assert_eq!(
        records[3].body.as_ref().unwrap().value,
        Some(Value::StringValue("m3".into()))
    );
    assert_eq!(records[3].time_unix_nano, 1_795_718_250_500_000_000);
    assert_eq!(writer.metrics().written, 5);
}

#[test]
fn a_503_with_retry_after_is_retried_no_sooner_than_it_asks() {
    let (port, requests) = server(vec!["503 Service Unavailable\r\nretry-after: 1", "200 OK"]);
    let (writer, errors) = writer(port);
    writer.send(b"{\"msg\":\"again\"}\n".to_vec(), 1).unwrap();
    assert!(writer.flush(Duration::from_secs(10)));
    let first = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let second = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        second.at - first.at >= Duration::from_secs(1),
        "{:?}",
        second.at - first.at
    );
    let err = errors.recv_timeout(Duration::from_secs(1)).unwrap();
    assert_eq!(err.code, LOGXPY_ERR_EXPORT);
    assert!(err.message.contains("HTTP 503"), "{err}");
    let m = writer.metrics();
    assert_eq!((m.written, m.dropped, m.errors), (1, 0, 1));
}

#[test]
fn a_400_drops_the_batch_counted_and_reported_without_a_retry() {
    let (port, requests) = server(vec!["400 Bad Request"]);
    let (writer, errors) = writer(port);
    writer
        .send(b"{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n".to_vec(), 2)
        .unwrap();
    assert!(writer.flush(Duration::from_secs(10)));
    requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let err = errors.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(
        err.message.contains("HTTP 400") && err.message.contains("2 record(s) dropped"),
        "{err}"
    );
    let m = writer.metrics();
    assert_eq!((m.enqueued, m.written, m.dropped, m.pending), (2, 0, 2, 0));
    assert!(
        requests.recv_timeout(Duration::from_millis(300)).is_err(),
        "not retried"
    );
}
