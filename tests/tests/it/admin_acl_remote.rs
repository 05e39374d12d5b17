//! listprincs over the remote admin protocol under a component-scoped `l`
//! rule: `lister@REALM l users/*@REALM` lists exactly the one-component
//! `users/NAME` principals of the realm, whatever glob it sends (SQLite's
//! GLOB `*`, which crosses `/` and `@`, would have matched more).

use std::sync::Arc;

use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{Client, InitialSecret, blocking};
use tessera_kdc::admin::{
    AdminRequest, AdminResponse, AdminService, Caller, KeySpec, PrincipalMods, Secret,
};
use tessera_kdc::admin_server::{
    AdminLimits, RemoteAdmin, ensure_service_principals, service_creds,
};
use tessera_kdc::db::PrincipalStore;
use tessera_proto::crypto::Password;
use tessera_proto::msg::Principal;
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_preauth::serve;

#[test]
fn remote_listprincs_lists_only_what_a_component_scoped_rule_allows() {
    let realm = TestRealm::start(RealmOptions::default());
    let r = realm.realm().to_owned();
    let store: Arc<dyn PrincipalStore> = Arc::clone(&realm.store) as Arc<dyn PrincipalStore>;
    ensure_service_principals(
        store.as_ref(),
        &realm.dev.config,
        std::time::SystemTime::now(),
    )
    .unwrap();
    let acl = realm.dir().join("list.acl");
    std::fs::write(&acl, format!("lister@{r} l users/*@{r}\n")).unwrap();
    let mut config = realm.dev.config.clone();
    config.admin.acl_file = Some(acl);
    let admin = Arc::new(AdminService::from_config(store, &config));
    let pw = "Lister-password-1";
    for (n, keys) in [
        ("lister", KeySpec::Password(Secret::new(pw))),
        ("users/a", KeySpec::Random),
        ("users/b", KeySpec::Random),
        ("users/a/admin", KeySpec::Random),
        ("usersx/c", KeySpec::Random),
        ("users/d@OTHER.TEST", KeySpec::Random),
    ] {
        admin
            .execute(
                &Caller::local(),
                AdminRequest::AddPrincipal {
                    name: n.into(),
                    keys,
                    enctypes: None,
                    mods: PrincipalMods::default(),
                },
            )
            .unwrap();
    }
    let (addr, token) = serve(Arc::clone(&admin), AdminLimits::default());

    let conf = Krb5Conf::load(realm.dev.krb5_conf()).unwrap();
    let client = blocking::Client::new(Client::new(conf)).unwrap();
    let me = Principal::parse(&format!("lister@{r}")).unwrap();
    let creds = service_creds(&client, &me, &InitialSecret::Password(Password::from(pw))).unwrap();
    let remote = RemoteAdmin::connect(&addr.to_string(), &creds).unwrap();
    let want = vec![format!("users/a@{r}"), format!("users/b@{r}")];
    for glob in [
        None,
        Some("*"),
        Some("users/*"),
        Some("users*"),
        Some("*@*"),
    ] {
        let got = remote
            .call(&AdminRequest::ListPrincipals {
                glob: glob.map(str::to_owned),
            })
            .unwrap();
        match got {
            AdminResponse::Names { names } => assert_eq!(names, want, "{glob:?}"),
            other => panic!("{other:?}"),
        }
    }
    // Nothing else is allowed: getprinc needs `i`.
    let e = remote
        .call(&AdminRequest::GetPrincipal {
            name: "users/a".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("privilege"), "{e}");
    token.cancel();
}
