//! kvno: get service tickets and print their key version numbers.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tessera_cli::ticket_check::verify_with_keytab;
use tessera_cli::{CliError, report};
use tessera_client::ccache::CcacheName;
use tessera_client::kdc_client::blocking;
use tessera_client::keytab::{Keytab, strip_keytab_prefix};
use tessera_proto::crypto::EncType;
use tessera_proto::msg::Principal;

/// Get service tickets and print their key version numbers.
#[derive(Debug, Parser)]
#[command(name = "kvno")]
struct Args {
    /// Credential cache to use.
    #[arg(short = 'c', value_name = "CACHE")]
    cache: Option<String>,
    /// Session key enctype to ask for.
    #[arg(short = 'e', value_name = "ETYPE")]
    etype: Option<String>,
    /// Check each ticket decrypts with this keytab.
    #[arg(short = 'k', value_name = "KEYTAB")]
    keytab: Option<String>,
    /// Service principals.
    #[arg(required = true)]
    services: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let setup = || -> Result<_, CliError> {
        let client = blocking::Client::from_default_config()?;
        let cache = match args.cache.as_deref() {
            Some(c) => CcacheName::parse(c)?,
            None => CcacheName::default_name()?,
        };
        let mut opts = client.inner().tgs_options();
        if let Some(e) = &args.etype {
            let t = EncType::from_name(e).ok_or_else(|| CliError::BadEnctype(e.clone()))?;
            opts.enctypes = vec![t];
        }
        let kt = match &args.keytab {
            Some(k) => {
                let path = strip_keytab_prefix(k).to_owned();
                Some((Keytab::load(&path)?, path))
            }
            None => None,
        };
        Ok((client, cache, opts, kt))
    };
    let (client, cache, opts, kt) = match setup() {
        Ok(v) => v,
        Err(e) => return report("kvno", &e),
    };
    let mut failed = false;
    for s in &args.services {
        let one = || -> Result<String, CliError> {
            let mut service = Principal::parse(s)?;
            if service.realm.is_empty() {
                let owner = tessera_client::kdc_client::cache_principal(&cache);
                service.realm = match owner {
                    Some(p) => p.realm,
                    None => client.inner().default_realm()?.to_owned(),
                };
            }
            let creds = client.service_ticket(&cache, &service, &opts)?;
            let kvno = creds.ticket_kvno.unwrap_or(0);
            let mut line = format!("{service}: kvno = {kvno}");
            if let Some((keytab, name)) = &kt {
                verify_with_keytab(&creds, keytab, name)?;
                line.push_str(", keytab entry valid");
            }
            Ok(line)
        };
        match one() {
            Ok(line) => println!("{line}"),
            Err(e) => {
                report("kvno", &e);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
