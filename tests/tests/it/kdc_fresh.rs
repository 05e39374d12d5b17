//! Read-your-writes: a change committed to the database, by another process
//! (`kadmin -l`) or through another KDC's store handle, is honoured by the
//! very next request MIT's kinit sends, also when that request goes to
//! another KDC process on the same database and the change came through the
//! remote kadmin or kpasswd service of the first. No sleep and no explicit
//! refresh: each kinit runs right after the change has committed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tessera_kdc::db::PrincipalStore;
use tessera_tests::mit::{Run, free_port, krb5_conf, require_mit, run};
use tessera_tests::secrets::{TRACE_ENV, log_file};

use crate::admin_remote::{DevKdc, workspace_bin};
use tessera_tests::realm::{RealmOptions, TestRealm};

/// Our `kadmin -l` (a separate process on the same database), which must
/// succeed. Returns once the process has exited, i.e. the write committed.
fn kadmin(bin: &Path, realm: &TestRealm, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .arg("-l")
        .arg("--config")
        .arg(realm.dev.config_path())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kadmin");
    let r = Run::from(out);
    assert!(r.ok, "kadmin {args:?} failed: {r:?}");
    r
}

/// A realm whose KDC never refreshes in the background during a test (an
/// hour), so only the per-request catch-up can make these tests pass.
fn no_background_refresh() -> RealmOptions {
    RealmOptions {
        refresh_interval: Some(Duration::from_secs(3600)),
        ..RealmOptions::default()
    }
}

fn kinit(realm: &TestRealm, who: &str, pw: &str) -> Run {
    realm.mit("kinit", &[who], Some(&format!("{pw}\n")))
}

#[test]
fn mit_kinit_right_after_kadmin_addprinc_100_rounds() {
    if !require_mit() {
        return;
    }
    let Some(bin) = workspace_bin("kadmin") else {
        return;
    };
    let realm = TestRealm::start(no_background_refresh());
    for i in 0..100 {
        let name = format!("fresh{i}");
        let pw = format!("Fr3sh-pass-{i}!");
        // Before: unknown, and the KDC says so.
        if i % 10 == 0 {
            let r = kinit(&realm, &name, &pw);
            assert!(!r.ok, "round {i}: {name} got a TGT before it existed");
            assert!(
                r.stderr.contains("not found in Kerberos database"),
                "round {i}: {r:?}"
            );
        }
        kadmin(&bin, &realm, &["addprinc", "-pw", &pw, &name]);
        let r = kinit(&realm, &name, &pw);
        assert!(r.ok, "round {i}: kinit right after addprinc failed: {r:?}");
    }
}

#[test]
fn mit_kinit_sees_cpw_delprinc_lock_expire_allow_tix_at_once() {
    if !require_mit() {
        return;
    }
    let Some(bin) = workspace_bin("kadmin") else {
        return;
    };
    let realm = TestRealm::start(no_background_refresh());
    kadmin(&bin, &realm, &["addprinc", "-pw", "0ld-Passw0rd!", "dora"]);
    assert!(kinit(&realm, "dora", "0ld-Passw0rd!").ok);

    // cpw: the new password works at once, the old one is refused at once.
    for round in 0..5 {
        let (old, new) = if round % 2 == 0 {
            ("0ld-Passw0rd!", "N3w-Passw0rd!")
        } else {
            ("N3w-Passw0rd!", "0ld-Passw0rd!")
        };
        kadmin(&bin, &realm, &["cpw", "-pw", new, "dora"]);
        let r = kinit(&realm, "dora", old);
        assert!(!r.ok, "round {round}: old password still works: {r:?}");
        assert!(r.stderr.contains("Password incorrect"), "{r:?}");
        let r = kinit(&realm, "dora", new);
        assert!(r.ok, "round {round}: new password refused: {r:?}");
    }
    let pw = "N3w-Passw0rd!";

    // A new kvno from cpw -randkey is what the next service ticket uses.
    kadmin(
        &bin,
        &realm,
        &["addprinc", "-randkey", "host/fresh.example"],
    );
    for expected in 2..=4 {
        kadmin(&bin, &realm, &["cpw", "-randkey", "host/fresh.example"]);
        assert!(kinit(&realm, "dora", pw).ok);
        let r = realm.mit("kvno", &["host/fresh.example"], None);
        assert!(
            r.ok && r.stdout.contains(&format!("kvno = {expected}")),
            "kvno {expected} expected right after cpw -randkey: {r:?}"
        );
    }

    // lock / unlock.
    kadmin(&bin, &realm, &["lock", "dora"]);
    let r = kinit(&realm, "dora", pw);
    assert!(!r.ok, "locked principal got a TGT: {r:?}");
    assert!(r.stderr.contains("revoked"), "{r:?}");
    kadmin(&bin, &realm, &["unlock", "dora"]);
    let r = kinit(&realm, "dora", pw);
    assert!(r.ok, "unlocked principal refused: {r:?}");

    // -allow_tix / +allow_tix.
    kadmin(&bin, &realm, &["modprinc", "-allow_tix", "dora"]);
    let r = kinit(&realm, "dora", pw);
    assert!(!r.ok, "-allow_tix principal got a TGT: {r:?}");
    kadmin(&bin, &realm, &["modprinc", "+allow_tix", "dora"]);
    assert!(kinit(&realm, "dora", pw).ok, "+allow_tix not honoured");

    // -expire in the past, then never.
    kadmin(&bin, &realm, &["modprinc", "-expire", "2001-01-01", "dora"]);
    let r = kinit(&realm, "dora", pw);
    assert!(!r.ok, "expired principal got a TGT: {r:?}");
    assert!(r.stderr.contains("expired"), "{r:?}");
    kadmin(&bin, &realm, &["modprinc", "-expire", "never", "dora"]);
    assert!(kinit(&realm, "dora", pw).ok, "-expire never not honoured");

    // A lockout policy attached by another process counts from the next
    // request on.
    kadmin(&bin, &realm, &["addpol", "-maxfailure", "1", "strict"]);
    kadmin(&bin, &realm, &["modprinc", "-policy", "strict", "dora"]);
    let r = kinit(&realm, "dora", "not-the-password");
    assert!(!r.ok && r.stderr.contains("Password incorrect"), "{r:?}");
    let r = kinit(&realm, "dora", pw);
    assert!(!r.ok, "max failure 1 not enforced at once: {r:?}");
    assert!(r.stderr.contains("revoked"), "{r:?}");
    kadmin(&bin, &realm, &["modpol", "-maxfailure", "0", "strict"]);
    kadmin(&bin, &realm, &["unlock", "dora"]);
    assert!(kinit(&realm, "dora", pw).ok);

    // delprinc: refused at once, as unknown.
    kadmin(&bin, &realm, &["delprinc", "-force", "dora"]);
    let r = kinit(&realm, "dora", pw);
    assert!(!r.ok, "deleted principal got a TGT: {r:?}");
    assert!(r.stderr.contains("not found in Kerberos database"), "{r:?}");
}

#[test]
fn second_kdc_on_the_same_database_sees_the_first_ones_writes_at_once() {
    if !require_mit() {
        return;
    }
    let Some(bin) = workspace_bin("kadmin") else {
        return;
    };
    let first = TestRealm::start(no_background_refresh());
    // A second KDC with its own store (its own connection) on the same
    // database, as a second `serve` process would have.
    let second = TestRealm::serve_dir(first.dir(), &no_background_refresh());
    let conf = first.dir().join("krb5-second.conf");
    std::fs::write(
        &conf,
        krb5_conf(
            second.realm(),
            &format!("127.0.0.1:{}", second.dev.port),
            &[],
            None,
        ),
    )
    .expect("write krb5.conf");
    let mut env = first.env();
    for (k, v) in &mut env {
        if k == "KRB5_CONFIG" {
            *v = conf.display().to_string();
        }
    }
    let kinit_second =
        |who: &str, pw: &str| run("/usr/bin/kinit", &[who], &env, Some(&format!("{pw}\n")));

    for i in 0..20 {
        let name = format!("twin{i}");
        let pw = format!("Tw1n-pass-{i}!");
        // Written by another process: both KDCs answer with it at once.
        kadmin(&bin, &first, &["addprinc", "-pw", &pw, &name]);
        let r = kinit_second(&name, &pw);
        assert!(r.ok, "round {i}: second KDC: {r:?}");
        // Written through the first KDC's own store handle (as its
        // in-process kpasswd and remote kadmin do): the second one sees it.
        let full = format!("{name}@{}", first.realm());
        // A direct read outside a KDC request catches up first.
        first.store.sync_changes().expect("sync");
        let mut e = (*first.store.get(&full).expect("get").expect("exists")).clone();
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_TIX, false);
        first.store.update(&e).expect("update");
        let r = kinit_second(&name, &pw);
        assert!(!r.ok, "round {i}: second KDC ignored -allow_tix: {r:?}");
        assert!(first.store.delete(&full).expect("delete"));
        let r = kinit_second(&name, &pw);
        assert!(
            !r.ok && r.stderr.contains("not found in Kerberos database"),
            "round {i}: second KDC still knows a deleted principal: {r:?}"
        );
    }
}

/// A `tessera-kdc serve` process on the database of a running `tessera-kdc
/// dev` process (KDC on its own port, no admin or kpasswd listener), and the
/// krb5.conf that sends AS/TGS requests to it while kpasswd and kadmin still
/// go to the dev process. Killed on drop.
struct SecondServe {
    child: std::process::Child,
    env: Vec<(String, String)>,
    /// Its trace-level log (scanned for secrets on drop) and realm dir.
    log: std::path::PathBuf,
    dir: std::path::PathBuf,
}

impl Drop for SecondServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        tessera_tests::secrets::check_realm_log(&self.log, &self.dir, &[], &[]);
    }
}

impl SecondServe {
    fn start(dev: &DevKdc) -> Option<SecondServe> {
        let kdc = workspace_bin("tessera-kdc")?;
        let port = free_port();
        let toml = std::fs::read_to_string(dev.dir.join("kdc.toml")).expect("kdc.toml");
        let mut second = String::new();
        for line in toml.lines() {
            if line.starts_with("udp_listen") {
                second.push_str(&format!("udp_listen = [\"127.0.0.1:{port}\"]\n"));
            } else if line.starts_with("tcp_listen") {
                second.push_str(&format!("tcp_listen = [\"127.0.0.1:{port}\"]\n"));
            } else {
                second.push_str(line);
                second.push('\n');
                if line == "[admin]" || line == "[kpasswd]" {
                    second.push_str("listen = []\n");
                }
                if line == "[database]" {
                    // No background refresh during the test: only the
                    // per-request catch-up can see the dev process's writes.
                    second.push_str("refresh_interval = \"1h\"\n");
                }
            }
        }
        for section in ["[admin]", "[kpasswd]"] {
            if !toml.lines().any(|l| l == section) {
                second.push_str(&format!("\n{section}\nlisten = []\n"));
            }
        }
        let cfg = dev.dir.join("kdc-second.toml");
        std::fs::write(&cfg, second).expect("write kdc-second.toml");
        let conf = std::fs::read_to_string(dev.dir.join("krb5.conf")).expect("krb5.conf");
        let kdc_line = conf
            .lines()
            .find(|l| l.trim_start().starts_with("kdc ="))
            .expect("kdc line")
            .to_owned();
        let conf = conf.replacen(&kdc_line, &format!("        kdc = 127.0.0.1:{port}"), 1);
        let conf_path = dev.dir.join("krb5-second.conf");
        std::fs::write(&conf_path, conf).expect("write krb5-second.conf");
        let log = dev.dir.join("kdc-second-trace.log");
        let child = Command::new(kdc)
            .args(["serve", "--config"])
            .arg(&cfg)
            .env(TRACE_ENV.0, TRACE_ENV.1)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file(&log))
            .spawn()
            .expect("start tessera-kdc serve");
        let mut env = dev.env_cc("cc-second");
        for (k, v) in &mut env {
            if k == "KRB5_CONFIG" {
                *v = conf_path.display().to_string();
            }
        }
        let s = SecondServe {
            child,
            env,
            log,
            dir: dev.dir.clone(),
        };
        // Ready when its TCP port accepts (bounded wait for a condition).
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "second KDC did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(s)
    }

    fn kinit(&self, who: &str, pw: &str) -> Run {
        run(
            "/usr/bin/kinit",
            &[who],
            &self.env,
            Some(&format!("{pw}\n")),
        )
    }
}

#[test]
fn another_kdc_process_honours_remote_kadmin_and_kpasswd_writes_at_once() {
    let Some(dev) = DevKdc::start() else {
        return;
    };
    let Some(second) = SecondServe::start(&dev) else {
        return;
    };
    for i in 0..20 {
        let name = format!("remote{i}");
        let pw = format!("R3mote-pass-{i}!");
        // Remote kadmin, served inside the dev process; the other KDC
        // process answers with the new principal at once.
        let r = dev.kadmin_admin(&["addprinc", "-pw", &pw, &name]);
        assert!(r.ok, "round {i}: {r:?}");
        let r = second.kinit(&name, &pw);
        assert!(r.ok, "round {i}: other KDC process: {r:?}");
        // MIT's kpasswd against the dev process's kpasswd service.
        let new = format!("Ch4nged-pass-{i}!");
        let r = dev.mit("kpasswd", &[&name], Some(&format!("{pw}\n{new}\n{new}\n")));
        assert!(r.ok && r.stdout.contains("Password changed."), "{r:?}");
        let r = second.kinit(&name, &pw);
        assert!(!r.ok, "round {i}: old password still works: {r:?}");
        assert!(r.stderr.contains("Password incorrect"), "{r:?}");
        let r = second.kinit(&name, &new);
        assert!(r.ok, "round {i}: new password refused: {r:?}");
    }
}
