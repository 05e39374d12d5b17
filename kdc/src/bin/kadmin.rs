//! `kadmin`: realm administration with MIT's command names.
//!
//! Local mode (`-l`, MIT's kadmin.local) opens the principal database
//! directly (SQLite WAL), so it works while `tessera-kdc serve` runs; the
//! server picks changes up on its next refresh. ACLs do not apply locally;
//! every command is audited as `local:<unix user>` to
//! `<database dir>/admin-audit.log` (JSON lines).
//!
//! Remote mode (the default) authenticates as `-p PRINCIPAL` (password
//! from `-w`, the terminal, or the first line of standard input; or `-k
//! -t KEYTAB`) with a ticket for `kadmin/admin`, and sends the same
//! commands to the admin service of `tessera-kdc serve` (`-s HOST:PORT`,
//! default `admin_server` in krb5.conf), where the ACL applies. `ktadd`
//! writes the keytab on this machine.
//!
//! ```text
//! kadmin -l --config kdc.toml addprinc -pw secret alice
//! kadmin -l --config kdc.toml -q "getprinc alice"
//! kadmin -l --config kdc.toml --json listprincs
//! kadmin -l --config kdc.toml            # interactive prompt
//! kadmin -p admin/admin -w secret -q "addprinc -pw pw bob"
//! kadmin -p admin/admin -k -t admin.keytab ktadd -k http.keytab HTTP/web
//! ```
#![forbid(unsafe_code)]

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use tessera_client::kdc_client::{InitialSecret, blocking};
use tessera_client::keytab::{Keytab, default_keytab_name, strip_keytab_prefix};
use tessera_kdc::admin::audit::AUDIT_TARGET;
use tessera_kdc::admin::cli::{LineResult, Prompter, Session};
use tessera_kdc::admin::parse::carries_password;
use tessera_kdc::admin::{AdminError, AdminService, Caller, Secret};
use tessera_kdc::admin_server::{RemoteAdmin, service_creds};
use tessera_kdc::config::KdcConfig;
use tessera_kdc::realm::open_store;
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;

/// Tessera realm administration (MIT kadmin commands).
#[derive(Debug, Parser)]
#[command(name = "kadmin", version, about)]
struct Cli {
    /// Local mode: open the database directly (like kadmin.local).
    #[arg(short = 'l', long = "local")]
    local: bool,
    /// Remote mode: authenticate as this principal (default
    /// $USER/admin).
    #[arg(short = 'p', long = "principal")]
    principal: Option<String>,
    /// Remote mode: authenticate with a keytab (see -t).
    #[arg(short = 'k', long = "use-keytab")]
    use_keytab: bool,
    /// Remote mode: the keytab for -k (default: the default keytab).
    #[arg(short = 't', long = "keytab")]
    keytab: Option<String>,
    /// Remote mode: the password of -p (otherwise prompted, or the first
    /// line of standard input).
    #[arg(short = 'w', long = "password")]
    password: Option<String>,
    /// Remote mode: the admin server HOST:PORT (default: admin_server of
    /// the realm in krb5.conf).
    #[arg(short = 's', long = "server")]
    server: Option<String>,
    /// Remote mode: the realm (default: the principal's, else
    /// default_realm).
    #[arg(short = 'r', long = "realm")]
    realm: Option<String>,
    /// KDC configuration file (default: $TESSERA_KDC_CONFIG, else ./kdc.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run this one command line and exit.
    #[arg(short = 'q', long = "query")]
    query: Option<String>,
    /// One JSON object per command on stdout instead of text.
    #[arg(long)]
    json: bool,
    /// Audit log file (default: admin-audit.log in the database directory).
    #[arg(long)]
    audit_log: Option<PathBuf>,
    /// A command and its arguments, run once (e.g. `addprinc -randkey svc`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

/// Reads passwords and confirmations from the terminal, or from stdin
/// lines when stdin is not a terminal.
struct StdPrompter {
    tty: bool,
}

fn read_stdin_line() -> Result<Option<String>, AdminError> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned())),
        Err(e) => Err(AdminError::Input(e.to_string())),
    }
}

impl Prompter for StdPrompter {
    fn password(&mut self, prompt: &str) -> Result<Secret, AdminError> {
        if self.tty {
            tessera_client::prompt::prompt_hidden(prompt)
                .map(|pw| Secret::new(pw.as_str()))
                .map_err(|e| AdminError::Input(e.to_string()))
        } else {
            match read_stdin_line()? {
                Some(l) => Ok(Secret::new(l)),
                None => Err(AdminError::Input(
                    "end of input while reading password".into(),
                )),
            }
        }
    }

    fn confirm(&mut self, question: &str) -> Result<bool, AdminError> {
        if !self.tty {
            return Ok(true);
        }
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        Ok(read_stdin_line()?.is_some_and(|a| a.trim().eq_ignore_ascii_case("yes")))
    }
}

fn init_logging(audit_path: &std::path::Path) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(audit_path)
        .map_err(|e| format!("audit log {}: {e}", audit_path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(audit_path, std::fs::Permissions::from_mode(0o600));
    }
    let audit_layer = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .with_filter(Targets::new().with_target(AUDIT_TARGET, tracing::Level::INFO));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("off"));
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_ansi(tessera_kdc::telemetry::stderr_ansi())
        .with_writer(std::io::stderr)
        .with_filter(filter);
    tracing_subscriber::registry()
        .with(audit_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| e.to_string())
}

fn emit(r: &LineResult, json: bool) -> bool {
    match r {
        LineResult::Output { text, ok } => {
            if *ok || json {
                print!("{text}");
                let _ = std::io::stdout().flush();
            } else {
                eprint!("{text}");
            }
            *ok
        }
        LineResult::Quit => true,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("kadmin: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    // Invoked through a symlink named kadmin.local: local mode, like MIT.
    let via_local_name = std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_name().map(|f| f == "kadmin.local"))
        .unwrap_or(false);
    if !cli.local && !via_local_name {
        let remote = connect_remote(&cli)?;
        let caller = Caller::remote(remote.principal(), SocketAddr::from(([0, 0, 0, 0], 0)));
        let session = Session::new(&remote, caller, cli.json);
        return drive(&cli, &session, "kadmin:  ");
    }
    let config_path = cli
        .config
        .clone()
        .or_else(|| std::env::var_os("TESSERA_KDC_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("kdc.toml"));
    let config = KdcConfig::load(&config_path).map_err(|e| e.to_string())?;
    let audit_path = cli
        .audit_log
        .clone()
        .unwrap_or_else(|| config.database.dir.join("admin-audit.log"));
    init_logging(&audit_path)?;
    let store = open_store(&config).map_err(|e| e.to_string())?;
    let service = AdminService::from_config(Arc::new(store), &config);
    let session = Session::new(&service, Caller::local(), cli.json);
    drive(&cli, &session, "kadmin.local:  ")
}

/// Gets a `kadmin/admin` ticket and connects to the admin server.
fn connect_remote(cli: &Cli) -> Result<RemoteAdmin, String> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_ansi(tessera_kdc::telemetry::stderr_ansi())
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
    let client = blocking::Client::from_default_config().map_err(|e| e.to_string())?;
    let conf = client.inner().config();
    let default_realm = cli
        .realm
        .clone()
        .or_else(|| conf.default_realm.clone())
        .ok_or("no realm: give -r REALM or set default_realm in krb5.conf")?;
    let name = cli.principal.clone().unwrap_or_else(|| {
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        format!("{user}/admin")
    });
    let principal =
        Principal::parse_with_default_realm(&name, &default_realm).map_err(|e| e.to_string())?;
    let secret = if cli.use_keytab {
        let path =
            strip_keytab_prefix(&cli.keytab.clone().unwrap_or_else(default_keytab_name)).to_owned();
        let keytab = Keytab::load(&path).map_err(|e| format!("keytab {path}: {e}"))?;
        InitialSecret::Keytab { keytab, name: path }
    } else {
        let pw = match &cli.password {
            Some(p) => Secret::new(p.clone()),
            None => StdPrompter {
                tty: std::io::stdin().is_terminal(),
            }
            .password(&format!("Password for {principal}: "))
            .map_err(|e| e.to_string())?,
        };
        InitialSecret::Password(Password::new(pw.expose()))
    };
    let creds = service_creds(&client, &principal, &secret).map_err(|e| e.to_string())?;
    let addr = match &cli.server {
        Some(s) => s.clone(),
        None => {
            let list = conf.admin_addresses(&principal.realm);
            let (host, port) = list.first().ok_or_else(|| {
                format!(
                    "no admin_server for realm {} in krb5.conf; give -s HOST:PORT",
                    principal.realm
                )
            })?;
            if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            }
        }
    };
    RemoteAdmin::connect(&addr, &creds).map_err(|e| e.to_string())
}

/// Runs `-q`, the command words, stdin lines or the interactive prompt.
fn drive(cli: &Cli, session: &Session<'_>, prompt: &str) -> Result<ExitCode, String> {
    let stdin_tty = std::io::stdin().is_terminal();
    let mut prompter = StdPrompter { tty: stdin_tty };

    if let Some(q) = &cli.query {
        let ok = emit(&session.run_line(q, &mut prompter), cli.json);
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    if !cli.command.is_empty() {
        let ok = emit(&session.run_words(&cli.command, &mut prompter), cli.json);
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    if stdin_tty {
        interactive(session, &mut prompter, cli.json, prompt);
        return Ok(ExitCode::SUCCESS);
    }
    // Commands from stdin, one per line.
    let mut all_ok = true;
    while let Some(line) = read_stdin_line().map_err(|e| e.to_string())? {
        let r = session.run_line(&line, &mut prompter);
        if r == LineResult::Quit {
            break;
        }
        all_ok &= emit(&r, cli.json);
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where the interactive prompt keeps its history: `$TESSERA_KADMIN_HISTORY`
/// (empty = no history file), else `~/.tessera_kadmin_history`.
fn history_path() -> Option<PathBuf> {
    match std::env::var_os("TESSERA_KADMIN_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".tessera_kadmin_history")),
    }
}

/// History entries kept in the file.
const HISTORY_MAX: usize = 1000;

/// Reads the history file (one command per line), dropping any line that
/// carries a password.
fn load_history(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty() && !carries_password(l))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes the history file (mode 0600), the newest [`HISTORY_MAX`] lines.
fn save_history(path: &std::path::Path, lines: &[String]) -> std::io::Result<()> {
    let start = lines.len().saturating_sub(HISTORY_MAX);
    let mut text = String::new();
    for l in lines[start..].iter().filter(|l| !carries_password(l)) {
        text.push_str(l);
        text.push('\n');
    }
    tessera_client::atomic_file::write_atomic(path, text.as_bytes())
}

fn interactive(session: &Session<'_>, prompter: &mut StdPrompter, json: bool, prompt: &str) {
    let history = history_path();
    // rustyline's in-memory history (its file history is not compiled in):
    // the file is read and written here, without password-carrying lines.
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kadmin: cannot start the line editor: {e}");
            return;
        }
    };
    let mut lines = history.as_deref().map(load_history).unwrap_or_default();
    for l in &lines {
        let _ = editor.add_history_entry(l.as_str());
    }
    loop {
        match editor.readline(prompt) {
            Ok(line) => {
                // A command carrying a password (`addprinc -pw ...`) is
                // kept neither in memory nor in the file.
                if !line.trim().is_empty() && !carries_password(&line) {
                    let _ = editor.add_history_entry(line.as_str());
                    lines.push(line.clone());
                }
                let r = session.run_line(&line, prompter);
                if r == LineResult::Quit {
                    break;
                }
                emit(&r, json);
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    if let Some(h) = &history
        && let Err(e) = save_history(h, &lines)
    {
        eprintln!("kadmin: cannot write the history file {}: {e}", h.display());
    }
}
