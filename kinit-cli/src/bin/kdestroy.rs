//! kdestroy: destroy a credential cache.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tessera_cli::{CliError, report};
use tessera_client::ccache::{CcacheError, CcacheName, CredentialCache};

/// Destroy a Kerberos credential cache.
#[derive(Debug, Parser)]
#[command(name = "kdestroy")]
struct Args {
    /// The cache to destroy.
    #[arg(short = 'c', value_name = "CACHE")]
    cache: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cache = match args.cache.as_deref() {
        Some(c) => CcacheName::parse(c),
        None => CcacheName::default_name(),
    };
    let cache = match cache {
        Ok(c) => c,
        Err(e) => return report("kdestroy", &CliError::from(e)),
    };
    match CredentialCache::destroy(&cache) {
        Ok(()) => ExitCode::SUCCESS,
        // Like MIT: a missing cache is reported but is not a failure.
        Err(e @ CcacheError::NotFound(_)) => {
            eprintln!("kdestroy: {e} while destroying cache");
            ExitCode::SUCCESS
        }
        Err(e) => report("kdestroy", &CliError::from(e)),
    }
}
