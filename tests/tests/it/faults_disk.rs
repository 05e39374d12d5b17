//! Disk full (issue 9, faults): the realm lives on a small tmpfs mounted in
//! a private mount namespace (`unshare -m`, root only; under CI=true a
//! missing facility fails the test). `tessera-kdc serve` and `kadmin -l`
//! run inside it (`nsenter -t PID -m`) on a copy of a realm made here.
//! With the file system filled by a file:
//!
//! * `kadmin -l addprinc` fails with one line saying the disk is full and
//!   what to do (after the writes that still fitted were acknowledged);
//! * wrong passwords still get PREAUTH_FAILED from the KDC, whose lockout
//!   write fails with the same clear reason in its log;
//! * the KDC keeps serving AS and TGS (MIT kinit and kvno) from memory;
//! * once space is freed it takes writes again, and the database as a
//!   SIGKILL leaves it (copied out of the namespace) passes `PRAGMA
//!   integrity_check` and holds every acknowledged write, with the keys of
//!   its password.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tessera_tests::mit::{require_mit, run};
use tessera_tests::secrets::check_realm_log;

use crate::faults_common::{
    Bins, Serve, ServeRealm, check_database, command, in_ci, kadmin_local, password_matches,
};

/// The one-line reason SQLITE_FULL gets (kdc/src/db `DbError::Sqlite`).
const DISK_FULL: &str = "the disk holding the database is full";

/// A private mount namespace holding a tmpfs at `mnt`, kept alive by a
/// child process (`unshare -m ... exec cat`) until drop.
struct TmpfsNs {
    child: Child,
    pid: u32,
    mnt: PathBuf,
    tmp: tempfile::TempDir,
}

impl TmpfsNs {
    /// None (with a message) when this machine cannot do it, outside CI;
    /// under CI a panic saying what is missing.
    fn start(size: &str) -> Option<TmpfsNs> {
        let uid = Command::new("id").arg("-u").output().ok();
        let root = uid.is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let tmp = tempfile::tempdir().expect("tempdir");
        let mnt = tmp.path().join("mnt");
        std::fs::create_dir(&mnt).expect("mkdir mnt");
        let child = root
            .then(|| {
                Command::new("unshare")
                    .args(["-m", "--propagation", "private", "sh", "-c"])
                    .arg("mount -t tmpfs -o size=\"$1\" tmpfs \"$0\" && echo ready && exec cat")
                    .arg(&mnt)
                    .arg(size)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .ok()
            })
            .flatten();
        let ready = child.and_then(|mut c| {
            let mut line = String::new();
            let out = c.stdout.take()?;
            BufReader::new(out).read_line(&mut line).ok()?;
            if line.trim() == "ready" {
                Some(c)
            } else {
                let _ = c.kill();
                let _ = c.wait();
                None
            }
        });
        let Some(child) = ready else {
            let msg = "disk-full test needs root, unshare(1) and tmpfs mounts \
                       (unshare -m, mount -t tmpfs)";
            assert!(!in_ci(), "{msg}: not available here");
            eprintln!("SKIPPING disk-full test: {msg}");
            return None;
        };
        let pid = child.id();
        Some(TmpfsNs {
            child,
            pid,
            mnt,
            tmp,
        })
    }

    /// `nsenter -t PID -m --`: runs a program inside the namespace.
    fn prefix(&self) -> Vec<String> {
        ["nsenter", "-t", &self.pid.to_string(), "-m", "--"]
            .map(str::to_owned)
            .to_vec()
    }

    /// Runs `sh -c script` inside the namespace; returns its exit status.
    fn sh(&self, script: &str) -> bool {
        command(&self.prefix(), Path::new("/bin/sh"))
            .args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for TmpfsNs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn disk_full_admin_and_lockout_writes_fail_clearly_and_kdc_keeps_serving() {
    if !require_mit() {
        return;
    }
    let Some(bins) = Bins::find() else {
        return;
    };
    let Some(ns) = TmpfsNs::start("16m") else {
        return;
    };
    // The realm is made here, then copied onto the tmpfs (the KDC's and
    // kadmin's files live there); MIT's tools read krb5.conf from here.
    let src = ns.tmp.path().join("realm-src");
    let proc_dir = ns.mnt.join("realm");
    let realm = ServeRealm::create(&src, &proc_dir, &[18, 17]);
    assert!(ns.sh(&format!(
        "cp -a '{}' '{}'",
        src.display(),
        proc_dir.display()
    )));
    let prefix = ns.prefix();
    let config = realm.proc_config();
    let log_dir = tempfile::tempdir().expect("tempdir");
    let log = log_dir.path().join("serve.log");
    let serve = Serve::start(&bins, &prefix, &realm, &log);
    let mut acked: Vec<(String, String)> = Vec::new();
    for args in [
        &["addpol", "-maxfailure", "1000000", "lockpol"][..],
        &[
            "addprinc",
            "-pw",
            "L0cky-right-pw",
            "-policy",
            "lockpol",
            "locky",
        ],
    ] {
        let r = kadmin_local(&bins, &prefix, &config, args);
        assert!(r.ok, "{args:?}: {r:?}");
    }
    acked.push(("locky".into(), "L0cky-right-pw".into()));
    let env = realm.env("cc");
    let user_pw = realm.password("user.password");
    let r = run(
        "/usr/bin/kinit",
        &["user"],
        &env,
        Some(&format!("{user_pw}\n")),
    );
    assert!(r.ok, "kinit before the disk fills: {r:?}");

    // Fill the file system.
    let fill = ns.mnt.join("fill");
    ns.sh(&format!("cat /dev/zero > '{}'", fill.display()));
    let free = ns.sh(&format!(
        "[ \"$(df --output=avail -k '{}' | tail -1)\" -lt 8 ]",
        ns.mnt.display()
    ));
    assert!(free, "the tmpfs did not fill");

    // Admin writes: those that still fit are acknowledged, then a clear
    // one-line error.
    let mut refusal = None;
    for j in 0..200 {
        let (name, pw) = (format!("full{j}"), format!("Full-pw-{j}!"));
        let r = kadmin_local(&bins, &prefix, &config, &["addprinc", "-pw", &pw, &name]);
        if r.ok {
            acked.push((name, pw));
        } else {
            refusal = Some(r);
            break;
        }
    }
    let refusal = refusal.expect("200 addprinc fitted on a full disk");
    let err = refusal.stderr.trim();
    assert!(
        err.contains(DISK_FULL),
        "kadmin on a full disk: {refusal:?}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.contains("free space"), "says what to do: {err:?}");

    // Lockout writes fail; the KDC still answers PREAUTH_FAILED, and its
    // log says why the write failed.
    for _ in 0..3 {
        let r = run("/usr/bin/kinit", &["locky"], &env, Some("wrong-password\n"));
        assert!(!r.ok);
        assert!(
            r.stderr.contains("Password incorrect")
                || r.stderr.contains("Preauthentication failed"),
            "wrong password on a full disk: {r:?}"
        );
    }
    let log_text = std::fs::read_to_string(&log).expect("serve log");
    let line = log_text
        .lines()
        .find(|l| l.contains("cannot record pre-authentication outcome"))
        .unwrap_or_else(|| panic!("no lockout-write failure logged:\n{log_text}"));
    assert!(line.contains(DISK_FULL), "lockout-write log line: {line}");
    let lockout_line = line.to_owned();

    // AS and TGS keep working from memory.
    for (who, pw) in [("user", user_pw.as_str()), ("locky", "L0cky-right-pw")] {
        let r = run("/usr/bin/kinit", &[who], &env, Some(&format!("{pw}\n")));
        assert!(r.ok, "kinit {who} on a full disk: {r:?}");
        let r = run("/usr/bin/kvno", &["host/localhost"], &env, None);
        assert!(r.ok, "kvno on a full disk: {r:?}");
    }

    // Space back: writes work again.
    assert!(ns.sh(&format!("rm -f '{}'", fill.display())));
    let r = kadmin_local(
        &bins,
        &prefix,
        &config,
        &["addprinc", "-pw", "After-full-1", "after"],
    );
    assert!(r.ok, "write after freeing space: {r:?}");
    let r = run("/usr/bin/kinit", &["after"], &env, Some("After-full-1\n"));
    assert!(
        r.ok,
        "kinit of a principal added after the disk was freed: {r:?}"
    );
    acked.push(("after".into(), "After-full-1".into()));
    // The database as a crash leaves it (KDC SIGKILLed, files copied out):
    // nothing corrupt, every acknowledged write there with its password's
    // keys, every key readable.
    drop(serve);
    let copy = log_dir.path().join("realm-copy");
    assert!(ns.sh(&format!(
        "cp -a '{}' '{}'",
        proc_dir.display(),
        copy.display()
    )));
    let host_config = copy.join("kdc.toml");
    let state = check_database(&host_config);
    for (name, pw) in &acked {
        let full = format!("{name}@{}", realm.realm);
        assert!(state.principals.contains_key(&full), "{full} lost");
        assert!(password_matches(&host_config, &full, pw), "{full}: keys");
    }
    let pws: Vec<String> = acked.iter().map(|(_, pw)| pw.clone()).collect();
    check_realm_log(&log, &copy, &[], &pws);
    eprintln!(
        "disk full: {} addprinc acknowledged on the full disk before the refusal: {err}\n\
         KDC: {lockout_line}",
        acked.len() - 2
    );
}
