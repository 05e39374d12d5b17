//! Clock steps while serving (issue 9, faults): the real `tessera-kdc
//! serve` runs under libfaketime (`LD_PRELOAD`, `FAKETIME_TIMESTAMP_FILE`
//! re-read on every clock call with `FAKETIME_NO_CACHE=1`; the monotonic
//! clock is left alone, as a real clock step leaves it), and the test steps
//! its wall clock by +3 h, -3 h, +24 h and -24 h and back while clients
//! keep asking:
//!
//! * a client on the real clock (MIT kinit/kvno, `kdc_timesync = 0` so it
//!   reports the error instead of adopting the KDC's time) gets
//!   KRB_AP_ERR_SKEW ("Clock skew too great") for AS and for TGS with a TGT
//!   it got before the step;
//! * a client whose clock moved with the KDC's (the same libfaketime file)
//!   gets tickets at every step;
//! * the KDC never exits or panics, and once its clock is back everything
//!   works again, including the TGT from before the steps.
//!
//! First checks that libfaketime does move Rust's `SystemTime::now` in the
//! KDC (its log timestamps). Under CI=true a missing libfaketime fails.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tessera_tests::mit::{Run, require_mit, run};

use crate::faults_common::{Bins, Serve, ServeRealm, in_ci};

/// libfaketime's preload library (Debian package `faketime`).
fn libfaketime() -> Option<PathBuf> {
    let found = std::fs::read_dir("/usr/lib")
        .ok()?
        .filter_map(Result::ok)
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.exists());
    if found.is_none() {
        let msg = "libfaketime.so.1 not found (apt-get install faketime; scripts/test does)";
        assert!(!in_ci(), "{msg}");
        eprintln!("SKIPPING clock-step test: {msg}");
    }
    found
}

const SKEW: &str = "Clock skew too great";

#[test]
fn kdc_clock_steps_by_hours_skew_for_real_time_clients_tickets_for_moved_ones() {
    if !require_mit() {
        return;
    }
    let Some(bins) = Bins::find() else {
        return;
    };
    let Some(lib) = libfaketime() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("realm");
    let realm = ServeRealm::create(&dir, &dir, &[18, 17]);
    // Clients that report the skew rather than adopt the KDC's time.
    let conf = dir.join("krb5.conf");
    let text = std::fs::read_to_string(&conf).expect("krb5.conf");
    std::fs::write(
        &conf,
        text.replacen(
            "[libdefaults]\n",
            "[libdefaults]\n    kdc_timesync = 0\n",
            1,
        ),
    )
    .expect("write krb5.conf");
    let clock = tmp.path().join("faketime");
    set_clock(&clock, "+0\n");
    let fake_env: Vec<(String, String)> = vec![
        ("LD_PRELOAD".into(), lib.display().to_string()),
        (
            "FAKETIME_TIMESTAMP_FILE".into(),
            clock.display().to_string(),
        ),
        ("FAKETIME_NO_CACHE".into(), "1".into()),
        ("FAKETIME_DONT_FAKE_MONOTONIC".into(), "1".into()),
    ];
    let log = tmp.path().join("serve.log");
    set_clock(&clock, "+5d\n");
    let mut serve = Serve::start_with_env(&bins, &[], &realm, &log, &fake_env);
    // libfaketime moves SystemTime::now in the KDC: its first log line is
    // stamped five days ahead.
    let first = std::fs::read_to_string(&log).expect("serve log");
    let stamp = first.get(..10).unwrap_or_default().to_owned();
    let ahead = (SystemTime::now() + Duration::from_secs(5 * 86400))
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let expect_day = tessera_day(ahead);
    assert_eq!(
        stamp, expect_day,
        "libfaketime did not move the KDC's clock: {first}"
    );
    set_clock(&clock, "+0\n");

    let user_pw = realm.password("user.password");
    let real = realm.env("cc-real");
    let mut moved = realm.env("cc-moved");
    moved.extend(fake_env.iter().cloned());
    let kinit = |env: &[(String, String)]| -> Run {
        run(
            "/usr/bin/kinit",
            &["user"],
            env,
            Some(&format!("{user_pw}\n")),
        )
    };
    let kvno = |env: &[(String, String)]| run("/usr/bin/kvno", &["host/localhost"], env, None);
    let r = kinit(&real);
    assert!(r.ok, "kinit before the steps: {r:?}");
    let (mut skews, mut tickets) = (0, 0);
    // What the KDC says to the TGT from before the steps (10 h life): its
    // authenticator is skewed at +3 h; the ticket itself is not yet valid
    // in the KDC's past and has expired a day ahead.
    for (step, old_tgt) in [
        ("+3h", SKEW),
        ("-3h", "Ticket not yet valid"),
        ("+24h", "Ticket expired"),
        ("-24h", "Ticket not yet valid"),
        ("+0", ""),
    ] {
        set_clock(&clock, &format!("{step}\n"));
        for round in 0..5 {
            let what = format!("clock {step}, round {round}");
            if step == "+0" {
                let r = kvno(&real);
                assert!(r.ok, "{what}: kvno with the TGT from before: {r:?}");
                let r = kinit(&real);
                assert!(r.ok, "{what}: kinit: {r:?}");
                tickets += 2;
            } else {
                // The real-time client: TGS with its old TGT, then AS.
                let r = kvno(&real);
                assert!(!r.ok && r.stderr.contains(old_tgt), "{what}: kvno: {r:?}");
                let r = run(
                    "/usr/bin/kinit",
                    &["user"],
                    &realm.env("cc-real-new"),
                    Some(&format!("{user_pw}\n")),
                );
                assert!(!r.ok && r.stderr.contains(SKEW), "{what}: kinit: {r:?}");
                skews += 2;
            }
            // The client whose clock moved too: AS and TGS work.
            let r = kinit(&moved);
            assert!(r.ok, "{what}: kinit on the KDC's clock: {r:?}");
            let r = kvno(&moved);
            assert!(r.ok, "{what}: kvno on the KDC's clock: {r:?}");
            tickets += 2;
            assert!(serve.alive(), "{what}: the KDC exited");
        }
    }
    let log_text = std::fs::read_to_string(&log).expect("serve log");
    assert!(
        !log_text.contains("panicked"),
        "panic in the KDC log:\n{log_text}"
    );
    eprintln!(
        "clock steps: {skews} refusals (AS skew; TGS skew, not yet valid or expired), {tickets} tickets, no panic"
    );
}

/// `YYYY-MM-DD` of a Unix time (UTC), as the KDC's log lines start.
fn tessera_day(unix: u64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = i64::try_from(unix / 86400).expect("days") + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes the libfaketime offset file atomically (a new file renamed over
/// it): the KDC re-reads it on every clock call and must never see it
/// empty or half written.
fn set_clock(path: &std::path::Path, spec: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, spec).expect("faketime file");
    std::fs::rename(&tmp, path).expect("rename faketime file");
}
