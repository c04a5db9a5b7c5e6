//! Deadlines from timeouts that may be "no limit".

use std::time::{Duration, Instant};

/// `now + timeout`, or a year from now when that does not fit in an
/// `Instant` (`Duration::MAX` means "no limit").
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or(now + Duration::from_secs(365 * 24 * 3600))
}
