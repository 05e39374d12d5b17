//! The AS exchange (RFC 4120 section 3.1).

use tessera_proto::crypto::{Key, usage};
use tessera_proto::msg::asn1::{EncAsRepPart, KdcRep};
use tessera_proto::msg::{
    AsRep, EncTicketPart, KdcOptions, KdcReq, MessageType, Ticket, TicketFlags, encode,
    pa_etype_info2,
};

use super::error::KdcError;
use super::ticket::{
    Issued, PVNO, der, enc_rep_part, encryption_key, last_req, no_transit, seal, wire_name,
};
use super::ticket_rules::{
    Caps, RequestedTimes, check_client, check_server, key_of, select_session_etype,
    select_ticket_key, ticket_times, usable_client_keys,
};
use super::{Exchange, Kdc, lockout, preauth};
use crate::admin::LockoutState;
use crate::db::PrincipalFlags;
use crate::db::entry::to_unix;

/// KDC options that make no sense in an AS-REQ.
const AS_INVALID_OPTIONS: KdcOptions = KdcOptions(
    KdcOptions::FORWARDED.0
        | KdcOptions::PROXY.0
        | KdcOptions::VALIDATE.0
        | KdcOptions::RENEW.0
        | KdcOptions::ENC_TKT_IN_SKEY.0
        | KdcOptions::CNAME_IN_ADDL_TKT.0,
);

/// Handles one AS-REQ.
/// `req` decoded in full, pvno and msg-type checked ([`Kdc::handle`] drops
/// what does not decode).
pub(super) fn handle(kdc: &Kdc, req: &KdcReq, ex: &mut Exchange) -> Result<Vec<u8>, KdcError> {
    let body = &req.req_body;
    let opts = KdcOptions::from_asn1(&body.kdc_options);
    ex.etypes.clone_from(&body.etype);
    let canonicalize = opts.contains(KdcOptions::CANONICALIZE);
    let cname = body
        .cname
        .as_ref()
        .ok_or(KdcError::Malformed("AS-REQ without cname"))?;
    let client = kdc.resolve_name(cname, &body.realm, canonicalize)?;
    ex.client = Some(client.clone());
    let sname = body.sname.as_ref().ok_or(KdcError::ServerUnknown)?;
    let server = kdc.resolve_name(sname, &body.realm, false)?;
    ex.server = Some(server.clone());

    if opts.intersection(AS_INVALID_OPTIONS) != KdcOptions::EMPTY {
        return Err(KdcError::BadOption("option not valid in an AS-REQ"));
    }
    let client_entry = kdc.lookup(&client)?.ok_or(KdcError::ClientUnknown)?;
    // A locked-out client is refused before anything else, as MIT does.
    if let LockoutState::Locked { .. } = kdc.lockout.check(&*kdc.store, &client_entry, ex.now) {
        return Err(KdcError::LockedOut);
    }
    let server_entry = kdc.lookup(&server)?.ok_or(KdcError::ServerUnknown)?;
    check_server(&server_entry, ex.now)?;

    let usable = usable_client_keys(&body.etype, &client_entry, &kdc.policy);
    if usable.is_empty() {
        return Err(KdcError::EtypeNosupp);
    }
    let session_etype = select_session_etype(&body.etype, &server_entry, &kdc.policy)
        .ok_or(KdcError::EtypeNosupp)?;
    ex.session_etype = Some(session_etype);
    let is_tgs = kdc.is_local_tgs(&server);
    let (ticket_etype, ticket_kd) =
        select_ticket_key(&server_entry, &kdc.policy, is_tgs).ok_or(KdcError::EtypeNosupp)?;
    ex.ticket_etype = Some(ticket_etype);

    let proved = match preauth::verify(kdc, req, &client_entry, &usable, ex) {
        Ok(key) => key,
        Err(KdcError::PreauthFailed) => {
            let enc_ts = lockout::enc_timestamp_bytes(req).unwrap_or_default();
            let (_, written) =
                kdc.lockout
                    .record_failure(&*kdc.store, &client_entry, &enc_ts, ex.now);
            ex.written = written;
            return Err(KdcError::PreauthFailed);
        }
        Err(e) => return Err(e),
    };
    if proved.is_some() {
        ex.written = kdc
            .lockout
            .record_success(&*kdc.store, &client_entry, ex.now);
    }
    let pw_change = server_entry
        .flags
        .contains(PrincipalFlags::PWCHANGE_SERVICE);
    check_client(&client_entry, ex.now, pw_change)?;

    // The reply key: exactly the key the client just proved, else (no
    // pre-authentication) its first choice.
    let (reply_etype, reply_kd) = proved
        .or_else(|| usable.first().copied())
        .ok_or(KdcError::EtypeNosupp)?;
    ex.reply_etype = Some(reply_etype);

    // Options, times, flags.
    let caps = Caps::new(Some(&client_entry), &server_entry, &kdc.policy);
    if opts.contains(KdcOptions::ALLOW_POSTDATE) && !caps.postdate_ok {
        return Err(KdcError::CannotPostdate("postdated tickets not allowed"));
    }
    let times = ticket_times(
        ex.now_secs,
        kdc.policy.clock_skew,
        opts,
        RequestedTimes::from_body(body),
        &caps,
    )?;
    let both = |f: PrincipalFlags| client_entry.flags.contains(f) && server_entry.flags.contains(f);
    let mut flags = TicketFlags::INITIAL;
    if proved.is_some() {
        flags.insert(TicketFlags::PRE_AUTHENT);
    }
    if opts.contains(KdcOptions::FORWARDABLE) && both(PrincipalFlags::ALLOW_FORWARDABLE) {
        flags.insert(TicketFlags::FORWARDABLE);
    }
    if opts.contains(KdcOptions::PROXIABLE) && both(PrincipalFlags::ALLOW_PROXIABLE) {
        flags.insert(TicketFlags::PROXIABLE);
    }
    if opts.contains(KdcOptions::ALLOW_POSTDATE) {
        flags.insert(TicketFlags::MAY_POSTDATE);
    }
    if times.postdated {
        flags.insert(TicketFlags::POSTDATED | TicketFlags::INVALID);
    }
    if times.renew_till.is_some() {
        flags.insert(TicketFlags::RENEWABLE);
    }
    if !is_tgs && server_entry.flags.contains(PrincipalFlags::OK_AS_DELEGATE) {
        flags.insert(TicketFlags::OK_AS_DELEGATE);
    }
    ex.flags = Some(flags);
    let issued = Issued {
        flags,
        authtime: ex.now_secs,
        start: times.start,
        end: times.end,
        renew_till: times.renew_till,
    };

    // The ticket.
    let session = Key::random(session_etype).map_err(|_| KdcError::Internal("random failure"))?;
    let (cname_w, crealm_w) = wire_name(&client)?;
    let server_w = wire_name(&server)?;
    let part = EncTicketPart {
        flags: flags.to_asn1(),
        key: encryption_key(&session),
        crealm: crealm_w.clone(),
        cname: cname_w.clone(),
        transited: no_transit(),
        auth_time: super::ticket::kt(issued.authtime)?,
        start_time: Some(super::ticket::kt(issued.start)?),
        end_time: super::ticket::kt(issued.end)?,
        renew_till: issued.renew_till.map(super::ticket::kt).transpose()?,
        caddr: body.addresses.clone(),
        authorization_data: None,
    };
    let server_key = key_of(ticket_kd)?;
    let ticket = Ticket {
        tkt_vno: PVNO.into(),
        realm: server_w.1.clone(),
        sname: server_w.0.clone(),
        enc_part: seal(
            &der(encode(&part))?,
            &server_key,
            usage::KDC_REP_TICKET,
            Some(ticket_kd.kvno),
        )?,
    };
    drop(part);

    // The reply.
    let pw_exp = client_entry.pw_expiration.map(to_unix);
    let rep_part = EncAsRepPart(enc_rep_part(
        &session,
        last_req(pw_exp)?,
        body.nonce,
        pw_exp,
        &issued,
        &server_w,
        body.addresses.clone(),
    )?);
    let reply_key = key_of(reply_kd)?;
    let enc_part = seal(
        &der(encode(&rep_part))?,
        &reply_key,
        usage::AS_REP_ENC_PART,
        Some(reply_kd.kvno),
    )?;
    drop(rep_part);
    let info = pa_etype_info2(vec![preauth::etype_info2_entry(reply_etype, reply_kd)])
        .map_err(|_| KdcError::Internal("encoding failed"))?;
    let rep = AsRep(KdcRep {
        pvno: PVNO.into(),
        msg_type: MessageType::AsRep.as_i32().into(),
        padata: Some(vec![info]),
        crealm: crealm_w,
        cname: cname_w,
        ticket,
        enc_part,
    });
    encode(&rep).map_err(|_| KdcError::Internal("encoding failed"))
}
