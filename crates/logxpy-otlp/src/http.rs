//! OTLP/HTTP with protobuf bodies, on a blocking client: the exporter has
//! its own thread, so a blocking call costs nothing anyone waits for.

use std::io::Write;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use prost::Message;

use crate::outcome::{Outcome, http_retryable, parse_retry_after};

/// The most of an error response's body quoted in a report.
const QUOTED_BODY: usize = 200;

pub(crate) struct HttpTransport {
    agent: ureq::Agent,
    url: String,
    headers: Vec<(String, String)>,
    gzip: bool,
}

impl HttpTransport {
    pub(crate) fn new(
        url: String,
        headers: Vec<(String, String)>,
        timeout: Duration,
        gzip: bool,
    ) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        HttpTransport {
            agent,
            url,
            headers,
            gzip,
        }
    }

    pub(crate) fn export(&mut self, request: ExportLogsServiceRequest) -> Outcome {
        let mut body = request.encode_to_vec();
        let mut call = self
            .agent
            .post(&self.url)
            .header("content-type", "application/x-protobuf");
        if self.gzip {
            let mut gz = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
            if gz.write_all(&body).is_ok()
                && let Ok(compressed) = gz.finish()
            {
                body = compressed;
                call = call.header("content-encoding", "gzip");
            }
        }
        for (name, value) in &self.headers {
            call = call.header(name, value);
        }
        let mut response = match call.send(&body[..]) {
            Ok(response) => response,
            Err(err) => {
                return Outcome::Retry {
                    message: format!("OTLP/HTTP export to {} failed: {err}", self.url),
                    retry_after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let reply = response.body_mut().read_to_vec().unwrap_or_default();
        if (200..300).contains(&status) {
            let partial = ExportLogsServiceResponse::decode(&reply[..])
                .ok()
                .and_then(|r| r.partial_success);
            return Outcome::accepted(partial);
        }
        let quoted = String::from_utf8_lossy(&reply[..reply.len().min(QUOTED_BODY)]).into_owned();
        let message = format!(
            "OTLP/HTTP export to {} answered HTTP {status}: {}",
            self.url,
            quoted.trim()
        );
        if http_retryable(status) {
            Outcome::Retry {
                message,
                retry_after,
            }
        } else {
            Outcome::Refused(message)
        }
    }
}
