//! What became of one export, in the terms of the OTLP specification's
//! failure handling: accepted (maybe partly), refused for good, or worth
//! retrying.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsPartialSuccess;

/// The longest `Retry-After` honoured: a collector asking for more is
/// probed again after this, so a typo in its configuration cannot silence
/// a destination for hours.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// Delivered; `rejected` of the records were refused inside it (a
    /// partial success), for the reason the collector gave.
    Accepted { rejected: u64, message: String },
    /// Refused for good: a status the specification says not to retry.
    Refused(String),
    /// Not delivered; to be tried again, not before `retry_after` when the
    /// collector said so.
    Retry {
        message: String,
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// A delivery, with the part the collector says it rejected, if any.
    pub(crate) fn accepted(partial: Option<ExportLogsPartialSuccess>) -> Outcome {
        match partial {
            Some(p) if p.rejected_log_records > 0 => Outcome::Accepted {
                rejected: p.rejected_log_records.unsigned_abs(),
                message: p.error_message,
            },
            _ => Outcome::Accepted {
                rejected: 0,
                message: String::new(),
            },
        }
    }
}

/// Whether an HTTP status is worth retrying (OTLP/HTTP: 429, 502, 503, 504).
pub(crate) fn http_retryable(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// `Retry-After` in delay-seconds (the form collectors send); an HTTP date
/// is not read, and the writer's own backoff applies instead.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_bounded() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("99999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn a_partial_success_counts_the_rejected_records() {
        let partial = ExportLogsPartialSuccess {
            rejected_log_records: 3,
            error_message: "too old".into(),
        };
        assert_eq!(
            Outcome::accepted(Some(partial)),
            Outcome::Accepted {
                rejected: 3,
                message: "too old".into()
            }
        );
        assert_eq!(
            Outcome::accepted(None),
            Outcome::Accepted {
                rejected: 0,
                message: String::new()
            }
        );
    }

    #[test]
    fn only_the_statuses_the_specification_names_are_retried() {
        assert!([429, 502, 503, 504].into_iter().all(http_retryable));
        assert!(
            ![400, 401, 403, 404, 413, 500]
                .into_iter()
                .any(http_retryable)
        );
    }
}
