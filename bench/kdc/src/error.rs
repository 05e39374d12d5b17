//! The load generator's error type.

use tessera_client::kdc_client::KdcClientError;
use tessera_proto::crypto::CryptoError;
use tessera_proto::msg::time::TimeError;
use tessera_proto::msg::{EncodeError, NameError};

/// Everything that stops a benchmark run. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A command-line argument is missing or malformed.
    #[error("argument {name}: {problem} (see --help)")]
    Arg {
        /// The argument.
        name: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// An unknown command-line argument.
    #[error("unknown argument {0:?} (see --help)")]
    UnknownArg(String),
    /// The enctype number is not one we implement.
    #[error("unsupported enctype {0}")]
    Enctype(i32),
    /// Building a request failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Encoding a request failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A principal name is invalid.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A timestamp is out of range.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// Getting the TGT for the TGS benchmark failed.
    #[error("getting the TGT: {0}")]
    Client(#[from] KdcClientError),
    /// File or socket error.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Underlying error.
        source: std::io::Error,
    },
    /// /proc/PID/stat is missing or unreadable.
    #[error("cannot read the CPU time of process {0} from /proc")]
    ProcStat(u32),
}

/// Wraps an I/O error with what was being done.
pub fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> LoadError {
    move |source| LoadError::Io { what, source }
}
