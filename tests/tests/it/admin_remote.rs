//! Remote kadmin against a real `tessera-kdc dev` process: the admin
//! principal adds principals and sets passwords (MIT kinit then works),
//! the ACL (default deny) refuses a non-admin with the error text, remote
//! ktadd writes a keytab MIT's klist and kvno -k use, and after a key
//! change old tickets still verify with the older kvno in the keytab.
//!
//! [`DevKdc`] (also used by `kpasswd_mit`) runs the `tessera-kdc dev`
//! binary, which serves the KDC, kpasswd and the admin service on free
//! loopback ports and writes them into its krb5.conf.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;
use tessera_tests::mit::{Run, free_port, require_mit};
use tessera_tests::secrets::{TRACE_ENV, log_file};

/// A binary `cargo test --workspace` builds next to this test binary
/// (target/debug/NAME). None (with a message) when missing outside CI.
pub(crate) fn workspace_bin(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent()?.parent()?.join(name);
    if bin.exists() {
        return Some(bin);
    }
    let msg = format!(
        "{} not built; run `cargo test --workspace` (or `cargo build --workspace`)",
        bin.display()
    );
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{msg}");
    }
    eprintln!("SKIPPING remote admin/kpasswd test: {msg}");
    None
}

/// A `tessera-kdc dev` process in a temporary directory. Killed on drop.
pub(crate) struct DevKdc {
    child: Child,
    tmp: TempDir,
    /// The realm directory.
    pub dir: PathBuf,
    kadmin: PathBuf,
    kpasswd: PathBuf,
}

/// Lines of the KDC's log a failing test prints.
const LOG_TAIL_LINES: usize = 150;

impl Drop for DevKdc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.tmp.path().join("kdc-trace.log");
        // A failing test shows what the KDC did last (the log is free of
        // secrets: checked below on every run).
        if std::thread::panicking() {
            tessera_tests::logs::print_tail(&log, LOG_TAIL_LINES);
        }
        // Its trace-level log must hold no secret of the realm.
        tessera_tests::secrets::check_realm_log(&log, &self.dir, &[self.tmp.path().into()], &[]);
    }
}

impl DevKdc {
    /// Starts the dev realm and waits until it serves. None when MIT or
    /// the binaries are missing (outside CI).
    pub fn start() -> Option<DevKdc> {
        if !require_mit() {
            return None;
        }
        let kdc = workspace_bin("tessera-kdc")?;
        let kadmin = workspace_bin("kadmin")?;
        let kpasswd = workspace_bin("kpasswd")?;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("realm");
        let mut child = Command::new(kdc)
            .args(["dev", "--dir"])
            .arg(&dir)
            .args(["--port", &free_port().to_string()])
            .env(TRACE_ENV.0, TRACE_ENV.1)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file(&tmp.path().join("kdc-trace.log")))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("remote kadmin on") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            panic!("tessera-kdc dev did not start");
        }
        Some(DevKdc {
            child,
            dir,
            tmp,
            kadmin,
            kpasswd,
        })
    }

    /// The `tessera-kdc dev` process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// KRB5_CONFIG and a credential cache of its own.
    pub fn env(&self) -> Vec<(String, String)> {
        self.env_cc("cc")
    }

    /// KRB5_CONFIG and the credential cache `name` in the temp dir.
    pub fn env_cc(&self, name: &str) -> Vec<(String, String)> {
        vec![
            (
                "KRB5_CONFIG".into(),
                self.dir.join("krb5.conf").display().to_string(),
            ),
            (
                "KRB5CCNAME".into(),
                format!("FILE:{}", self.tmp.path().join(name).display()),
            ),
        ]
    }

    /// A path in the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn password(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// admin/admin's password.
    pub fn admin_password(&self) -> String {
        self.password("admin.password")
    }

    /// user's password.
    pub fn user_password(&self) -> String {
        self.password("user.password")
    }

    /// Runs `program args` with our env and `stdin`.
    pub fn run(&self, program: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_env(program, args, stdin, &self.env())
    }

    /// Runs `program args` with `env` and `stdin`.
    pub fn run_env(
        &self,
        program: &Path,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(String, String)],
    ) -> Run {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        if let (Some(mut si), Some(text)) = (child.stdin.take(), stdin) {
            let _ = si.write_all(text.as_bytes());
        }
        child.wait_with_output().unwrap().into()
    }

    /// MIT's `tool` (in /usr/bin).
    pub fn mit(&self, tool: &str, args: &[&str], stdin: Option<&str>) -> Run {
        self.run(&Path::new("/usr/bin").join(tool), args, stdin)
    }

    /// Our remote `kadmin -p admin/admin -w PASSWORD ARGS...`.
    pub fn kadmin_admin(&self, args: &[&str]) -> Run {
        let pw = self.admin_password();
        let mut all = vec!["-p", "admin/admin", "-w", pw.as_str()];
        all.extend_from_slice(args);
        self.run(&self.kadmin, &all, None)
    }

    /// Our remote `kadmin ARGS...` with `stdin`.
    pub fn kadmin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run(&self.kadmin, args, stdin)
    }

    /// Our `kadmin -l --config DIR/kdc.toml ARGS...` (a separate process
    /// on the same database; the server honours it at the next request).
    pub fn kadmin_local(&self, args: &[&str]) -> Run {
        let cfg = self.dir.join("kdc.toml").display().to_string();
        let mut all = vec!["-l", "--config", cfg.as_str()];
        all.extend_from_slice(args);
        self.run(&self.kadmin, &all, None)
    }

    /// Our `kpasswd ARGS...` with `stdin`.
    pub fn kpasswd(&self, args: &[&str], stdin: &str) -> Run {
        self.run(&self.kpasswd, args, Some(stdin))
    }

    /// MIT kinit `who` with `pw` into the default cache.
    pub fn kinit(&self, who: &str, pw: &str) -> Run {
        self.mit("kinit", &[who], Some(&format!("{pw}\n")))
    }
}

#[test]
fn admin_adds_principal_and_sets_password_then_mit_kinit_works() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let r = kdc.kadmin_admin(&["addprinc", "-pw", "Alice-pass-1", "alice"]);
    assert!(r.ok, "{r:?}");
    assert!(
        r.stdout
            .contains("Principal \"alice@TESSERA.TEST\" created."),
        "{r:?}"
    );
    let r = kdc.kinit("alice", "Alice-pass-1");
    assert!(r.ok, "{r:?}");

    // Password from standard input (first line), command from -q.
    let stdin = format!("{}\n", kdc.admin_password());
    let r = kdc.kadmin(
        &["-p", "admin/admin", "-q", "cpw -pw Alice-pass-2 alice"],
        Some(&stdin),
    );
    assert!(r.ok, "{r:?}");
    assert!(
        r.stdout
            .contains("Password for \"alice@TESSERA.TEST\" changed."),
        "{r:?}"
    );
    assert!(kdc.kinit("alice", "Alice-pass-2").ok);
    assert!(!kdc.kinit("alice", "Alice-pass-1").ok);

    // getprinc in JSON through the remote path.
    let r = kdc.kadmin_admin(&["--json", "getprinc", "alice"]);
    assert!(r.ok, "{r:?}");
    assert!(
        r.stdout.contains("\"name\":\"alice@TESSERA.TEST\""),
        "{r:?}"
    );
}

#[test]
fn acl_default_deny_refuses_non_admin_with_error_text() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let upw = kdc.user_password();
    let r = kdc.kadmin(
        &["-p", "user", "-w", &upw, "addprinc", "-randkey", "evil"],
        None,
    );
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr.contains("addprinc: Operation requires ``a'' privilege (caller user@TESSERA.TEST, target evil@TESSERA.TEST)"),
        "{r:?}"
    );
    let r = kdc.kadmin(
        &[
            "-p",
            "user",
            "-w",
            &upw,
            "delprinc",
            "-force",
            "admin/admin",
        ],
        None,
    );
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr.contains("Operation requires ``d'' privilege"),
        "{r:?}"
    );
    // The admin is still there, evil is not.
    let r = kdc.kadmin_admin(&["listprincs"]);
    assert!(r.stdout.contains("admin/admin@TESSERA.TEST"), "{r:?}");
    assert!(!r.stdout.contains("evil"), "{r:?}");

    // A narrower rule: user may inquire (i) but nothing else; the ACL file
    // is re-read on change.
    let acl = kdc.dir.join("kadm5.acl");
    let mut text = std::fs::read_to_string(&acl).unwrap();
    text.push_str("user@TESSERA.TEST i\n");
    std::fs::write(&acl, text).unwrap();
    let r = kdc.kadmin(&["-p", "user", "-w", &upw, "getprinc", "user"], None);
    assert!(r.ok, "{r:?}");
    let r = kdc.kadmin(&["-p", "user", "-w", &upw, "listprincs"], None);
    assert!(!r.ok && r.stderr.contains("``l'' privilege"), "{r:?}");

    // Wrong password: one line, no session.
    let r = kdc.kadmin(&["-p", "admin/admin", "-w", "wrong", "listprincs"], None);
    assert!(!r.ok, "{r:?}");
    assert!(r.stderr.starts_with("kadmin: "), "{r:?}");
    // -norandkey is refused remotely.
    let kt = kdc.path("x.keytab").display().to_string();
    let r = kdc.kadmin_admin(&["ktadd", "-norandkey", "-k", &kt, "host/localhost"]);
    assert!(
        !r.ok && r.stderr.contains("only allowed in local mode"),
        "{r:?}"
    );
}

#[test]
fn remote_ktadd_keytab_read_by_mit_and_old_tickets_survive_key_changes() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let kt = kdc.path("svc.keytab").display().to_string();
    assert!(
        kdc.kadmin_admin(&["addprinc", "-randkey", "svc/localhost"])
            .ok
    );
    let r = kdc.kadmin_admin(&["ktadd", "-k", &kt, "svc/localhost"]);
    assert!(r.ok, "{r:?}");
    assert!(r.stdout.contains("with kvno 2"), "{r:?}");
    let r = kdc.mit("klist", &["-k", &kt], None);
    assert!(r.ok, "{r:?}");
    assert!(
        r.stdout.contains("   2 svc/localhost@TESSERA.TEST"),
        "{r:?}"
    );

    // A ticket issued now (kvno 2) verifies with the keytab.
    assert!(kdc.kinit("user", &kdc.user_password()).ok);
    let r = kdc.mit("kvno", &["-k", &kt, "svc/localhost"], None);
    assert!(r.ok, "{r:?}");
    assert!(r.stdout.contains("kvno = 2, keytab entry valid"), "{r:?}");

    // cpw -randkey remotely (kvno 3), then the new keys into the keytab
    // with kadmin -l ktadd -norandkey (local mode only).
    let r = kdc.kadmin_admin(&["cpw", "-randkey", "svc/localhost"]);
    assert!(r.ok, "{r:?}");
    let r = kdc.kadmin_local(&["ktadd", "-norandkey", "-k", &kt, "svc/localhost"]);
    assert!(r.ok, "{r:?}");
    // The cached kvno-2 ticket still verifies (the keytab holds both).
    let r = kdc.mit("kvno", &["-k", &kt, "svc/localhost"], None);
    assert!(
        r.ok && r.stdout.contains("kvno = 2, keytab entry valid"),
        "{r:?}"
    );
    // A fresh ticket has the new kvno.
    let env2 = kdc.env_cc("cc-fresh");
    let r = kdc.run_env(
        Path::new("/usr/bin/kinit"),
        &["user"],
        Some(&format!("{}\n", kdc.user_password())),
        &env2,
    );
    assert!(r.ok, "{r:?}");
    let r = kdc.run_env(
        Path::new("/usr/bin/kvno"),
        &["-k", &kt, "svc/localhost"],
        None,
        &env2,
    );
    assert!(
        r.ok && r.stdout.contains("kvno = 3, keytab entry valid"),
        "{r:?}"
    );

    // Remote ktadd again randomizes (kvno 4) and appends.
    let r = kdc.kadmin_admin(&["ktadd", "-k", &kt, "svc/localhost"]);
    assert!(r.ok && r.stdout.contains("with kvno 4"), "{r:?}");
    let r = kdc.mit("klist", &["-k", &kt], None);
    for k in ["   2 svc", "   3 svc", "   4 svc"] {
        assert!(r.stdout.contains(k), "{k}: {r:?}");
    }
}

#[test]
fn remote_getprivs_strings_terse_policy_text_and_cross_realm() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let r = kdc.kadmin_admin(&["getprivs"]);
    assert_eq!(
        r.stdout, "current privileges: INQUIRE ADD MODIFY DELETE LIST CHANGEPW EXTRACT POLICY\n",
        "{r:?}"
    );
    // No ACL rule names user: no privileges (and no error).
    let upw = kdc.user_password();
    let r = kdc.kadmin(&["-p", "user", "-w", &upw, "getprivs"], None);
    assert!(r.ok, "{r:?}");
    assert_eq!(r.stdout, "current privileges:\n");

    let r = kdc.kadmin_admin(&["setstr", "user", "allowed_to_delegate_to", "HTTP/a b"]);
    assert_eq!(
        r.stdout, "Attribute set for principal \"user@TESSERA.TEST\".\n",
        "{r:?}"
    );
    let r = kdc.kadmin_admin(&["getstrs", "user"]);
    assert_eq!(r.stdout, "allowed_to_delegate_to: HTTP/a b\n", "{r:?}");
    let r = kdc.kadmin(
        &["-p", "user", "-w", &upw, "setstr", "user", "a", "b"],
        None,
    );
    assert!(
        !r.ok
            && r.stderr
                .contains("setstr: Operation requires ``m'' privilege"),
        "{r:?}"
    );
    let r = kdc.kadmin_admin(&["delstr", "user", "allowed_to_delegate_to"]);
    assert!(r.ok, "{r:?}");
    assert_eq!(
        kdc.kadmin_admin(&["getstrs", "user"]).stdout,
        "(No string attributes.)\n"
    );

    let r = kdc.kadmin_admin(&["getprinc", "-terse", "user"]);
    assert!(r.stdout.starts_with("\"user@TESSERA.TEST\"\t0\t"), "{r:?}");

    assert!(kdc.kadmin_admin(&["addpol", "-minlength", "20", "long"]).ok);
    assert!(
        kdc.kadmin_admin(&["modprinc", "-policy", "long", "user"])
            .ok
    );
    let r = kdc.kadmin_admin(&["cpw", "-pw", "Short-1", "user"]);
    assert_eq!(
        r.stderr, "cpw: Password is too short (the policy requires at least 20 characters)\n",
        "{r:?}"
    );

    assert!(
        kdc.kadmin_admin(&["addprinc", "-randkey", "krbtgt/OTHER.TEST"])
            .ok
    );
    assert!(
        kdc.kadmin_admin(&["addprinc", "-randkey", "krbtgt/TESSERA.TEST@OTHER.TEST"])
            .ok
    );
    let r = kdc.kadmin_admin(&["listprincs", "krbtgt/*"]);
    assert_eq!(
        r.stdout,
        "krbtgt/OTHER.TEST@TESSERA.TEST\nkrbtgt/TESSERA.TEST@OTHER.TEST\nkrbtgt/TESSERA.TEST@TESSERA.TEST\n",
        "{r:?}"
    );
}

#[test]
fn mit_kadmin_on_our_admin_port_gets_a_clear_error() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let conf = std::fs::read_to_string(kdc.dir.join("krb5.conf")).unwrap();
    let server = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("admin_server = "))
        .unwrap()
        .to_owned();
    let pw = kdc.admin_password();
    // MIT's own connect timeout is 25 s; `timeout` bounds a regression.
    let out = Command::new("/usr/bin/timeout")
        .args([
            "60",
            "/usr/bin/kadmin",
            "-s",
            &server,
            "-p",
            "admin/admin",
            "-w",
            &pw,
        ])
        .args(["-q", "getprivs"])
        .envs(kdc.env())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not killed by SIGPIPE (141) nor timed out (124): an error it shows.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr.contains("kadmin: GSS-API (or Kerberos) error while initializing kadmin interface"),
        "{stderr}"
    );
}
