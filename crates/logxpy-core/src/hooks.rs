//! The callbacks through which a writer reports what goes wrong after it is
//! built. Only `writer` (which takes them apart), `policy` (warnings) and the
//! writer thread (errors) use them.

use crate::error::Error;

/// Called on the writer thread with each failed write.
pub type ErrorHook = Box<dyn Fn(Error) + Send + Sync>;
/// Called on the sending thread with the number of records dropped since the
/// previous warning (policy `Warn` only, at most once per second).
pub type WarnHook = Box<dyn Fn(u64) + Send + Sync>;

/// Callbacks through which a writer reports what goes wrong after it is built.
///
/// ```
/// use logxpy_core::Hooks;
///
/// let hooks = Hooks {
///     on_error: Some(Box::new(|err| eprintln!("{err}"))),
///     on_warn: Some(Box::new(|dropped| eprintln!("dropped {dropped} records"))),
/// };
/// # drop(hooks);
/// ```
#[derive(Default)]
pub struct Hooks {
    /// Write failures; without it they are still counted in `Metrics::errors`.
    pub on_error: Option<ErrorHook>,
    /// Drop warnings under `QueuePolicy::Warn`.
    pub on_warn: Option<WarnHook>,
}
