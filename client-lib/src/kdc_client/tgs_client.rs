//! The TGS exchange (RFC 4120 section 3.3): service tickets, renewal and
//! validation with a ticket-granting ticket.

use tessera_proto::crypto::{CryptoError, usage};
use tessera_proto::msg::time::{kerberos_time, microseconds};
use tessera_proto::msg::{
    ApOptions, ApReq, Authenticator, Checksum, EncryptionKey, KdcOptions, KdcReq, KdcReqBody,
    KrbError, MessageType, PVNO, PaDataType, Principal, TgsRep, TgsReq, TicketFlags, decode,
    encode, encrypted_data, pa_data_der,
};

use super::reply::{self, Expect, creds_from_reply, decrypt_rep_part, kdc_error};
use super::{Creds, KdcClientError, KdcTransport, TicketOptions};

/// What kind of TGS request to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TgsKind {
    /// A ticket for another service.
    Service,
    /// Renew the ticket presented (`RENEW` option).
    Renew,
    /// Validate a postdated ticket (`VALIDATE` option).
    Validate,
}

/// Asks the KDC behind `transport` for a ticket to `service` with `tgt`.
pub async fn get_service_creds(
    transport: &KdcTransport,
    tgt: &Creds,
    service: &Principal,
    opts: &TicketOptions,
    clockskew: i64,
) -> Result<Creds, KdcClientError> {
    tgs_exchange(transport, tgt, service, TgsKind::Service, opts, clockskew).await
}

/// Renews `tgt` (which must be renewable and within its renewable life).
pub async fn renew_creds(
    transport: &KdcTransport,
    tgt: &Creds,
    clockskew: i64,
) -> Result<Creds, KdcClientError> {
    let (now, _) = reply::now();
    let renewable = tgt.flags.contains(TicketFlags::RENEWABLE);
    if !renewable || tgt.renew_till.is_none_or(|r| r <= now) {
        return Err(KdcClientError::NotRenewable {
            principal: tgt.server.to_string(),
        });
    }
    let opts = TicketOptions::default();
    let server = tgt.server.clone();
    tgs_exchange(transport, tgt, &server, TgsKind::Renew, &opts, clockskew).await
}

/// One TGS exchange of `kind` for `service` with `tgt`.
pub async fn tgs_exchange(
    transport: &KdcTransport,
    tgt: &Creds,
    service: &Principal,
    kind: TgsKind,
    opts: &TicketOptions,
    clockskew: i64,
) -> Result<Creds, KdcClientError> {
    let (now, usec) = reply::now();
    if tgt.endtime <= now && kind != TgsKind::Renew {
        return Err(KdcClientError::Expired {
            principal: tgt.server.to_string(),
        });
    }
    let nonce = reply::nonce()?;
    // Options follow the TGT's flags, as MIT's library does.
    let mut kdc_opts = KdcOptions::EMPTY;
    kdc_opts.set(
        KdcOptions::FORWARDABLE,
        tgt.flags.contains(TicketFlags::FORWARDABLE),
    );
    kdc_opts.set(
        KdcOptions::PROXIABLE,
        tgt.flags.contains(TicketFlags::PROXIABLE),
    );
    kdc_opts.set(KdcOptions::CANONICALIZE, opts.canonicalize);
    let till = match kind {
        TgsKind::Service => tgt.endtime,
        TgsKind::Renew => {
            kdc_opts.insert(KdcOptions::RENEW);
            kdc_opts.insert(KdcOptions::RENEWABLE);
            tgt.renew_till.unwrap_or(tgt.endtime)
        }
        TgsKind::Validate => {
            kdc_opts.insert(KdcOptions::VALIDATE);
            tgt.endtime
        }
    };
    let mut sname = service.clone();
    if sname.realm.is_empty() {
        sname.realm.clone_from(&tgt.server.realm);
    }
    let body = KdcReqBody {
        kdc_options: kdc_opts.to_asn1(),
        cname: None,
        realm: sname.to_realm()?,
        sname: Some(sname.to_principal_name()?),
        from: None,
        till: kerberos_time(till)?,
        rtime: None,
        nonce,
        etype: opts.enctypes.iter().map(|e| e.as_i32()).collect(),
        addresses: None,
        enc_authorization_data: None,
        additional_tickets: None,
    };
    let body_der = encode(&body)?;
    let skey = &tgt.session_key;
    let cksum = skey.checksum(usage::TGS_REQ_AUTH_CKSUM, &body_der)?;
    let subkey = tessera_proto::crypto::Key::random(skey.etype())?;
    let auth = Authenticator {
        authenticator_vno: PVNO.into(),
        crealm: tgt.client.to_realm()?,
        cname: tgt.client.to_principal_name()?,
        cksum: Some(Checksum {
            r#type: cksum.cksumtype.as_i32(),
            checksum: cksum.value.into(),
        }),
        cusec: microseconds(usec)?,
        ctime: kerberos_time(now)?,
        subkey: Some(EncryptionKey {
            r#type: subkey.etype().as_i32(),
            value: subkey.as_bytes().to_vec().into(),
        }),
        seq_number: None,
        authorization_data: None,
    };
    let auth_der = zeroize::Zeroizing::new(encode(&auth)?);
    let auth_enc = skey.encrypt(usage::TGS_REQ_AUTH, &auth_der)?;
    let ap_req = ApReq {
        pvno: PVNO.into(),
        msg_type: MessageType::ApReq.as_i32().into(),
        ap_options: ApOptions::EMPTY.to_asn1(),
        ticket: tgt.ticket.clone(),
        authenticator: encrypted_data(skey.etype().as_i32(), None, auth_enc),
    };
    let req = TgsReq(KdcReq {
        pvno: PVNO.into(),
        msg_type: MessageType::TgsReq.as_i32().into(),
        padata: Some(vec![pa_data_der(PaDataType::TgsReq, &ap_req)?]),
        req_body: body,
    });
    let mut tgs_transport = transport.clone();
    if tgs_transport.realm != tgt.server.realm && !tgt.server.realm.is_empty() {
        tgs_transport.realm.clone_from(&tgt.server.realm);
    }
    let reply = tgs_transport.send(&encode(&req)?).await?;
    if reply.first() == Some(&0x7e) {
        let err: KrbError = decode(&reply)?;
        return Err(match kdc_error(&err, &tgt.client, &sname) {
            // A bad-integrity answer to a TGS-REQ is not about a password.
            KdcClientError::PasswordIncorrect { principal } => KdcClientError::Kdc {
                principal,
                code: err.error_code,
                text: tessera_proto::msg::error_code_text(err.error_code),
            },
            other => other,
        });
    }
    let rep: TgsRep = decode(&reply)?;
    let rep = rep.0;
    let part = decrypt_rep_part(&subkey, usage::TGS_REP_ENC_PART_SUBKEY, &rep.enc_part)
        .or_else(|_| decrypt_rep_part(skey, usage::TGS_REP_ENC_PART_SESSION_KEY, &rep.enc_part))
        .map_err(|e| match e {
            CryptoError::IntegrityFailure => KdcClientError::BadReply {
                principal: tgt.client.to_string(),
                reason: "TGS-REP does not decrypt with the TGT session key or subkey",
            },
            other => KdcClientError::Crypto(other),
        })?;
    creds_from_reply(
        &rep,
        &part,
        &Expect {
            client: &tgt.client,
            server: &sname,
            nonce,
            canonicalize: opts.canonicalize,
            till: if kind == TgsKind::Renew { 0 } else { till },
            clockskew,
            check_skew: false,
        },
    )
}
