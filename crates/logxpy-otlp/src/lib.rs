//! logxpy's OTLP exporter: a [`Sink`] for logxpy-core's writer thread that
//! turns JSON lines into OTLP `LogRecord`s ([`record`]) and exports each
//! batch to an OpenTelemetry Collector over gRPC or HTTP (protobuf),
//! gzipped. It sits behind the same bounded queue, policies, metrics and
//! fault reports as a file; failures follow the OTLP specification:
//! retryable statuses are retried with the writer's backoff (never sooner
//! than a `Retry-After`), others refuse the batch, whose records are
//! counted as dropped. Give the writer a [`Breaker`](logxpy_core::Breaker)
//! so that a collector that stays down does not hold up its senders.
//!
//! ```no_run
//! use std::time::Duration;
//! use logxpy_core::{Breaker, Hooks, Writer, WriterConfig};
//! use logxpy_otlp::{OtlpConfig, OtlpSink, Protocol};
//!
//! let config = OtlpConfig {
//!     endpoint: "http://127.0.0.1:4318/v1/logs".into(),
//!     protocol: Protocol::HttpProtobuf,
//!     ..OtlpConfig::default()
//! };
//! let sink = OtlpSink::new(config)?;
//! let writer_config = WriterConfig { breaker: Some(Breaker::default()), ..WriterConfig::default() };
//! let writer = Writer::with_sink(Box::new(sink), writer_config, Hooks::default())?;
//! writer.send(br#"{"ts":1795718250.3,"mt":"info","msg":"hello"}"#.to_vec(), 1)?;
//! writer.shutdown(Duration::from_secs(5));
//! # Ok::<(), logxpy_core::Error>(())
//! ```

mod grpc;
mod http;
mod outcome;
pub mod record;

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::time::Duration;

use logxpy_core::{Error, Sink};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::logs::v1::{ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde_json::{Map, Value};

use crate::grpc::GrpcTransport;
use crate::http::HttpTransport;
use crate::outcome::Outcome;

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// OTLP/gRPC (`LogsService/Export`), usually port 4317.
    #[default]
    Grpc,
    /// OTLP/HTTP with protobuf bodies, usually port 4318, path `/v1/logs`.
    HttpProtobuf,
}

/// Where and how to export.
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpConfig {
    /// gRPC: `http://host:4317`; HTTP: the full URL, `http://host:4318/v1/logs`.
    pub endpoint: String,
    pub protocol: Protocol,
    /// Sent with every export (`authorization`, say); gRPC metadata names are lowercased.
    pub headers: Vec<(String, String)>,
    /// Resource attributes (`service.name` and the rest); nested objects are flattened.
    pub resource: Map<String, Value>,
    /// The bound of one export, connection included.
    pub timeout: Duration,
    /// Gzip each request body.
    pub gzip: bool,
}

impl Default for OtlpConfig {
    fn default() -> Self {
        OtlpConfig {
            endpoint: String::new(),
            protocol: Protocol::default(),
            headers: Vec::new(),
            resource: Map::new(),
            timeout: Duration::from_secs(10),
            gzip: true,
        }
    }
}

enum Transport {
    Grpc(Box<GrpcTransport>),
    Http(HttpTransport),
}

/// A [`Sink`] that exports every batch it is given as one OTLP request. A
/// batch is delivered whole or not at all, so a retry never sends a record
/// twice to a collector that answered.
pub struct OtlpSink {
    transport: Transport,
    resource: Resource,
    scope: InstrumentationScope,
    retry_after: Option<Duration>,
    rejected: u64,
    faults: VecDeque<Error>,
}

impl OtlpSink {
    /// Checks the configuration; nothing is sent until the first batch.
    ///
    /// # Errors
    ///
    /// `LOGXPY_ERR_OPTION` for an endpoint that is not an `http://` or
    /// `https://` URL, a header that cannot be sent, or a timeout of zero.
    pub fn new(config: OtlpConfig) -> Result<OtlpSink, Error> {
        let scheme_ok =
            config.endpoint.starts_with("http://") || config.endpoint.starts_with("https://");
        if !scheme_ok {
            return Err(Error::option(
                "otlp endpoint",
                &format!("{:?} must be an http:// or https:// URL", config.endpoint),
            ));
        }
        if config.timeout.is_zero() {
            return Err(Error::option("otlp timeout", "must be more than zero"));
        }
        let transport = match config.protocol {
            Protocol::Grpc => Transport::Grpc(Box::new(GrpcTransport::new(
                config.endpoint.clone(),
                &config.headers,
                config.timeout,
                config.gzip,
            )?)),
            Protocol::HttpProtobuf => Transport::Http(HttpTransport::new(
                config.endpoint.clone(),
                config.headers.clone(),
                config.timeout,
                config.gzip,
            )),
        };
        let mut attributes: Vec<KeyValue> = Vec::new();
        for (key, value) in config.resource {
            record::push(&mut attributes, key, value, 0);
        }
        Ok(OtlpSink {
            transport,
            resource: Resource {
                attributes,
                ..Resource::default()
            },
            scope: InstrumentationScope {
                name: "logxpy".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..InstrumentationScope::default()
            },
            retry_after: None,
            rejected: 0,
            faults: VecDeque::new(),
        })
    }

    fn request(&self, bufs: &[IoSlice<'_>]) -> (ExportLogsServiceRequest, u64) {
        let observed = record::now_nanos();
        let mut records = Vec::new();
        for buf in bufs {
            for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                records.push(record::to_log_record(line, observed));
            }
        }
        let count = records.len() as u64;
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(self.resource.clone()),
                scope_logs: vec![ScopeLogs {
                    scope: Some(self.scope.clone()),
                    log_records: records,
                    ..ScopeLogs::default()
                }],
                ..ResourceLogs::default()
            }],
        };
        (request, count)
    }
}

impl Sink for OtlpSink {
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let offered: usize = bufs.iter().map(|b| b.len()).sum();
        let (request, count) = self.request(bufs);
        if count == 0 {
            return Ok(offered);
        }
        let outcome = match &mut self.transport {
            Transport::Grpc(t) => t.export(request),
            Transport::Http(t) => t.export(request),
        };
        match outcome {
            Outcome::Accepted { rejected: 0, .. } => Ok(offered),
            Outcome::Accepted { rejected, message } => {
                self.rejected += rejected.min(count);
                self.faults.push_back(Error::export(format!(
                    "the collector rejected {rejected} of {count} record(s): {message}"
                )));
                Ok(offered)
            }
            Outcome::Refused(message) => {
                self.rejected += count;
                self.faults.push_back(Error::export(format!(
                    "{message}; {count} record(s) dropped (not retryable)"
                )));
                Ok(offered)
            }
            Outcome::Retry {
                message,
                retry_after,
            } => {
                self.retry_after = retry_after;
                Err(io::Error::other(Error::export(message)))
            }
        }
    }

    fn retry_after(&mut self) -> Option<Duration> {
        self.retry_after.take()
    }

    fn take_rejected(&mut self) -> u64 {
        std::mem::take(&mut self.rejected)
    }

    fn take_fault(&mut self) -> Option<Error> {
        self.faults.pop_front()
    }
}
