//! The admin command layer in-process: ACL parsing, reload and default
//! deny; remote callers through the ACL; self-service limits; lockout
//! bookkeeping; request serialization; the schema 1 -> 2 migration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use admin_common::{REALM, Realm};
use tessera_kdc::admin::{
    Acl, AclFile, AdminError, AdminRequest, AdminResponse, AdminService, Caller, KeySpec,
    LockoutState, PasswordRejection, PolicyMods, PrincipalMods, Secret, policy_lockout_state,
};
use tessera_kdc::db::{Policy, PrincipalStore};

fn peer() -> SocketAddr {
    "127.0.0.1:7000".parse().unwrap()
}

#[test]
fn acl_parse_and_check() {
    let text = "\
# comment
*/admin@ADMIN.TEST   *
helpdesk@ADMIN.TEST  cil   *@ADMIN.TEST
helpdesk@ADMIN.TEST  I
ops@ADMIN.TEST       xD    host/*@ADMIN.TEST
auditor@ADMIN.TEST   il    # trailing comment
";
    let acl = Acl::parse(text, "kadm5.acl").unwrap();
    assert_eq!(acl.rules.len(), 5);
    let admin = "joe/admin@ADMIN.TEST";
    for p in "admcilep".chars() {
        assert!(acl.check(admin, p, "anyone@ADMIN.TEST"), "{p}");
    }
    // helpdesk: c/i/l on single-component principals only.
    assert!(acl.check("helpdesk@ADMIN.TEST", 'c', "bob@ADMIN.TEST"));
    assert!(!acl.check("helpdesk@ADMIN.TEST", 'd', "bob@ADMIN.TEST"));
    // host/x does not match `*@ADMIN.TEST` (a `*` stays within a component),
    // so the next helpdesk rule applies: uppercase I denies.
    assert!(!acl.check("helpdesk@ADMIN.TEST", 'c', "host/x@ADMIN.TEST"));
    assert!(!acl.check("helpdesk@ADMIN.TEST", 'i', "host/x@ADMIN.TEST"));
    // ops: everything but delete, on host principals only.
    assert!(acl.check("ops@ADMIN.TEST", 'e', "host/a@ADMIN.TEST"));
    assert!(!acl.check("ops@ADMIN.TEST", 'd', "host/a@ADMIN.TEST"));
    assert!(!acl.check("ops@ADMIN.TEST", 'e', "bob@ADMIN.TEST"));
    assert!(acl.check("auditor@ADMIN.TEST", 'l', "*"));
    assert!(!acl.check("auditor@ADMIN.TEST", 'm', "x@ADMIN.TEST"));
    // Default deny.
    assert!(!acl.check("nobody@ADMIN.TEST", 'i', "x@ADMIN.TEST"));
    assert!(!acl.check("joe@ADMIN.TEST", 'i', "x@ADMIN.TEST"));
    assert!(!Acl::default().check(admin, 'i', "x@ADMIN.TEST"));

    for bad in ["alice@R", "alice@R q", "a b c d"] {
        let e = Acl::parse(bad, "f").unwrap_err().to_string();
        assert!(e.contains("f line 1"), "{e}");
    }
}

#[test]
fn acl_file_reloads_and_denies_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kadm5.acl");
    let acl = AclFile::new(&path);
    assert!(acl.check("a@R", 'i', "b@R").is_err(), "missing file: error");
    std::fs::write(&path, "a@R i\n").unwrap();
    assert!(acl.check("a@R", 'i', "b@R").unwrap());
    assert!(!acl.check("a@R", 'm', "b@R").unwrap());
    std::fs::write(&path, "a@R im\nc@R x\n").unwrap();
    assert!(
        acl.check("a@R", 'm', "b@R").unwrap(),
        "reloaded after change"
    );
    assert!(acl.check("c@R", 'd', "b@R").unwrap());
    std::fs::write(&path, "a@R ?\n").unwrap();
    assert!(acl.check("a@R", 'i', "b@R").is_err(), "malformed: error");
    std::fs::write(&path, "a@R i\n").unwrap();
    assert!(acl.check("a@R", 'i', "b@R").unwrap());
    std::fs::remove_file(&path).unwrap();
    assert!(acl.check("a@R", 'i', "b@R").is_err());
}

fn service(r: &Realm, acl_text: Option<&str>) -> AdminService {
    let store: Arc<dyn PrincipalStore> = Arc::new(r.store());
    let mut config = r.config.clone();
    if let Some(t) = acl_text {
        let p = r.path().join("kadm5.acl");
        std::fs::write(&p, t).unwrap();
        config.admin.acl_file = Some(p);
    }
    AdminService::from_config(store, &config)
}

fn add(name: &str, pw: &str) -> AdminRequest {
    AdminRequest::AddPrincipal {
        name: name.into(),
        keys: KeySpec::Password(Secret::new(pw)),
        enctypes: None,
        mods: PrincipalMods::default(),
    }
}

#[test]
fn remote_callers_go_through_the_acl() {
    let r = Realm::new("");
    // No ACL file configured: every remote caller is denied; local is not.
    let svc = service(&r, None);
    let remote = Caller::remote(format!("joe/admin@{REALM}"), peer());
    let e = svc.execute(&remote, add("x", "pw")).unwrap_err();
    assert!(
        matches!(
            e,
            AdminError::Denied {
                permission: 'a',
                ..
            }
        ),
        "{e}"
    );
    svc.execute(&Caller::local(), add("x", "pw")).unwrap();

    let svc = service(
        &r,
        Some("joe/admin@ADMIN.TEST x\nhelp@ADMIN.TEST ci\nsvc@ADMIN.TEST e\n"),
    );
    svc.execute(&remote, add("y", "pw")).unwrap();
    let help = Caller::remote(format!("help@{REALM}"), peer());
    assert!(matches!(
        svc.execute(&help, add("z", "pw")).unwrap_err(),
        AdminError::Denied { .. }
    ));
    let got = svc
        .execute(&help, AdminRequest::GetPrincipal { name: "y".into() })
        .unwrap();
    assert!(matches!(got, AdminResponse::Principal(ref p) if p.name == "y@ADMIN.TEST"));
    assert!(matches!(
        svc.execute(&help, AdminRequest::ListPrincipals { glob: None })
            .unwrap_err(),
        AdminError::Denied {
            permission: 'l',
            ..
        }
    ));
    // -norandkey extraction is local-only even with 'e'.
    let svcc = Caller::remote(format!("svc@{REALM}"), peer());
    let e = svc
        .execute(
            &svcc,
            AdminRequest::ExtractKeys {
                name: "y".into(),
                enctypes: None,
                randomize: false,
            },
        )
        .unwrap_err();
    assert!(matches!(e, AdminError::Refused(_)), "{e}");
    let keys = svc
        .execute(
            &Caller::local(),
            AdminRequest::ExtractKeys {
                name: "y".into(),
                enctypes: None,
                randomize: false,
            },
        )
        .unwrap();
    assert!(
        matches!(keys, AdminResponse::Keys { ref keys, .. } if keys.len() == 2 && keys[0].kvno == 1)
    );
    // Policy commands need 'p'.
    assert!(matches!(
        svc.execute(
            &help,
            AdminRequest::AddPolicy {
                name: "p".into(),
                mods: PolicyMods::default()
            }
        )
        .unwrap_err(),
        AdminError::Denied {
            permission: 'p',
            ..
        }
    ));
}

#[test]
fn self_service_min_life() {
    let r = Realm::new("");
    let svc = service(&r, Some("*@ADMIN.TEST c\n"));
    let local = Caller::local();
    svc.execute(
        &local,
        AdminRequest::AddPolicy {
            name: "slow".into(),
            mods: PolicyMods {
                min_life: Some(3600),
                history: Some(1),
                ..PolicyMods::default()
            },
        },
    )
    .unwrap();
    let mut req = add("u", "first-pw");
    if let AdminRequest::AddPrincipal { mods, .. } = &mut req {
        mods.policy = Some(Some("slow".into()));
    }
    svc.execute(&local, req).unwrap();
    let me = Caller::remote(format!("u@{REALM}"), peer());
    let cpw = |pw: &str| AdminRequest::ChangePassword {
        name: "u".into(),
        keys: KeySpec::Password(Secret::new(pw)),
        enctypes: None,
        keep_old: false,
    };
    let now = SystemTime::now();
    let e = svc.execute_at(&me, cpw("second-pw"), now).unwrap_err();
    assert!(
        matches!(e, AdminError::Password(PasswordRejection::TooSoon { .. })),
        "{e}"
    );
    // An administrator is not bound by min_life; the caller is after it.
    svc.execute_at(&local, cpw("second-pw"), now).unwrap();
    let later = now + Duration::from_secs(3700);
    let e = svc.execute_at(&me, cpw("second-pw"), later).unwrap_err();
    assert!(
        matches!(e, AdminError::Password(PasswordRejection::Reused { .. })),
        "{e}"
    );
    svc.execute_at(&me, cpw("third-pw"), later).unwrap();
}

#[test]
fn lockout_state_getprinc_and_unlock() {
    let r = Realm::new("");
    let store = r.store();
    let svc = service(&r, None);
    let local = Caller::local();
    svc.execute(
        &local,
        AdminRequest::AddPolicy {
            name: "lock3".into(),
            mods: PolicyMods {
                max_failure: Some(3),
                failure_count_interval: Some(60),
                lockout_duration: Some(600),
                ..PolicyMods::default()
            },
        },
    )
    .unwrap();
    let mut req = add("v", "pw");
    if let AdminRequest::AddPrincipal { mods, .. } = &mut req {
        mods.policy = Some(Some("lock3".into()));
    }
    svc.execute(&local, req).unwrap();
    store.refresh().unwrap();
    let name = format!("v@{REALM}");
    let policy = store.get_policy("lock3").unwrap().unwrap();
    // Three failures (the KDC counts them: kdc/tests/core_lockout.rs).
    let t1 = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    store.set_fail_state(&name, 3, Some(t1)).unwrap();
    let e = store.get(&name).unwrap().unwrap();
    assert_eq!(e.fail_count, 3);
    assert_eq!(
        policy_lockout_state(&e, Some(&policy), t1 + Duration::from_secs(1)),
        LockoutState::Locked {
            until: Some(t1 + Duration::from_secs(600))
        }
    );
    assert_eq!(
        policy_lockout_state(&e, Some(&policy), t1 + Duration::from_secs(601)),
        LockoutState::Open
    );
    // getprinc shows the count; unlock clears it.
    let info = svc
        .execute(&local, AdminRequest::GetPrincipal { name: "v".into() })
        .unwrap();
    let AdminResponse::Principal(p) = info else {
        panic!()
    };
    assert_eq!(p.fail_count, 3);
    svc.execute(&local, AdminRequest::Unlock { name: "v".into() })
        .unwrap();
    store.refresh().unwrap();
    let e = store.get(&name).unwrap().unwrap();
    assert_eq!(e.fail_count, 0);
    assert_eq!(
        policy_lockout_state(&e, Some(&policy), t1),
        LockoutState::Open
    );
}

#[test]
fn requests_serialize_without_leaking_in_debug() {
    let req = add("alice", "hunter2");
    let json = serde_json::to_string(&req).unwrap();
    assert!(json.contains("\"command\":\"add_principal\""), "{json}");
    let back: AdminRequest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, req);
    assert!(!format!("{req:?}").contains("hunter2"));
    let resp = AdminResponse::Keys {
        principal: "a@R".into(),
        keys: vec![tessera_kdc::admin::request::ExtractedKey {
            kvno: 1,
            enctype: 18,
            key: tessera_kdc::admin::request::KeyBytes(vec![0xab; 4]),
        }],
    };
    let json = serde_json::to_string(&resp).unwrap();
    assert!(json.contains("abababab"));
    assert_eq!(serde_json::from_str::<AdminResponse>(&json).unwrap(), resp);
    assert!(!format!("{resp:?}").contains("ab, ab") && !format!("{resp:?}").contains("171"));
}

#[test]
fn schema_v1_database_is_migrated() {
    let r = Realm::new("");
    {
        let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
        conn.execute_batch(
            "DROP TABLE policies; DROP TABLE password_history; DROP TABLE pw_changes;
             DROP TABLE principal_strings; UPDATE schema_version SET version = 1;",
        )
        .unwrap();
    }
    let store = r.store();
    store.create_policy(&Policy::new("p")).unwrap();
    assert_eq!(store.list_policies("*").unwrap(), vec!["p".to_string()]);
    let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
    let v: i64 = conn
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(v, 3);
}
