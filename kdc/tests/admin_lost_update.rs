//! No lost updates: an admin command reads the principal, works (a `cpw`
//! derives keys, Argon2id for the native enctype, which takes a while), and
//! writes. Whatever another process committed in between (a KDC counting
//! failed pre-authentications, another admin's change) must survive the
//! write. Each command below is held at its write by a gate while a second
//! store handle on the same database (as a KDC or a second kadmin would
//! be) counts three failures and sets a string attribute; once released,
//! both the command's change and the other writes are in the database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;
mod gated_store;

use std::sync::Arc;
use std::time::SystemTime;

use admin_common::{REALM, Realm};
use gated_store::GatedStore;
use tessera_kdc::admin::request::PurgeKeep;
use tessera_kdc::admin::{AdminRequest, AdminService, Caller, KeySpec, PrincipalMods, Secret};
use tessera_kdc::db::{AuthEvent, PrincipalEntry, PrincipalFlags, PrincipalStore, SqliteStore};

/// Failures stored before the command reads the entry.
const BEFORE: u32 = 2;
/// Failures a KDC counts while the command works.
const DURING: u32 = 3;

fn alice() -> String {
    format!("alice@{REALM}")
}

struct Setup {
    r: Realm,
    /// The other process: a KDC counting failures, another admin.
    other: Arc<SqliteStore>,
    other_admin: AdminService,
}

fn setup() -> Setup {
    let r = Realm::new("");
    let other = Arc::new(r.store());
    let other_admin = AdminService::from_config(other.clone(), &r.config);
    other_admin
        .execute(
            &Caller::local(),
            AdminRequest::AddPrincipal {
                name: "alice".into(),
                keys: KeySpec::Password(Secret::new("first password, long enough")),
                enctypes: None,
                mods: PrincipalMods::default(),
            },
        )
        .unwrap();
    for _ in 0..BEFORE {
        other
            .record_auth(&alice(), AuthEvent::Failure, SystemTime::now())
            .unwrap();
    }
    Setup {
        r,
        other,
        other_admin,
    }
}

/// Runs `req` through an admin service whose write to alice is held until
/// the other process has counted its failures and set attribute
/// `other=written`; returns the entry as a fresh handle reads it.
fn run_held(s: &Setup, req: AdminRequest, stored_as: &str) -> PrincipalEntry {
    let store: Arc<dyn PrincipalStore> = Arc::new(s.r.store());
    let (gated, gate) = GatedStore::new(store, "alice@");
    let admin = AdminService::from_config(gated, &s.r.config);
    std::thread::scope(|scope| {
        let command = scope.spawn(|| admin.execute(&Caller::local(), req));
        // The command has read the entry and done its work: it is writing.
        assert_eq!(gate.next_write(), alice());
        for _ in 0..DURING {
            s.other
                .record_auth(&alice(), AuthEvent::Failure, SystemTime::now())
                .unwrap();
        }
        s.other_admin
            .execute(
                &Caller::local(),
                AdminRequest::SetString {
                    name: "alice".into(),
                    key: "other".into(),
                    value: "written".into(),
                },
            )
            .unwrap();
        gate.open(1);
        command.join().unwrap().unwrap();
    });
    let e = s.r.store().get(stored_as).unwrap().expect("principal");
    (*e).clone()
}

fn assert_kept(e: &PrincipalEntry) {
    assert_eq!(
        e.fail_count,
        BEFORE + DURING,
        "failures counted during the command were lost"
    );
    assert!(e.last_failure.is_some());
    assert!(
        e.strings
            .iter()
            .any(|(k, v)| k == "other" && v == "written"),
        "the other admin's change was lost: {:?}",
        e.strings
    );
}

#[test]
fn cpw_keeps_failures_and_other_changes_made_while_it_derives_keys() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::ChangePassword {
            name: "alice".into(),
            keys: KeySpec::Password(Secret::new("second password, long enough")),
            enctypes: None,
            keep_old: false,
        },
        &alice(),
    );
    assert_kept(&e);
    assert_eq!(e.current_kvno(), 2, "the new keys are stored");
}

#[test]
fn cpw_randkey_keeps_concurrent_writes() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::ChangePassword {
            name: "alice".into(),
            keys: KeySpec::Random,
            enctypes: None,
            keep_old: true,
        },
        &alice(),
    );
    assert_kept(&e);
    assert_eq!(e.current_kvno(), 2);
    assert!(e.keys.iter().any(|k| k.kvno == 1), "-keepold kept kvno 1");
}

#[test]
fn modprinc_keeps_concurrent_writes() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::ModifyPrincipal {
            name: "alice".into(),
            mods: PrincipalMods {
                max_life: Some(7200),
                ..PrincipalMods::default()
            },
        },
        &alice(),
    );
    assert_kept(&e);
    assert_eq!(e.max_life.map(|d| d.as_secs()), Some(7200));
}

#[test]
fn lock_keeps_concurrent_writes() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::Lock {
            name: "alice".into(),
        },
        &alice(),
    );
    assert_kept(&e);
    assert!(e.flags.contains(PrincipalFlags::ADMIN_LOCKED));
}

#[test]
fn purgekeys_keeps_concurrent_writes() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::PurgeKeys {
            name: "alice".into(),
            keep: PurgeKeep::All,
        },
        &alice(),
    );
    assert_kept(&e);
    assert!(e.keys.is_empty());
}

#[test]
fn setstr_keeps_concurrent_writes() {
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::SetString {
            name: "alice".into(),
            key: "mine".into(),
            value: "too".into(),
        },
        &alice(),
    );
    assert_kept(&e);
    assert!(e.strings.iter().any(|(k, v)| k == "mine" && v == "too"));
}

#[test]
fn renprinc_keeps_the_failures_counted_meanwhile() {
    let s = setup();
    let store: Arc<dyn PrincipalStore> = Arc::new(s.r.store());
    let (gated, gate) = GatedStore::new(store, "alice@");
    let admin = AdminService::from_config(gated, &s.r.config);
    std::thread::scope(|scope| {
        let command = scope.spawn(|| {
            admin.execute(
                &Caller::local(),
                AdminRequest::RenamePrincipal {
                    old: "alice".into(),
                    new: "alicia".into(),
                },
            )
        });
        assert_eq!(gate.next_write(), alice());
        for _ in 0..DURING {
            s.other
                .record_auth(&alice(), AuthEvent::Failure, SystemTime::now())
                .unwrap();
        }
        gate.open(1);
        command.join().unwrap().unwrap();
    });
    let store = s.r.store();
    assert!(store.get(&alice()).unwrap().is_none());
    let e = store.get(&format!("alicia@{REALM}")).unwrap().unwrap();
    assert_eq!(e.fail_count, BEFORE + DURING);
}

#[test]
fn unlock_clears_even_the_failures_counted_meanwhile() {
    // unlock is meant to reset the count: it wins over failures counted
    // before its write, and only later ones count again.
    let s = setup();
    let e = run_held(
        &s,
        AdminRequest::Unlock {
            name: "alice".into(),
        },
        &alice(),
    );
    assert_eq!(e.fail_count, 0);
    assert!(e.strings.iter().any(|(k, _)| k == "other"));
}
