//! Building kpasswd requests in tests as client-lib's `change_password`
//! does: a kadmin/changepw ticket from the in-process KDC (AS exchange with
//! PA-ENC-TIMESTAMP), then AP-REQ plus KRB-PRIV in RFC 3244 framing.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use tessera_client::ap::{ApReqOptions, build_ap_req, principal_to_kt};
use tessera_client::ccache::Credential;
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::crypto::Key;
use tessera_proto::msg::{
    KdcOptions, KerberosTimeExt, KpasswdRequest, KpasswdVersion, decode, encode,
};

use crate::core_common::{Realm, as_body, as_req, name, open_as_rep, pa_enc_timestamp};

pub const CHANGEPW: &str = "kadmin/changepw@TEST.REALM";

/// An initial ticket for kadmin/changepw for `client` (whose long-term key
/// is `key`; `etypes` asked for), got from `r`'s KDC at `now`, as a credential
/// cache entry.
pub fn changepw_cred(r: &Realm, client: &str, key: &Key, etypes: &[i32], now: i64) -> Credential {
    let body = as_body(client, CHANGEPW, etypes, KdcOptions::EMPTY);
    let rep = r
        .send(&as_req(body, vec![pa_enc_timestamp(key, now)]), now)
        .into_as_rep();
    let part = open_as_rep(&rep, key);
    Credential {
        client: principal_to_kt(&name(client)),
        server: principal_to_kt(&name(CHANGEPW)),
        key_enctype: part.key.r#type,
        key: zeroize::Zeroizing::new(part.key.value.to_vec()),
        authtime: u32::try_from(part.auth_time.to_unix()).unwrap(),
        endtime: u32::try_from(part.end_time.to_unix()).unwrap(),
        ticket: encode(&rep.ticket).unwrap(),
        ..Credential::default()
    }
}

/// A framed request with an authenticator at `now_micros` (each request
/// needs its own, or the replay cache refuses it). With
/// `foreign_priv_micros`, the KRB-PRIV is sealed under another AP-REQ's
/// subkey, made at that time (it will not decrypt).
pub fn request(
    cred: &Credential,
    version: KpasswdVersion,
    data: &[u8],
    now_micros: i64,
    foreign_priv_micros: Option<i64>,
) -> Vec<u8> {
    let (ap_req, state) = build_ap_req(cred, &ApReqOptions::default(), now_micros).unwrap();
    let state = match foreign_priv_micros {
        Some(other) => {
            build_ap_req(cred, &ApReqOptions::default(), other)
                .unwrap()
                .1
        }
        None => state,
    };
    let krb_priv = PrivSafe::new(&state.without_ap_rep())
        .mk_priv(data, now_micros)
        .unwrap();
    KpasswdRequest {
        version,
        ap_req: decode(&ap_req).unwrap(),
        krb_priv: decode(&krb_priv).unwrap(),
    }
    .encode()
    .unwrap()
}
