//! The TGS exchange (RFC 4120 section 3.3): verifying PA-TGS-REQ.
//! Issuing the new ticket is in `tgs_issue`.

use tessera_proto::crypto::{Checksum, ChecksumType, CryptoError, usage};
use tessera_proto::msg::time::microseconds_value;
use tessera_proto::msg::{
    ApReq, Authenticator, EncTicketPart, KdcOptions, KdcReq, KerberosTimeExt, MessageType,
    PaDataType, Principal, TicketFlags, decode, decode_pa_value, find_pa_data,
};

use super::error::KdcError;
use super::tgs_issue::{self, Verified};
use super::ticket::{PVNO, key_from_wire};
use super::ticket_rules::key_of;
use super::{Exchange, Kdc, der};

/// Handles one TGS-REQ.
/// `req` is `request` decoded in full, pvno and msg-type checked
/// ([`Kdc::handle`] drops what does not decode); `request` is kept for the
/// exact req-body bytes the checksum covers.
pub(super) fn handle(
    kdc: &Kdc,
    request: &[u8],
    req: &KdcReq,
    ex: &mut Exchange,
) -> Result<Vec<u8>, KdcError> {
    let body = &req.req_body;
    let opts = KdcOptions::from_asn1(&body.kdc_options);
    ex.etypes.clone_from(&body.etype);
    if let Some(sname) = &body.sname {
        ex.server = Some(kdc.resolve_name(sname, &body.realm, false)?);
    }
    let padata = req.padata.as_deref().unwrap_or(&[]);
    let pa = find_pa_data(padata, PaDataType::TgsReq).ok_or(KdcError::NoTgsPadata)?;
    let ap: ApReq =
        decode_pa_value(pa).map_err(|_| KdcError::Malformed("PA-TGS-REQ is not an AP-REQ"))?;
    let body_bytes = der::kdc_req_body(request).ok_or(KdcError::Malformed("req-body not found"))?;
    let verified = verify_ap_req(kdc, &ap, opts, body_bytes, ex)?;
    tgs_issue::issue(kdc, body, opts, &verified, ex)
}

/// Verifies the AP-REQ of PA-TGS-REQ: ticket, authenticator, checksum,
/// skew. The replay check comes later ([`check_replay`]).
fn verify_ap_req(
    kdc: &Kdc,
    ap: &ApReq,
    opts: KdcOptions,
    body_bytes: &[u8],
    ex: &mut Exchange,
) -> Result<Verified, KdcError> {
    if ap.pvno != PVNO.into() {
        return Err(KdcError::BadPvno);
    }
    if ap.msg_type != MessageType::ApReq.as_i32().into() {
        return Err(KdcError::WrongMessageType);
    }
    let renew_or_validate = opts.contains(KdcOptions::RENEW) || opts.contains(KdcOptions::VALIDATE);
    let ticket_server = Principal::from_asn1(&ap.ticket.sname, &ap.ticket.realm)
        .map_err(|_| KdcError::Malformed("ticket server name is not valid"))?;
    if ticket_server.realm != kdc.realm {
        return Err(KdcError::NotUs);
    }
    if !renew_or_validate && !kdc.is_local_tgs(&ticket_server) {
        return Err(KdcError::NotUs);
    }
    let server_entry = kdc.lookup(&ticket_server)?.ok_or(KdcError::NotUs)?;
    let enc = &ap.ticket.enc_part;
    let kvno = enc.kvno.unwrap_or_else(|| server_entry.current_kvno());
    let kd = server_entry
        .key(kvno, enc.etype)
        .ok_or(KdcError::BadKeyVersion {
            kvno: enc.kvno.unwrap_or(0),
            etype: enc.etype,
        })?;
    let plain = zeroize::Zeroizing::new(
        key_of(kd)?
            .decrypt(usage::KDC_REP_TICKET, &enc.cipher)
            .map_err(|_| KdcError::BadIntegrity("ticket does not decrypt"))?,
    );
    let ticket: EncTicketPart =
        decode(&plain).map_err(|_| KdcError::BadIntegrity("ticket does not decode"))?;
    let client = Principal::from_asn1(&ticket.cname, &ticket.crealm)
        .map_err(|_| KdcError::Malformed("ticket client name is not valid"))?;
    ex.client = Some(client.clone());
    let session =
        key_from_wire(&ticket.key).ok_or(KdcError::BadIntegrity("ticket session key unusable"))?;

    // The authenticator.
    let auth_plain = zeroize::Zeroizing::new(
        session
            .decrypt(usage::TGS_REQ_AUTH, &ap.authenticator.cipher)
            .map_err(|_| KdcError::BadIntegrity("authenticator does not decrypt"))?,
    );
    let auth: Authenticator =
        decode(&auth_plain).map_err(|_| KdcError::BadIntegrity("authenticator does not decode"))?;
    let auth_client = Principal::from_asn1(&auth.cname, &auth.crealm)
        .map_err(|_| KdcError::Malformed("authenticator client name is not valid"))?;
    if !auth_client.same_name(&client) {
        return Err(KdcError::BadMatch);
    }

    // Ticket times and flags.
    let flags = TicketFlags::from_asn1(&ticket.flags);
    let skew = kdc.policy.clock_skew;
    let now = ex.now_secs;
    let start = ticket
        .start_time
        .as_ref()
        .unwrap_or(&ticket.auth_time)
        .to_unix();
    if start > now.saturating_add(skew) {
        return Err(KdcError::TicketNotYetValid);
    }
    // A postdated ticket is validated only once its start time has come
    // (RFC 4120 3.3.3.1): the clock skew allowance does not apply.
    if opts.contains(KdcOptions::VALIDATE) && start > now {
        return Err(KdcError::TicketNotYetValid);
    }
    if flags.contains(TicketFlags::INVALID) && !opts.contains(KdcOptions::VALIDATE) {
        return Err(KdcError::TicketNotYetValid);
    }
    if ticket.end_time.to_unix() < now.saturating_sub(skew) {
        return Err(KdcError::TicketExpired);
    }

    // The checksum over req-body, keyed with the session key.
    let ck = auth.cksum.as_ref().ok_or(KdcError::InappropriateChecksum)?;
    let cksumtype = ChecksumType::from_i32(ck.r#type).ok_or(KdcError::InappropriateChecksum)?;
    let cksum = Checksum {
        cksumtype,
        value: ck.checksum.to_vec(),
    };
    match session.verify_checksum(usage::TGS_REQ_AUTH_CKSUM, body_bytes, &cksum) {
        Ok(()) => {}
        Err(CryptoError::ChecksumTypeMismatch { .. }) => {
            return Err(KdcError::InappropriateChecksum);
        }
        Err(_) => return Err(KdcError::Modified),
    }

    // Authenticator time.
    let ctime = auth.ctime.to_unix();
    if ctime.abs_diff(now) > skew.unsigned_abs() {
        return Err(KdcError::Skew);
    }
    let cusec = microseconds_value(&auth.cusec)
        .map_err(|_| KdcError::Malformed("authenticator cusec out of range"))?;
    let subkey = match &auth.subkey {
        Some(k) => Some(key_from_wire(k).ok_or(KdcError::Malformed("unusable subkey"))?),
        None => None,
    };
    Ok(Verified {
        ticket,
        flags,
        ticket_server,
        client,
        session,
        subkey,
        ctime,
        cusec,
    })
}
