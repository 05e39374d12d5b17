//! Our AS/TGS client library against our own KDC (in-process dev realm):
//! every enctype including the native one, service tickets that decrypt
//! with the service keytab, renewal, wrong password and clock skew.

use tessera_client::config::Krb5Conf;
use tessera_client::convert::{keytab_entry_key, principal_to_kt};
use tessera_client::kdc_client::{Client, InitialSecret, KdcClientError, blocking};
use tessera_client::keytab::Keytab;
use tessera_proto::crypto::usage;
use tessera_proto::msg::{EncTicketPart, Principal, TicketFlags, decode};
use tessera_tests::realm::{RealmOptions, TestRealm};

fn our_client(realm: &TestRealm) -> blocking::Client {
    let conf = Krb5Conf::load(realm.dev.krb5_conf()).unwrap();
    blocking::Client::new(Client::new(conf)).unwrap()
}

fn password(realm: &TestRealm) -> InitialSecret {
    InitialSecret::Password(realm.user_password().into())
}

fn roundtrip(enctype: i32) {
    let realm = TestRealm::start(RealmOptions {
        enctypes: Some(vec![enctype]),
        ..RealmOptions::default()
    });
    let c = our_client(&realm);
    let me = c.inner().parse_principal("user").unwrap();
    let mut opts = c.inner().as_options();
    opts.renew_lifetime = Some(std::time::Duration::from_secs(7 * 86400));
    let tgt = c
        .get_initial(&me, None, &password(&realm), &opts)
        .unwrap_or_else(|e| panic!("AS with enctype {enctype}: {e}"));
    assert_eq!(tgt.server, Principal::krbtgt(realm.realm()));
    assert_eq!(tgt.session_key.etype().as_i32(), enctype);
    assert!(tgt.flags.contains(TicketFlags::INITIAL));

    let service = c.inner().parse_principal("host/localhost").unwrap();
    let st = c
        .get_service(&tgt, &service, &c.inner().tgs_options())
        .unwrap_or_else(|e| panic!("TGS with enctype {enctype}: {e}"));
    assert!(st.server.same_name(&service));
    // The ticket decrypts with host/localhost's key from the keytab.
    let kt = Keytab::load(realm.dev.service_keytab()).unwrap();
    let entry = kt
        .find(
            &principal_to_kt(&service),
            st.ticket_kvno,
            Some(st.ticket_etype),
        )
        .expect("service key in keytab");
    let key = keytab_entry_key(entry).unwrap();
    let plain = key
        .decrypt(usage::KDC_REP_TICKET, &st.ticket.enc_part.cipher)
        .unwrap();
    let part: EncTicketPart = decode(&plain).unwrap();
    assert_eq!(part.key.value.as_ref(), st.session_key.as_bytes());

    assert!(tgt.flags.contains(TicketFlags::RENEWABLE), "{tgt:?}");
    let renewed = c.renew(&tgt).unwrap();
    assert!(renewed.endtime >= tgt.endtime);
    assert_eq!(renewed.authtime, tgt.authtime);
    assert!(renewed.server.same_name(&tgt.server));
}

#[test]
fn as_and_tgs_for_every_enctype() {
    for e in [17, 18, 19, 20, -32341] {
        roundtrip(e);
    }
}

#[test]
fn wrong_password_and_clock_skew() {
    let realm = TestRealm::start(RealmOptions::default());
    let c = our_client(&realm);
    let me = c.inner().parse_principal("user").unwrap();
    let opts = c.inner().as_options();
    let bad = InitialSecret::Password("not-the-password".into());
    match c.get_initial(&me, None, &bad, &opts) {
        Err(KdcClientError::PasswordIncorrect { principal }) => {
            assert_eq!(principal, format!("user@{}", realm.realm()));
        }
        other => panic!("expected PasswordIncorrect, got {other:?}"),
    }
    drop(realm);

    let realm = TestRealm::start(RealmOptions {
        clock_offset_secs: 3600,
        ..RealmOptions::default()
    });
    let c = our_client(&realm);
    match c.get_initial(&me, None, &password(&realm), &opts) {
        Err(KdcClientError::ClockSkew { offset_secs, .. }) => {
            assert!((3590..=3610).contains(&offset_secs), "{offset_secs}");
        }
        other => panic!("expected ClockSkew, got {other:?}"),
    }
}
