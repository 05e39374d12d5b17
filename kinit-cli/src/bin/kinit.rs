//! kinit: obtain and cache a Kerberos ticket-granting ticket.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tessera_cli::password::read_password;
use tessera_cli::pwchange::change_expired_password;
use tessera_cli::{CliError, report};
use tessera_client::ccache::CcacheName;
use tessera_client::config::values::parse_duration;
use tessera_client::convert::kt_to_principal;
use tessera_client::kdc_client::{InitialSecret, KdcClientError, blocking, cache_principal};
use tessera_client::keytab::{Keytab, default_keytab_name, strip_keytab_prefix};
use tessera_proto::msg::Principal;

/// Obtain and cache a Kerberos ticket-granting ticket.
#[derive(Debug, Parser)]
#[command(name = "kinit")]
struct Args {
    /// Print what is being done.
    #[arg(short = 'V')]
    verbose: bool,
    /// Requested ticket lifetime (e.g. 10h, 7d, 1h30m, seconds).
    #[arg(short = 'l', value_name = "LIFETIME")]
    lifetime: Option<String>,
    /// Requested renewable lifetime.
    #[arg(short = 'r', value_name = "RENEWABLE")]
    renewable: Option<String>,
    /// Request a forwardable ticket.
    #[arg(short = 'f', conflicts_with = "not_forwardable")]
    forwardable: bool,
    /// Request a non-forwardable ticket.
    #[arg(short = 'F')]
    not_forwardable: bool,
    /// Credential cache to use.
    #[arg(short = 'c', value_name = "CACHE")]
    cache: Option<String>,
    /// Service to get the initial ticket for (default krbtgt/REALM).
    #[arg(short = 'S', value_name = "SERVICE")]
    service: Option<String>,
    /// Use a key from a keytab instead of a password.
    #[arg(short = 'k')]
    use_keytab: bool,
    /// The keytab for -k.
    #[arg(short = 't', value_name = "KEYTAB", requires = "use_keytab")]
    keytab: Option<String>,
    /// Renew the ticket-granting ticket in the cache.
    #[arg(short = 'R')]
    renew: bool,
    /// The client principal.
    principal: Option<String>,
}

fn duration(s: &str) -> Result<std::time::Duration, CliError> {
    parse_duration(s).ok_or_else(|| CliError::BadDuration(s.to_owned()))
}

fn run(args: Args) -> Result<(), CliError> {
    let client = blocking::Client::from_default_config()?;
    let lib = client.inner();
    let cache = match &args.cache {
        Some(c) => CcacheName::parse(c)?,
        None => CcacheName::default_name()?,
    };
    if args.verbose {
        println!("Using cache: {cache}");
    }
    if args.renew {
        let creds = client.renew_cache(&cache)?;
        if args.verbose {
            println!("Using principal: {}", creds.client);
            println!("Authenticated to Kerberos v5");
        }
        return Ok(());
    }
    let kt = if args.use_keytab {
        let name = args.keytab.clone().unwrap_or_else(default_keytab_name);
        let name = strip_keytab_prefix(&name).to_owned();
        Some((Keytab::load(&name)?, name))
    } else {
        None
    };
    let principal: Principal = match &args.principal {
        Some(p) => lib.parse_principal(p)?,
        None => match &kt {
            Some((k, _)) => k
                .entries
                .first()
                .map(|e| kt_to_principal(&e.principal))
                .ok_or(CliError::NoPrincipal)?,
            None => match cache_principal(&cache) {
                Some(p) => p,
                None => {
                    let user = std::env::var("USER").map_err(|_| CliError::NoPrincipal)?;
                    lib.parse_principal(&user)?
                }
            },
        },
    };
    if args.verbose {
        println!("Using principal: {principal}");
    }
    let mut opts = lib.as_options();
    if let Some(l) = &args.lifetime {
        opts.lifetime = duration(l)?;
    }
    if let Some(r) = &args.renewable {
        opts.renew_lifetime = Some(duration(r)?);
    }
    if args.forwardable {
        opts.forwardable = true;
    }
    if args.not_forwardable {
        opts.forwardable = false;
    }
    let service = args
        .service
        .as_deref()
        .map(|s| {
            let mut p = Principal::parse(s)?;
            if p.realm.is_empty() {
                p.realm.clone_from(&principal.realm);
            }
            Ok::<_, CliError>(p)
        })
        .transpose()?;
    let secret = match kt {
        Some((keytab, name)) => {
            if args.verbose {
                println!("Using keytab: FILE:{name}");
            }
            InitialSecret::Keytab { keytab, name }
        }
        None => InitialSecret::Password(read_password(&principal.to_string())?),
    };
    match client.kinit(&cache, &principal, service.as_ref(), &secret, &opts) {
        Ok(_) => {}
        // KDC_ERR_KEY_EXPIRED (our KDC answers it only after the password
        // proved right; MIT's may before pre-authentication, and then the
        // kadmin/changepw exchange finds a wrong password): change it,
        // then ask again with the new one.
        Err(KdcClientError::PasswordExpired { .. }) => match &secret {
            InitialSecret::Password(old) => {
                let new = change_expired_password(&client, &principal, old)?;
                let secret = InitialSecret::Password(new);
                client.kinit(&cache, &principal, service.as_ref(), &secret, &opts)?;
            }
            InitialSecret::Keytab { name, .. } => {
                return Err(CliError::KeytabPasswordExpired {
                    principal: principal.to_string(),
                    keytab: format!("FILE:{name}"),
                });
            }
        },
        Err(e) => return Err(e.into()),
    }
    if args.verbose {
        println!("Authenticated to Kerberos v5");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report("kinit", &e),
    }
}
