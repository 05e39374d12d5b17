//! Realm policy as the exchanges apply it: enctype selection, ticket
//! lifetimes and renewable lifetimes, principal status checks.
//!
//! Everything here is a pure function of its arguments (times are Unix
//! seconds passed in).

use std::time::{Duration, SystemTime};

use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::{KdcOptions, KdcReqBody, KerberosTime, KerberosTimeExt};

use super::error::KdcError;
use crate::config::PolicyConfig;
use crate::db::entry::to_unix;
use crate::db::{KeyData, PrincipalEntry, PrincipalFlags};

/// The realm policy in the form the exchanges use (seconds, parsed
/// enctypes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmPolicy {
    /// Longest ticket life, seconds.
    pub max_life: i64,
    /// Longest renewable life, seconds.
    pub max_renewable_life: i64,
    /// Allowed clock skew, seconds.
    pub clock_skew: i64,
    /// Enctypes the KDC uses, in the realm's preference order (unknown
    /// numbers dropped).
    pub allowed: Vec<EncType>,
}

impl RealmPolicy {
    /// From the configuration's `[policy]`.
    pub fn from_config(p: &PolicyConfig) -> Self {
        RealmPolicy {
            max_life: secs(p.max_life),
            max_renewable_life: secs(p.max_renewable_life),
            clock_skew: secs(p.clock_skew),
            allowed: p
                .allowed_enctypes
                .iter()
                .filter_map(|&n| EncType::from_i32(n))
                .collect(),
        }
    }

    /// Whether the realm allows `etype`.
    pub fn allows(&self, etype: EncType) -> bool {
        self.allowed.contains(&etype)
    }
}

/// Whole seconds of a duration, saturating.
pub fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Optional principal limit in seconds (None = no principal limit).
fn principal_limit(d: Option<Duration>) -> i64 {
    d.map_or(i64::MAX, secs)
}

/// Whether an enctype is one of the four AES (RFC 3962 / RFC 8009) ones.
pub fn is_aes(e: EncType) -> bool {
    !matches!(e, EncType::Aes256GcmArgon2id)
}

/// A protocol key from a database key.
pub fn key_of(kd: &KeyData) -> Result<Key, KdcError> {
    let etype = EncType::from_i32(kd.enctype).ok_or(KdcError::EtypeNosupp)?;
    Key::from_bytes(etype, kd.key.as_bytes())
        .map_err(|_| KdcError::Internal("stored key is unusable"))
}

/// The client's current keys usable for the reply, in the client's
/// preference order: client list ∩ principal's current keys ∩ realm.
pub fn usable_client_keys<'a>(
    requested: &[i32],
    principal: &'a PrincipalEntry,
    policy: &RealmPolicy,
) -> Vec<(EncType, &'a KeyData)> {
    let kvno = principal.current_kvno();
    let mut out: Vec<(EncType, &KeyData)> = Vec::new();
    for &n in requested {
        let Some(e) = EncType::from_i32(n) else {
            continue;
        };
        if !policy.allows(e) || out.iter().any(|(x, _)| *x == e) {
            continue;
        }
        if let Some(k) = principal.key(kvno, n) {
            out.push((e, k));
        }
    }
    out
}

/// The session key enctype: the first in the client's list that the realm
/// allows and the service supports. A service with any AES key is assumed
/// to handle every AES enctype (MIT's behaviour); the native enctype needs
/// a native key.
pub fn select_session_etype(
    requested: &[i32],
    server: &PrincipalEntry,
    policy: &RealmPolicy,
) -> Option<EncType> {
    let has = |e: EncType| server.current_keys().any(|k| k.enctype == e.as_i32());
    let has_aes = server
        .current_keys()
        .any(|k| EncType::from_i32(k.enctype).is_some_and(is_aes));
    requested
        .iter()
        .filter_map(|&n| EncType::from_i32(n))
        .find(|&e| policy.allows(e) && (has(e) || (is_aes(e) && has_aes)))
}

/// The server key a ticket is encrypted in: current kvno, the realm's
/// preference order. For services other than the TGS the native enctype
/// comes last, since third-party acceptors (MIT) cannot decrypt it.
pub fn select_ticket_key<'a>(
    server: &'a PrincipalEntry,
    policy: &RealmPolicy,
    is_tgs: bool,
) -> Option<(EncType, &'a KeyData)> {
    let kvno = server.current_kvno();
    let pick = |want_native: bool| {
        policy.allowed.iter().find_map(|&e| {
            if !is_tgs && is_aes(e) == want_native {
                return None;
            }
            server.key(kvno, e.as_i32()).map(|k| (e, k))
        })
    };
    if is_tgs {
        pick(false)
    } else {
        pick(false).or_else(|| pick(true))
    }
}

/// Status checks on a client in an AS exchange (disabled, expired,
/// password expired, password change required). `pw_change_service` is
/// true when the server is a password-change service, which stays
/// reachable with an expired password or `needchange`.
pub fn check_client(
    client: &PrincipalEntry,
    now: SystemTime,
    pw_change_service: bool,
) -> Result<(), KdcError> {
    check_client_enabled(client, now)?;
    if pw_change_service {
        return Ok(());
    }
    if client.pw_expiration.is_some_and(|t| now > t) {
        return Err(KdcError::PasswordExpired);
    }
    check_no_change_due(client, false)
}

/// Disabled or expired clients get no ticket at all.
pub fn check_client_enabled(client: &PrincipalEntry, now: SystemTime) -> Result<(), KdcError> {
    if !client.is_enabled() {
        return Err(KdcError::ClientRevoked);
    }
    if client.expiration.is_some_and(|t| now > t) {
        return Err(KdcError::ClientExpired);
    }
    Ok(())
}

/// A client flagged `needchange` gets tickets only for a password-change
/// service (`pw_change_service`), in the AS exchange and, unlike MIT, in
/// the TGS exchange too (a TGT obtained before the flag was set buys
/// nothing else).
pub fn check_no_change_due(
    client: &PrincipalEntry,
    pw_change_service: bool,
) -> Result<(), KdcError> {
    if !pw_change_service && client.flags.contains(PrincipalFlags::NEEDCHANGE) {
        return Err(KdcError::PasswordChangeRequired);
    }
    Ok(())
}

/// Status checks on a server (disabled, not a service, expired).
pub fn check_server(server: &PrincipalEntry, now: SystemTime) -> Result<(), KdcError> {
    if !server.is_enabled() {
        return Err(KdcError::ServerDisabled);
    }
    if !server.flags.contains(PrincipalFlags::ALLOW_SVR) {
        return Err(KdcError::ServerNotAllowed);
    }
    if server.expiration.is_some_and(|t| now > t) {
        return Err(KdcError::ServerExpired);
    }
    Ok(())
}

/// The requested times of a KDC-REQ, in Unix seconds (`till`/`rtime` of 0
/// already turned into "no limit").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestedTimes {
    /// `from`, if present.
    pub from: Option<i64>,
    /// `till` (i64::MAX for the "infinite" time 0).
    pub till: i64,
    /// `rtime`, if present (i64::MAX for 0).
    pub rtime: Option<i64>,
}

impl RequestedTimes {
    /// The times a KDC-REQ-BODY asks for.
    pub fn from_body(body: &KdcReqBody) -> Self {
        RequestedTimes {
            from: body.from.as_ref().map(KerberosTimeExt::to_unix),
            till: requested(&body.till),
            rtime: body.rtime.as_ref().map(requested),
        }
    }
}

/// A requested time as seconds, 0 ("19700101000000Z") meaning no limit.
fn requested(t: &KerberosTime) -> i64 {
    match t.to_unix() {
        0 => i64::MAX,
        s => s,
    }
}

/// Caps that apply to a new ticket, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Longest life from the start time.
    pub max_life: i64,
    /// Longest renewable life from the start time.
    pub max_renew: i64,
    /// Absolute end-time cap (the TGT's end time in a TGS exchange).
    pub end: i64,
    /// Absolute renew-till cap (the TGT's renew-till in a TGS exchange).
    pub renew_till: i64,
    /// Renewable tickets allowed at all.
    pub renewable_ok: bool,
    /// Postdated tickets allowed at all.
    pub postdate_ok: bool,
}

impl Caps {
    /// Caps from the client (if any), the server and the realm.
    pub fn new(
        client: Option<&PrincipalEntry>,
        server: &PrincipalEntry,
        realm: &RealmPolicy,
    ) -> Self {
        let both = |f: PrincipalFlags| {
            server.flags.contains(f) && client.is_none_or(|c| c.flags.contains(f))
        };
        let c_life = client.map_or(i64::MAX, |c| principal_limit(c.max_life));
        let c_renew = client.map_or(i64::MAX, |c| principal_limit(c.max_renewable_life));
        Caps {
            max_life: realm
                .max_life
                .min(principal_limit(server.max_life))
                .min(c_life),
            max_renew: realm
                .max_renewable_life
                .min(principal_limit(server.max_renewable_life))
                .min(c_renew),
            end: i64::MAX,
            renew_till: i64::MAX,
            renewable_ok: both(PrincipalFlags::ALLOW_RENEWABLE),
            postdate_ok: both(PrincipalFlags::ALLOW_POSTDATED),
        }
    }
}

/// The times (and time-related flags) of a new ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketTimes {
    /// Start time.
    pub start: i64,
    /// End time.
    pub end: i64,
    /// Renew-till, when the ticket is renewable.
    pub renew_till: Option<i64>,
    /// The ticket is postdated (POSTDATED and INVALID flags).
    pub postdated: bool,
}

/// Computes start, end and renew-till (RFC 4120 sections 3.1.3 and 3.3.3).
pub fn ticket_times(
    now: i64,
    skew: i64,
    opts: KdcOptions,
    req: RequestedTimes,
    caps: &Caps,
) -> Result<TicketTimes, KdcError> {
    let mut postdated = false;
    let start = if opts.contains(KdcOptions::POSTDATED) {
        if !caps.postdate_ok {
            return Err(KdcError::CannotPostdate("postdated tickets not allowed"));
        }
        let from = req
            .from
            .ok_or(KdcError::BadOption("POSTDATED without a from time"))?;
        if from > now {
            postdated = true;
            from
        } else {
            now
        }
    } else {
        if req.from.is_some_and(|f| f > now.saturating_add(skew)) {
            return Err(KdcError::CannotPostdate(
                "start time in the future without POSTDATED",
            ));
        }
        now
    };
    let end = req
        .till
        .min(start.saturating_add(caps.max_life))
        .min(caps.end);
    if end <= start {
        return Err(KdcError::NeverValid);
    }
    let rtime = if opts.contains(KdcOptions::RENEWABLE) {
        Some(req.rtime.unwrap_or(req.till))
    } else if opts.contains(KdcOptions::RENEWABLE_OK) && req.till > end {
        Some(req.till)
    } else {
        None
    };
    let renew_till = match rtime {
        Some(r) if caps.renewable_ok => {
            let rt = r
                .min(start.saturating_add(caps.max_renew))
                .min(caps.renew_till);
            (rt > end).then_some(rt)
        }
        _ => None,
    };
    Ok(TicketTimes {
        start,
        end,
        renew_till,
        postdated,
    })
}

/// Unix seconds of a `SystemTime`.
pub fn unix(t: SystemTime) -> i64 {
    to_unix(t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn caps() -> Caps {
        Caps {
            max_life: 100,
            max_renew: 1000,
            end: i64::MAX,
            renew_till: i64::MAX,
            renewable_ok: true,
            postdate_ok: false,
        }
    }

    fn req(till: i64, rtime: Option<i64>) -> RequestedTimes {
        RequestedTimes {
            from: None,
            till,
            rtime,
        }
    }

    #[test]
    fn lifetimes() {
        let t = ticket_times(0, 5, KdcOptions::EMPTY, req(i64::MAX, None), &caps()).unwrap();
        assert_eq!((t.start, t.end, t.renew_till), (0, 100, None));
        let t = ticket_times(0, 5, KdcOptions::RENEWABLE_OK, req(500, None), &caps()).unwrap();
        assert_eq!((t.end, t.renew_till), (100, Some(500)));
        let t = ticket_times(0, 5, KdcOptions::RENEWABLE, req(50, Some(5000)), &caps()).unwrap();
        assert_eq!((t.end, t.renew_till), (50, Some(1000)));
        assert_eq!(
            ticket_times(10, 5, KdcOptions::EMPTY, req(5, None), &caps()),
            Err(KdcError::NeverValid)
        );
        let mut r = req(50, None);
        r.from = Some(100);
        assert!(matches!(
            ticket_times(0, 5, KdcOptions::EMPTY, r, &caps()),
            Err(KdcError::CannotPostdate(_))
        ));
    }
}
