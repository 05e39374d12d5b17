//! Running MIT Kerberos as a reference peer: its tools and its KDC.
//!
//! Every test that talks to MIT goes through [`require_mit`]. Outside CI a
//! machine without MIT's packages skips such tests with a loud message; with
//! `CI=true` a missing tool is a test failure, never a silent skip.

use std::io::Write;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use tempfile::TempDir;

/// The MIT programs the interop tests call.
pub const MIT_TOOLS: &[&str] = &[
    "/usr/sbin/krb5kdc",
    "/usr/sbin/kdb5_util",
    "/usr/sbin/kadmin.local",
    "/usr/bin/kinit",
    "/usr/bin/klist",
    "/usr/bin/kvno",
    "/usr/bin/ktutil",
];

/// Whether MIT's tools are installed. Returns `false` (and prints why) when
/// they are missing outside CI; panics when they are missing under `CI=true`.
pub fn require_mit() -> bool {
    let missing: Vec<&str> = MIT_TOOLS
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "MIT Kerberos tools missing ({}); run ./scripts/test, which installs krb5-user krb5-kdc libkrb5-dev python3-gssapi",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{msg}");
    }
    eprintln!("SKIPPING MIT interop test: {msg}");
    false
}

/// A port on 127.0.0.1 that is free for both UDP and TCP right now.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let port = tcp.local_addr().expect("addr").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port found")
}

/// Output of a finished command, for assertions and messages.
#[derive(Debug)]
pub struct Run {
    /// Exit status success.
    pub ok: bool,
    /// Standard output, lossy UTF-8.
    pub stdout: String,
    /// Standard error, lossy UTF-8.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `program args` with `env` and `stdin` fed, waiting for it to exit.
pub fn run(program: &str, args: &[&str], env: &[(String, String)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    if let (Some(mut si), Some(text)) = (child.stdin.take(), stdin) {
        let _ = si.write_all(text.as_bytes());
    }
    child.wait_with_output().expect("wait").into()
}

/// An MIT krb5kdc serving a fresh realm from a temporary directory on a free
/// loopback port. Killed on drop.
#[derive(Debug)]
pub struct MitKdc {
    dir: TempDir,
    /// Realm name.
    pub realm: String,
    /// UDP and TCP port on 127.0.0.1.
    pub port: u16,
    child: Child,
}

impl MitKdc {
    /// Creates the realm (`kdb5_util create`) with `enctypes` as the
    /// supported enctypes (MIT names) and starts `krb5kdc -n`.
    pub fn start(realm: &str, enctypes: &[&str]) -> MitKdc {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let d = dir.path().display();
        let supported: Vec<String> = enctypes.iter().map(|e| format!("{e}:normal")).collect();
        let kdc_conf = format!(
            "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n\
             [realms]\n {realm} = {{\n  database_name = {d}/principal\n  key_stash_file = {d}/stash\n  \
             acl_file = {d}/kadm5.acl\n  master_key_type = aes256-cts-hmac-sha1-96\n  \
             supported_enctypes = {sup}\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n }}\n\
             [logging]\n kdc = FILE:{d}/kdc.log\n",
            sup = supported.join(" ")
        );
        std::fs::write(dir.path().join("kdc.conf"), kdc_conf).expect("write kdc.conf");
        std::fs::write(dir.path().join("kadm5.acl"), "").expect("write acl");
        let conf = krb5_conf(realm, &format!("127.0.0.1:{port}"), enctypes, None);
        std::fs::write(dir.path().join("krb5.conf"), conf).expect("write krb5.conf");
        let mut kdc = MitKdc {
            child: Command::new("true").spawn().expect("spawn true"),
            dir,
            realm: realm.to_string(),
            port,
        };
        let r = run(
            "/usr/sbin/kdb5_util",
            &["create", "-s", "-r", realm, "-P", "master-password"],
            &kdc.env(),
            None,
        );
        assert!(r.ok, "kdb5_util create failed: {r:?}");
        let child = Command::new("/usr/sbin/krb5kdc")
            .args(["-n", "-r", realm])
            .envs(kdc.env())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start krb5kdc");
        kdc.child = child;
        // Bounded wait until the TCP port accepts.
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return kdc;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("krb5kdc did not start on port {port}");
    }

    /// The temporary directory holding the realm's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Path of the krb5.conf that points MIT's (and our) clients at this KDC.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// Environment for MIT's tools against this realm (ccache in the temp dir).
    pub fn env(&self) -> Vec<(String, String)> {
        let d = self.dir.path();
        vec![
            (
                "KRB5_CONFIG".into(),
                d.join("krb5.conf").display().to_string(),
            ),
            (
                "KRB5_KDC_PROFILE".into(),
                d.join("kdc.conf").display().to_string(),
            ),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", d.join("ccache").display()),
            ),
            (
                "KRB5_KTNAME".into(),
                format!("FILE:{}", d.join("krb5.keytab").display()),
            ),
            ("KRB5RCACHEDIR".into(), d.display().to_string()),
        ]
    }

    /// Runs one `kadmin.local -q QUERY` and asserts it succeeded.
    pub fn kadmin(&self, query: &str) -> Run {
        let r = run(
            "/usr/sbin/kadmin.local",
            &["-r", &self.realm, "-q", query],
            &self.env(),
            None,
        );
        assert!(
            r.ok && !r.stderr.contains("kadmin.local:"),
            "kadmin.local -q {query:?} failed: {r:?}"
        );
        r
    }
}

impl Drop for MitKdc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A krb5.conf for MIT's clients (and ours) pointing `realm` at `kdc`.
/// `enctypes` restricts permitted enctypes (empty: MIT defaults);
/// `udp_preference_limit` = Some(1) forces TCP.
pub fn krb5_conf(
    realm: &str,
    kdc: &str,
    enctypes: &[&str],
    udp_preference_limit: Option<u32>,
) -> String {
    let mut s = format!(
        "[libdefaults]\n default_realm = {realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n \
         rdns = false\n dns_canonicalize_hostname = false\n ignore_acceptor_hostname = true\n"
    );
    if !enctypes.is_empty() {
        let list = enctypes.join(" ");
        s.push_str(&format!(
            " permitted_enctypes = {list}\n default_tkt_enctypes = {list}\n default_tgs_enctypes = {list}\n"
        ));
    }
    if let Some(l) = udp_preference_limit {
        s.push_str(&format!(" udp_preference_limit = {l}\n"));
    }
    s.push_str(&format!("[realms]\n {realm} = {{\n  kdc = {kdc}\n }}\n"));
    s
}
