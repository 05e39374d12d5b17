//! The admin audit trail: one structured tracing event per command, with
//! target [`AUDIT_TARGET`]. Never carries a password or key.

use super::caller::Caller;

/// The tracing target of audit events.
pub const AUDIT_TARGET: &str = "tessera::admin_audit";

/// Emits the audit event for one command: who, from where, what, on whom,
/// and the result (`ok` or the error code and message).
pub fn audit(caller: &Caller, command: &str, target: &str, result: Result<(), (&str, String)>) {
    let origin = caller.origin.to_string();
    match result {
        Ok(()) => tracing::info!(
            target: AUDIT_TARGET,
            who = %caller.principal,
            origin = %origin,
            command,
            on = %target,
            result = "ok",
            "admin command succeeded"
        ),
        Err((code, message)) => tracing::warn!(
            target: AUDIT_TARGET,
            who = %caller.principal,
            origin = %origin,
            command,
            on = %target,
            result = code,
            error = %message,
            "admin command failed"
        ),
    }
}
