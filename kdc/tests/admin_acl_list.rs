//! listprincs and listpols under component-scoped ACL targets: the
//! caller's glob keeps MIT's listing semantics (`*` crosses `/`, a glob
//! without a realm matches every realm), but every name returned must pass
//! the caller's `l` check for that very name, as the ACL's globs match it
//! (`*` within one component). A caller with no `l` rule at all is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use std::net::SocketAddr;
use std::sync::Arc;

use admin_common::{REALM, Realm};
use tessera_kdc::admin::{
    AdminError, AdminRequest, AdminResponse, AdminService, Caller, KeySpec, PolicyMods,
    PrincipalMods,
};
use tessera_kdc::db::PrincipalStore;

fn peer() -> SocketAddr {
    "127.0.0.1:7001".parse().unwrap()
}

const ACL: &str = "\
alice@ADMIN.TEST L users/b@ADMIN.TEST
alice@ADMIN.TEST l users/*@ADMIN.TEST
bob@ADMIN.TEST l
pol@ADMIN.TEST l gold*
carol@ADMIN.TEST i
";

fn setup() -> (Realm, AdminService) {
    let r = Realm::new("");
    let store: Arc<dyn PrincipalStore> = Arc::new(r.store());
    let mut config = r.config.clone();
    let p = r.path().join("kadm5.acl");
    std::fs::write(&p, ACL).unwrap();
    config.admin.acl_file = Some(p);
    let svc = AdminService::from_config(store, &config);
    let local = Caller::local();
    for n in [
        "users/a",
        "users/b",
        "users/c",
        "users/a/deep",
        "users@OTHER.TEST",
        "admins/z",
        "usersx/a",
    ] {
        svc.execute(
            &local,
            AdminRequest::AddPrincipal {
                name: n.into(),
                keys: KeySpec::Random,
                enctypes: None,
                mods: PrincipalMods::default(),
            },
        )
        .unwrap();
    }
    for p in ["gold", "golden", "silver"] {
        svc.execute(
            &local,
            AdminRequest::AddPolicy {
                name: p.into(),
                mods: PolicyMods::default(),
            },
        )
        .unwrap();
    }
    (r, svc)
}

fn names(svc: &AdminService, who: &str, req: AdminRequest) -> Result<Vec<String>, AdminError> {
    let caller = Caller::remote(format!("{who}@{REALM}"), peer());
    match svc.execute(&caller, req)? {
        AdminResponse::Names { names } => Ok(names),
        other => panic!("{other:?}"),
    }
}

fn princs(glob: Option<&str>) -> AdminRequest {
    AdminRequest::ListPrincipals {
        glob: glob.map(str::to_owned),
    }
}

#[test]
fn listprincs_returns_exactly_the_names_the_acl_allows() {
    let (_r, svc) = setup();
    let allowed = vec![
        "users/a@ADMIN.TEST".to_owned(),
        "users/c@ADMIN.TEST".to_owned(),
    ];
    // users/b is denied by the first rule; users/a/deep (two components
    // after users), usersx/a, admins/z and other realms are outside
    // `users/*@ADMIN.TEST`, though SQLite's GLOB `*` would match them.
    for glob in [
        None,
        Some("*"),
        Some("users/*"),
        Some("*@*"),
        Some("users*"),
    ] {
        assert_eq!(
            names(&svc, "alice", princs(glob)).unwrap(),
            allowed,
            "{glob:?}"
        );
    }
    assert_eq!(
        names(&svc, "alice", princs(Some("users/a*"))).unwrap(),
        vec!["users/a@ADMIN.TEST".to_owned()]
    );
    assert!(
        names(&svc, "alice", princs(Some("admins/*")))
            .unwrap()
            .is_empty()
    );

    // A rule without a target: the caller's glob alone decides, with MIT's
    // semantics (`*` crosses `/`; no realm = every realm).
    let all = names(&svc, "bob", princs(Some("users*"))).unwrap();
    assert_eq!(
        all,
        [
            "users/a/deep@ADMIN.TEST",
            "users/a@ADMIN.TEST",
            "users/b@ADMIN.TEST",
            "users/c@ADMIN.TEST",
            "users@OTHER.TEST",
            "usersx/a@ADMIN.TEST",
        ]
        .map(str::to_owned)
        .to_vec()
    );

    // No rule grants carol `l`: refused, as before.
    let e = names(&svc, "carol", princs(None)).unwrap_err();
    assert!(
        matches!(
            e,
            AdminError::Denied {
                permission: 'l',
                ..
            }
        ),
        "{e}"
    );
    // Local callers (kadmin -l) bypass the ACL, as MIT's kadmin.local.
    match svc
        .execute(&Caller::local(), princs(Some("users/*")))
        .unwrap()
    {
        AdminResponse::Names { names } => assert_eq!(names.len(), 4, "{names:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn listpols_returns_exactly_the_policies_the_acl_allows() {
    let (_r, svc) = setup();
    let pols = |who: &str, glob: Option<&str>| {
        names(
            &svc,
            who,
            AdminRequest::ListPolicies {
                glob: glob.map(str::to_owned),
            },
        )
    };
    assert_eq!(pols("pol", None).unwrap(), ["gold", "golden"]);
    assert_eq!(pols("pol", Some("*l*")).unwrap(), ["gold", "golden"]);
    assert_eq!(pols("bob", None).unwrap(), ["gold", "golden", "silver"]);
    // alice's `l` targets are principal names: no policy name matches.
    assert!(pols("alice", None).unwrap().is_empty());
    assert!(matches!(
        pols("carol", None).unwrap_err(),
        AdminError::Denied { .. }
    ));
}
