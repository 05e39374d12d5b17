//! kpasswd: change a password with the RFC 3244 protocol (or, with
//! `--set TARGET`, set another principal's password as an administrator).
//!
//! Gets an initial ticket for `kadmin/changepw` with the current password,
//! sends an AP-REQ plus a KRB-PRIV holding the new password to the realm's
//! kpasswd server (`tessera_client::kpasswd`, which `kinit` also uses for
//! an expired password), checks the AP-REP and prints the one-line
//! result. Passwords are prompted without echo on a terminal, otherwise
//! read as lines of standard input (current, new, new again).
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tessera_cli::CliError;
use tessera_cli::password::prompt_password;
use tessera_client::kdc_client::{InitialSecret, blocking, cache_principal};
use tessera_client::kpasswd::{self as rfc3244, change_password};
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;

/// Change a Kerberos password.
#[derive(Debug, Parser)]
#[command(name = "kpasswd")]
struct Args {
    /// Set this principal's password instead of your own (RFC 3244 set
    /// password; needs the `c` right in the KDC's ACL).
    #[arg(long = "set", value_name = "TARGET")]
    set: Option<String>,
    /// The kpasswd server HOST:PORT (default: kpasswd_server in krb5.conf).
    #[arg(short = 's', long = "server", value_name = "HOST:PORT")]
    server: Option<String>,
    /// Whose password to use (default: the cache's principal, else $USER).
    principal: Option<String>,
}

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
enum KpasswdError {
    #[error(transparent)]
    Cli(#[from] CliError),
    #[error("cannot read password: {0}")]
    Input(std::io::Error),
    #[error("end of input while reading passwords")]
    Eof,
    #[error("Password mismatch while reading password")]
    Mismatch,
    #[error(transparent)]
    Change(#[from] rfc3244::KpasswdError),
}

fn read(prompt: &str) -> Result<Password, KpasswdError> {
    prompt_password(prompt)
        .map_err(KpasswdError::Input)?
        .ok_or(KpasswdError::Eof)
}

fn run(args: &Args) -> Result<String, KpasswdError> {
    let client = blocking::Client::from_default_config().map_err(CliError::from)?;
    let realm = client
        .inner()
        .default_realm()
        .map_err(CliError::from)?
        .to_owned();
    let name = match &args.principal {
        Some(p) => p.clone(),
        None => match tessera_client::ccache::CcacheName::default_name()
            .ok()
            .and_then(|c| cache_principal(&c))
        {
            Some(p) => p.to_string(),
            None => std::env::var("USER").map_err(|_| CliError::NoPrincipal)?,
        },
    };
    let me = Principal::parse_with_default_realm(&name, &realm).map_err(CliError::from)?;
    let target = match &args.set {
        Some(t) => Some(Principal::parse_with_default_realm(t, &me.realm).map_err(CliError::from)?),
        None => None,
    };
    let old = read(&format!("Password for {me}: "))?;
    let creds = client
        .changepw_ticket(&me, &InitialSecret::Password(old))
        .map_err(CliError::from)?;
    let new1 = read("Enter new password: ")?;
    let new2 = read("Enter it again: ")?;
    if new1.as_bytes() != new2.as_bytes() {
        return Err(KpasswdError::Mismatch);
    }
    let servers = match &args.server {
        Some(s) => vec![s.clone()],
        None => client.inner().kpasswd_servers(&me.realm),
    };
    change_password(&servers, &creds, &new1, target.as_ref())?;
    Ok(match &target {
        None => "Password changed.".to_owned(),
        Some(t) => format!("Password for {t} set."),
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kpasswd: {e}");
            ExitCode::from(1)
        }
    }
}
