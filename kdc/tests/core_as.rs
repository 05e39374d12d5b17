//! The AS exchange through `Kdc::handle`: preauth, errors, enctypes,
//! lifetimes, flags, canonicalization, UDP size limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;

use core_common::*;
use tessera_kdc::net::Transport;
use tessera_proto::crypto::{EncType, usage};
use tessera_proto::msg::{
    EtypeInfo2, KdcOptions, KerberosTimeExt, MethodData, PaDataType, TicketFlags, decode,
    find_pa_data, krb_error_method_data,
};

fn preauth_req(
    r: &Realm,
    opts: KdcOptions,
    edit: impl FnOnce(&mut tessera_proto::msg::KdcReqBody),
) -> Reply {
    let _ = r;
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let mut body = as_body(&user("alice"), &krbtgt(), &[18, 17], opts);
    edit(&mut body);
    r.send(&as_req(body, vec![pa_enc_timestamp(&key, NOW)]), NOW)
}

fn tgt_part(reply: Reply) -> tessera_proto::msg::EncKdcRepPart {
    let rep = reply.into_as_rep();
    open_as_rep(&rep, &alice_key(EncType::Aes256CtsHmacSha196, PASSWORD))
}

#[test]
fn preauth_required_lists_etype_info2_in_client_order() {
    let r = realm();
    let body = as_body(
        &user("alice"),
        &krbtgt(),
        &[17, 23, 18, -32341],
        KdcOptions::EMPTY,
    );
    let err = r.send(&as_req(body, vec![]), NOW).error();
    assert_eq!(err.error_code, 25);
    assert_eq!(err.stime.to_unix(), NOW);
    let methods: MethodData = krb_error_method_data(&err).unwrap().unwrap();
    assert!(find_pa_data(&methods, PaDataType::EncTimestamp).is_some());
    assert!(find_pa_data(&methods, PaDataType::FxFast).is_none());
    let info: EtypeInfo2 = decode(
        &find_pa_data(&methods, PaDataType::EtypeInfo2)
            .unwrap()
            .value,
    )
    .unwrap();
    let etypes: Vec<i32> = info.iter().map(|e| e.etype).collect();
    assert_eq!(etypes, vec![17, 18]);
    for e in &info {
        assert_eq!(&e.salt.as_ref().unwrap()[..], b"TEST.REALMalice");
        // The RFC 3962 default (4096 iterations) is implied, not sent.
        assert_eq!(e.s2kparams, None);
    }
    assert_eq!(&err.cname.as_ref().unwrap().string[0][..], b"alice");
}

#[test]
fn as_happy_path_tgt() {
    let r = realm();
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let body = as_body(&user("alice"), &krbtgt(), &[18, 17], KdcOptions::EMPTY);
    let rep = r
        .send(&as_req(body, vec![pa_enc_timestamp(&key, NOW - 100)]), NOW)
        .into_as_rep();
    assert_eq!(rep.enc_part.etype, 18);
    assert_eq!(rep.enc_part.kvno, Some(1));
    let part = open_as_rep(&rep, &key);
    assert_eq!(part.nonce, 424242);
    let f = flags(&part);
    assert!(f.contains(TicketFlags::INITIAL | TicketFlags::PRE_AUTHENT));
    assert!(!f.contains(TicketFlags::FORWARDABLE));
    assert_eq!(part.auth_time.to_unix(), NOW);
    assert_eq!(part.end_time.to_unix(), NOW + 10 * HOUR);
    assert_eq!(&part.srealm[..], REALM.as_bytes());
    // Session key: first client etype the krbtgt supports.
    assert_eq!(part.key.r#type, 18);
    // The ticket: krbtgt's key (realm order: native first for the TGS).
    assert_eq!(rep.ticket.enc_part.etype, -32341);
    assert_eq!(rep.ticket.enc_part.kvno, Some(1));
    let tkt = r.open_ticket(&krbtgt(), &rep.ticket);
    assert_eq!(tkt.key, part.key);
    assert_eq!(&tkt.cname.string[0][..], b"alice");
    // Reply padata tells the client how its key was made.
    let info: EtypeInfo2 = decode(
        &find_pa_data(rep.padata.as_ref().unwrap(), PaDataType::EtypeInfo2)
            .unwrap()
            .value,
    )
    .unwrap();
    assert_eq!(info[0].etype, 18);
}

#[test]
fn reply_key_follows_the_preauth_enctype() {
    let r = realm();
    let key = alice_key(EncType::Aes128CtsHmacSha196, PASSWORD);
    let body = as_body(&user("alice"), &krbtgt(), &[18, 17], KdcOptions::EMPTY);
    let rep = r
        .send(&as_req(body, vec![pa_enc_timestamp(&key, NOW)]), NOW)
        .into_as_rep();
    assert_eq!(rep.enc_part.etype, 17);
    open_as_rep(&rep, &key);
}

#[test]
fn wrong_password_and_skew_order() {
    let r = realm();
    let bad = alice_key(EncType::Aes256CtsHmacSha196, "wrong");
    let good = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let body = || as_body(&user("alice"), &krbtgt(), &[18, 17], KdcOptions::EMPTY);
    assert_eq!(
        r.send(&as_req(body(), vec![pa_enc_timestamp(&bad, NOW)]), NOW)
            .code(),
        24
    );
    // Wrong password and skewed: still PREAUTH_FAILED, not SKEW.
    assert_eq!(
        r.send(
            &as_req(body(), vec![pa_enc_timestamp(&bad, NOW - 3600)]),
            NOW
        )
        .code(),
        24
    );
    // Right password, skewed: SKEW with the server time.
    let err = r
        .send(
            &as_req(body(), vec![pa_enc_timestamp(&good, NOW - 3600)]),
            NOW,
        )
        .error();
    assert_eq!(err.error_code, 37);
    assert_eq!(err.stime.to_unix(), NOW);
    // Garbage in the timestamp padata: PREAUTH_FAILED.
    let pa = tessera_proto::msg::pa_data(PaDataType::EncTimestamp, vec![1, 2, 3]);
    assert_eq!(r.send(&as_req(body(), vec![pa]), NOW).code(), 24);
}

#[test]
fn unknown_client_and_server() {
    let r = realm();
    let body = as_body(&user("nobody"), &krbtgt(), &[18], KdcOptions::EMPTY);
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), 6);
    let body = as_body(
        &user("alice"),
        &format!("nope/x@{REALM}"),
        &[18],
        KdcOptions::EMPTY,
    );
    let err = r.send(&as_req(body, vec![]), NOW).error();
    assert_eq!(err.error_code, 7);
    assert_eq!(&err.sname.string[0][..], b"nope");
    // A foreign realm is not ours: unknown client.
    let body = as_body(
        "alice@OTHER.REALM",
        "krbtgt/OTHER.REALM@OTHER.REALM",
        &[18],
        KdcOptions::EMPTY,
    );
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), 6);
}

#[test]
fn disabled_expired_and_password_expired() {
    let r = realm();
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_TIX, false)
    });
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, |_| {}).code(), 18);
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_TIX, true);
        e.expiration = Some(t(NOW - 10));
    });
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, |_| {}).code(), 1);
    r.modify(&user("alice"), |e| {
        e.expiration = None;
        e.pw_expiration = Some(t(NOW - 10));
    });
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, |_| {}).code(), 23);
    // The password-change service stays reachable.
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |b| {
        b.sname = Some(name("kadmin/changepw").to_principal_name().unwrap());
    }));
    assert_eq!(&part.sname.string[0][..], b"kadmin");
    assert_eq!(part.key_expiration.unwrap().to_unix(), NOW - 10);
    // Without the right password the account state is not revealed.
    let bad = alice_key(EncType::Aes256CtsHmacSha196, "wrong");
    let body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    assert_eq!(
        r.send(&as_req(body, vec![pa_enc_timestamp(&bad, NOW)]), NOW)
            .code(),
        24
    );
}

#[test]
fn server_states() {
    let r = realm();
    r.modify(SERVICE, |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_SVR, false)
    });
    let svc = |b: &mut tessera_proto::msg::KdcReqBody| {
        b.sname = Some(name("host/server.example").to_principal_name().unwrap());
    };
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, svc).code(), 27);
    r.modify(SERVICE, |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_SVR, true);
        e.expiration = Some(t(NOW - 1));
    });
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, svc).code(), 2);
    r.modify(SERVICE, |e| {
        e.expiration = None;
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_TIX, false);
    });
    assert_eq!(preauth_req(&r, KdcOptions::EMPTY, svc).code(), 7);
}

#[test]
fn etype_nosupp() {
    let r = realm();
    // rc4 and des3 only.
    let body = as_body(&user("alice"), &krbtgt(), &[23, 16], KdcOptions::EMPTY);
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), 14);
    // alice has no native key.
    let body = as_body(&user("alice"), &krbtgt(), &[-32341], KdcOptions::EMPTY);
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), 14);
    // Session key aes128 for a krbtgt whose keys are aes256 (AES rule).
    let key = alice_key(EncType::Aes128CtsHmacSha196, PASSWORD);
    let body = as_body(&user("alice"), &krbtgt(), &[17], KdcOptions::EMPTY);
    let rep = r
        .send(&as_req(body, vec![pa_enc_timestamp(&key, NOW)]), NOW)
        .into_as_rep();
    assert_eq!(open_as_rep(&rep, &key).key.r#type, 17);
    // A realm that does not allow aes256-sha1: alice's only usable key is aes128.
    let r = realm_with(
        r#"allowed_enctypes = ["aes128-cts", "aes256-gcm-argon2id", "aes256-sha2"]
default_principal_enctypes = ["aes256-sha2"]"#,
    );
    let body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), 14);
}

#[test]
fn lifetimes_are_capped() {
    let r = realm();
    // Realm max (10h) for an infinite till.
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |b| b.till = kt(0)));
    assert_eq!(part.end_time.to_unix(), NOW + 10 * HOUR);
    // Requested till below the maximum is honoured.
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |b| {
        b.till = kt(NOW + HOUR)
    }));
    assert_eq!(part.end_time.to_unix(), NOW + HOUR);
    // Client max life.
    r.modify(&user("alice"), |e| {
        e.max_life = Some(std::time::Duration::from_secs(2 * 3600))
    });
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |_| {}));
    assert_eq!(part.end_time.to_unix(), NOW + 2 * HOUR);
    // Server max life.
    r.modify(&krbtgt(), |e| {
        e.max_life = Some(std::time::Duration::from_secs(1800))
    });
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |_| {}));
    assert_eq!(part.end_time.to_unix(), NOW + 1800);
    // till before now: never valid.
    assert_eq!(
        preauth_req(&r, KdcOptions::EMPTY, |b| b.till = kt(NOW - 100)).code(),
        11
    );
}

#[test]
fn renewable_and_renewable_ok() {
    let r = realm();
    let part = tgt_part(preauth_req(&r, KdcOptions::RENEWABLE, |b| {
        b.rtime = Some(kt(NOW + 30 * 24 * HOUR));
    }));
    assert!(flags(&part).contains(TicketFlags::RENEWABLE));
    assert_eq!(part.renew_till.unwrap().to_unix(), NOW + 7 * 24 * HOUR);
    // RENEWABLE-OK with a till beyond the maximum life.
    let part = tgt_part(preauth_req(&r, KdcOptions::RENEWABLE_OK, |b| {
        b.till = kt(NOW + 30 * HOUR);
    }));
    assert!(flags(&part).contains(TicketFlags::RENEWABLE));
    assert_eq!(part.end_time.to_unix(), NOW + 10 * HOUR);
    assert_eq!(part.renew_till.unwrap().to_unix(), NOW + 30 * HOUR);
    // Principal without allow_renewable: not renewable.
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_RENEWABLE, false);
    });
    let part = tgt_part(preauth_req(&r, KdcOptions::RENEWABLE, |b| {
        b.rtime = Some(kt(NOW + 30 * HOUR));
    }));
    assert!(!flags(&part).contains(TicketFlags::RENEWABLE));
    assert!(part.renew_till.is_none());
}

#[test]
fn forwardable_proxiable_and_addresses() {
    let r = realm();
    let opts = KdcOptions::FORWARDABLE | KdcOptions::PROXIABLE;
    let rep = preauth_req(&r, opts, |b| b.addresses = Some(addresses())).into_as_rep();
    let part = open_as_rep(&rep, &alice_key(EncType::Aes256CtsHmacSha196, PASSWORD));
    assert!(flags(&part).contains(TicketFlags::FORWARDABLE | TicketFlags::PROXIABLE));
    assert_eq!(part.caddr, Some(addresses()));
    assert_eq!(
        r.open_ticket(&krbtgt(), &rep.ticket).caddr,
        Some(addresses())
    );
    // Not allowed for the principal: flag dropped (MIT), not an error.
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_FORWARDABLE, false);
    });
    let part = tgt_part(preauth_req(&r, opts, |_| {}));
    assert!(!flags(&part).contains(TicketFlags::FORWARDABLE));
    assert!(flags(&part).contains(TicketFlags::PROXIABLE));
}

#[test]
fn bad_options_and_postdating() {
    let r = realm();
    assert_eq!(preauth_req(&r, KdcOptions::RENEW, |_| {}).code(), 13);
    assert_eq!(preauth_req(&r, KdcOptions::FORWARDED, |_| {}).code(), 13);
    // Future start without POSTDATED.
    assert_eq!(
        preauth_req(&r, KdcOptions::EMPTY, |b| b.from = Some(kt(NOW + HOUR))).code(),
        10
    );
    // Postdated TGT.
    let part = tgt_part(preauth_req(
        &r,
        KdcOptions::POSTDATED | KdcOptions::ALLOW_POSTDATE,
        |b| b.from = Some(kt(NOW + HOUR)),
    ));
    let f = flags(&part);
    assert!(f.contains(TicketFlags::POSTDATED | TicketFlags::INVALID | TicketFlags::MAY_POSTDATE));
    assert_eq!(part.start_time.unwrap().to_unix(), NOW + HOUR);
    assert_eq!(part.end_time.to_unix(), NOW + 11 * HOUR);
    // Not allowed for the principal.
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::ALLOW_POSTDATED, false);
    });
    assert_eq!(
        preauth_req(&r, KdcOptions::POSTDATED, |b| b.from = Some(kt(NOW + HOUR))).code(),
        10
    );
}

#[test]
fn canonicalize_with_referral_realm_and_service_name_types() {
    let r = realm();
    let rep = preauth_req(&r, KdcOptions::CANONICALIZE, |b| {
        b.realm = tessera_proto::msg::name::kerberos_string("", "realm").unwrap();
    })
    .into_as_rep();
    assert_eq!(&rep.crealm[..], REALM.as_bytes());
    // NT-SRV-HST names match by components.
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |b| {
        let mut s = name("host/server.example").to_principal_name().unwrap();
        s.r#type = 3;
        b.sname = Some(s);
    }));
    assert_eq!(&part.sname.string[1][..], b"server.example");
}

#[test]
fn no_preauth_principal_gets_ticket_without_pre_authent() {
    let r = realm();
    r.modify(&user("alice"), |e| {
        e.flags
            .set(tessera_kdc::db::PrincipalFlags::REQUIRES_PREAUTH, false);
    });
    let body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    let rep = r.send(&as_req(body, vec![]), NOW).into_as_rep();
    let part = open_as_rep(&rep, &alice_key(EncType::Aes256CtsHmacSha196, PASSWORD));
    assert!(!flags(&part).contains(TicketFlags::PRE_AUTHENT));
    assert!(flags(&part).contains(TicketFlags::INITIAL));
}

#[test]
fn udp_reply_too_big_and_garbage() {
    let r = realm();
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let req = as_req(
        as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY),
        vec![pa_enc_timestamp(&key, NOW)],
    );
    // Default limit: the AS-REP fits in UDP.
    r.send_on(&req, NOW, Transport::Udp).into_as_rep();
    let small = tessera_kdc::core::Kdc::new(r.store.clone(), &r.config).with_udp_limit(300);
    let bytes = small.handle(&req, peer(), Transport::Udp, t(NOW)).unwrap();
    assert!(bytes.len() <= 300);
    assert_eq!(Reply::parse(&bytes).code(), 52);
    let bytes = small.handle(&req, peer(), Transport::Tcp, t(NOW)).unwrap();
    Reply::parse(&bytes).into_as_rep();
    // Garbage and a broken AS-REQ are dropped (no reply to what does not
    // decode, as MIT's KDC).
    assert!(
        r.kdc
            .handle(b"garbage", peer(), Transport::Udp, t(NOW))
            .is_none()
    );
    assert!(r.kdc.handle(&[], peer(), Transport::Tcp, t(NOW)).is_none());
    assert!(
        r.kdc
            .handle(&req[..req.len() - 5], peer(), Transport::Udp, t(NOW))
            .is_none()
    );
    // An AP-REQ sent to the KDC is dropped.
    assert!(
        r.kdc
            .handle(&[0x6e, 0x00], peer(), Transport::Udp, t(NOW))
            .is_none()
    );
    let _ = usage::AS_REP_ENC_PART;
}

/// Collects `tessera::audit` events as "field=value" strings.
#[derive(Clone, Default)]
struct AuditLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!("{}={} ", field.name(), value));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for AuditLog {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if event.metadata().target() == "tessera::audit" {
            let mut f = Fields(String::new());
            event.record(&mut f);
            self.0.lock().unwrap().push(f.0);
        }
    }
}

#[test]
fn one_audit_event_per_decision_without_secrets() {
    use tracing_subscriber::layer::SubscriberExt;
    let r = realm();
    let log = AuditLog::default();
    let subscriber = tracing_subscriber::registry().with(log.clone());
    tracing::subscriber::with_default(subscriber, || {
        let body = as_body(
            &user("alice"),
            &krbtgt(),
            &[18, 17],
            KdcOptions::FORWARDABLE,
        );
        r.send(&as_req(body.clone(), vec![]), NOW).error();
        let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
        r.send(&as_req(body, vec![pa_enc_timestamp(&key, NOW)]), NOW)
            .into_as_rep();
    });
    let events = log.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].contains("result=KDC_ERR_PREAUTH_REQUIRED"),
        "{}",
        events[0]
    );
    let ok = &events[1];
    for want in [
        "kind=AS",
        "client=alice@TEST.REALM",
        "server=krbtgt/TEST.REALM@TEST.REALM",
        "requested_etypes=[18, 17]",
        "reply_etype=aes256-cts-hmac-sha1-96",
        "session_etype=aes256-cts-hmac-sha1-96",
        "ticket_etype=aes256-gcm-argon2id",
        "flags=FIA",
        "result=OK",
        "peer=127.0.0.1:50000",
        "transport=Tcp",
    ] {
        assert!(ok.contains(want), "missing {want} in {ok}");
    }
    assert!(!ok.contains(PASSWORD));
}

#[test]
fn preauth_proves_the_current_key_only_and_old_keys_count_as_failures() {
    use tessera_kdc::db::{Policy, PrincipalStore};
    use tessera_kdc::realm::{KeySource, change_keys};
    use tessera_proto::crypto::Password;
    let r = realm();
    let mut p = Policy::new("lock5");
    p.max_failure = 5;
    p.failure_count_interval = 600;
    p.lockout_duration = 600;
    r.store.create_policy(&p).unwrap();
    r.modify(&user("alice"), |e| e.policy = Some("lock5".into()));
    // New password; the kvno 1 keys stay (as for a service keytab).
    let kvno = change_keys(
        r.store.as_ref(),
        &user("alice"),
        KeySource::Password(&Password::new("the new password")),
        &[EncType::Aes256CtsHmacSha196, EncType::Aes128CtsHmacSha196],
        5,
        t(NOW - 10),
        None,
    )
    .unwrap();
    assert_eq!(kvno, 2);
    assert!(r.entry(&user("alice")).key(1, 18).is_some());
    let body = |etypes: &[i32]| as_body(&user("alice"), &krbtgt(), etypes, KdcOptions::EMPTY);
    let old = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let new = alice_key(EncType::Aes256CtsHmacSha196, "the new password");

    // A timestamp in the old kvno's key, unnamed or naming kvno 1: refused
    // like a wrong password, and counted.
    assert_eq!(
        r.send(
            &as_req(body(&[18, 17]), vec![pa_enc_timestamp(&old, NOW)]),
            NOW
        )
        .code(),
        24
    );
    assert_eq!(r.entry(&user("alice")).fail_count, 1);
    let mut named = pa_enc_timestamp(&old, NOW + 1);
    let mut enc: tessera_proto::msg::EncryptedData =
        tessera_proto::msg::decode_pa_value(&named).unwrap();
    enc.kvno = Some(1);
    named = tessera_proto::msg::pa_data_der(PaDataType::EncTimestamp, &enc).unwrap();
    assert_eq!(
        r.send(&as_req(body(&[18, 17]), vec![named]), NOW + 1)
            .code(),
        24
    );
    assert_eq!(r.entry(&user("alice")).fail_count, 2);

    // The current key works; the reply is sealed in it (kvno 2) and
    // ETYPE-INFO2 describes it.
    let rep = r
        .send(
            &as_req(body(&[18, 17]), vec![pa_enc_timestamp(&new, NOW + 2)]),
            NOW + 2,
        )
        .into_as_rep();
    assert_eq!((rep.enc_part.etype, rep.enc_part.kvno), (18, Some(2)));
    open_as_rep(&rep, &new);
    assert_eq!(r.entry(&user("alice")).fail_count, 0);

    // The reply key is the very key that decrypted the timestamp, even
    // when the client listed another enctype first.
    let new128 = alice_key(EncType::Aes128CtsHmacSha196, "the new password");
    let rep = r
        .send(
            &as_req(body(&[18, 17]), vec![pa_enc_timestamp(&new128, NOW + 3)]),
            NOW + 3,
        )
        .into_as_rep();
    assert_eq!((rep.enc_part.etype, rep.enc_part.kvno), (17, Some(2)));
    open_as_rep(&rep, &new128);
    let info = find_pa_data(rep.padata.as_deref().unwrap(), PaDataType::EtypeInfo2).unwrap();
    let info: EtypeInfo2 = decode(&info.value).unwrap();
    assert_eq!(info[0].etype, 17);
    // A timestamp in an enctype the client did not list proves nothing:
    // the reply would be sealed in an enctype it did not ask for.
    let err = r
        .send(
            &as_req(body(&[18]), vec![pa_enc_timestamp(&new128, NOW + 4)]),
            NOW + 4,
        )
        .error();
    assert_eq!(err.error_code, 24);
}

#[test]
fn needchange_allows_only_the_password_change_service() {
    use tessera_kdc::db::PrincipalFlags;
    let r = realm();
    let c = get_tgt(&r, KdcOptions::EMPTY, NOW + 10 * HOUR, None, NOW);
    r.modify(&user("alice"), |e| {
        e.flags.set(PrincipalFlags::NEEDCHANGE, true)
    });
    // A TGT: KDC_ERR_KEY_EXPIRED, as MIT answers (and MIT's kinit then
    // asks for a new password).
    let err = preauth_req(&r, KdcOptions::EMPTY, |_| {}).error();
    assert_eq!(err.error_code, 23);
    // A service directly: refused too.
    let other = preauth_req(&r, KdcOptions::EMPTY, |b| {
        b.sname = Some(name(SERVICE).to_principal_name().unwrap());
    });
    assert_eq!(other.code(), 23);
    // kadmin/changepw is reachable, with an INITIAL ticket.
    let part = tgt_part(preauth_req(&r, KdcOptions::EMPTY, |b| {
        b.sname = Some(name("kadmin/changepw").to_principal_name().unwrap());
    }));
    assert_eq!(&part.sname.string[1][..], b"changepw");
    assert!(flags(&part).contains(TicketFlags::INITIAL));
    // Without the right password the flag is not revealed.
    let bad = alice_key(EncType::Aes256CtsHmacSha196, "wrong");
    let body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    assert_eq!(
        r.send(&as_req(body, vec![pa_enc_timestamp(&bad, NOW)]), NOW)
            .code(),
        24
    );
    // A TGT from before the flag buys no service ticket either (stricter
    // than MIT, which checks only in the AS exchange).
    let body = tgs_body(SERVICE, &[18], KdcOptions::EMPTY, NOW + 5 * HOUR);
    assert_eq!(
        r.send(&tgs_req(&c, body, NOW + 5, AuthOpts::default()), NOW + 5)
            .code(),
        23
    );
    // Once the password is changed (the flag cleared), tickets follow.
    r.modify(&user("alice"), |e| {
        e.flags.set(PrincipalFlags::NEEDCHANGE, false)
    });
    tgt_part(preauth_req(&r, KdcOptions::EMPTY, |_| {}));
    let body = tgs_body(SERVICE, &[18], KdcOptions::EMPTY, NOW + 5 * HOUR);
    r.send(&tgs_req(&c, body, NOW + 6, AuthOpts::default()), NOW + 6)
        .into_tgs_rep();
}
