//! Tracing setup for the binary: text or JSON lines on stderr, filtered by
//! `RUST_LOG` (default `info`). Text lines carry ANSI colours only when
//! stderr is a terminal: a log file or pipe gets plain text.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Whether log lines written to stderr may carry ANSI colour codes: only
/// when stderr is a terminal.
pub fn stderr_ansi() -> bool {
    std::io::stderr().is_terminal()
}

/// Installs the global tracing subscriber. Calling it twice is harmless (the
/// second call does nothing).
pub fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(stderr_ansi())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
