//! Stopping the servers on SIGTERM or SIGINT.

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts watching SIGTERM and SIGINT and returns the task that cancels
/// `token` when one arrives (or ends when `token` is cancelled otherwise).
///
/// The signal handlers are installed before this returns, so a signal sent
/// right after the caller reports readiness is not lost. Must be called
/// from inside a Tokio runtime.
pub fn cancel_on_signal(token: CancellationToken) -> JoinHandle<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        let watch = |kind: SignalKind, name: &'static str| -> Option<Signal> {
            signal(kind)
                .map_err(|e| tracing::warn!(error = %e, signal = name, "cannot watch signal"))
                .ok()
        };
        let term = watch(SignalKind::terminate(), "SIGTERM");
        let int = watch(SignalKind::interrupt(), "SIGINT");
        let wait = |s: Option<Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::spawn(async move {
            tokio::select! {
                () = wait(term) => tracing::info!("SIGTERM received"),
                () = wait(int) => tracing::info!("SIGINT received"),
                () = token.cancelled() => {}
            }
            token.cancel();
        })
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C received"),
                () = token.cancelled() => {}
            }
            token.cancel();
        })
    }
}
