//! Running MIT Kerberos as a reference peer: its tools and its KDC.
//!
//! Every test that talks to MIT goes through [`require_mit`]. Outside CI a
//! machine without MIT's packages skips such tests with a loud message; with
//! `CI=true` a missing tool is a test failure, never a silent skip.

use std::io::Write;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// MIT's admin server (Debian's `krb5-admin-server`), which also serves
/// password changes (RFC 3244), and its `kpasswd` client; see
/// [`MitKdc::start_kadmind`].
pub const MIT_ADMIN_TOOLS: &[&str] = &["/usr/sbin/kadmind", "/usr/bin/kpasswd"];

/// Whether MIT's tools are installed. Returns `false` (and prints why) when
/// they are missing outside CI; panics when they are missing under `CI=true`.
pub fn require_mit() -> bool {
    require_tools(MIT_TOOLS)
}

/// [`require_mit`], and MIT's kadmind and kpasswd ([`MIT_ADMIN_TOOLS`]).
pub fn require_mit_kadmind() -> bool {
    require_mit() && require_tools(MIT_ADMIN_TOOLS)
}

fn require_tools(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "MIT Kerberos tools missing ({}); run ./scripts/test, which installs krb5-user krb5-kdc krb5-admin-server libkrb5-dev python3-gssapi",
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

/// Three different ports that are each free for UDP and TCP right now.
fn distinct_free_ports() -> [u16; 3] {
    for _ in 0..100 {
        let p = [free_port(), free_port(), free_port()];
        if p[0] != p[1] && p[1] != p[2] && p[0] != p[2] {
            return p;
        }
    }
    panic!("no three distinct free ports found")
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
/// loopback port, and MIT's kadmind once [`MitKdc::start_kadmind`] ran.
/// Both killed on drop.
#[derive(Debug)]
pub struct MitKdc {
    dir: TempDir,
    /// Realm name.
    pub realm: String,
    /// UDP and TCP port on 127.0.0.1.
    pub port: u16,
    /// kadmind's RFC 3244 password-change port (UDP and TCP on 127.0.0.1;
    /// `kpasswd_listen` in the kdc.conf, `kpasswd_server` in the
    /// krb5.conf). Served once [`MitKdc::start_kadmind`] ran.
    pub kpasswd_port: u16,
    /// kadmind's kadmin (RPC) port (TCP on 127.0.0.1; `kadmind_listen`,
    /// `admin_server`). Served once [`MitKdc::start_kadmind`] ran.
    pub kadmind_port: u16,
    child: Child,
    kadmind: Option<Child>,
}

impl MitKdc {
    /// Creates the realm (`kdb5_util create`) with `enctypes` as the
    /// supported enctypes (MIT names) and starts `krb5kdc -n`.
    pub fn start(realm: &str, enctypes: &[&str]) -> MitKdc {
        let dir = tempfile::tempdir().expect("tempdir");
        let [port, kpasswd_port, kadmind_port] = distinct_free_ports();
        let d = dir.path().display();
        let supported: Vec<String> = enctypes.iter().map(|e| format!("{e}:normal")).collect();
        let kdc_conf = format!(
            "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n\
             [realms]\n {realm} = {{\n  database_name = {d}/principal\n  key_stash_file = {d}/stash\n  \
             acl_file = {d}/kadm5.acl\n  master_key_type = aes256-cts-hmac-sha1-96\n  \
             supported_enctypes = {sup}\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n  \
             kpasswd_listen = 127.0.0.1:{kpasswd_port}\n  kadmind_listen = 127.0.0.1:{kadmind_port}\n }}\n\
             [logging]\n kdc = FILE:{d}/kdc.log\n admin_server = FILE:{d}/kadmind.log\n",
            sup = supported.join(" ")
        );
        std::fs::write(dir.path().join("kdc.conf"), kdc_conf).expect("write kdc.conf");
        std::fs::write(dir.path().join("kadm5.acl"), format!("*/admin@{realm} *\n"))
            .expect("write acl");
        let kdc_line = format!("  kdc = 127.0.0.1:{port}\n");
        let conf = krb5_conf(realm, &format!("127.0.0.1:{port}"), enctypes, None).replacen(
            &kdc_line,
            &format!(
                "{kdc_line}  kpasswd_server = 127.0.0.1:{kpasswd_port}\n  admin_server = 127.0.0.1:{kadmind_port}\n"
            ),
            1,
        );
        assert!(conf.contains("kpasswd_server"), "{conf}");
        std::fs::write(dir.path().join("krb5.conf"), conf).expect("write krb5.conf");
        let mut kdc = MitKdc {
            child: Command::new("true").spawn().expect("spawn true"),
            dir,
            realm: realm.to_string(),
            port,
            kpasswd_port,
            kadmind_port,
            kadmind: None,
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

    /// Starts MIT's kadmind (`kadmind -nofork`) on the realm: RFC 3244
    /// password changes on [`MitKdc::kpasswd_port`] (UDP and TCP), kadmin
    /// on [`MitKdc::kadmind_port`]. It uses the `kadmin/changepw` and
    /// `kadmin/admin` keys straight from the database (`kdb5_util create`
    /// made both), so no keytab is needed; the ACL (`kadm5.acl`) lets
    /// `*/admin` do anything. Returns once both ports accept TCP
    /// connections (bounded wait); panics with kadmind's log if it exits or
    /// does not get there. Killed on drop.
    pub fn start_kadmind(&mut self) {
        assert!(self.kadmind.is_none(), "kadmind already started");
        let stderr = std::fs::File::create(self.dir.path().join("kadmind.stderr"))
            .expect("create kadmind.stderr");
        let child = Command::new("/usr/sbin/kadmind")
            .args(["-nofork", "-r", &self.realm])
            .envs(self.env())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start kadmind");
        self.kadmind = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let exited = self
                .kadmind
                .as_mut()
                .and_then(|k| k.try_wait().ok().flatten());
            if let Some(status) = exited {
                panic!(
                    "kadmind exited ({status}): {}{}",
                    std::fs::read_to_string(self.dir.path().join("kadmind.stderr"))
                        .unwrap_or_default(),
                    self.kadmind_log()
                );
            }
            let up = |port: u16| TcpStream::connect(("127.0.0.1", port)).is_ok();
            if up(self.kpasswd_port) && up(self.kadmind_port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "kadmind did not listen on ports {} and {} within 10 s: {}",
            self.kpasswd_port,
            self.kadmind_port,
            self.kadmind_log()
        );
    }

    /// kadmind's log (`[logging] admin_server`): one line per password
    /// change, e.g. `chpw request from 127.0.0.1 for user@REALM: success`.
    pub fn kadmind_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kadmind.log")).unwrap_or_default()
    }

    /// The krb5kdc process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
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
        if let Some(k) = &mut self.kadmind {
            let _ = k.kill();
            let _ = k.wait();
        }
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
