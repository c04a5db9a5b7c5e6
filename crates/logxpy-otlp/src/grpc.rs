//! OTLP/gRPC with tonic, on a current-thread tokio runtime the exporter
//! thread owns: it runs only while an export is under way, so no thread
//! pool exists for a logger.

use std::time::Duration;

use logxpy_core::Error;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use tonic::codec::CompressionEncoding;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request};

use crate::outcome::Outcome;

pub(crate) struct GrpcTransport {
    runtime: tokio::runtime::Runtime,
    client: LogsServiceClient<Channel>,
    metadata: MetadataMap,
    endpoint: String,
}

impl GrpcTransport {
    /// Checks the endpoint and headers; connects at the first export.
    pub(crate) fn new(
        endpoint: String,
        headers: &[(String, String)],
        timeout: Duration,
        gzip: bool,
    ) -> Result<Self, Error> {
        let bad = |why: String| Error::option("otlp endpoint", &why);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| bad(format!("cannot start the gRPC runtime: {err}")))?;
        let target = Endpoint::from_shared(endpoint.clone())
            .map_err(|err| bad(format!("{endpoint:?} is not a gRPC endpoint: {err}")))?
            .timeout(timeout)
            .connect_timeout(timeout);
        let channel = {
            let _inside = runtime.enter();
            target.connect_lazy()
        };
        let mut client = LogsServiceClient::new(channel);
        if gzip {
            // A collector answers in the encoding it was sent.
            client = client
                .send_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Gzip);
        }
        let mut metadata = MetadataMap::new();
        for (name, value) in headers {
            let key =
                MetadataKey::from_bytes(name.to_ascii_lowercase().as_bytes()).map_err(|_| {
                    Error::option(
                        "otlp headers",
                        &format!("{name:?} is not a gRPC metadata name"),
                    )
                })?;
            let value = MetadataValue::try_from(value.as_str()).map_err(|_| {
                Error::option(
                    "otlp headers",
                    &format!("the value of {name:?} is not valid in gRPC metadata"),
                )
            })?;
            metadata.insert(key, value);
        }
        Ok(GrpcTransport {
            runtime,
            client,
            metadata,
            endpoint,
        })
    }

    pub(crate) fn export(&mut self, request: ExportLogsServiceRequest) -> Outcome {
        let mut call = Request::new(request);
        *call.metadata_mut() = self.metadata.clone();
        let client = &mut self.client;
        match self.runtime.block_on(client.export(call)) {
            Ok(reply) => Outcome::accepted(reply.into_inner().partial_success),
            Err(status) => {
                let message = format!(
                    "OTLP/gRPC export to {} failed with status {:?}: {}",
                    self.endpoint,
                    status.code(),
                    status.message()
                );
                // The codes the OTLP specification calls retryable; RESOURCE_EXHAUSTED is
                // retried too, as losing records is worse than waiting for a busy collector.
                let retryable = matches!(
                    status.code(),
                    Code::Cancelled
                        | Code::DeadlineExceeded
                        | Code::ResourceExhausted
                        | Code::Aborted
                        | Code::OutOfRange
                        | Code::Unavailable
                        | Code::DataLoss
                        | Code::Unknown
                );
                if retryable {
                    Outcome::Retry {
                        message,
                        retry_after: None,
                    }
                } else {
                    Outcome::Refused(message)
                }
            }
        }
    }
}
