//! Admin requests whose duration and time fields hold extreme values
//! (u64::MAX, i64::MAX, 0, i64::MIN, -1 where signed), sent as JSON (the
//! remote protocol's encoding) and as `kadmin -l` arguments, then AS and
//! TGS exchanges with our client for principals carrying such values,
//! against an in-process KDC on loopback: nothing panics; tickets are sane
//! (inside the realm's limits) or the refusal is a clean KRB-ERROR.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{Client, InitialSecret, blocking};
use tessera_kdc::admin::{AdminRequest, KeySpec, PolicyMods, PrincipalMods, Secret};
use tessera_kdc::admin_server::{AdminLimits, RemoteAdmin};
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_preauth::{admin_creds, admin_service, serve};
use crate::admin_remote::workspace_bin;

const DURATIONS: [u64; 5] = [u64::MAX, i64::MAX as u64, u32::MAX as u64, 1, 0];
const TIMES: [i64; 5] = [i64::MAX, i64::MIN, -1, 0, 4_102_444_800];

/// `req` over the remote admin protocol (JSON inside KRB-PRIV, decoded by
/// the server with serde), as admin/admin.
fn run_json(admin: &RemoteAdmin, req: &AdminRequest) -> Result<(), String> {
    admin.call(req).map(|_| ()).map_err(|e| e.to_string())
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Panics on any non-test thread of this process (the in-process KDC and
/// admin server run requests on threads whose panics a reply would hide).
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Test threads are named after their test (`module::name`); the
        // KDC's and admin server's threads are not.
        let test_thread = std::thread::current()
            .name()
            .is_some_and(|n| n.contains("::"));
        if !test_thread {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        previous(info);
    }));
}

#[test]
fn extreme_durations_and_times_never_panic_and_tickets_stay_sane() {
    count_panics();
    let realm = TestRealm::start(RealmOptions::default());
    let (addr, token) = serve(admin_service(&realm), AdminLimits::default());
    let admin = RemoteAdmin::connect(&addr.to_string(), &admin_creds(&realm)).unwrap();
    let conf = Krb5Conf::load(realm.dev.krb5_conf()).unwrap();
    let client = blocking::Client::new(Client::new(conf)).unwrap();
    let opts = {
        let mut o = client.inner().as_options();
        o.renew_lifetime = Some(std::time::Duration::from_secs(7 * 86400));
        o
    };
    let realm_max = i64::try_from(realm.dev.config.policy.max_life.as_secs()).unwrap();
    let service = Principal::krbtgt(realm.realm());
    let mut outcomes = Vec::new();
    let mut tickets = 0;
    for (i, d) in DURATIONS.iter().copied().enumerate() {
        let pol = format!("pol{i}");
        let mods = PolicyMods {
            max_life: Some(d),
            min_life: Some(d),
            failure_count_interval: Some(d),
            lockout_duration: Some(d),
            max_failure: Some(1),
            ..PolicyMods::default()
        };
        run_json(
            &admin,
            &AdminRequest::AddPolicy {
                name: pol.clone(),
                mods: mods.clone(),
            },
        )
        .unwrap();
        run_json(
            &admin,
            &AdminRequest::ModifyPolicy {
                name: pol.clone(),
                mods,
            },
        )
        .unwrap();
        for (j, t) in TIMES.iter().copied().enumerate() {
            let name = format!("u{i}x{j}");
            let pw = format!("Extreme-{i}-{j}-password");
            let add = AdminRequest::AddPrincipal {
                name: name.clone(),
                keys: KeySpec::Password(Secret::new(&pw)),
                enctypes: None,
                mods: PrincipalMods {
                    policy: Some(Some(pol.clone())),
                    max_life: Some(d),
                    max_renewable_life: Some(d),
                    ..PrincipalMods::default()
                },
            };
            run_json(&admin, &add).unwrap();
            // Times: expiry and password expiry at the extreme.
            let m = AdminRequest::ModifyPrincipal {
                name: name.clone(),
                mods: PrincipalMods {
                    expiration: Some(Some(t)),
                    pw_expiration: Some(Some(t)),
                    ..PrincipalMods::default()
                },
            };
            run_json(&admin, &m).unwrap();
            // A password change under the policy (pw expiry = now + max_life).
            let cpw = AdminRequest::ChangePassword {
                name: name.clone(),
                keys: KeySpec::Password(Secret::new(&pw)),
                enctypes: None,
                keep_old: false,
            };
            let _ = run_json(&admin, &cpw);
            run_json(&admin, &AdminRequest::GetPrincipal { name: name.clone() }).unwrap();

            let me = Principal::parse(&realm.dev.principal(&name)).unwrap();
            let login = |password: &str| {
                client.get_initial(
                    &me,
                    None,
                    &InitialSecret::Password(Password::from(password)),
                    &opts,
                )
            };
            // The right password, then a wrong one (max_failure 1: the
            // policy's lockout duration now applies), then the right one.
            for round in ["first", "after a failure"] {
                if round != "first" {
                    assert!(login("wrong").is_err());
                }
                match login(&pw) {
                    Ok(tgt) => {
                        let n = now();
                        assert!(
                            tgt.endtime > n - 60 && tgt.endtime <= n + realm_max + 300,
                            "{name}: {tgt:?}"
                        );
                        if let Some(r) = tgt.renew_till {
                            assert!(r >= tgt.endtime && r <= n + 7 * 86400 + 300, "{tgt:?}");
                        }
                        let st = client.get_service(&tgt, &service, &opts);
                        if let Ok(st) = &st {
                            assert!(st.endtime <= tgt.endtime, "{st:?}");
                        }
                        tickets += 1;
                        outcomes.push(format!(
                            "{name} {round}: ticket, service ticket {}",
                            st.is_ok()
                        ));
                    }
                    Err(e) => {
                        let line = e.to_string();
                        assert!(!line.contains('\n'), "{line}");
                        outcomes.push(format!("{name} {round}: {line}"));
                    }
                }
            }
        }
    }
    assert_eq!(outcomes.len(), 2 * DURATIONS.len() * TIMES.len());
    assert!(tickets > 0, "{}", outcomes.join("\n"));
    eprintln!("{}", outcomes.join("\n"));
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "something panicked (see stderr)"
    );
    token.cancel();
}

#[test]
fn kadmin_cli_refuses_or_saturates_extreme_values() {
    let realm = TestRealm::start(RealmOptions::default());
    let Some(kadmin) = workspace_bin("kadmin") else {
        return;
    };
    let cfg = realm.dev.config_path().display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["-l", "--config", cfg.as_str()];
        all.extend_from_slice(args);
        tessera_tests::mit::run(kadmin.to_str().unwrap(), &all, &[], None)
    };
    let ok = |args: &[&str]| {
        let r = run(args);
        assert!(r.ok, "{args:?}: {r:?}");
    };
    ok(&["addpol", "clip"]);
    ok(&[
        "addprinc",
        "-pw",
        "Cli-password-1234",
        "-policy",
        "clip",
        "cli",
    ]);
    let huge = u64::MAX.to_string();
    let big = i64::MAX.to_string();
    let values = [
        huge.as_str(),
        big.as_str(),
        "0",
        "-1",
        "99999999999999999999999d",
    ];
    for (i, v) in values.into_iter().enumerate() {
        let at = format!("@{v}");
        let pol = format!("pol{i}");
        let princ = format!("cli{i}");
        let durations = [
            "-maxlife",
            v,
            "-minlife",
            v,
            "-lockoutduration",
            v,
            "-failurecountinterval",
            v,
        ];
        let mut addpol = vec!["addpol"];
        addpol.extend_from_slice(&durations);
        addpol.push(&pol);
        let mut modpol = vec!["modpol"];
        modpol.extend_from_slice(&durations);
        modpol.push("clip");
        for args in [
            addpol,
            modpol,
            vec![
                "addprinc",
                "-pw",
                "Cli-password-1234",
                "-policy",
                "clip",
                "-maxlife",
                v,
                "-maxrenewlife",
                v,
                &princ,
            ],
            vec![
                "addprinc",
                "-randkey",
                "-expire",
                &at,
                "-pwexpire",
                &at,
                &princ,
            ],
            vec!["modprinc", "-maxlife", v, "-maxrenewlife", v, "cli"],
            vec!["modprinc", "-expire", &at, "-pwexpire", &at, "cli"],
            vec!["cpw", "-pw", "Cli-password-5678", "cli"],
        ] {
            let r = run(&args);
            // Success or a one-line refusal; never a panic.
            assert!(!r.stderr.contains("panicked"), "{args:?}: {r:?}");
            if !r.ok {
                assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {r:?}");
            }
        }
        for show in [&["getprinc", "cli"][..], &["getpol", "clip"][..]] {
            let r = run(show);
            assert!(r.ok && !r.stderr.contains("panicked"), "{v}: {r:?}");
        }
    }
}
