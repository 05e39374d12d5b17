//! Our `kinit` with an expired password (`+needchange`), against a real
//! `tessera-kdc dev` process: like MIT's kinit it prints `Password
//! expired.  You must change it now.`, changes the password through the
//! realm's kpasswd server with a `kadmin/changepw` ticket got with the old
//! password, and then caches a TGT got with the new one. A policy refusal
//! prints the server's text (and asks again, three tries in all), a
//! mismatch of the two new passwords prints MIT's message, and `kinit -k`
//! fails with one line saying the password has expired. Against MIT's KDC
//! and kadmind, ours prints what MIT's kinit prints (less the prompts,
//! which ours shows only on a terminal) and changes the password there.

use crate::admin_remote::{DevKdc, workspace_bin};
use tessera_tests::mit::{MitKdc, Run, run};

const EXPIRED: &str = "Password expired.  You must change it now.";

fn lines(old: &str, rest: &[&str]) -> String {
    let mut s = format!("{old}\n");
    for l in rest {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// Our `kinit ARGS...` with `stdin`.
fn our_kinit(kdc: &DevKdc, args: &[&str], stdin: &str) -> Run {
    let kinit = workspace_bin("kinit").unwrap();
    kdc.run(&kinit, args, Some(stdin))
}

/// Our `klist`.
fn our_klist(kdc: &DevKdc) -> Run {
    let klist = workspace_bin("klist").unwrap();
    kdc.run(&klist, &[], None)
}

fn getprinc(kdc: &DevKdc, who: &str) -> String {
    let r = kdc.kadmin_local(&["getprinc", who]);
    assert!(r.ok, "{r:?}");
    r.stdout
}

/// `getprinc` without the last-success time (the `kadmin/changepw` AS
/// exchange may set it): what a refused change must leave alone.
fn account(kdc: &DevKdc, who: &str) -> String {
    getprinc(kdc, who)
        .lines()
        .filter(|l| !l.starts_with("Last successful authentication"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn set_needchange(kdc: &DevKdc, who: &str) {
    let r = kdc.kadmin_local(&["modprinc", "+needchange", who]);
    assert!(r.ok, "{r:?}");
    assert!(getprinc(kdc, who).contains("REQUIRES_PWCHANGE"));
}

#[test]
fn our_kinit_changes_an_expired_password_then_caches_a_tgt() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    set_needchange(&kdc, "user");
    let new = "Changed-by-kinit-1";
    // A wrong old password is refused before anything is said or asked.
    let r = our_kinit(&kdc, &["user"], &lines("Wrong-pass-1", &[new, new]));
    assert!(!r.ok && r.stdout.is_empty(), "{r:?}");
    assert!(r.stderr.contains("password incorrect"), "{r:?}");
    let r = our_kinit(&kdc, &["user"], &lines(&old, &[new, new]));
    assert!(r.ok, "{r:?}");
    assert_eq!(r.stdout.trim_end(), EXPIRED, "{r:?}");
    assert!(!r.stdout.contains(new) && !r.stderr.contains(new));
    // The cache holds the TGT (our klist and MIT's).
    let r = our_klist(&kdc);
    assert!(
        r.ok && r.stdout.contains("krbtgt/TESSERA.TEST@TESSERA.TEST"),
        "{r:?}"
    );
    let r = kdc.mit("klist", &[], None);
    assert!(
        r.ok && r.stdout.contains("Default principal: user@TESSERA.TEST")
            && r.stdout.contains("krbtgt/TESSERA.TEST@TESSERA.TEST"),
        "{r:?}"
    );
    // ... and it is good for service tickets: the flag is cleared.
    assert!(!getprinc(&kdc, "user").contains("REQUIRES_PWCHANGE"));
    let r = kdc.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "{r:?}");
    // The new password works, the old one is refused.
    let r = our_kinit(&kdc, &["user"], &format!("{new}\n"));
    assert!(r.ok && r.stdout.is_empty(), "{r:?}");
    let r = our_kinit(&kdc, &["user"], &format!("{old}\n"));
    assert!(!r.ok && r.stderr.contains("password incorrect"), "{r:?}");
    assert!(kdc.kinit("user", new).ok);
}

#[test]
fn our_kinit_policy_refusal_prints_the_server_text_and_changes_nothing() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    assert!(
        kdc.kadmin_admin(&["addpol", "-minlength", "12", "strict"])
            .ok
    );
    assert!(
        kdc.kadmin_admin(&["modprinc", "-policy", "strict", "user"])
            .ok
    );
    let old = kdc.user_password();
    set_needchange(&kdc, "user");
    let before = account(&kdc, "user");
    let r = our_kinit(&kdc, &["user"], &lines(&old, &["short1", "short1"]));
    assert!(!r.ok, "{r:?}");
    let text = "Password change rejected: New password is too short.\n\
                Please choose a password which is at least 12 characters long.";
    // As MIT's kinit: the refusal, then another prompt (here: end of input).
    assert_eq!(
        r.stdout,
        format!("{EXPIRED}\n{text}.  Please try again.\n\n"),
        "{r:?}"
    );
    assert_eq!(r.stderr.trim_end(), format!("kinit: {text}"), "{r:?}");
    // Nothing changed: still flagged, same keys and change time, no TGT.
    assert_eq!(account(&kdc, "user"), before);
    assert!(!our_klist(&kdc).ok);
    // Three tries in one run: the third one is accepted, with the old
    // password still the current one.
    let r = our_kinit(
        &kdc,
        &["user"],
        &lines(
            &old,
            &[
                "short1",
                "short1",
                "a",
                "b",
                "Long-enough-pass-1",
                "Long-enough-pass-1",
            ],
        ),
    );
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.stdout,
        format!("{EXPIRED}\n{text}.  Please try again.\n\nPassword mismatch.  Please try again.\n"),
        "{r:?}"
    );
    assert!(our_klist(&kdc).ok);
    assert!(kdc.kinit("user", "Long-enough-pass-1").ok);
}

#[test]
fn our_kinit_new_password_mismatch_is_mit_message() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    set_needchange(&kdc, "user");
    let before = account(&kdc, "user");
    // One mismatch, then end of input.
    let r = our_kinit(
        &kdc,
        &["user"],
        &lines(&old, &["First-pass-1", "Second-pass-1"]),
    );
    assert!(!r.ok, "{r:?}");
    assert_eq!(
        r.stdout,
        format!("{EXPIRED}\nPassword mismatch.  Please try again.\n"),
        "{r:?}"
    );
    assert_eq!(
        r.stderr.trim_end(),
        "kinit: Password mismatch while getting initial credentials"
    );
    // Three mismatches: MIT's kinit says nothing more after the last one.
    let three = [
        "A-pass-1", "B-pass-1", "A-pass-1", "B-pass-1", "A-pass-1", "B-pass-1",
    ];
    let r = our_kinit(&kdc, &["user"], &lines(&old, &three));
    assert!(!r.ok, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "{EXPIRED}\nPassword mismatch.  Please try again.\nPassword mismatch.  Please try again.\n"
        ),
        "{r:?}"
    );
    assert_eq!(
        r.stderr.trim_end(),
        "kinit: Password mismatch while getting initial credentials"
    );
    assert_eq!(account(&kdc, "user"), before);
    assert!(!our_klist(&kdc).ok);
}

#[test]
fn our_kinit_keytab_with_expired_password_fails_in_one_line() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    set_needchange(&kdc, "host/localhost");
    let kt = kdc.dir.join("service.keytab").display().to_string();
    // Input is there, but no prompt may read it.
    let r = our_kinit(
        &kdc,
        &["-k", "-t", &kt, "host/localhost"],
        "New-pass-1\nNew-pass-1\n",
    );
    assert!(!r.ok, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr.starts_with(
            "kinit: password of host/localhost@TESSERA.TEST has expired and kinit -k cannot change it"
        ),
        "{r:?}"
    );
    assert!(getprinc(&kdc, "host/localhost").contains("REQUIRES_PWCHANGE"));
    assert!(!our_klist(&kdc).ok);
}

/// What MIT's kinit writes to standard output without its prompts (which
/// ours shows only on a terminal).
fn without_prompts(out: &str) -> String {
    out.lines()
        .filter(|l| {
            !l.starts_with("Password for ")
                && *l != "Enter new password: "
                && *l != "Enter it again: "
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Against MIT's KDC and kadmind: our kinit changes a `+needchange`
/// password through MIT's kpasswd service, and for a policy refusal and a
/// mismatch prints what MIT's kinit prints (less the prompts).
#[test]
fn our_kinit_changes_an_expired_password_against_mit_kadmind() {
    if !tessera_tests::mit::require_mit_kadmind() {
        return;
    }
    let Some(kinit) = workspace_bin("kinit") else {
        return;
    };
    let mut mit = MitKdc::start("MIT.TEST", &["aes256-cts-hmac-sha1-96"]);
    mit.kadmin("addpol -minlength 12 strict");
    mit.kadmin("addprinc +requires_preauth +needchange -policy strict -pw Old-pass-123 alice");
    mit.start_kadmind();
    let mut env = mit.env();
    let ours = mit.dir().join("ours.cc");
    env.retain(|(k, _)| k != "KRB5CCNAME");
    env.push(("KRB5CCNAME".into(), format!("FILE:{}", ours.display())));
    let our = |stdin: &str| run(&kinit.display().to_string(), &["alice"], &env, Some(stdin));
    let theirs = |stdin: &str| run("/usr/bin/kinit", &["alice"], &mit.env(), Some(stdin));
    let old = "Old-pass-123";
    // MIT's KDC says "expired" before pre-authentication: a wrong old
    // password fails at the kadmin/changepw exchange, before any output.
    let m = theirs(&lines("Wrong-pass-123", &["Whatever-123", "Whatever-123"]));
    let r = our(&lines("Wrong-pass-123", &["Whatever-123", "Whatever-123"]));
    assert!(!m.ok && m.stderr.contains("Password incorrect"), "{m:?}");
    assert!(!r.ok && r.stderr.contains("password incorrect"), "{r:?}");
    assert_eq!(r.stdout, without_prompts(&m.stdout), "{m:?} {r:?}");
    for input in [
        lines(old, &["short1", "short1"]),
        lines(old, &["First-pass-123", "Second-pass-123"]),
        lines(old, &["A-pass-123456", "B-pass-123456"].repeat(3)),
    ] {
        let m = theirs(&input);
        let r = our(&input);
        assert!(!m.ok && !r.ok, "{m:?} {r:?}");
        assert_eq!(r.stdout, without_prompts(&m.stdout), "{m:?} {r:?}");
        assert!(r.stdout.starts_with(&format!("{EXPIRED}\n")), "{r:?}");
    }
    assert!(
        mit.kadmin("getprinc alice")
            .stdout
            .contains("REQUIRES_PWCHANGE")
    );

    let new = "Changed-at-mit-1";
    let r = our(&lines(old, &[new, new]));
    assert!(r.ok, "{r:?}");
    assert_eq!(r.stdout, format!("{EXPIRED}\n"), "{r:?}");
    let r = run("/usr/bin/klist", &[], &env, None);
    assert!(
        r.ok && r.stdout.contains("krbtgt/MIT.TEST@MIT.TEST"),
        "{r:?}"
    );
    assert!(
        !mit.kadmin("getprinc alice")
            .stdout
            .contains("REQUIRES_PWCHANGE")
    );
    assert!(theirs(&format!("{new}\n")).ok);
    let r = theirs(&format!("{old}\n"));
    assert!(!r.ok && r.stderr.contains("Password incorrect"), "{r:?}");
}
