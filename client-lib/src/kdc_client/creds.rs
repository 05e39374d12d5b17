//! Credentials obtained from the KDC, and the options used to ask for them.

use std::fmt;
use std::time::Duration;

use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::{Principal, Ticket, TicketFlags};

use super::S2kLimits;

/// A ticket with its session key and the times and flags the KDC granted.
///
/// The session key zeroizes on drop and is redacted in `Debug`.
#[derive(Clone)]
pub struct Creds {
    /// The client principal (as the KDC named it).
    pub client: Principal,
    /// The service principal (as the KDC named it).
    pub server: Principal,
    /// The session key.
    pub session_key: Key,
    /// The ticket.
    pub ticket: Ticket,
    /// The ticket's DER encoding, as stored in caches.
    pub ticket_der: Vec<u8>,
    /// The ticket's enctype (of the service's long-term key).
    pub ticket_etype: i32,
    /// The ticket's kvno, if the KDC gave one.
    pub ticket_kvno: Option<u32>,
    /// Ticket flags.
    pub flags: TicketFlags,
    /// Initial authentication time (Unix seconds).
    pub authtime: i64,
    /// Start of validity (Unix seconds), if the KDC said.
    pub starttime: Option<i64>,
    /// End of validity (Unix seconds).
    pub endtime: i64,
    /// Renewable until (Unix seconds), for renewable tickets.
    pub renew_till: Option<i64>,
}

impl fmt::Debug for Creds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Creds")
            .field("client", &self.client.to_string())
            .field("server", &self.server.to_string())
            .field("session_key", &self.session_key)
            .field("ticket", &format_args!("<{} bytes>", self.ticket_der.len()))
            .field("ticket_etype", &self.ticket_etype)
            .field("ticket_kvno", &self.ticket_kvno)
            .field("flags", &self.flags)
            .field("authtime", &self.authtime)
            .field("starttime", &self.starttime)
            .field("endtime", &self.endtime)
            .field("renew_till", &self.renew_till)
            .finish()
    }
}

impl Creds {
    /// Whether the ticket is valid at `now` (Unix seconds).
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.starttime.unwrap_or(self.authtime) <= now + 300 && now < self.endtime
    }
}

/// What to ask for in an AS or TGS request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketOptions {
    /// Requested lifetime (from now).
    pub lifetime: Duration,
    /// Requested renewable lifetime; `None` for a non-renewable ticket.
    pub renew_lifetime: Option<Duration>,
    /// Ask for a forwardable ticket.
    pub forwardable: bool,
    /// Ask for a proxiable ticket.
    pub proxiable: bool,
    /// Set the canonicalize option.
    pub canonicalize: bool,
    /// Enctypes to offer, in order of preference.
    pub enctypes: Vec<EncType>,
    /// The accepted range of string-to-key parameters from the KDC.
    pub s2k_limits: S2kLimits,
}

impl Default for TicketOptions {
    fn default() -> Self {
        Self {
            lifetime: Duration::from_secs(24 * 3600),
            renew_lifetime: None,
            forwardable: false,
            proxiable: false,
            canonicalize: false,
            enctypes: default_enctypes(),
            s2k_limits: S2kLimits::default(),
        }
    }
}

/// The enctypes offered when krb5.conf says nothing: MIT's default order
/// for the AES enctypes.
pub fn default_enctypes() -> Vec<EncType> {
    vec![
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256CtsHmacSha384192,
        EncType::Aes128CtsHmacSha256128,
    ]
}

/// Parses a krb5.conf enctype list (names, families such as `aes`, or
/// numbers, `DEFAULT`, `-name` to remove); names we do not implement are
/// skipped, duplicates dropped.
pub fn parse_enctypes(names: &[String]) -> Vec<EncType> {
    let mut out: Vec<EncType> = Vec::new();
    for n in names {
        let n = n.trim_start_matches('+');
        // `-name` removes (MIT syntax); `-32341` is an enctype number.
        if let Some(rest) = n.strip_prefix('-')
            && n.parse::<i32>().is_err()
        {
            let gone = EncType::from_name_family(rest).unwrap_or_default();
            out.retain(|e| !gone.contains(e));
            continue;
        }
        if n.eq_ignore_ascii_case("DEFAULT") {
            for e in default_enctypes() {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            continue;
        }
        for e in EncType::from_name_family(n).unwrap_or_default() {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}
