//! `tessera-kdc`: create a realm (`init`), serve it (`serve`), or run a
//! development realm (`dev`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::{PrincipalStore, StoreOptions, refresh_loop};
use tessera_kdc::handler::kdc_handler;
use tessera_kdc::net::{Server, bind_all};
use tessera_kdc::realm::{init_realm, open_store_with, store_options};
use tessera_kdc::telemetry::init_tracing;

/// The Tessera Kerberos KDC.
#[derive(Debug, Parser)]
#[command(name = "tessera-kdc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the realm: data directory, master key stash, database, krbtgt.
    Init {
        /// Configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Serve the realm until SIGTERM or SIGINT.
    Serve {
        /// Configuration file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Create (first time) or reuse a development realm in DIR and serve it
    /// on 127.0.0.1:PORT until SIGTERM or SIGINT.
    Dev {
        /// Realm directory.
        #[arg(long, default_value = tessera_kdc::dev::DEFAULT_DEV_DIR)]
        dir: PathBuf,
        /// UDP and TCP port on 127.0.0.1.
        #[arg(long, default_value_t = tessera_kdc::dev::DEFAULT_DEV_PORT)]
        port: u16,
        /// Realm name of a new realm (default TESSERA.TEST).
        #[arg(long)]
        realm: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { config } => cmd_init(&config),
        Command::Serve { config } => cmd_serve(&config),
        Command::Dev { dir, port, realm } => {
            let opts = tessera_kdc::dev::DevOptions {
                realm,
                ..tessera_kdc::dev::DevOptions::new(dir, port)
            };
            tessera_kdc::dev::run(&opts).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("tessera-kdc: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn cmd_init(path: &std::path::Path) -> Result<(), String> {
    let config = KdcConfig::load(path).map_err(|e| e.to_string())?;
    let report = init_realm(&config).map_err(|e| e.to_string())?;
    println!("realm {} created", config.realm);
    println!("  database: {}", report.db_path.display());
    if let Some(stash) = &report.stash_created {
        println!(
            "  master key stash: {} (mode 0600; back it up)",
            stash.display()
        );
    }
    println!("  {} created with random keys", report.krbtgt);
    Ok(())
}

fn cmd_serve(path: &std::path::Path) -> Result<(), String> {
    let config = Arc::new(KdcConfig::load(path).map_err(|e| e.to_string())?);
    init_tracing(config.log_format);
    // Lookups stay in memory; a background task picks up other processes'
    // writes.
    let opts = StoreOptions {
        refresh_on_get: false,
        ..store_options(&config)
    };
    let store = Arc::new(open_store_with(&config, opts).map_err(|e| e.to_string())?);
    tracing::info!(realm = %config.realm, principals = store.cached_len(), "database opened");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let (udp, tcp) = bind_all(&config.network.udp_listen, &config.network.tcp_listen)
            .await
            .map_err(|e| e.to_string())?;
        // kpasswd and remote administration run in this process.
        let services =
            tessera_kdc::admin_server::bind_services(&config).map_err(|e| e.to_string())?;
        let shutdown = CancellationToken::new();
        tessera_kdc::shutdown::cancel_on_signal(shutdown.clone());
        let refresher = tokio::spawn(refresh_loop(
            Arc::clone(&store),
            config.database.refresh_interval,
            shutdown.clone(),
        ));
        let dyn_store: Arc<dyn PrincipalStore> = store;
        let extra = tokio::spawn(tessera_kdc::admin_server::run_services(
            Arc::clone(&dyn_store),
            Arc::clone(&config),
            services,
            shutdown.clone(),
        ));
        let handler = Arc::new(kdc_handler(dyn_store, &config));
        let served = Server::new(handler, config.server_config())
            .run(udp, tcp, shutdown.clone())
            .await;
        shutdown.cancel();
        let _ = extra.await;
        served.map_err(|e| e.to_string())?;
        let _ = refresher.await;
        Ok(())
    })
}
