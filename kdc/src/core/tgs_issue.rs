//! The TGS exchange, second half: the new ticket (service ticket, renewal,
//! validation, forwarded TGT) and the TGS-REP.

use tessera_proto::crypto::{Key, usage};
use tessera_proto::msg::asn1::{EncTgsRepPart, KdcRep};
use tessera_proto::msg::{
    AuthorizationData, EncTicketPart, KdcOptions, KdcReqBody, KerberosTimeExt, MessageType,
    Principal, TgsRep, Ticket, TicketFlags, decode, encode,
};

use super::error::KdcError;
use super::ticket::{
    Issued, PVNO, der, enc_rep_part, encryption_key, kt, last_req, seal, wire_name,
};
use super::ticket_rules::{
    Caps, RequestedTimes, check_client_enabled, check_no_change_due, check_server, key_of,
    select_session_etype, select_ticket_key, ticket_times,
};
use super::{Exchange, Kdc};
use crate::db::PrincipalFlags;

/// What the verified PA-TGS-REQ yields.
#[derive(Debug)]
pub(super) struct Verified {
    /// The presented ticket's decrypted part.
    pub ticket: EncTicketPart,
    /// Its flags.
    pub flags: TicketFlags,
    /// The server the presented ticket was for.
    pub ticket_server: Principal,
    /// The ticket's client.
    pub client: Principal,
    /// The ticket's session key.
    pub session: Key,
    /// The authenticator's subkey, if any.
    pub subkey: Option<Key>,
    /// The authenticator's client time (seconds) and microseconds, for the
    /// replay check ([`super::replay::check_tgs`]).
    pub ctime: i64,
    /// See `ctime`.
    pub cusec: u32,
}

/// Issues the ticket a verified TGS-REQ asks for and encodes the TGS-REP.
pub(super) fn issue(
    kdc: &Kdc,
    body: &KdcReqBody,
    opts: KdcOptions,
    v: &Verified,
    ex: &mut Exchange,
) -> Result<Vec<u8>, KdcError> {
    if opts.contains(KdcOptions::ENC_TKT_IN_SKEY) || opts.contains(KdcOptions::CNAME_IN_ADDL_TKT) {
        return Err(KdcError::BadOption(
            "user-to-user and S4U2Proxy are not supported",
        ));
    }
    let renew = opts.contains(KdcOptions::RENEW);
    let validate = opts.contains(KdcOptions::VALIDATE);
    if renew && validate {
        return Err(KdcError::BadOption("RENEW and VALIDATE together"));
    }
    // The client must still be allowed tickets (if it is one of ours).
    let client_entry = kdc.lookup(&v.client)?;
    match &client_entry {
        Some(c) => check_client_enabled(c, ex.now)?,
        None if v.client.realm == kdc.realm => return Err(KdcError::ClientUnknown),
        None => {}
    }

    // The server of the new ticket.
    let server = if renew || validate {
        if ex
            .server
            .as_ref()
            .is_some_and(|s| !s.same_name(&v.ticket_server))
        {
            return Err(KdcError::BadOption(
                "renewal or validation for another server",
            ));
        }
        v.ticket_server.clone()
    } else {
        ex.server
            .clone()
            .ok_or(KdcError::BadOption("TGS-REQ without sname"))?
    };
    ex.server = Some(server.clone());
    let server_entry = kdc.lookup(&server)?.ok_or(KdcError::ServerUnknown)?;
    check_server(&server_entry, ex.now)?;
    if let Some(c) = &client_entry {
        let pw_change = server_entry
            .flags
            .contains(PrincipalFlags::PWCHANGE_SERVICE);
        check_no_change_due(c, pw_change)?;
    }
    // The request is acceptable as far as is cheap to know: now the replay
    // check, which records the authenticator.
    super::replay::check_tgs(kdc, v, ex)?;
    let is_tgs = kdc.is_local_tgs(&server);

    let old = &v.ticket;
    let (issued, caddr, session_etype) = if renew || validate {
        reissue(v, renew, ex.now_secs)?
    } else {
        new_ticket(
            kdc,
            body,
            opts,
            v,
            client_entry.as_deref(),
            &server_entry,
            is_tgs,
            ex,
        )?
    };
    ex.session_etype = Some(session_etype);
    ex.flags = Some(issued.flags);

    // Authorization data: the old ticket's, then the request's.
    let mut authz: AuthorizationData = old.authorization_data.clone().unwrap_or_default();
    if let Some(enc) = body
        .enc_authorization_data
        .as_ref()
        .filter(|_| !(renew || validate))
    {
        let plain = match &v.subkey {
            Some(sk) => sk.decrypt(usage::TGS_REQ_AD_SUBKEY, &enc.cipher),
            None => v
                .session
                .decrypt(usage::TGS_REQ_AD_SESSION_KEY, &enc.cipher),
        }
        .map_err(|_| KdcError::BadIntegrity("enc-authorization-data does not decrypt"))?;
        let ad: AuthorizationData = decode(&plain)
            .map_err(|_| KdcError::Malformed("authorization data does not decode"))?;
        authz.extend(ad);
    }

    let (ticket_etype, ticket_kd) =
        select_ticket_key(&server_entry, &kdc.policy, is_tgs).ok_or(KdcError::EtypeNosupp)?;
    ex.ticket_etype = Some(ticket_etype);
    let session = Key::random(session_etype).map_err(|_| KdcError::Internal("random failure"))?;
    let server_w = wire_name(&server)?;
    let part = EncTicketPart {
        flags: issued.flags.to_asn1(),
        key: encryption_key(&session),
        crealm: old.crealm.clone(),
        cname: old.cname.clone(),
        transited: old.transited.clone(),
        auth_time: kt(issued.authtime)?,
        start_time: Some(kt(issued.start)?),
        end_time: kt(issued.end)?,
        renew_till: issued.renew_till.map(kt).transpose()?,
        caddr: caddr.clone(),
        authorization_data: (!authz.is_empty()).then_some(authz),
    };
    let ticket = Ticket {
        tkt_vno: PVNO.into(),
        realm: server_w.1.clone(),
        sname: server_w.0.clone(),
        enc_part: seal(
            &der(encode(&part))?,
            &key_of(ticket_kd)?,
            usage::KDC_REP_TICKET,
            Some(ticket_kd.kvno),
        )?,
    };
    drop(part);

    let rep_part = EncTgsRepPart(enc_rep_part(
        &session,
        last_req(None)?,
        body.nonce,
        None,
        &issued,
        &server_w,
        caddr,
    )?);
    let plain = der(encode(&rep_part))?;
    drop(rep_part);
    let enc_part = match &v.subkey {
        Some(sk) => seal(&plain, sk, usage::TGS_REP_ENC_PART_SUBKEY, None)?,
        None => seal(
            &plain,
            &v.session,
            usage::TGS_REP_ENC_PART_SESSION_KEY,
            None,
        )?,
    };
    let rep = TgsRep(KdcRep {
        pvno: PVNO.into(),
        msg_type: MessageType::TgsRep.as_i32().into(),
        padata: None,
        crealm: old.crealm.clone(),
        cname: old.cname.clone(),
        ticket,
        enc_part,
    });
    encode(&rep).map_err(|_| KdcError::Internal("encoding failed"))
}

/// RENEW or VALIDATE: the presented ticket again, with new times (renew)
/// or without INVALID (validate), and a fresh session key of the same
/// enctype.
fn reissue(
    v: &Verified,
    renew: bool,
    now: i64,
) -> Result<
    (
        Issued,
        Option<tessera_proto::msg::HostAddresses>,
        tessera_proto::crypto::EncType,
    ),
    KdcError,
> {
    let old = &v.ticket;
    let authtime = old.auth_time.to_unix();
    let old_start = old.start_time.as_ref().unwrap_or(&old.auth_time).to_unix();
    let old_end = old.end_time.to_unix();
    let renew_till = old.renew_till.as_ref().map(KerberosTimeExt::to_unix);
    let mut flags = v.flags;
    let (start, end) = if renew {
        if !flags.contains(TicketFlags::RENEWABLE) {
            return Err(KdcError::BadOption("ticket is not renewable"));
        }
        let till = renew_till.ok_or(KdcError::BadOption("ticket has no renew-till"))?;
        if till < now {
            return Err(KdcError::TicketExpired);
        }
        let life = old_end.saturating_sub(old_start).max(0);
        (now, now.saturating_add(life).min(till))
    } else {
        if !flags.contains(TicketFlags::INVALID) {
            return Err(KdcError::BadOption("ticket is not invalid"));
        }
        flags.remove(TicketFlags::INVALID);
        (old_start, old_end)
    };
    if end <= start {
        return Err(KdcError::NeverValid);
    }
    Ok((
        Issued {
            flags,
            authtime,
            start,
            end,
            renew_till,
        },
        old.caddr.clone(),
        v.session.etype(),
    ))
}

/// A new ticket from a TGT: flags, times, addresses, session enctype.
#[allow(clippy::too_many_arguments)]
fn new_ticket(
    kdc: &Kdc,
    body: &KdcReqBody,
    opts: KdcOptions,
    v: &Verified,
    client: Option<&crate::db::PrincipalEntry>,
    server: &crate::db::PrincipalEntry,
    is_tgs: bool,
    ex: &Exchange,
) -> Result<
    (
        Issued,
        Option<tessera_proto::msg::HostAddresses>,
        tessera_proto::crypto::EncType,
    ),
    KdcError,
> {
    let tgt = &v.ticket;
    let tf = v.flags;
    let session_etype =
        select_session_etype(&body.etype, server, &kdc.policy).ok_or(KdcError::EtypeNosupp)?;
    let sflag = |f: PrincipalFlags| server.flags.contains(f);

    let mut flags = TicketFlags::EMPTY;
    flags.insert(
        tf.intersection(
            TicketFlags::PRE_AUTHENT | TicketFlags::HW_AUTHENT | TicketFlags::FORWARDED,
        ),
    );
    let mut caddr = tgt.caddr.clone();
    if opts.contains(KdcOptions::FORWARDABLE)
        && tf.contains(TicketFlags::FORWARDABLE)
        && sflag(PrincipalFlags::ALLOW_FORWARDABLE)
    {
        flags.insert(TicketFlags::FORWARDABLE);
    }
    if opts.contains(KdcOptions::FORWARDED) {
        if !tf.contains(TicketFlags::FORWARDABLE) {
            return Err(KdcError::BadOption(
                "FORWARDED from a ticket that is not forwardable",
            ));
        }
        flags.insert(TicketFlags::FORWARDED);
        caddr.clone_from(&body.addresses);
    }
    if opts.contains(KdcOptions::PROXIABLE)
        && tf.contains(TicketFlags::PROXIABLE)
        && sflag(PrincipalFlags::ALLOW_PROXIABLE)
    {
        flags.insert(TicketFlags::PROXIABLE);
    }
    if opts.contains(KdcOptions::PROXY) {
        if !tf.contains(TicketFlags::PROXIABLE) || is_tgs {
            return Err(KdcError::BadOption("PROXY not allowed"));
        }
        flags.insert(TicketFlags::PROXY);
        caddr.clone_from(&body.addresses);
    }
    let postdate_ok =
        tf.contains(TicketFlags::MAY_POSTDATE) && sflag(PrincipalFlags::ALLOW_POSTDATED);
    if opts.contains(KdcOptions::ALLOW_POSTDATE) {
        if !postdate_ok {
            return Err(KdcError::CannotPostdate("TGT does not allow postdating"));
        }
        flags.insert(TicketFlags::MAY_POSTDATE);
    }
    if !is_tgs && sflag(PrincipalFlags::OK_AS_DELEGATE) {
        flags.insert(TicketFlags::OK_AS_DELEGATE);
    }

    let mut caps = Caps::new(client, server, &kdc.policy);
    caps.end = tgt.end_time.to_unix();
    caps.renew_till = tgt.renew_till.as_ref().map_or(0, KerberosTimeExt::to_unix);
    caps.renewable_ok = caps.renewable_ok && tf.contains(TicketFlags::RENEWABLE);
    caps.postdate_ok = postdate_ok;
    let times = ticket_times(
        ex.now_secs,
        kdc.policy.clock_skew,
        opts,
        RequestedTimes::from_body(body),
        &caps,
    )?;
    if times.postdated {
        flags.insert(TicketFlags::POSTDATED | TicketFlags::INVALID);
    }
    if times.renew_till.is_some() {
        flags.insert(TicketFlags::RENEWABLE);
    }
    Ok((
        Issued {
            flags,
            authtime: tgt.auth_time.to_unix(),
            start: times.start,
            end: times.end,
            renew_till: times.renew_till,
        },
        caddr,
        session_etype,
    ))
}
