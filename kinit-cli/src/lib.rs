//! Shared code of the command-line tools `kinit`, `klist`, `kdestroy` and
//! `kvno`: error type, time formatting as MIT prints it, password input,
//! the expired-password change of `kinit`, and the listings `klist`
//! prints.
#![forbid(unsafe_code)]

pub mod error;
pub mod listing;
pub mod password;
pub mod pwchange;
pub mod ticket_check;
pub mod timefmt;

pub use error::CliError;

/// Prints `prog: err` on one line to stderr and returns exit status 1.
pub fn report(prog: &str, err: &dyn std::fmt::Display) -> std::process::ExitCode {
    eprintln!("{prog}: {err}");
    std::process::ExitCode::from(1)
}
