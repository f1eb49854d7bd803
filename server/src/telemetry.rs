//! Tracing set-up: one subscriber for the process, filtered by `RUST_LOG`, pretty or JSON lines.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber; later calls are no-ops (tests call it once per process).
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = tracing_subscriber::registry().with(filter);
    // Logs go to stderr so commands such as `pnl token` keep stdout for their result.
    let result = match format {
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    // An already-installed subscriber (a second call) is fine.
    drop(result);
}
