//! Running Heimdal 7.8 as a second reference peer: its clients, its GSS-API
//! library and its KDC, unpacked (not installed) from Debian's packages.
//!
//! `scripts/test` unpacks the packages with `apt-get download` + `dpkg -x`
//! into `$TESSERA_HEIMDAL` (default `target/heimdal` under the workspace);
//! the tools run with `LD_LIBRARY_PATH` pointing at the unpacked libraries,
//! so MIT's `/usr/bin/kinit` and friends stay what they are.
//!
//! Every test that talks to Heimdal goes through [`require_heimdal`]:
//! outside CI a machine without the unpacked tree skips with a loud
//! message; with `CI=true` it is a test failure.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::mit::{Run, free_port, run};

/// The environment variable naming the unpacked Heimdal tree.
pub const HEIMDAL_ENV: &str = "TESSERA_HEIMDAL";

/// Files (relative to the tree) the interop tests need.
pub const HEIMDAL_FILES: &[&str] = &[
    "usr/bin/kinit.heimdal",
    "usr/bin/kgetcred",
    "usr/bin/heimtools",
    "usr/bin/kpasswd.heimdal",
    "usr/bin/kadmin.heimdal",
    "usr/lib/heimdal-servers/kdc",
    "usr/lib/x86_64-linux-gnu/libgssapi.so.3",
    "usr/lib/x86_64-linux-gnu/libkrb5.so.26",
    "usr/lib/x86_64-linux-gnu/libkdc.so.2",
];

/// Where the unpacked tree is: `$TESSERA_HEIMDAL`, else `target/heimdal`
/// in the workspace (where `scripts/test` puts it by default).
pub fn heimdal_root() -> PathBuf {
    match std::env::var_os(HEIMDAL_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("heimdal"),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The unpacked Heimdal tree. Returns `None` (and prints why) when it is
/// missing outside CI; panics when it is missing under `CI=true`.
pub fn require_heimdal() -> Option<Heimdal> {
    let root = heimdal_root();
    let missing: Vec<&str> = HEIMDAL_FILES
        .iter()
        .copied()
        .filter(|f| !root.join(f).exists())
        .collect();
    if missing.is_empty() {
        return Some(Heimdal { root });
    }
    let msg = format!(
        "Heimdal missing under {} ({}); run ./scripts/test, which unpacks Debian's heimdal-clients, \
         heimdal-kdc and their libraries there (or set {HEIMDAL_ENV})",
        root.display(),
        missing.join(", ")
    );
    if in_ci() {
        panic!("{msg}");
    }
    eprintln!("SKIPPING Heimdal interop test: {msg}");
    None
}

/// An unpacked Heimdal tree and how to run its programs.
#[derive(Debug, Clone)]
pub struct Heimdal {
    root: PathBuf,
}

impl Heimdal {
    /// The tree's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `usr/bin/NAME` in the tree.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.root.join("usr/bin").join(name)
    }

    /// Heimdal's KDC program.
    pub fn kdc_bin(&self) -> PathBuf {
        self.root.join("usr/lib/heimdal-servers/kdc")
    }

    /// The directory of Heimdal's shared libraries.
    pub fn lib_dir(&self) -> PathBuf {
        self.root.join("usr/lib/x86_64-linux-gnu")
    }

    /// Heimdal's GSS-API library.
    pub fn libgssapi(&self) -> PathBuf {
        self.lib_dir().join("libgssapi.so.3")
    }

    /// `LD_LIBRARY_PATH` for programs that must load Heimdal's libraries.
    pub fn lib_env(&self) -> (String, String) {
        (
            "LD_LIBRARY_PATH".into(),
            self.lib_dir().display().to_string(),
        )
    }

    /// Runs `program` (a path) with `env` plus Heimdal's libraries.
    pub fn run_path(
        &self,
        program: &Path,
        args: &[&str],
        env: &[(String, String)],
        stdin: Option<&str>,
    ) -> Run {
        let mut all = env.to_vec();
        all.push(self.lib_env());
        run(&program.display().to_string(), args, &all, stdin)
    }

    /// Runs `usr/bin/TOOL` from the tree with `env`.
    pub fn run(
        &self,
        tool: &str,
        args: &[&str],
        env: &[(String, String)],
        stdin: Option<&str>,
    ) -> Run {
        self.run_path(&self.bin(tool), args, env, stdin)
    }
}

/// A Heimdal KDC serving a fresh realm (its own config and sqlite
/// database in a temporary directory) on a free loopback port. Killed on
/// drop.
#[derive(Debug)]
pub struct HeimdalKdc {
    heimdal: Heimdal,
    dir: TempDir,
    /// Realm name.
    pub realm: String,
    /// UDP and TCP port on 127.0.0.1.
    pub port: u16,
    /// UDP port of kpasswdd (named in the krb5.conf; serving once
    /// [`HeimdalKdc::start_kpasswdd`] ran).
    pub kpasswd_port: u16,
    child: Child,
    kpasswdd: Option<Child>,
}

/// Whether something listens on UDP 127.0.0.1:`port` (from /proc/net/udp).
fn udp_bound(port: u16) -> bool {
    let needle = format!("0100007F:{port:04X} ");
    std::fs::read_to_string("/proc/net/udp").is_ok_and(|t| t.contains(&needle))
}

impl HeimdalKdc {
    /// Creates the realm with `kadmin.heimdal -l init` (keys: aes256 and
    /// aes128 CTS-HMAC-SHA1, the RFC 3962 enctypes Heimdal 7.8 and Tessera
    /// share) and starts the KDC.
    pub fn start(heimdal: &Heimdal, realm: &str) -> HeimdalKdc {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let kpasswd_port = free_port();
        let d = dir.path().display();
        let conf = format!(
            "[libdefaults]\n default_realm = {realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n \
             dns_canonicalize_hostname = false\n rdns = false\n\
             [realms]\n {realm} = {{\n  kdc = 127.0.0.1:{port}\n  kpasswd_server = 127.0.0.1:{kpasswd_port}\n }}\n\
             [domain_realm]\n localhost = {realm}\n\
             [kdc]\n database = {{\n  dbname = sqlite:{d}/heimdal.db\n  realm = {realm}\n  \
             log_file = {d}/iprop.log\n }}\n addresses = 127.0.0.1\n ports = {port}\n\
             [kadmin]\n default_keys = aes256-cts-hmac-sha1-96:pw-salt aes128-cts-hmac-sha1-96:pw-salt\n\
             [logging]\n kdc = FILE:{d}/kdc.log\n default = FILE:{d}/heimdal.log\n"
        );
        std::fs::write(dir.path().join("krb5.conf"), conf).expect("write krb5.conf");
        let mut kdc = HeimdalKdc {
            heimdal: heimdal.clone(),
            child: Command::new("true").spawn().expect("spawn true"),
            dir,
            realm: realm.to_owned(),
            port,
            kpasswd_port,
            kpasswdd: None,
        };
        kdc.kadmin(&[
            "init",
            "--realm-max-ticket-life=1d",
            "--realm-max-renewable-life=1w",
            realm,
        ]);
        let conf_path = kdc.krb5_conf().display().to_string();
        let child = Command::new(heimdal.kdc_bin())
            .args([
                "-c",
                conf_path.as_str(),
                "--addresses=127.0.0.1",
                &format!("--ports={port}"),
            ])
            .current_dir(kdc.dir.path())
            .envs(kdc.env())
            .env("LD_LIBRARY_PATH", heimdal.lib_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Heimdal kdc");
        kdc.child = child;
        // Bounded wait until the TCP port accepts.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return kdc;
            }
            if let Ok(Some(status)) = kdc.child.try_wait() {
                panic!(
                    "Heimdal kdc exited ({status}); log: {}",
                    std::fs::read_to_string(kdc.dir.path().join("kdc.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("Heimdal kdc did not start on port {port}");
    }

    /// Starts Heimdal's kpasswdd (RFC 3244, UDP only) on
    /// [`HeimdalKdc::kpasswd_port`] and waits until it listens.
    pub fn start_kpasswdd(&mut self) {
        let conf = self.krb5_conf().display().to_string();
        let child = Command::new(self.heimdal.root.join("usr/lib/heimdal-servers/kpasswdd"))
            .args([
                "-c",
                conf.as_str(),
                "--addresses=127.0.0.1",
                &format!("--port={}", self.kpasswd_port),
            ])
            .current_dir(self.dir.path())
            .envs(self.env())
            .env("LD_LIBRARY_PATH", self.heimdal.lib_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Heimdal kpasswdd");
        self.kpasswdd = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if udp_bound(self.kpasswd_port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "Heimdal kpasswdd did not start on port {}",
            self.kpasswd_port
        );
    }

    /// The temporary directory holding the realm's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The krb5.conf pointing clients (Heimdal's, MIT's, ours) at this KDC.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// The KDC's log (what it accepted and refused, and why).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kdc.log")).unwrap_or_default()
    }

    /// Environment for clients against this realm (ccache in the temp dir).
    pub fn env(&self) -> Vec<(String, String)> {
        let d = self.dir.path();
        vec![
            ("KRB5_CONFIG".into(), self.krb5_conf().display().to_string()),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", d.join("ccache").display()),
            ),
            (
                "KRB5_KTNAME".into(),
                format!("FILE:{}", d.join("krb5.keytab").display()),
            ),
        ]
    }

    /// Runs `kadmin.heimdal -l ARGS...` on the realm's database and
    /// asserts it succeeded.
    pub fn kadmin(&self, args: &[&str]) -> Run {
        let conf = self.krb5_conf().display().to_string();
        let mut all = vec!["-l", "-c", conf.as_str()];
        all.extend_from_slice(args);
        let r = self.heimdal.run("kadmin.heimdal", &all, &self.env(), None);
        assert!(
            r.ok && r.stderr.is_empty(),
            "kadmin.heimdal -l {args:?} failed: {r:?}"
        );
        r
    }

    /// Adds `principal` with `password` (pre-authentication required,
    /// forwardable and renewable allowed by the defaults).
    pub fn add_password(&self, principal: &str, password: &str) {
        self.kadmin(&[
            "add",
            &format!("--password={password}"),
            "--use-defaults",
            "--attributes=requires-pre-auth",
            principal,
        ]);
    }

    /// Adds `principal` with random keys.
    pub fn add_random(&self, principal: &str) {
        self.kadmin(&["add", "--random-key", "--use-defaults", principal]);
    }

    /// Writes `principal`'s keys to the keytab `path` (`ext_keytab`).
    pub fn ext_keytab(&self, principal: &str, path: &Path) {
        let p = path.display().to_string();
        self.kadmin(&["ext_keytab", "-k", p.as_str(), principal]);
    }
}

impl Drop for HeimdalKdc {
    fn drop(&mut self) {
        if let Some(k) = &mut self.kpasswdd {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
