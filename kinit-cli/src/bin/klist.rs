//! klist: list cached Kerberos tickets or keytab entries.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tessera_cli::listing::{
    CacheListOptions, KeytabListOptions, format_ccache, format_keytab, has_valid_tgt,
};
use tessera_cli::timefmt::now;
use tessera_cli::{CliError, report};
use tessera_client::ccache::{CcacheName, CredentialCache};
use tessera_client::keytab::{Keytab, default_keytab_name, strip_keytab_prefix};

/// List cached Kerberos tickets or keytab entries.
#[derive(Debug, Parser)]
#[command(name = "klist")]
struct Args {
    /// Credential cache to list.
    #[arg(short = 'c', value_name = "CACHE")]
    cache: Option<String>,
    /// Show enctypes.
    #[arg(short = 'e')]
    etypes: bool,
    /// Show ticket flags.
    #[arg(short = 'f')]
    flags: bool,
    /// Print nothing; exit 0 if the cache has a valid ticket-granting ticket.
    #[arg(short = 's')]
    silent: bool,
    /// List a keytab instead of a credential cache.
    #[arg(short = 'k')]
    keytab_mode: bool,
    /// With -k: show entry timestamps.
    #[arg(short = 't')]
    timestamps: bool,
    /// With -k: show key bytes.
    #[arg(short = 'K')]
    keys: bool,
    /// The cache (or with -k, the keytab) to list.
    name: Option<String>,
}

fn run(args: &Args) -> Result<bool, CliError> {
    if args.keytab_mode {
        let name = args.name.clone().unwrap_or_else(default_keytab_name);
        let path = strip_keytab_prefix(&name).to_owned();
        let kt = Keytab::load(&path)?;
        print!(
            "{}",
            format_keytab(
                &format!("FILE:{path}"),
                &kt,
                KeytabListOptions {
                    timestamps: args.timestamps,
                    etypes: args.etypes,
                    keys: args.keys,
                },
            )
        );
        return Ok(true);
    }
    let cache = match args.cache.as_deref().or(args.name.as_deref()) {
        Some(c) => CcacheName::parse(c)?,
        None => CcacheName::default_name()?,
    };
    let cc = CredentialCache::load(&cache)?;
    if args.silent {
        return Ok(has_valid_tgt(&cc, now()));
    }
    print!(
        "{}",
        format_ccache(
            &cache,
            &cc,
            CacheListOptions {
                etypes: args.etypes,
                flags: args.flags,
            },
        )
    );
    Ok(true)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(_) if args.silent => ExitCode::from(1),
        Err(e) => report("klist", &e),
    }
}
