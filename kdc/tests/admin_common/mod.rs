//! Shared setup of the admin tests: a realm in a temporary directory and a
//! way to run the built `kadmin` binary against it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tessera_kdc::config::KdcConfig;
use tessera_kdc::db::SqliteStore;
use tessera_kdc::realm::{init_realm, open_store};

/// The realm used by the admin tests.
pub const REALM: &str = "ADMIN.TEST";

/// A realm in a temporary directory.
pub struct Realm {
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    pub config: KdcConfig,
}

impl Realm {
    /// Creates the realm (AES-SHA1 and SHA2 keys by default so MIT can read
    /// the keytabs; `extra` is appended to the configuration).
    pub fn new(extra: &str) -> Realm {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            r#"realm = "{REALM}"
[network]
udp_listen = ["127.0.0.1:0"]
tcp_listen = ["127.0.0.1:0"]
[database]
dir = "data"
master_key_file = "data/master.key"
old_kvnos_to_keep = 2
[policy]
default_principal_enctypes = ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha256-128"]
{extra}
"#
        );
        let config_path = dir.path().join("kdc.toml");
        std::fs::write(&config_path, text).unwrap();
        let config = KdcConfig::load(&config_path).unwrap();
        init_realm(&config).unwrap();
        Realm {
            dir,
            config_path,
            config,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Opens the store in this process.
    pub fn store(&self) -> SqliteStore {
        open_store(&self.config).unwrap()
    }

    /// The kadmin command with `-l --config`.
    pub fn kadmin_cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kadmin"));
        c.arg("-l").arg("--config").arg(&self.config_path);
        c.env("USER", "tester");
        c.env_remove("RUST_LOG");
        c
    }

    /// Runs `kadmin -l --config F ARGS...` with empty stdin.
    pub fn kadmin(&self, args: &[&str]) -> Output {
        self.kadmin_cmd()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs kadmin with `input` on stdin.
    pub fn kadmin_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .kadmin_cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.kadmin(args);
        assert!(
            out.status.success(),
            "kadmin {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.kadmin(args);
        assert!(
            !out.status.success(),
            "kadmin {args:?} unexpectedly succeeded: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs a command with --json and parses the object.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let out = self.kadmin(&a);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

/// Whether MIT's klist is installed (panics under CI=true when it is not).
pub fn require_mit_klist() -> bool {
    if Path::new("/usr/bin/klist").exists() {
        return true;
    }
    let msg = "MIT klist (/usr/bin/klist) missing; install krb5-user";
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{msg}");
    }
    eprintln!("SKIPPING MIT check: {msg}");
    false
}
